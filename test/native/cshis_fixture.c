/*
 * cshis_fixture.c — a test stand-in for NHI's CSHIS.dll (card-reader control software).
 *
 * Exports every function of docs/reference/functions.md with the normalised signatures there
 * (buf = char* out, len = int* in/out, in = char* in, `int` everywhere), plus `fixture*` control exports
 * that tests use to insert cards, force return codes, delay or hang calls and count overlaps.
 *
 * Builds (see build/native-fixture.sh):
 *   - Linux x86_64 shared object with gcc: __stdcall is defined away (cdecl), symbols hidden except exports.
 *   - Windows i686 / x86_64 CSHIS.dll with mingw-w64: __declspec(dllexport) + __stdcall, linked with
 *     -Wl,--kill-at so the names are undecorated exactly like the real DLL (docs/reference/abi.md). No .def file.
 *
 * Conventions this fixture follows (and documents where the real DLL is unknown):
 *   - Outputs are fixed-width and NOT NUL-terminated (docs/reference/abi.md); *len is the caller's buffer size on input and the
 *     number of bytes written on output. A smaller *len truncates the write (rc 0) for plain reads.
 *   - Sequence-number calls (1.9/1.37/1.53) return 6018 (bad parameter) when *len is smaller than the
 *     full record (167/296/316): a real DLL would write past the caller's buffer; the fixture refuses.
 *   - Parameter validation (6018) happens before card-presence checks (4013/4014).
 *   - The first health-card or HPC operation authenticates the SAM (since 3.3 the DLL does it, docs/reference/abi.md (Console and lights)).
 *   - Functions the spec does not describe well return 0 with blank (space-filled) buffers or a
 *     realistic error code; see each one below.
 *   - Control exports (`fixture*`) do not take part in the in-flight/overlap accounting, so a test can
 *     release a hung call from another thread without being counted as an overlap.
 *
 * Thread safety: every CSHIS export increments an atomic in-flight counter on entry; if another call was
 * already inside, the overlap counter is incremented (fixtureOverlapCount). Card state is protected by a
 * small spin lock that is never held while sleeping (delay/hang happen before the lock is taken).
 */
#if !defined(_WIN32)
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(_WIN32)
#include <windows.h>
#define CSAPI __declspec(dllexport) int __stdcall
static HINSTANCE g_module;
BOOL WINAPI DllMain(HINSTANCE hinst, DWORD reason, LPVOID reserved) {
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) g_module = hinst;
    return TRUE;
}
#else
#include <dlfcn.h>
#include <limits.h>
#include <sched.h>
#define __stdcall
#define CSAPI __attribute__((visibility("default"))) int __stdcall
#endif

/* ------------------------------------------------------------------------------------------------ */
/* function table                                                                                   */
/* ------------------------------------------------------------------------------------------------ */

#define FX_FUNCTIONS(X)                                                                               \
    X(hisGetBasicData) X(hisGetRegisterBasic) X(hisGetRegisterPrevent) X(hisGetRegisterPregnant)      \
    X(hisGetTreatmentNoNeedHPC) X(hisGetCumulativeData) X(hisGetCumulativeFee)                        \
    X(hisGetTreatmentNeedHPC) X(hisGetSeqNumber) X(hisReadPrescription) X(hisGetInoculateData)        \
    X(hisGetOrganDonate) X(hisGetEmergentTel) X(hisGetLastSeqNum) X(hisGetCardStatus)                 \
    X(hisWriteTreatmentCode) X(hisWriteTreatmentFee) X(hisWritePrescription) X(hisWriteNewBorn)       \
    X(hisWriteAllergicMedicines) X(hisWriteOrganDonate) X(hisWriteHealthInsurance)                    \
    X(hisWriteEmergentTel) X(hisWritePredeliveryCheckup) X(hisDeletePredeliveryData)                  \
    X(hisWriteInoculateData) X(csVerifyHCPIN) X(csInputHCPIN) X(csDisableHCPIN)                       \
    X(csUpdateHCContents) X(csOpenCom) X(csCloseCom) X(hisGetCriticalIllness) X(csGetDateTime)        \
    X(csGetCardNo) X(csISSetPIN) X(hisGetSeqNumber256) X(hisGetRegisterBasic2) X(csUnGetSeqNumber)    \
    X(csUpdateHCNoReset) X(hisReadPrescriptMain) X(hisReadPrescriptLongTerm) X(hisReadPrescriptHVE)   \
    X(hisReadPrescriptAllergic) X(hisWriteMultiPrescript) X(hisWriteAllergicNum)                      \
    X(hisWriteTreatmentData) X(hisWritePrescriptionSign) X(hisWriteMultiPrescriptSign)                \
    X(hisGetCriticalIllnessID) X(csGetVersionEx) X(csSoftwareReset) X(hisGetSeqNumber256N1)           \
    X(hisGetTreatNumNoICCard) X(hisQuickInsurence) X(hisGetTreatNumICCard) X(csVerifySAMDC)           \
    X(csGetHospID) X(csUploadData) X(csUploadDataPrec) X(csDownloadData) X(hpcGetHPCStatus)           \
    X(hpcVerifyHPCPIN) X(hpcInputHPCPIN) X(hpcUnlockHPC) X(hpcGetHPCSN) X(hpcGetHPCSSN)               \
    X(hpcGetHPCCNAME) X(hpcGetHPCENAME) X(hisGetICD10EnC) X(hisGetICD10DeC) X(csGetVersion)           \
    X(csGetLastUnTreatmentData) X(hisGetInsurerData) X(HCA_GNFuncCall)

#define FX_ENUM(n) FX_##n,
enum fx_id { FX_FUNCTIONS(FX_ENUM) FX_COUNT };
#define FX_NAME(n) #n,
static const char *const fx_names[FX_COUNT] = {FX_FUNCTIONS(FX_NAME)};

/* Version code returned by csGetVersionEx / csGetVersion: 5.1.5.8 (S4 compares ≥ 5153 for N1 support). */
#define FX_VERSION 5158

/* ------------------------------------------------------------------------------------------------ */
/* platform helpers                                                                                 */
/* ------------------------------------------------------------------------------------------------ */

static void fx_sleep_ms(int ms) {
    if (ms <= 0) return;
#if defined(_WIN32)
    Sleep((DWORD)ms);
#else
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
#endif
}

static void fx_yield(void) {
#if defined(_WIN32)
    Sleep(0);
#else
    sched_yield();
#endif
}

/* The control software runs on a workstation set to Taiwan time (UTC+8, no daylight saving since 1979), and
 * stamps cards with that clock. The fixture does the same whatever this machine's zone, so that its dates agree
 * with the gateway's, which are Taiwan time too (src/codecs/roc-date.ts): with the machine's local time, a UTC
 * machine's fixture wrote yesterday's date between 16:00 and 24:00 UTC. */
static void fx_taiwan_time(time_t t, struct tm *out) {
    time_t taiwan = t + 8 * 60 * 60;
#if defined(_WIN32)
    struct tm *p = gmtime(&taiwan); /* msvcrt keeps this buffer per thread */
    if (p) *out = *p;
    else memset(out, 0, sizeof *out);
#else
    gmtime_r(&taiwan, out);
#endif
}

/* ------------------------------------------------------------------------------------------------ */
/* instrumentation: in-flight / overlap counters, per-function knobs                                */
/* ------------------------------------------------------------------------------------------------ */

static int g_inflight;      /* atomic */
static int g_overlaps;      /* atomic */
static int g_calls[FX_COUNT]; /* atomic */
static int g_forced[FX_COUNT];
static int g_delay[FX_COUNT];
static int g_delay_all;
static int g_hang[FX_COUNT]; /* atomic flags, polled */
static int g_hang_all;
static int g_overlong[FX_COUNT];
static int g_require_open;

#define A_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define A_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define A_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define A_SUB(p, v) __atomic_fetch_sub((p), (v), __ATOMIC_SEQ_CST)

static volatile char g_lock;
static void fx_lock(void) {
    while (__atomic_test_and_set(&g_lock, __ATOMIC_ACQUIRE)) fx_yield();
}
static void fx_unlock(void) { __atomic_clear(&g_lock, __ATOMIC_RELEASE); }

static int fx_lookup(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < FX_COUNT; i++)
        if (strcmp(fx_names[i], name) == 0) return i;
    return -1;
}

/* ------------------------------------------------------------------------------------------------ */
/* card state                                                                                       */
/* ------------------------------------------------------------------------------------------------ */

#define MAX_VISITS 64
#define MAX_WRITE 128

typedef struct {
    char dt[14];       /* ROC yyyMMddHHmmss + NUL */
    char cat[3];       /* 就醫類別 */
    char seq[5];       /* 4 digits */
    char treat_id[21]; /* 就醫識別碼 */
    int cancelled;
    int counted;
    int writes;
    char last_write[MAX_WRITE];
    int last_write_len;
    int newborn;        /* cBabyTreat not blank */
    int late;           /* cTreatAfterCheck '2' */
    int has_fees;
    int fees[5];        /* 1.17 fee block: outpatient fee, copay, inpatient fee, copay short, copay long */
    int ncodes;
    char codes[6][8];   /* diagnoses of the last 1.16/1.47 write */
} visit_t;

/* A record area of the card (issue 14): fixed-size records, newest last; a full area drops its oldest. */
#define AREA_MAX 3660
typedef struct {
    unsigned char data[AREA_MAX];
    int size;
    int cap;
    int n;
} area_t;

typedef struct {
    char code[8];
    char from[8];
    char until[8];
} ci_t;

static struct {
    int reader_open;
    /* SAM */
    int sam_auth;
    char hosp_id[11];
    char sam_id[13];
    /* health card */
    int hc_in;
    unsigned char basic[72];
    unsigned char reg[78];
    int last_seq;
    time_t last_visit_time;
    visit_t visits[MAX_VISITS];
    int nvisits;
    /* professional card */
    int hpc_in;
    int hpc_pin;
    char hpc_sn[21];
    char hpc_id[11];
    unsigned char hpc_cname[20];
    int hpc_cname_len;
    char hpc_ename[41];
    int hpc_pharmacist; /* a pharmacist's card: 9100 for allergy writes and critical-illness reads */
    /* health card record areas (issue 14) */
    area_t rx, longterm, hve, allergy, vacc, prevent, prenatal;
    unsigned char organ;
    ci_t ci[6];
    int nci;
    int pin_set;
    int pin_verified;
} S;

/*
 * State changes of the cards (in/out of the health-card and professional-card slots), stamped on
 * CLOCK_REALTIME in µs when the control export made them, so a benchmark in another process can measure
 * how long the gateway took to tell a subscriber (fixtureStateChangeLog). A ring of the last CHANGE_MAX.
 */
#define CHANGE_MAX 4096
typedef struct {
    int slot;     /* 1 health card, 2 professional card */
    int inserted; /* 1 in, 0 out */
    long long us; /* CLOCK_REALTIME, µs since the epoch */
} change_t;
static change_t g_changes[CHANGE_MAX];
static int g_nchanges; /* total ever recorded since the last reset; guarded by g_lock */

static long long fx_realtime_us(void) {
#if defined(_WIN32)
    FILETIME ft;
    GetSystemTimePreciseAsFileTime(&ft);
    unsigned long long t = ((unsigned long long)ft.dwHighDateTime << 32) | ft.dwLowDateTime; /* 100 ns since 1601 */
    return (long long)(t / 10ULL) - 11644473600000000LL;
#else
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
#endif
}

/* Called with g_lock held, right after the state changed. */
static void record_change(int slot, int inserted) {
    change_t *c = &g_changes[g_nchanges % CHANGE_MAX];
    c->slot = slot;
    c->inserted = inserted;
    c->us = fx_realtime_us();
    g_nchanges++;
}

static void area_init(area_t *a, int size, int cap) {
    memset(a, 0, sizeof *a);
    a->size = size;
    a->cap = cap;
}

static void records_reset(void) {
    area_init(&S.rx, 61, 60);
    area_init(&S.longterm, 44, 30);
    area_init(&S.hve, 36, 10);
    area_init(&S.allergy, 40, 3);
    memset(S.allergy.data, ' ', 120);
    S.allergy.n = 3; /* positional slots */
    area_init(&S.vacc, 35, 40);
    area_init(&S.prevent, 21, 6);
    area_init(&S.prenatal, 19, 11);
    S.organ = ' ';
    memset(S.ci, 0, sizeof S.ci);
    S.nci = 0;
    S.pin_set = 0;
    S.pin_verified = 0;
}

static void state_reset(void) {
    memset(&S, 0, sizeof S);
    memcpy(S.hosp_id, "3501200000", 10);
    memcpy(S.sam_id, "001000000103", 12);
    records_reset();
}

/*
 * Preload for a process that cannot call the fixture* controls (the gateway executable run under Wine by
 * test/integration/windows/): CSHIS_FIXTURE_INSERT_CARD=1 in the environment when the library initialises
 * inserts the simulator's STANDARD health card (000012345678, 王小明 in Big5, A123456789, born 0690512,
 * 6 visits left, last sequence number 41). Bytes as src/codecs/layouts.ts encodes that patient.
 */
static void preload_from_env(void) {
    const char *flag = getenv("CSHIS_FIXTURE_INSERT_CARD");
    if (!flag || strcmp(flag, "1") != 0) return;
    static const char basic[] = "000012345678" "\xa4\xfd" "\xa4" "p" "\xa9\xfa" "              "
                                "A123456789" "0690512" "M" "1050301" "1" "0223456789    ";
    static const char reg[] = "000012345678" "\xa4\xfd" "\xa4" "p" "\xa9\xfa" "              "
                              "A123456789" "0690512" "M" "1050301" "1" "01" " " "1201231" "06" "       " " ";
    _Static_assert(sizeof basic - 1 == 72 && sizeof reg - 1 == 78, "section 4.1 sizes");
    memcpy(S.basic, basic, 72);
    memcpy(S.reg, reg, 78);
    S.last_seq = 41;
    S.hc_in = 1;
}

/* In lieu of a constructor: zero-initialised state means "not initialised". */
static int g_initialised;
static void ensure_init(void) {
    if (!g_initialised) {
        state_reset();
        preload_from_env();
        g_initialised = 1;
    }
}

/* Returns 1 when the call must return *rc immediately (forced rc, closed reader). */
static int fx_enter(int id, int *rc) {
    int prev = A_ADD(&g_inflight, 1);
    if (prev > 0) A_ADD(&g_overlaps, 1);
    A_ADD(&g_calls[id], 1);
    int d = A_LOAD(&g_delay[id]);
    if (d <= 0) d = A_LOAD(&g_delay_all);
    if (d > 0) fx_sleep_ms(d);
    while (A_LOAD(&g_hang[id]) || A_LOAD(&g_hang_all)) fx_sleep_ms(5);
    int forced = A_LOAD(&g_forced[id]);
    if (forced != 0) {
        *rc = forced;
        return 1;
    }
    if (A_LOAD(&g_require_open) && id != FX_csOpenCom && id != FX_csCloseCom && id != FX_csGetVersionEx &&
        id != FX_csGetVersion) {
        fx_lock();
        int open = S.reader_open;
        fx_unlock();
        if (!open) {
            *rc = 4000; /* reader timeout: the DLL cannot talk to a reader that was never opened */
            return 1;
        }
    }
    return 0;
}

static int fx_leave(int rc) {
    A_SUB(&g_inflight, 1);
    return rc;
}

/* Apply the over-long length knob: report more bytes than the caller's buffer holds. */
static void fx_overlong(int id, int rc, int *len, int cap) {
    int extra = A_LOAD(&g_overlong[id]);
    if (rc == 0 && extra > 0 && len) *len = cap + extra;
}

/* Body of an export without a length pointer. */
#define FX_BODY(ID, EXPR)                                                                             \
    do {                                                                                              \
        int rc_;                                                                                      \
        if (fx_enter(FX_##ID, &rc_)) return fx_leave(rc_);                                            \
        fx_lock();                                                                                    \
        ensure_init();                                                                                \
        rc_ = (EXPR);                                                                                 \
        fx_unlock();                                                                                  \
        return fx_leave(rc_);                                                                         \
    } while (0)

/* Body of an export with a (buf, len) pair: also honours fixtureSetOverlongLength. */
#define FX_BODY_LEN(ID, LEN, EXPR)                                                                    \
    do {                                                                                              \
        int rc_;                                                                                      \
        if (fx_enter(FX_##ID, &rc_)) return fx_leave(rc_);                                            \
        int cap_ = (LEN) ? *(LEN) : 0;                                                                \
        fx_lock();                                                                                    \
        ensure_init();                                                                                \
        rc_ = (EXPR);                                                                                 \
        fx_unlock();                                                                                  \
        fx_overlong(FX_##ID, rc_, (LEN), cap_);                                                       \
        return fx_leave(rc_);                                                                         \
    } while (0)

/* ------------------------------------------------------------------------------------------------ */
/* helpers (called with the lock held)                                                              */
/* ------------------------------------------------------------------------------------------------ */

/* Copy n bytes into the caller's buffer, at most *len of them; set *len to the bytes written. */
static int copy_out(char *buf, int *len, const void *src, int n) {
    if (!buf || !len || *len < 0) return 6018;
    int w = n < *len ? n : *len;
    if (w > 0) memcpy(buf, src, (size_t)w);
    *len = w;
    return 0;
}

/* Blank (space-filled) output of n bytes, honouring *len. */
static int blank_out(char *buf, int *len, int n) {
    if (!buf || !len || *len < 0) return 6018;
    int w = n < *len ? n : *len;
    if (w > 0) memset(buf, ' ', (size_t)w);
    *len = w;
    return 0;
}

static int need_hc(void) {
    if (!S.hc_in) return 4013;
    S.sam_auth = 1;
    return 0;
}

static int need_hpc(void) {
    if (!S.hpc_in) return 4014;
    S.sam_auth = 1;
    return 0;
}

static void roc_datetime(time_t t, char out[14]) {
    struct tm tm;
    fx_taiwan_time(t, &tm);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%03d%02d%02d%02d%02d%02d", (tm.tm_year + 1900 - 1911) % 1000, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(out, tmp, 13);
    out[13] = '\0';
}

static void greg_datetime(time_t t, char out[15]) {
    struct tm tm;
    fx_taiwan_time(t, &tm);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d%02d%02d%02d%02d%02d", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(out, tmp, 14);
    out[14] = '\0';
}

static unsigned fnv1a(unsigned h, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static unsigned xorshift(unsigned *s) {
    unsigned x = *s ? *s : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* n bytes of uppercase hex derived from seed (n even). */
static void hex_fill(char *out, int n, unsigned seed) {
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < n; i += 2) {
        unsigned v = xorshift(&seed) & 0xFF;
        out[i] = hex[v >> 4];
        if (i + 1 < n) out[i + 1] = hex[v & 15];
    }
}

/* Exactly 4 decimal digits (v is taken modulo 10000), no NUL. */
static void digits4(char *out, int v) {
    v %= 10000;
    if (v < 0) v += 10000;
    for (int i = 3; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static size_t cstrnlen(const char *s, size_t max) {
    size_t n = 0;
    while (n < max && s[n]) n++;
    return n;
}

/* Exact match of the first n chars of an input string against a card field. */
static int field_eq(const char *in, const unsigned char *field, int n) {
    if (!in) return 0;
    if ((int)cstrnlen(in, (size_t)n) < n) return 0;
    return memcmp(in, field, (size_t)n) == 0;
}

/* docs/reference/buffers.md (Write inputs): the DLL first compares ID (basic 33–42) and birth date (43–49) with the inserted card. */
static int check_identity(const char *id, const char *birth) {
    if (!field_eq(id, S.basic + 32, 10) || !field_eq(birth, S.basic + 42, 7)) return 5020;
    return 0;
}

static int remaining_visits(void) {
    unsigned char a = S.reg[68], b = S.reg[69];
    if (a < '0' || a > '9' || b < '0' || b > '9') return 0;
    return (a - '0') * 10 + (b - '0');
}

static void set_remaining_visits(int v) {
    if (v < 0) v = 0;
    if (v > 99) v = 99;
    S.reg[68] = (unsigned char)('0' + v / 10);
    S.reg[69] = (unsigned char)('0' + v % 10);
}

static visit_t *find_visit(const char *dt) {
    if (!dt) return NULL;
    if (cstrnlen(dt, 13) < 13) return NULL;
    for (int i = S.nvisits - 1; i >= 0; i--)
        if (memcmp(S.visits[i].dt, dt, 13) == 0) return &S.visits[i];
    return NULL;
}

static int is_counted(const char *item) {
    return item[0] == '0' && item[1] >= '1' && item[1] <= '5';
}

/* docs/reference/buffers.md (Code lists) cTreatItem: 01–05, AA–AI, BA–BE, CA (2 chars + NUL). */
static int valid_treat_item(const char *item) {
    if (!item || cstrnlen(item, 3) != 2) return 0;
    if (is_counted(item)) return 1;
    if (item[0] == 'A' && item[1] >= 'A' && item[1] <= 'I') return 1;
    if (item[0] == 'B' && item[1] >= 'A' && item[1] <= 'E') return 1;
    if (item[0] == 'C' && item[1] == 'A') return 1;
    return 0;
}

static void make_treat_id(char out[21], const char *key, const char *dt) {
    unsigned h = fnv1a(2166136261u, key, strlen(key));
    h = fnv1a(h, dt, 13);
    hex_fill(out, 20, h);
    out[20] = '\0';
}

static void doc_id_out(char *docid) {
    if (!docid) return;
    if (S.hpc_in) {
        memcpy(docid, S.hpc_id, 10);
        docid[10] = '\0';
    } else {
        docid[0] = '\0';
    }
}


/* ------------------------------------------------------------------------------------------------ */
/* record helpers (issue 14; layouts in docs/reference/card-functions.md)                          */
/* ------------------------------------------------------------------------------------------------ */

/* Trimmed copy of a space-padded field into out (NUL-terminated, at most cap-1 chars). */
static void trim_copy(char *out, size_t cap, const char *in, size_t n) {
    while (n > 0 && (in[0] == ' ' || in[0] == '\0')) { in++; n--; }
    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\0')) n--;
    if (n > cap - 1) n = cap - 1;
    memcpy(out, in, n);
    out[n] = '\0';
}

static int parse_int(const char *in, size_t n) {
    char tmp[16];
    trim_copy(tmp, sizeof tmp, in, n);
    return atoi(tmp);
}

/* Diagnoses from a 1.16 write (31 default / 55 ICD-10) or the first part of a 1.47 write. */
static void parse_codes(visit_t *v, const char *data, int icd10) {
    int w = icd10 ? 9 : 5;
    v->ncodes = 0;
    for (int i = 0; i < 6; i++) {
        const char *slot = data + 1 + i * w;
        char code[8];
        if (icd10) trim_copy(code, sizeof code, slot + 1, 7);
        else trim_copy(code, sizeof code, slot, 5);
        if (code[0]) memcpy(v->codes[v->ncodes++], code, sizeof code);
    }
}

static void parse_fees(visit_t *v, const char *f) {
    static const int widths[5] = {8, 8, 8, 7, 7};
    int off = 0;
    for (int i = 0; i < 5; i++) {
        v->fees[i] = parse_int(f + off, (size_t)widths[i]);
        off += widths[i];
    }
    v->has_fees = 1;
}

/* What a visit write carries, by its length (docs/reference/buffers.md (Write inputs) of the reference: 31/55 codes, 38 fees, 69/93 both). */
static void parse_visit_write(visit_t *v, const char *data, size_t n) {
    if (n == 31 || n == 55) parse_codes(v, data, n == 55);
    else if (n == 38) parse_fees(v, data);
    else if (n == 69 || n == 93) {
        parse_codes(v, data, n == 93);
        parse_fees(v, data + (n == 69 ? 31 : 55));
    }
}

static void area_push(area_t *a, const unsigned char *rec) {
    if (a->n == a->cap) {
        memmove(a->data, a->data + a->size, (size_t)(a->size * (a->cap - 1)));
        a->n--;
    }
    memcpy(a->data + a->n * a->size, rec, (size_t)a->size);
    a->n++;
}

/* The whole area: records then spaces up to the capacity. */
static int area_out(const area_t *a, char *buf, int *len) {
    unsigned char tmp[AREA_MAX];
    int total = a->size * a->cap;
    memset(tmp, ' ', (size_t)total);
    memcpy(tmp, a->data, (size_t)(a->size * a->n));
    return copy_out(buf, len, tmp, total);
}

/* Space-padded field writer: n chars of src (up to NUL) then spaces up to w. */
static void put(unsigned char *dst, int w, const char *src) {
    size_t n = src ? cstrnlen(src, (size_t)w) : 0;
    memset(dst, ' ', (size_t)w);
    memcpy(dst, src, n);
}

static void put_num(unsigned char *dst, int w, long v) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%0*ld", w, v < 0 ? 0 : v);
    size_t n = strlen(tmp);
    memcpy(dst, tmp + (n > (size_t)w ? n - (size_t)w : 0), (size_t)w);
}

static int is_alnum_upper(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

static int code2_ok(const char *c) { return c && cstrnlen(c, 3) == 2 && is_alnum_upper(c[0]) && is_alnum_upper(c[1]); }

static int printable_run(const char *c, int min, int max) {
    if (!c) return 0;
    int n = (int)cstrnlen(c, (size_t)max + 1);
    if (n < min || n > max) return 0;
    for (int i = 0; i < n; i++)
        if (c[i] < 0x21 || c[i] > 0x7e) return 0;
    return 1;
}

static void today_roc(char out[8]) {
    char dt[14];
    roc_datetime(time(NULL), dt);
    memcpy(out, dt, 7);
    out[7] = '\0';
}

/*
 * 5.1 / 5.2: NHI's mapping table is not public. The same INVENTED pairs as the simulator
 * (src/adapters/simulator/card-records.ts), so both implementations answer alike.
 */
static const char *const icd10_pairs[][2] = {
    {"G44201", "!G442"}, {"E119", "#E119"}, {"E1165", "%E116"}, {"S72001A", "$S720"}, {"V0001XA", "&V000"},
};

static const char *icd10_encode(const char *code) {
    size_t n = strlen(code);
    if (n <= 5 && code[0] != 'E' && code[0] != 'V') return code;
    for (size_t i = 0; i < sizeof icd10_pairs / sizeof icd10_pairs[0]; i++)
        if (strcmp(icd10_pairs[i][0], code) == 0) return icd10_pairs[i][1];
    return NULL;
}

static const char *icd10_decode(const char *form) {
    for (size_t i = 0; i < sizeof icd10_pairs / sizeof icd10_pairs[0]; i++)
        if (strcmp(icd10_pairs[i][1], form) == 0) return icd10_pairs[i][0];
    return NULL;
}

/* A code in a card field: ICD-10 "[code   ]" or the default 5 characters (card form when needed, else blank). */
static void put_code(unsigned char *dst, const char *code, int icd10) {
    if (icd10) {
        dst[0] = '[';
        put(dst + 1, 7, code);
        dst[8] = ']';
        return;
    }
    const char *c = code[0] ? icd10_encode(code) : "";
    put(dst, 5, c ? c : "");
}

/* The CI block of 1.8 / 1.33 / 1.50: 6 × 19 (default) or 6 × 23 (ICD-10). */
static int ci_block(unsigned char *out, int icd10, int show_codes) {
    int g = icd10 ? 23 : 19, cw = icd10 ? 9 : 5;
    memset(out, ' ', (size_t)(6 * g));
    for (int i = 0; i < S.nci; i++) {
        unsigned char *p = out + i * g;
        put_code(p, show_codes ? S.ci[i].code : "", icd10);
        put(p + cw, 7, S.ci[i].from);
        put(p + cw + 7, 7, S.ci[i].until);
    }
    return 6 * g;
}

/* The last `max` live visits, oldest first; returns how many. */
static int ring_visits(const visit_t **out, int max) {
    int n = 0;
    for (int i = S.nvisits - 1; i >= 0 && n < max; i--)
        if (!S.visits[i].cancelled) out[n++] = &S.visits[i];
    for (int i = 0; i < n / 2; i++) {
        const visit_t *t = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = t;
    }
    return n;
}

static int pharmacist(void) { return S.hpc_in && S.hpc_pharmacist; }

/* 1.10 order types a pharmacy card may see (1, 2, A, B). */
static int pharmacy_visible(unsigned char type) { return type == '1' || type == '2' || type == 'A' || type == 'B'; }

static void outpatient_view(unsigned char *out) {
    memset(out, ' ', 3660);
    int k = 0;
    for (int i = 0; i < S.rx.n; i++) {
        const unsigned char *r = S.rx.data + i * 61;
        if (pharmacist() && !pharmacy_visible(r[13])) continue;
        memcpy(out + (k++) * 61, r, 61);
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* implementations                                                                                  */
/* ------------------------------------------------------------------------------------------------ */

/* 1.9 (167, binary signature), 1.37 (296), 1.53 (316): layouts per docs/reference/buffers.md (1.9 / 1.37 / 1.53). */
static int do_seq(int size, const char *item, const char *baby, const char *after, char *buf, int *len) {
    if (!buf || !len) return 6018;
    if (!valid_treat_item(item)) return 6018;
    if (*len < size) return 6018; /* documented: refuse instead of overrunning the caller's buffer */
    int rc = need_hc();
    if (rc) return rc;
    if (S.reg[57] == '2') return 5002;
    int counted = is_counted(item);
    int remaining = remaining_visits();
    if (counted && remaining <= 0) return 5001;

    time_t t = time(NULL);
    if (t <= S.last_visit_time) t = S.last_visit_time + 1; /* the reader clock never gives two visits one second */
    S.last_visit_time = t;

    visit_t v;
    memset(&v, 0, sizeof v);
    roc_datetime(t, v.dt);
    memcpy(v.cat, item, 2);
    v.counted = counted;
    v.newborn = baby && baby[0] != '\0' && baby[0] != ' ';
    v.late = after && after[0] == '2';
    if (counted) {
        S.last_seq = S.last_seq % 9999 + 1;
        set_remaining_visits(remaining - 1);
    }
    digits4(v.seq, S.last_seq);
    make_treat_id(v.treat_id, (const char *)S.basic, v.dt); /* keyed by card number + visit time */

    char same_day = 'N';
    for (int i = 0; i < S.nvisits; i++)
        if (!S.visits[i].cancelled && memcmp(S.visits[i].dt, v.dt, 7) == 0) same_day = 'Y';

    if (S.nvisits == MAX_VISITS) {
        memmove(&S.visits[0], &S.visits[1], sizeof(visit_t) * (MAX_VISITS - 1));
        S.nvisits--;
    }
    S.visits[S.nvisits++] = v;

    unsigned seed = fnv1a(2166136261u, v.dt, 13);
    seed = fnv1a(seed, v.seq, 4);
    seed = fnv1a(seed, S.hosp_id, 10);

    memcpy(buf + 0, v.dt, 13);
    memcpy(buf + 13, v.seq, 4);
    memcpy(buf + 17, S.hosp_id, 10);
    if (size == 167) {
        for (int i = 0; i < 128; i++) buf[27 + i] = (char)(xorshift(&seed) & 0xFF); /* raw binary */
        memcpy(buf + 155, S.sam_id, 12);
    } else {
        hex_fill(buf + 27, 256, seed);
        memcpy(buf + 283, S.sam_id, 12);
        buf[295] = same_day;
        if (size == 316) memcpy(buf + 296, v.treat_id, 20);
    }
    *len = size;
    return 0;
}

static int do_write_visit(const char *dt, const char *id, const char *birth, const char *data, char *docid,
                          int store) {
    if (!dt || !id || !birth || !data) return 6018;
    int rc = need_hc();
    if (rc) return rc;
    rc = check_identity(id, birth);
    if (rc) return rc;
    visit_t *v = find_visit(dt);
    if (!v || v->cancelled) return 5022;
    if (store) {
        size_t n = strlen(data);
        if (n > MAX_WRITE) n = MAX_WRITE;
        memcpy(v->last_write, data, n);
        v->last_write_len = (int)n;
        v->writes++;
        parse_visit_write(v, data, n);
    }
    doc_id_out(docid);
    return 0;
}

static int do_identity_only(const char *id, const char *birth) {
    if (!id || !birth) return 6018;
    int rc = need_hc();
    if (rc) return rc;
    return check_identity(id, birth);
}

static int do_card_status(int type) {
    switch (type) {
    case 1: return S.sam_auth ? 2 : 1;
    case 2: return !S.hc_in ? 0 : S.pin_verified ? 4 : (S.sam_auth ? 2 : 1);
    case 3: return !S.hpc_in ? 0 : (S.hpc_pin ? 3 : (S.sam_auth ? 2 : 1));
    default: return 6018;
    }
}

static int do_card_no(int type, char *buf, int *len) {
    char no[12];
    int rc;
    switch (type) {
    case 1: memcpy(no, S.sam_id, 12); break;
    case 2:
        if ((rc = need_hc())) return rc;
        memcpy(no, S.basic, 12);
        break;
    case 3: {
        if ((rc = need_hpc())) return rc;
        size_t n = strlen(S.hpc_sn);
        memset(no, ' ', 12);
        memcpy(no, S.hpc_sn, n > 12 ? 12 : n);
        break;
    }
    default: return 6018;
    }
    return copy_out(buf, len, no, 12);
}

static int do_version_ex(char *path) {
    if (!path) return FX_VERSION;
#if defined(_WIN32)
    DWORD n = GetModuleFileNameA(g_module, path, 256);
    if (n == 0 || n >= 256) path[0] = '\0';
#else
    Dl_info info;
    path[0] = '\0';
    if (dladdr((void *)&do_version_ex, &info) && info.dli_fname) {
        char resolved[PATH_MAX];
        const char *p = realpath(info.dli_fname, resolved) ? resolved : info.dli_fname;
        size_t n = strlen(p);
        if (n > 255) n = 255;
        memcpy(path, p, n);
        path[n] = '\0';
    }
#endif
    return FX_VERSION;
}

static int do_software_reset(int type) {
    switch (type) {
    case 0: S.sam_auth = 0; S.hpc_pin = 0; S.pin_verified = 0; return 0;
    case 1: S.sam_auth = 0; return 0;
    case 2: S.hpc_pin = 0; return 0;
    case 3: S.pin_verified = 0; return 0;
    default: return 6018;
    }
}

static int do_un_get_seq(const char *dt) {
    if (!dt) return 6018;
    int rc = need_hc();
    if (rc) return rc;
    visit_t *v = find_visit(dt);
    if (!v) return 5150;
    if (v->cancelled) return 5153;
    if (v->cat[0] < '0' || v->cat[0] > '9' || v->cat[1] < '0' || v->cat[1] > '9') return 5151;
    v->cancelled = 1;
    if (v->counted) set_remaining_visits(remaining_visits() + 1);
    return 0;
}

static int do_treat_num_ic(const char *dt, char *buf, int *len) {
    if (!dt || !buf || !len) return 6018;
    int rc = need_hc();
    if (rc) return rc;
    visit_t *v = find_visit(dt);
    if (!v || v->cancelled) return 5022;
    return copy_out(buf, len, v->treat_id, 20);
}

static int do_treat_num_no_ic(const char *pid, const char *hosp, char *buf, int *len) {
    if (!pid || !hosp || !buf || !len) return 6018;
    if (cstrnlen(pid, 11) != 10 || cstrnlen(hosp, 11) != 10) return 6018;
    char out[43];
    char dt[14];
    roc_datetime(time(NULL), dt);
    char tid[21];
    make_treat_id(tid, pid, dt);
    memcpy(out, dt, 13);
    memcpy(out + 13, hosp, 10);
    memcpy(out + 23, tid, 20);
    S.sam_auth = 1;
    return copy_out(buf, len, out, 43);
}

static int do_upload(const char *file, char *buf, int *len) {
    if (!file || !buf || !len) return 6018;
    FILE *f = fopen(file, "rb");
    if (!f) return 6017;
    fclose(f);
    char out[50], greg[15];
    time_t now = time(NULL);
    memcpy(out, S.sam_id, 12);
    memcpy(out + 12, S.hosp_id, 10);
    greg_datetime(now, greg);
    memcpy(out + 22, greg, 14);
    memcpy(out + 36, greg, 14);
    S.sam_auth = 1;
    return copy_out(buf, len, out, 50);
}

/* ------------------------------------------------------------------------------------------------ */
/* CSHIS exports (docs/reference/functions.md)                                                                               */
/* ------------------------------------------------------------------------------------------------ */

/* 1.1 */ CSAPI hisGetBasicData(char *buf, int *len) {
    FX_BODY_LEN(hisGetBasicData, len, need_hc() ? 4013 : copy_out(buf, len, S.basic, 72));
}
/* 1.2 */ CSAPI hisGetRegisterBasic(char *buf, int *len) {
    FX_BODY_LEN(hisGetRegisterBasic, len, need_hc() ? 4013 : copy_out(buf, len, S.reg, 78));
}
/* 1.3 */ CSAPI hisGetRegisterPrevent(char *buf, int *len) {
    FX_BODY_LEN(hisGetRegisterPrevent, len, need_hc() ? 4013 : area_out(&S.prevent, buf, len));
}
/* 1.4 */ CSAPI hisGetRegisterPregnant(char *buf, int *len) {
    FX_BODY_LEN(hisGetRegisterPregnant, len, need_hc() ? 4013 : area_out(&S.prenatal, buf, len));
}
/* 1.5: 6 × CI dates (14) then the ring of the last 6 live visits (69 each). */
static int do_history(char *buf, int *len) {
    int rc = need_hc();
    if (rc) return rc;
    unsigned char out[498];
    memset(out, ' ', sizeof out);
    for (int i = 0; i < S.nci; i++) {
        put(out + i * 14, 7, S.ci[i].from);
        put(out + i * 14 + 7, 7, S.ci[i].until);
    }
    const visit_t *ring[6];
    int n = ring_visits(ring, 6);
    for (int i = 0; i < n; i++) {
        const visit_t *v = ring[i];
        unsigned char *r = out + 84 + i * 69;
        memcpy(r, v->cat, 2);
        r[2] = v->newborn ? 'Y' : ' ';
        memcpy(r + 3, v->dt, 13);
        r[16] = v->late ? '2' : '1';
        memcpy(r + 17, v->seq, 4);
        memcpy(r + 21, S.hosp_id, 10);
        if (v->has_fees) {
            put_num(r + 31, 8, v->fees[0]);
            put_num(r + 39, 8, v->fees[1]);
            put_num(r + 47, 8, v->fees[2]);
            put_num(r + 55, 7, v->fees[3]);
            put_num(r + 62, 7, v->fees[4]);
        }
    }
    return copy_out(buf, len, out, 498);
}
/* 1.5 */ CSAPI hisGetTreatmentNoNeedHPC(char *buf, int *len) {
    FX_BODY_LEN(hisGetTreatmentNoNeedHPC, len, do_history(buf, len));
}
/* 1.6: this year and last year, summed from the live visits written here. */
static int do_cumulative(char *buf, int *len) {
    int rc = need_hc();
    if (rc) return rc;
    unsigned char out[134];
    char today[8];
    today_roc(today);
    int year = atoi((char[]){today[0], today[1], today[2], '\0'});
    for (int y = 0; y < 2; y++) {
        long count = 0, f[5] = {0, 0, 0, 0, 0};
        for (int i = 0; i < S.nvisits; i++) {
            const visit_t *v = &S.visits[i];
            if (v->cancelled || atoi((char[]){v->dt[0], v->dt[1], v->dt[2], '\0'}) != year - y) continue;
            if (v->counted) count++;
            if (v->has_fees)
                for (int k = 0; k < 5; k++) f[k] += v->fees[k];
        }
        unsigned char *r = out + y * 67;
        put_num(r, 3, year - y);
        put_num(r + 3, 4, count);
        put_num(r + 7, 10, f[0]);
        put_num(r + 17, 10, f[2]);
        put_num(r + 27, 8, f[1]);
        put_num(r + 35, 8, f[3]);
        put_num(r + 43, 8, f[4]);
        put_num(r + 51, 8, f[1] + f[3] + f[4]);
        put_num(r + 59, 8, f[1] + f[3]);
    }
    return copy_out(buf, len, out, 134);
}
/* 1.6 */ CSAPI hisGetCumulativeData(char *buf, int *len) {
    FX_BODY_LEN(hisGetCumulativeData, len, do_cumulative(buf, len));
}
/* 1.7: outpatient and inpatient fee totals over the live visits. */
static int do_cumulative_fee(char *buf, int *len) {
    int rc = need_hc();
    if (rc) return rc;
    long outp = 0, inp = 0;
    for (int i = 0; i < S.nvisits; i++)
        if (!S.visits[i].cancelled && S.visits[i].has_fees) {
            outp += S.visits[i].fees[0];
            inp += S.visits[i].fees[2];
        }
    unsigned char out[20];
    put_num(out, 10, outp);
    put_num(out + 10, 10, inp);
    return copy_out(buf, len, out, 20);
}
/* 1.7 */ CSAPI hisGetCumulativeFee(char *buf, int *len) {
    FX_BODY_LEN(hisGetCumulativeFee, len, do_cumulative_fee(buf, len));
}
/* 1.8: ICD-10 mode when the caller pre-filled "[XXXXXXX]" markers (and the buffer holds 540). */
static int do_need_hpc(char *buf, int *len) {
    if (!buf || !len) return 6018;
    int icd10 = *len >= 540 && buf[0] == '[';
    unsigned char out[540];
    int n = ci_block(out, icd10, !pharmacist());
    int vw = icd10 ? 67 : 43, cw = icd10 ? 9 : 5;
    memset(out + n, ' ', (size_t)(6 * vw));
    const visit_t *ring[6];
    int nv = ring_visits(ring, 6);
    for (int i = 0; i < nv; i++) {
        unsigned char *r = out + n + i * vw;
        memcpy(r, ring[i]->dt, 13);
        for (int d = 0; d < 6; d++) put_code(r + 13 + d * cw, d < ring[i]->ncodes ? ring[i]->codes[d] : "", icd10);
    }
    return copy_out(buf, len, out, n + 6 * vw);
}
CSAPI hisGetTreatmentNeedHPC(char *buf, int *len) {
    FX_BODY_LEN(hisGetTreatmentNeedHPC, len,
                need_hc() ? 4013 : need_hpc() ? 4014 : !S.hpc_pin ? 4042 : do_need_hpc(buf, len));
}
/* 1.9 (deprecated): 167 bytes with a 128-byte binary signature. */
CSAPI hisGetSeqNumber(char *item, char *baby, char *buf, int *len) {
    FX_BODY_LEN(hisGetSeqNumber, len, do_seq(167, item, baby, "1", buf, len));
}
/* 1.10: the four areas; a pharmacy card sees only order types 1, 2, A, B. */
static int do_read_prescription(char *b1, int *l1, char *b2, int *l2, char *b3, int *l3, char *b4, int *l4) {
    int rc = need_hc();
    if (rc) return rc;
    unsigned char rx[3660];
    outpatient_view(rx);
    if (copy_out(b1, l1, rx, 3660) || area_out(&S.longterm, b2, l2) || area_out(&S.hve, b3, l3) ||
        area_out(&S.allergy, b4, l4))
        return 6018;
    return 0;
}
CSAPI hisReadPrescription(char *b1, int *l1, char *b2, int *l2, char *b3, int *l3, char *b4, int *l4) {
    FX_BODY(hisReadPrescription, do_read_prescription(b1, l1, b2, l2, b3, l3, b4, l4));
}
/* 1.11 */ CSAPI hisGetInoculateData(char *buf, int *len) {
    FX_BODY_LEN(hisGetInoculateData, len, need_hc() ? 4013 : area_out(&S.vacc, buf, len));
}
/* 1.12 */ CSAPI hisGetOrganDonate(char *buf, int *len) {
    FX_BODY_LEN(hisGetOrganDonate, len, need_hc() ? 4013 : copy_out(buf, len, &S.organ, 1));
}
/* 1.13: basic-data bytes 59–72 (docs/reference/buffers.md (1.1 / 1.2)). */
CSAPI hisGetEmergentTel(char *buf, int *len) {
    FX_BODY_LEN(hisGetEmergentTel, len, need_hc() ? 4013 : copy_out(buf, len, S.basic + 58, 14));
}
/* 1.14: 3-char ROC year of the last visit (or of today) + 4-digit last sequence number (docs/reference/buffers.md (1.14)). */
static int do_last_seq(char *buf, int *len) {
    int rc = need_hc();
    if (rc) return rc;
    char out[8];
    char dt[14];
    if (S.nvisits > 0) memcpy(dt, S.visits[S.nvisits - 1].dt, 14);
    else roc_datetime(time(NULL), dt);
    memcpy(out, dt, 3);
    digits4(out + 3, S.last_seq);
    return copy_out(buf, len, out, 7);
}
CSAPI hisGetLastSeqNum(char *buf, int *len) { FX_BODY_LEN(hisGetLastSeqNum, len, do_last_seq(buf, len)); }
/* 1.15: returns the status (docs/reference/buffers.md (1.15)), not an rc. */
CSAPI hisGetCardStatus(int type) { FX_BODY(hisGetCardStatus, do_card_status(type)); }
/* 1.16 */ CSAPI hisWriteTreatmentCode(char *dt, char *id, char *birth, char *data, char *docid) {
    FX_BODY(hisWriteTreatmentCode, do_write_visit(dt, id, birth, data, docid, 1));
}
/* 1.17 */ CSAPI hisWriteTreatmentFee(char *dt, char *id, char *birth, char *data) {
    FX_BODY(hisWriteTreatmentFee, do_write_visit(dt, id, birth, data, NULL, 1));
}
/* 1.18 / 1.45 / 1.48 / 1.49: n × 61-byte records for an existing visit; types 2 and 5 fill their areas too. */
static int do_write_rx(const char *dt, const char *id, const char *birth, const char *data, int n) {
    if (!data || n < 1 || n > 60) return 6018;
    int rc = need_hc();
    if (rc) return rc;
    if ((int)cstrnlen(data, 61 * 60 + 1) != 61 * n) return 6018;
    rc = do_write_visit(dt, id, birth, data, NULL, 0);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        const char *r = data + i * 61;
        if (memcmp(r, dt, 13) != 0 || !strchr("12345AB", r[13]) || r[13] == '\0') return 6018;
    }
    for (int i = 0; i < n; i++) {
        const unsigned char *r = (const unsigned char *)data + i * 61;
        area_push(&S.rx, r);
        if (r[13] == '2') { /* long-term: date 7, drug 10, usage 18, days 2, total 7 */
            unsigned char lt[44];
            memcpy(lt, r, 7);
            memcpy(lt + 7, r + 14, 10);
            memcpy(lt + 17, r + 32, 18 + 2 + 7);
            area_push(&S.longterm, lt);
        }
        if (r[13] == '5') { /* important order: date 7, hospital 10, item 6, site 6, total 7 */
            unsigned char hv[36];
            memcpy(hv, r, 7);
            memcpy(hv + 7, S.hosp_id, 10);
            memcpy(hv + 17, r + 14, 6);
            memcpy(hv + 23, r + 26, 6);
            memcpy(hv + 29, r + 52, 7);
            area_push(&S.hve, hv);
        }
    }
    return 0;
}
/* 1.18 */ CSAPI hisWritePrescription(char *dt, char *id, char *birth, char *data) {
    FX_BODY(hisWritePrescription, do_write_rx(dt, id, birth, data, 1));
}
/* 1.19: newborn date (ROC 7) and birth order (one digit; blank → 5052) into registration bytes 71–78. */
static int do_newborn(const char *id, const char *birth, const char *date, const char *order) {
    if (!date || !order) return 6018;
    int rc = do_identity_only(id, birth);
    if (rc) return rc;
    if (cstrnlen(date, 8) != 7) return 6018;
    for (int i = 0; i < 7; i++)
        if (date[i] < '0' || date[i] > '9') return 6018;
    if (order[0] == '\0' || order[0] == ' ') return 5052;
    if (order[0] < '1' || order[0] > '9' || order[1] != '\0') return 6018;
    memcpy(S.reg + 70, date, 7);
    S.reg[77] = (unsigned char)order[0];
    return 0;
}
CSAPI hisWriteNewBorn(char *id, char *birth, char *newbornDate, char *noOfDelivered) {
    FX_BODY(hisWriteNewBorn, do_newborn(id, birth, newbornDate, noOfDelivered));
}
/* 1.20 / 1.46: Big5 names, identity, then a professional card (5056) with a verified PIN (4042, inferred as in
 * the simulator: src/adapters/simulator/workstation.ts); a pharmacist's: 9100. */
static int do_allergic(const char *id, const char *birth, const char *data, char *docid, int slot) {
    if (!data) return 6018;
    int rc = need_hc();
    if (rc) return rc;
    if ((int)cstrnlen(data, 121) != (slot ? 40 : 120)) return 6018;
    rc = check_identity(id, birth);
    if (rc) return rc;
    if (!S.hpc_in) return 5056;
    if (!S.hpc_pin) return 4042;
    if (S.hpc_pharmacist) return 9100;
    if (slot) memcpy(S.allergy.data + (slot - 1) * 40, data, 40);
    else memcpy(S.allergy.data, data, 120);
    doc_id_out(docid);
    return 0;
}
CSAPI hisWriteAllergicMedicines(char *id, char *birth, char *data, char *docid) {
    FX_BODY(hisWriteAllergicMedicines, do_allergic(id, birth, data, docid, 0));
}
/* 1.21: one letter or digit (its meaning is not public). */
static int do_organ(const char *id, const char *birth, const char *flag) {
    if (!flag) return 6018;
    int rc = do_identity_only(id, birth);
    if (rc) return rc;
    if (cstrnlen(flag, 2) != 1 || !is_alnum_upper(flag[0])) return 6018;
    S.organ = (unsigned char)flag[0];
    return 0;
}
CSAPI hisWriteOrganDonate(char *id, char *birth, char *flag) { FX_BODY(hisWriteOrganDonate, do_organ(id, birth, flag)); }
/* 1.22: today's date from the reader clock, the hospital from the SAM. */
static int do_prevent(const char *id, const char *birth, const char *item, const char *code) {
    if (!item || !code) return 6018;
    int rc = do_identity_only(id, birth);
    if (rc) return rc;
    if (!code2_ok(item) || !code2_ok(code)) return 6018;
    unsigned char r[21];
    char today[8];
    today_roc(today);
    memcpy(r, item, 2);
    memcpy(r + 2, today, 7);
    memcpy(r + 9, S.hosp_id, 10);
    memcpy(r + 19, code, 2);
    area_push(&S.prevent, r);
    return 0;
}
CSAPI hisWriteHealthInsurance(char *id, char *birth, char *serviceItem, char *itemCode) {
    FX_BODY(hisWriteHealthInsurance, do_prevent(id, birth, serviceItem, itemCode));
}
/* 1.23: updates basic-data bytes 59–72. */
static int do_write_tel(const char *id, const char *birth, const char *tel) {
    if (!tel) return 6018;
    int rc = do_identity_only(id, birth);
    if (rc) return rc;
    size_t n = cstrnlen(tel, 15);
    if (n < 1 || n > 14) return 6018;
    memset(S.basic + 58, ' ', 14);
    memcpy(S.basic + 58, tel, n);
    return 0;
}
CSAPI hisWriteEmergentTel(char *id, char *birth, char *tel) {
    FX_BODY(hisWriteEmergentTel, do_write_tel(id, birth, tel));
}
/* 1.24: female only (5079). */
static int do_predelivery(const char *id, const char *birth, const char *code) {
    if (!code) return 6018;
    int rc = do_identity_only(id, birth);
    if (rc) return rc;
    if (!code2_ok(code)) return 6018;
    if (S.basic[49] != 'F') return 5079;
    unsigned char r[19];
    char today[8];
    today_roc(today);
    memcpy(r, today, 7);
    memcpy(r + 7, S.hosp_id, 10);
    memcpy(r + 17, code, 2);
    area_push(&S.prenatal, r);
    return 0;
}
CSAPI hisWritePredeliveryCheckup(char *id, char *birth, char *code) {
    FX_BODY(hisWritePredeliveryCheckup, do_predelivery(id, birth, code));
}
/* 1.25 */
static int do_delete_prenatal(const char *id, const char *birth) {
    int rc = do_identity_only(id, birth);
    if (rc) return rc;
    if (S.basic[49] != 'F') return 5079;
    S.prenatal.n = 0;
    return 0;
}
CSAPI hisDeletePredeliveryData(char *id, char *birth) {
    FX_BODY(hisDeletePredeliveryData, do_delete_prenatal(id, birth));
}
/* 1.26: vaccine type ≤ 6, lot ≤ 12; today's date, the SAM's hospital. */
static int do_inoculate(const char *id, const char *birth, const char *item, const char *lot) {
    if (!item || !lot) return 6018;
    int rc = do_identity_only(id, birth);
    if (rc) return rc;
    if (!printable_run(item, 1, 6) || !printable_run(lot, 1, 12)) return 6018;
    unsigned char r[35];
    char today[8];
    today_roc(today);
    put(r, 6, item);
    memcpy(r + 6, today, 7);
    memcpy(r + 13, S.hosp_id, 10);
    put(r + 23, 12, lot);
    area_push(&S.vacc, r);
    return 0;
}
CSAPI hisWriteInoculateData(char *id, char *birth, char *item, char *lotNo) {
    FX_BODY(hisWriteInoculateData, do_inoculate(id, birth, item, lotNo));
}
/* 1.27–1.29: no keypad, no dialog: the PIN counts as entered correctly. */
static int do_verify_hc_pin(void) {
    int rc = need_hc();
    if (!rc) S.pin_verified = 1;
    return rc;
}
static int do_input_hc_pin(void) {
    int rc = need_hc();
    if (!rc) S.pin_set = S.pin_verified = 1;
    return rc;
}
static int do_disable_hc_pin(void) {
    int rc = need_hc();
    if (!rc) S.pin_set = 0;
    return rc;
}
CSAPI csVerifyHCPIN(void) { FX_BODY(csVerifyHCPIN, do_verify_hc_pin()); }
CSAPI csInputHCPIN(void) { FX_BODY(csInputHCPIN, do_input_hc_pin()); }
CSAPI csDisableHCPIN(void) { FX_BODY(csDisableHCPIN, do_disable_hc_pin()); }
CSAPI csUpdateHCContents(void) { FX_BODY(csUpdateHCContents, need_hc()); }
/* 1.31: 0 = COM1 … 9; anything else fails with −1. */
static int do_open(int port) {
    if (port < 0 || port > 9) return -1;
    S.reader_open = 1;
    return 0;
}
CSAPI csOpenCom(int port) { FX_BODY(csOpenCom, do_open(port)); }
/* 1.32 */ CSAPI csCloseCom(void) { FX_BODY(csCloseCom, (S.reader_open = 0)); }
/* 1.33 / 1.50: a pharmacy card gets 9100; codes only with a verified professional card. */
static int do_ci_read(char *buf, int *len) {
    if (!buf || !len) return 6018;
    if (pharmacist()) return 9100;
    int icd10 = *len >= 138 && buf[0] == '[';
    unsigned char out[138];
    int n = ci_block(out, icd10, S.hpc_in && S.hpc_pin);
    return copy_out(buf, len, out, n);
}
/* 1.33 */ CSAPI hisGetCriticalIllness(char *buf, int *len) {
    FX_BODY_LEN(hisGetCriticalIllness, len, need_hc() ? 4013 : do_ci_read(buf, len));
}
/* 1.34 */
static int do_datetime(char *buf, int *len) {
    char dt[14];
    roc_datetime(time(NULL), dt);
    return copy_out(buf, len, dt, 13);
}
CSAPI csGetDateTime(char *buf, int *len) { FX_BODY_LEN(csGetDateTime, len, do_datetime(buf, len)); }
/* 1.35 */ CSAPI csGetCardNo(int type, char *buf, int *len) {
    FX_BODY_LEN(csGetCardNo, len, do_card_no(type, buf, len));
}
/* 1.36: 0 = no PIN set, 1 = PIN set. */
CSAPI csISSetPIN(void) { FX_BODY(csISSetPIN, need_hc() ? 4013 : S.pin_set); }
/* 1.37 */ CSAPI hisGetSeqNumber256(char *item, char *baby, char *after, char *buf, int *len) {
    FX_BODY_LEN(hisGetSeqNumber256, len, do_seq(296, item, baby, after, buf, len));
}
/* 1.38: register bytes 62–70 = validity 7 + remaining visits 2 (docs/reference/buffers.md (1.38)). */
CSAPI hisGetRegisterBasic2(char *buf, int *len) {
    FX_BODY_LEN(hisGetRegisterBasic2, len, need_hc() ? 4013 : copy_out(buf, len, S.reg + 61, 9));
}
/* 1.39 */ CSAPI csUnGetSeqNumber(char *dt) { FX_BODY(csUnGetSeqNumber, do_un_get_seq(dt)); }
/* 1.40: as the simulator's rule: 9081 with more than 3 visits left, else refill to 6; no card reset. */
static int do_update_no_reset(void) {
    int rc = need_hc();
    if (rc) return rc;
    if (S.reg[57] == '2') return 5002;
    if (remaining_visits() > 3) return 9081;
    set_remaining_visits(6);
    return 0;
}
CSAPI csUpdateHCNoReset(void) { FX_BODY(csUpdateHCNoReset, do_update_no_reset()); }
/* 1.41–1.44: records start..end (1-based); the count runs to the last non-blank record in the range. */
static int do_read_range(char *buf, int *len, int start, int end, int *count, const unsigned char *area, int size,
                         int cap) {
    if (!buf || !len || !count) return 6018;
    if (start < 1 || end > cap || start > end) return 6018;
    int rc = need_hc();
    if (rc) return rc;
    int last = start - 1;
    for (int i = start; i <= end; i++) {
        const unsigned char *r = area + (i - 1) * size;
        for (int k = 0; k < size; k++)
            if (r[k] != ' ') {
                last = i;
                break;
            }
    }
    *count = last - start + 1;
    return copy_out(buf, len, area + (start - 1) * size, *count * size);
}
static int range_of(const area_t *a, char *buf, int *len, int start, int end, int *count) {
    unsigned char tmp[AREA_MAX];
    memset(tmp, ' ', (size_t)(a->size * a->cap));
    memcpy(tmp, a->data, (size_t)(a->size * a->n));
    return do_read_range(buf, len, start, end, count, tmp, a->size, a->cap);
}
static int range_rx(char *buf, int *len, int start, int end, int *count) {
    unsigned char tmp[3660];
    outpatient_view(tmp);
    return do_read_range(buf, len, start, end, count, tmp, 61, 60);
}
CSAPI hisReadPrescriptMain(char *buf, int *len, int start, int end, int *count) {
    FX_BODY_LEN(hisReadPrescriptMain, len, range_rx(buf, len, start, end, count));
}
CSAPI hisReadPrescriptLongTerm(char *buf, int *len, int start, int end, int *count) {
    FX_BODY_LEN(hisReadPrescriptLongTerm, len, range_of(&S.longterm, buf, len, start, end, count));
}
CSAPI hisReadPrescriptHVE(char *buf, int *len, int start, int end, int *count) {
    FX_BODY_LEN(hisReadPrescriptHVE, len, range_of(&S.hve, buf, len, start, end, count));
}
CSAPI hisReadPrescriptAllergic(char *buf, int *len, int start, int end, int *count) {
    FX_BODY_LEN(hisReadPrescriptAllergic, len, range_of(&S.allergy, buf, len, start, end, count));
}
/* 1.45 */ CSAPI hisWriteMultiPrescript(char *dt, char *id, char *birth, char *data, int *count) {
    FX_BODY(hisWriteMultiPrescript, !count ? 6018 : do_write_rx(dt, id, birth, data, *count));
}
/* 1.46: slot 1–3. */
CSAPI hisWriteAllergicNum(char *id, char *birth, char *data, char *docid, int slot) {
    FX_BODY(hisWriteAllergicNum, slot < 1 || slot > 3 ? 6018 : do_allergic(id, birth, data, docid, slot));
}
/* 1.47 */ CSAPI hisWriteTreatmentData(char *dt, char *id, char *birth, char *data, char *docid) {
    FX_BODY(hisWriteTreatmentData, do_write_visit(dt, id, birth, data, docid, 1));
}
/* 1.48 / 1.49: 40 hex characters per record; len must hold them all (6018 otherwise, docs/reference/functions.md). */
static int do_write_sign(const char *dt, const char *id, const char *birth, const char *data, int n, char *buf,
                         int *len) {
    if (!buf || !len || n < 1 || *len < 40 * n) return 6018;
    int rc = do_write_rx(dt, id, birth, data, n);
    if (rc) return rc;
    for (int i = 0; i < n; i++) {
        unsigned seed = fnv1a(2166136261u, data + i * 61, 61);
        hex_fill(buf + i * 40, 40, seed);
    }
    *len = 40 * n;
    return 0;
}
CSAPI hisWritePrescriptionSign(char *dt, char *id, char *birth, char *data, char *buf, int *len) {
    FX_BODY_LEN(hisWritePrescriptionSign, len, do_write_sign(dt, id, birth, data, 1, buf, len));
}
CSAPI hisWriteMultiPrescriptSign(char *dt, char *id, char *birth, char *data, int *count, char *buf, int *len) {
    FX_BODY_LEN(hisWriteMultiPrescriptSign, len, do_write_sign(dt, id, birth, data, count ? *count : 0, buf, len));
}
/* 1.50 */
static int do_ci_id(const char *id, const char *birth, char *buf, int *len) {
    int rc = do_identity_only(id, birth);
    if (rc) return rc;
    return do_ci_read(buf, len);
}
CSAPI hisGetCriticalIllnessID(char *id, char *birth, char *buf, int *len) {
    FX_BODY_LEN(hisGetCriticalIllnessID, len, do_ci_id(id, birth, buf, len));
}
/* 1.51: returns the version code and writes the module path (NUL-terminated, at most 256 bytes). */
CSAPI csGetVersionEx(char *path) { FX_BODY(csGetVersionEx, do_version_ex(path)); }
/* 1.52 */ CSAPI csSoftwareReset(int type) { FX_BODY(csSoftwareReset, do_software_reset(type)); }
/* 1.53 */ CSAPI hisGetSeqNumber256N1(char *item, char *baby, char *after, char *buf, int *len) {
    FX_BODY_LEN(hisGetSeqNumber256N1, len, do_seq(316, item, baby, after, buf, len));
}
/* 1.54 */ CSAPI hisGetTreatNumNoICCard(char *pid, char *hosp, char *buf, int *len) {
    FX_BODY_LEN(hisGetTreatNumNoICCard, len, do_treat_num_no_ic(pid, hosp, buf, len));
}
/* 1.55: signature from the NHI briefing only: (cTreatItem). */
static int do_quick(const char *item) {
    if (!valid_treat_item(item)) return 6018;
    return need_hc();
}
CSAPI hisQuickInsurence(char *item) { FX_BODY(hisQuickInsurence, do_quick(item)); }
/* 1.56 */ CSAPI hisGetTreatNumICCard(char *dt, char *buf, int *len) {
    FX_BODY_LEN(hisGetTreatNumICCard, len, do_treat_num_ic(dt, buf, len));
}
/* 2.1 */ CSAPI csVerifySAMDC(void) { FX_BODY(csVerifySAMDC, (S.sam_auth = 1, 0)); }
/* 2.2 */ CSAPI csGetHospID(char *buf, int *len) {
    FX_BODY_LEN(csGetHospID, len, copy_out(buf, len, S.hosp_id, 10));
}
/* 3.1 / 3.2: 6017 when the file does not exist, else the 50-byte receipt (docs/reference/buffers.md (3.1)). */
CSAPI csUploadData(char *file, char *size, char *count, char *buf, int *len) {
    FX_BODY_LEN(csUploadData, len, !size || !count ? 6018 : do_upload(file, buf, len));
}
CSAPI csUploadDataPrec(char *file, char *size, char *count, char *precCount, char *buf, int *len) {
    FX_BODY_LEN(csUploadDataPrec, len, !size || !count || !precCount ? 6018 : do_upload(file, buf, len));
}
/* No spec found (docs/reference/functions.md): the fixture has no data centre, so it reports "network down" (4061). */
CSAPI csDownloadData(char *samId, char *hospId, char *number, char *sendDate, char *recvDate, char *serverRandom,
                     char *fileName) {
    FX_BODY(csDownloadData,
            !samId || !hospId || !number || !sendDate || !recvDate || !serverRandom || !fileName ? 6018 : 4061);
}
/* 4.1 */
static int do_hpc_status(int req, int *status) {
    if (req != 1 || !status) return 6018;
    *status = S.hpc_in ? 1 : 0;
    return 0;
}
CSAPI hpcGetHPCStatus(int req, int *status) { FX_BODY(hpcGetHPCStatus, do_hpc_status(req, status)); }
/* 4.2: no dialog: the PIN counts as verified. */
static int do_hpc_verify(void) {
    int rc = need_hpc();
    if (rc) return rc;
    S.hpc_pin = 1;
    return 0;
}
CSAPI hpcVerifyHPCPIN(void) { FX_BODY(hpcVerifyHPCPIN, do_hpc_verify()); }
/* 4.3 / 4.4 */ CSAPI hpcInputHPCPIN(void) { FX_BODY(hpcInputHPCPIN, need_hpc()); }
CSAPI hpcUnlockHPC(void) { FX_BODY(hpcUnlockHPC, need_hpc()); }
/* 4.5–4.8: variable length, no NUL; length reported through len. */
CSAPI hpcGetHPCSN(char *buf, int *len) {
    FX_BODY_LEN(hpcGetHPCSN, len, need_hpc() ? 4014 : copy_out(buf, len, S.hpc_sn, (int)strlen(S.hpc_sn)));
}
CSAPI hpcGetHPCSSN(char *buf, int *len) {
    FX_BODY_LEN(hpcGetHPCSSN, len, need_hpc() ? 4014 : copy_out(buf, len, S.hpc_id, (int)strlen(S.hpc_id)));
}
CSAPI hpcGetHPCCNAME(char *buf, int *len) {
    FX_BODY_LEN(hpcGetHPCCNAME, len, need_hpc() ? 4014 : copy_out(buf, len, S.hpc_cname, S.hpc_cname_len));
}
CSAPI hpcGetHPCENAME(char *buf, int *len) {
    FX_BODY_LEN(hpcGetHPCENAME, len,
                need_hpc() ? 4014 : copy_out(buf, len, S.hpc_ename, (int)strlen(S.hpc_ename)));
}
/* 5.1 / 5.2: the invented table above (NHI's is not public); 9127 when it has no mapping. NUL-terminated. */
static int do_icd10(const char *in, char *out, int encode) {
    if (!in || !out) return 6018;
    if (cstrnlen(in, 9) > 7) return 9127;
    if (encode) {
        if (!(in[0] >= 'A' && in[0] <= 'Z') || !(in[1] >= '0' && in[1] <= '9') || cstrnlen(in, 8) < 3) return 9127;
    }
    const char *r = encode ? icd10_encode(in) : icd10_decode(in);
    if (!r) return 9127;
    size_t n = strlen(r);
    memcpy(out, r, n);
    out[n] = '\0';
    return 0;
}
CSAPI hisGetICD10EnC(char *code, char *out) { FX_BODY(hisGetICD10EnC, do_icd10(code, out, 1)); }
CSAPI hisGetICD10DeC(char *code, char *out) { FX_BODY(hisGetICD10DeC, do_icd10(code, out, 0)); }
/* Header extras (undocumented in 3.3). csGetVersion's parameters are unknown: declared as (void). */
CSAPI csGetVersion(void) { FX_BODY(csGetVersion, FX_VERSION); }
CSAPI csGetLastUnTreatmentData(char *buf, int *len) {
    FX_BODY_LEN(csGetLastUnTreatmentData, len, need_hc() ? 4013 : blank_out(buf, len, 0));
}
CSAPI hisGetInsurerData(char *buf, int *len) {
    FX_BODY_LEN(hisGetInsurerData, len, need_hc() ? 4013 : blank_out(buf, len, 0));
}
CSAPI HCA_GNFuncCall(long id, char *in, char *out, long p1, long p2, long p3, long p4, long p5) {
    (void)id; (void)in; (void)out; (void)p1; (void)p2; (void)p3; (void)p4; (void)p5;
    FX_BODY(HCA_GNFuncCall, 6018);
}

/* ------------------------------------------------------------------------------------------------ */
/* control exports for tests (same calling convention; not counted as in-flight calls)              */
/* ------------------------------------------------------------------------------------------------ */

/* Clears all state, knobs and counters (not the in-flight counter) and releases hung calls. */
CSAPI fixtureReset(void) {
    for (int i = 0; i < FX_COUNT; i++) {
        A_STORE(&g_hang[i], 0);
        A_STORE(&g_forced[i], 0);
        A_STORE(&g_delay[i], 0);
        A_STORE(&g_calls[i], 0);
        A_STORE(&g_overlong[i], 0);
    }
    A_STORE(&g_hang_all, 0);
    A_STORE(&g_delay_all, 0);
    A_STORE(&g_overlaps, 0);
    A_STORE(&g_require_open, 0);
    fx_lock();
    state_reset();
    g_nchanges = 0;
    g_initialised = 1;
    fx_unlock();
    return 0;
}

/*
 * A gateway restart as the card sees it: the process that had the library loaded is gone, so everything the
 * library kept for it is lost — the reader is closed, the SAM must authenticate again, PINs verified in that
 * session count no more — while the cards stay in the reader with everything written to them, and the
 * knobs and counters a test set stay (they are the test's, not the library's).
 */
CSAPI fixtureRestartLibrary(void) {
    fx_lock();
    ensure_init();
    S.reader_open = 0;
    S.sam_auth = 0;
    S.hpc_pin = 0;
    S.pin_verified = 0;
    fx_unlock();
    return 0;
}

/* Raw bytes, not NUL-terminated: exactly 72 and 78 bytes are copied. */
CSAPI fixtureInsertHealthCard(const char *basic72, const char *register78, int lastSeq) {
    if (!basic72 || !register78) return 6018;
    fx_lock();
    ensure_init();
    memcpy(S.basic, basic72, 72);
    memcpy(S.reg, register78, 78);
    S.last_seq = lastSeq < 0 ? 0 : lastSeq;
    S.nvisits = 0;
    S.last_visit_time = 0;
    records_reset();
    S.hc_in = 1;
    record_change(1, 1);
    fx_unlock();
    return 0;
}

/*
 * Loads a record area of the inserted card (seeding it as the simulator's test cards are):
 * "outpatient" (61-byte records), "longterm" (44), "hve" (36), "vaccination" (35), "prevent" (21),
 * "pregnant" (19), "allergy" (exactly 120), "organ" (1), "ci" (21-byte records: code 7, from 7, until 7).
 * len must be a whole number of records within the capacity; −1 for an unknown name or bad length.
 */
CSAPI fixtureSetArea(const char *name, const unsigned char *bytes, int len) {
    if (!name || !bytes || len < 0) return -1;
    int rc = 0;
    fx_lock();
    ensure_init();
    area_t *a = NULL;
    if (strcmp(name, "outpatient") == 0) a = &S.rx;
    else if (strcmp(name, "longterm") == 0) a = &S.longterm;
    else if (strcmp(name, "hve") == 0) a = &S.hve;
    else if (strcmp(name, "vaccination") == 0) a = &S.vacc;
    else if (strcmp(name, "prevent") == 0) a = &S.prevent;
    else if (strcmp(name, "pregnant") == 0) a = &S.prenatal;
    if (a) {
        if (len % a->size != 0 || len / a->size > a->cap) rc = -1;
        else {
            memcpy(a->data, bytes, (size_t)len);
            a->n = len / a->size;
        }
    } else if (strcmp(name, "allergy") == 0) {
        if (len != 120) rc = -1;
        else memcpy(S.allergy.data, bytes, 120);
    } else if (strcmp(name, "organ") == 0) {
        if (len != 1) rc = -1;
        else S.organ = bytes[0];
    } else if (strcmp(name, "ci") == 0) {
        if (len % 21 != 0 || len / 21 > 6) rc = -1;
        else {
            S.nci = len / 21;
            for (int i = 0; i < S.nci; i++) {
                trim_copy(S.ci[i].code, 8, (const char *)bytes + i * 21, 7);
                trim_copy(S.ci[i].from, 8, (const char *)bytes + i * 21 + 7, 7);
                trim_copy(S.ci[i].until, 8, (const char *)bytes + i * 21 + 14, 7);
            }
        }
    } else rc = -1;
    fx_unlock();
    return rc;
}

/* 1.36's answer for the inserted card. */
CSAPI fixtureSetPinSet(int on) {
    fx_lock();
    ensure_init();
    S.pin_set = on ? 1 : 0;
    fx_unlock();
    return 0;
}

/* 1 = the inserted professional card is a pharmacist's (9100 rules). */
CSAPI fixtureSetProfessionalPharmacist(int on) {
    fx_lock();
    ensure_init();
    S.hpc_pharmacist = on ? 1 : 0;
    fx_unlock();
    return 0;
}

CSAPI fixtureRemoveHealthCard(void) {
    fx_lock();
    ensure_init();
    S.hc_in = 0;
    record_change(1, 0);
    fx_unlock();
    return 0;
}

CSAPI fixtureInsertProfessionalCard(const char *serial, const char *id, const char *nameBig5, int nameLen,
                                    const char *englishName) {
    if (!serial || !id || !nameBig5 || !englishName || nameLen < 0) return 6018;
    fx_lock();
    ensure_init();
    memset(S.hpc_sn, 0, sizeof S.hpc_sn);
    memset(S.hpc_id, 0, sizeof S.hpc_id);
    memset(S.hpc_ename, 0, sizeof S.hpc_ename);
    memcpy(S.hpc_sn, serial, cstrnlen(serial, 20));
    memcpy(S.hpc_id, id, cstrnlen(id, 10));
    S.hpc_cname_len = nameLen > 20 ? 20 : nameLen;
    memcpy(S.hpc_cname, nameBig5, (size_t)S.hpc_cname_len);
    memcpy(S.hpc_ename, englishName, cstrnlen(englishName, 40));
    S.hpc_in = 1;
    S.hpc_pin = 0;
    S.hpc_pharmacist = 0;
    record_change(2, 1);
    fx_unlock();
    return 0;
}

CSAPI fixtureRemoveProfessionalCard(void) {
    fx_lock();
    ensure_init();
    S.hpc_in = 0;
    S.hpc_pin = 0;
    record_change(2, 0);
    fx_unlock();
    return 0;
}

/* Next calls of functionName return rc without doing anything; rc 0 clears. −1 for an unknown name. */
CSAPI fixtureSetForcedRc(const char *functionName, int rc) {
    int id = fx_lookup(functionName);
    if (id < 0) return -1;
    A_STORE(&g_forced[id], rc);
    return 0;
}

/* Sleep ms inside every call of functionName ("*" = all functions). */
CSAPI fixtureSetDelayMs(const char *functionName, int ms) {
    if (functionName && strcmp(functionName, "*") == 0) {
        A_STORE(&g_delay_all, ms);
        return 0;
    }
    int id = fx_lookup(functionName);
    if (id < 0) return -1;
    A_STORE(&g_delay[id], ms);
    return 0;
}

/* on = 1: calls of functionName ("*" = all) block until fixtureHang(name, 0) or fixtureReset(). */
CSAPI fixtureHang(const char *functionName, int on) {
    if (functionName && strcmp(functionName, "*") == 0) {
        A_STORE(&g_hang_all, on ? 1 : 0);
        return 0;
    }
    int id = fx_lookup(functionName);
    if (id < 0) return -1;
    A_STORE(&g_hang[id], on ? 1 : 0);
    return 0;
}

/* Number of times a CSHIS export was entered while another one was still inside the library. */
CSAPI fixtureOverlapCount(void) { return A_LOAD(&g_overlaps); }

/* Number of CSHIS calls currently inside the library. */
CSAPI fixtureInFlight(void) { return A_LOAD(&g_inflight); }

/* Calls of functionName since the last reset (−1 for an unknown name). */
CSAPI fixtureCallCount(const char *functionName) {
    int id = fx_lookup(functionName);
    return id < 0 ? -1 : A_LOAD(&g_calls[id]);
}

/* Successful visit writes (1.16/1.17/1.47) for the visit with this 13-char datetime; −1 if no such visit. */
CSAPI fixtureWriteCount(const char *dateTime13) {
    fx_lock();
    ensure_init();
    visit_t *v = find_visit(dateTime13);
    int n = v ? v->writes : -1;
    fx_unlock();
    return n;
}

/* The pDataWrite of the last successful visit write (without NUL); −1 if no such visit. */
CSAPI fixtureGetLastWrite(const char *dateTime13, char *buf, int *len) {
    fx_lock();
    ensure_init();
    visit_t *v = find_visit(dateTime13);
    int rc = v ? copy_out(buf, len, v->last_write, v->last_write_len) : -1;
    fx_unlock();
    return rc;
}

/* The function reports *len = buffer size + extra on success (extra 0 clears). */
CSAPI fixtureSetOverlongLength(const char *functionName, int extra) {
    int id = fx_lookup(functionName);
    if (id < 0) return -1;
    A_STORE(&g_overlong[id], extra);
    return 0;
}

/* on = 1: every export except csOpenCom/csCloseCom/csGetVersion(Ex) returns 4000 unless the reader is open. */
CSAPI fixtureSetRequireOpen(int on) {
    A_STORE(&g_require_open, on ? 1 : 0);
    return 0;
}

/* 1 when csOpenCom succeeded and csCloseCom has not been called since. */
CSAPI fixtureReaderOpen(void) {
    fx_lock();
    ensure_init();
    int open = S.reader_open;
    fx_unlock();
    return open;
}

/*
 * The card state changes still in the ring, oldest first, as text lines "<n> <slot> <in> <µs>\n" (n counts from
 * 0 since the last reset; slot 1 health card, 2 professional card; in 1/0; CLOCK_REALTIME µs). Writes as many
 * whole lines as fit in *len bytes and sets *len to the bytes written. Returns the number of lines written.
 */
CSAPI fixtureStateChangeLog(char *buf, int *len) {
    if (!buf || !len || *len < 0) return -1;
    int cap = *len, used = 0, lines = 0;
    fx_lock();
    int first = g_nchanges > CHANGE_MAX ? g_nchanges - CHANGE_MAX : 0;
    for (int i = first; i < g_nchanges; i++) {
        const change_t *c = &g_changes[i % CHANGE_MAX];
        char line[64];
        int n = snprintf(line, sizeof line, "%d %d %d %lld\n", i, c->slot, c->inserted, c->us);
        if (n <= 0 || used + n > cap) break;
        memcpy(buf + used, line, (size_t)n);
        used += n;
        lines++;
    }
    fx_unlock();
    *len = used;
    return lines;
}
