/*
 * cshis_minimal.c — an "old DLL" for the missing-export tests: it exports only csGetVersionEx (returning the
 * 3.0-era version code 3013, docs/reference/abi.md), csOpenCom/csCloseCom and the emergency-phone read under the capitalised
 * name HisGetEmergentTel (the spelling one C# wrapper uses, docs/reference/abi.md), so the adapter's fallback can be exercised.
 * Same build flags as cshis_fixture.c (see build/native-fixture.sh).
 */
#include <string.h>

#if defined(_WIN32)
#include <windows.h>
#define CSAPI __declspec(dllexport) int __stdcall
#else
#define __stdcall
#define CSAPI __attribute__((visibility("default"))) int __stdcall
#endif

CSAPI csGetVersionEx(char *path) {
    if (path) strcpy(path, "cshis_minimal");
    return 3013;
}

CSAPI csOpenCom(int port) { return port >= 0 && port <= 9 ? 0 : -1; }

CSAPI csCloseCom(void) { return 0; }

CSAPI HisGetEmergentTel(char *buf, int *len) {
    static const char tel[14] = {'0', '2', '2', '7', '0', '6', '5', '8', '6', '6', ' ', ' ', ' ', ' '};
    if (!buf || !len) return 6018;
    int n = *len < 14 ? *len : 14;
    memcpy(buf, tel, (size_t)n);
    *len = n;
    return 0;
}
