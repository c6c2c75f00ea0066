#!/usr/bin/env bash
# Builds the CSHIS.dll test stand-in (test/native/cshis_fixture.c) and the "old DLL" (cshis_minimal.c):
#
#   test/native/out/linux-x64/libcshis_fixture.so   gcc, cdecl (__stdcall defined away)
#   test/native/out/linux-x64/libcshis_minimal.so   gcc
#   test/native/out/win-ia32/CSHIS.dll              i686-w64-mingw32-gcc, __stdcall, undecorated (--kill-at)
#   test/native/out/win-x64/CSHIS.dll               x86_64-w64-mingw32-gcc
#
# The Windows builds are skipped (with a message, exit status 0) when mingw-w64 is not installed:
#   apt-get install -y gcc-mingw-w64-i686 gcc-mingw-w64-x86-64
# Any compile error or an export check failure stops the script with a non-zero status.
# Outputs are written to a temporary name and renamed into place, so concurrent runs (parallel test
# files) never see a half-written library.
#
# Usage: build/native-fixture.sh [--linux-only]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC_DIR="$ROOT/test/native"
OUT="$SRC_DIR/out"
FIXTURE="$SRC_DIR/cshis_fixture.c"
MINIMAL="$SRC_DIR/cshis_minimal.c"
LINUX_ONLY=0
[[ "${1:-}" == "--linux-only" ]] && LINUX_ONLY=1

CFLAGS=(-std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter)

fail() { echo "native-fixture: ERROR: $*" >&2; exit 1; }
note() { echo "native-fixture: $*"; }

# compile <compiler> <output> <args...>: build to a temp file, then rename atomically.
compile() {
  local cc="$1" out="$2"; shift 2
  mkdir -p "$(dirname "$out")"
  local tmp; tmp="$(mktemp "$(dirname "$out")/.build.XXXXXX")"
  if ! "$cc" "$@" -o "$tmp"; then
    rm -f "$tmp"
    fail "compiling $out with $cc failed (see the compiler output above)"
  fi
  chmod 0755 "$tmp"
  mv -f "$tmp" "$out"
  note "built ${out#"$ROOT"/}"
}

# ---------------------------------------------------------------------------------------------------
# Linux x86_64
# ---------------------------------------------------------------------------------------------------
command -v gcc >/dev/null || fail "gcc not found (needed for the Linux fixture)"
LINUX_OUT="$OUT/linux-x64"
compile gcc "$LINUX_OUT/libcshis_fixture.so" "${CFLAGS[@]}" -shared -fPIC -fvisibility=hidden "$FIXTURE" -ldl
compile gcc "$LINUX_OUT/libcshis_minimal.so" "${CFLAGS[@]}" -shared -fPIC -fvisibility=hidden "$MINIMAL"

if command -v nm >/dev/null; then
  for sym in hisGetBasicData hisGetSeqNumber256N1 csGetVersionEx HCA_GNFuncCall fixtureOverlapCount; do
    nm -D --defined-only "$LINUX_OUT/libcshis_fixture.so" | grep -qE " T ${sym}\$" \
      || fail "libcshis_fixture.so does not export $sym"
  done
  if nm -D --defined-only "$LINUX_OUT/libcshis_fixture.so" | grep -qE ' T (fx_|do_|copy_out|need_)'; then
    fail "libcshis_fixture.so exports internal helpers (visibility flags not applied)"
  fi
fi

if [[ $LINUX_ONLY == 1 ]]; then
  note "--linux-only: Windows builds not attempted"
  exit 0
fi

# ---------------------------------------------------------------------------------------------------
# Windows i686 / x86_64 (mingw-w64): __declspec(dllexport) + __stdcall + --kill-at, no .def file
# ---------------------------------------------------------------------------------------------------
# check_pe <objdump> <dll> <expected file format>
check_pe() {
  local objdump="$1" dll="$2" format="$3"
  "$objdump" -f "$dll" | grep -q "file format $format" \
    || fail "$dll is not $format: $("$objdump" -f "$dll" | grep 'file format')"
  local names
  names="$("$objdump" -p "$dll" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p')"
  [[ -n "$names" ]] || fail "$dll has no export name table"
  if grep -q '@' <<<"$names"; then
    fail "$dll exports decorated stdcall names (e.g. $(grep -m1 '@' <<<"$names" | tr -s ' ')); expected undecorated names"
  fi
  for sym in hisGetBasicData hisGetSeqNumber256N1 csGetVersionEx hpcGetHPCStatus fixtureReset; do
    grep -qE "\] ${sym}\$" <<<"$names" || fail "$dll does not export $sym"
  done
  local count; count="$(grep -cE '^\s*\[ *[0-9]+\] ' <<<"$names")"
  note "verified ${dll#"$ROOT"/}: $format, $count undecorated exports"
}

WIN_FLAGS=(-shared -static-libgcc -Wl,--kill-at)
built_any=0
for target in "i686:win-ia32:pei-i386" "x86_64:win-x64:pei-x86-64"; do
  IFS=: read -r arch dir format <<<"$target"
  cc="$arch-w64-mingw32-gcc"
  objdump="$arch-w64-mingw32-objdump"
  if ! command -v "$cc" >/dev/null; then
    note "SKIPPED $dir/CSHIS.dll: $cc not found (apt-get install -y gcc-mingw-w64-${arch/_/-})"
    continue
  fi
  compile "$cc" "$OUT/$dir/CSHIS.dll" "${CFLAGS[@]}" "${WIN_FLAGS[@]}" "$FIXTURE"
  if command -v "$objdump" >/dev/null; then
    check_pe "$objdump" "$OUT/$dir/CSHIS.dll" "$format"
  else
    note "$objdump not found: export names of $dir/CSHIS.dll not verified"
  fi
  built_any=1
done
[[ $built_any == 1 ]] || note "no Windows DLL built (mingw-w64 missing); the PE bitness tests will be reported as pending"
exit 0
