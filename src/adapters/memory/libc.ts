/**
 * THE module that loads the C library for memory calls (src/memory-release.ts says why): `madvise` and
 * glibc's `malloc_trim`, through koffi, on Linux only. Elsewhere (Windows, macOS, musl without
 * malloc_trim) `libcMemoryReleaser` returns null and nothing is released.
 *
 * koffi is obtained as in src/adapters/cshis/native.ts: `require('koffi')` in the CommonJS bundle of the
 * executable, `createRequire` under tsx/vitest. It is loaded only when called, after start-up.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseSmaps, type AddressRange, type MemoryReleaser } from '../../memory-release.ts';

type Koffi = typeof import('koffi');

/** Linux `MADV_DONTNEED`: the pages are dropped; a read-only private file mapping reads them again from the file. */
const MADV_DONTNEED = 4;
/** `_SC_PAGESIZE` on Linux. */
const SC_PAGESIZE = 30;

/** The address of a typed array's first byte (no copy): koffi reads it from the array's backing store. */
export function addressOf(bytes: Uint8Array): bigint {
  return koffiModule().address(bytes) as bigint;
}

function koffiModule(): Koffi {
  return typeof require === 'function' ? (require('koffi') as Koffi) : (createRequire(import.meta.url)('koffi') as Koffi);
}

export function libcMemoryReleaser(platform: string = process.platform): MemoryReleaser | null {
  if (platform !== 'linux') return null;
  let lib: import('koffi').LibraryHandle;
  try {
    lib = koffiModule().load('libc.so.6');
  } catch {
    return null; // not glibc
  }
  const madvise = lib.func('int madvise(uintptr_t addr, size_t length, int advice)');
  const sysconf = lib.func('long sysconf(int name)');
  let mallocTrim: ((pad: number) => number) | null = null;
  try {
    mallocTrim = lib.func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {
    mallocTrim = null;
  }
  return {
    pageSize: Number(sysconf(SC_PAGESIZE)) || 4096,
    // smaps, not maps: a read-only mapping holding relocated (written) pages must not be dropped.
    mappings: () => parseSmaps(readFileSync('/proc/self/smaps', 'utf8')),
    dropPages: (range: AddressRange) => madvise(range.start, range.length, MADV_DONTNEED) === 0,
    trimAllocator: () => (mallocTrim ? mallocTrim(0) === 1 : false),
  };
}
