/**
 * What the executable gives back after start (src/memory-release.ts): whole pages only, only inside read-only
 * private file mappings (anonymous memory would read back as zeros), merged across the blob's small gaps
 * between assets; never throwing. The /proc/self/maps parser and the libc adapter run against this process.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  assetSpan,
  findElfNote,
  mappedFileRange,
  parseMaps,
  parseSmaps,
  releaseStartupMemory,
  wholePagesWithin,
  withinReadOnlyFileMappings,
  type AddressRange,
  type Mapping,
  type MemoryReleaser,
} from '../../../src/memory-release.ts';
import { addressOf, libcMemoryReleaser } from '../../../src/adapters/memory/libc.ts';
import { seaBlobRanges } from '../../../src/adapters/memory/sea-blob-pages.ts';
import { collectAllAvailableGarbage, releaseDelay } from '../../../src/executable.ts';
import { DEFAULT_RELEASE_MEMORY_MS, parseArgs } from '../../../src/config.ts';

const range = (start: number, length: number): AddressRange => ({ start: BigInt(start), length });

const MAPS = [
  '00400000-00500000 r--p 00000000 08:01 1234                               /opt/nhi-gateway',
  '00500000-00600000 r-xp 00100000 08:01 1234                               /opt/nhi-gateway',
  '00600000-00700000 rw-p 00200000 08:01 1234                               /opt/nhi-gateway',
  '00700000-00800000 rw-p 00000000 00:00 0                                  [heap]',
  '00800000-00900000 r--p 00000000 00:00 0 ',
  '00900000-00a00000 r--s 00000000 08:01 99                                 /dev/shm/shared',
].join('\n');

describe('start-up memory release: page arithmetic', () => {
  it('keeps whole pages inside the ranges only, merged where they touch', () => {
    expect(wholePagesWithin([range(100, 10_000)], 4096)).toEqual([range(4096, 4096)]);
    expect(wholePagesWithin([range(4096, 4096), range(8192, 8192)], 4096)).toEqual([range(4096, 12_288)]);
    expect(wholePagesWithin([range(0, 4095), range(5000, 0)], 4096)).toEqual([]);
  });

  it("spans the blob's small gaps between assets, not large ones", () => {
    expect(assetSpan([range(10_000, 100), range(0, 9_990)], 4096)).toEqual([range(0, 10_100)]);
    expect(assetSpan([range(0, 100), range(50_000, 100)], 4096)).toEqual([range(0, 100), range(50_000, 100)]);
  });

  it('parses /proc/self/maps and keeps read-only private file mappings only', () => {
    const maps = parseMaps(MAPS);
    expect(maps.map((m: Mapping) => [m.perms, m.file])).toEqual([
      ['r--p', '/opt/nhi-gateway'],
      ['r-xp', '/opt/nhi-gateway'],
      ['rw-p', '/opt/nhi-gateway'],
      ['rw-p', ''],
      ['r--p', ''],
      ['r--s', '/dev/shm/shared'],
    ]);
    // One range across every mapping: only the parts in the first two survive.
    expect(withinReadOnlyFileMappings([range(0x4ff000, 0x500000)], maps)).toEqual([range(0x4ff000, 0x1000), range(0x500000, 0x100000)]);
    expect(withinReadOnlyFileMappings([range(0x700000, 0x300000)], maps)).toEqual([]);
  });

  it('never drops a read-only file mapping that holds copies of its own (smaps Anonymous: relocated data, RELRO)', () => {
    const smaps = [
      '00400000-00500000 r--p 00000000 08:01 1234                               /opt/nhi-gateway',
      'Rss:                 100 kB',
      'Anonymous:             0 kB',
      '00500000-00600000 r--p 00100000 08:01 1234                               /opt/nhi-gateway',
      'Rss:                 100 kB',
      'Anonymous:            12 kB',
    ].join('\n');
    const maps = parseSmaps(smaps);
    expect(maps.map((m) => [m.start, m.offset, m.anonymousKiB])).toEqual([
      [0x400000n, 0n, 0],
      [0x500000n, 0x100000n, 12],
    ]);
    expect(withinReadOnlyFileMappings([range(0x400000, 0x200000)], maps)).toEqual([range(0x400000, 0x100000)]);
  });

  it("finds an ELF note's contents by reading headers only, and where that part of the file is mapped", () => {
    // A minimal ELF64 LE image: header, one PT_NOTE program header, two notes (the second one wanted).
    const image = new Uint8Array(512);
    const v = new DataView(image.buffer);
    image.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    v.setBigUint64(32, 64n, true); // e_phoff
    v.setUint16(54, 56, true); // e_phentsize
    v.setUint16(56, 1, true); // e_phnum
    v.setUint32(64, 4, true); // PT_NOTE
    v.setBigUint64(64 + 8, 200n, true); // p_offset
    v.setBigUint64(64 + 32, 60n, true); // p_filesz
    const note = (at: number, name: string, descsz: number) => {
      v.setUint32(at, name.length + 1, true);
      v.setUint32(at + 4, descsz, true);
      image.set(new TextEncoder().encode(name), at + 12);
      return at + 12 + ((name.length + 1 + 3) & ~3) + ((descsz + 3) & ~3);
    };
    const second = note(200, 'GNU', 6);
    note(second, 'NODE_SEA_BLOB', 10);
    const reads: Array<[number, number]> = [];
    const read = (offset: number, length: number) => {
      reads.push([offset, length]);
      return image.subarray(offset, offset + length);
    };
    const found = findElfNote(read, 'NODE_SEA_BLOB');
    expect(found).toEqual({ offset: second + 12 + 16, size: 10 });
    // Never the contents: only 64-byte header, program header, note headers and names.
    expect(reads.every(([, length]) => length <= 64)).toBe(true);
    expect(findElfNote(read, 'OTHER')).toBeNull();
    expect(findElfNote(() => new Uint8Array(64), 'NODE_SEA_BLOB')).toBeNull();

    const maps = parseMaps(MAPS);
    // File offset 0xff000..0x101000 of /opt/nhi-gateway lies across its first two mappings.
    expect(mappedFileRange('/opt/nhi-gateway', 0xff000, 0x2000, maps)).toEqual([range(0x4ff000, 0x1000), range(0x500000, 0x1000)]);
    expect(mappedFileRange('/opt/other', 0, 0x1000, maps)).toEqual([]);
  });

  it('drops what is safe, trims, counts what was refused, and never throws', () => {
    const dropped: AddressRange[] = [];
    const releaser: MemoryReleaser = {
      pageSize: 4096,
      mappings: () => parseMaps(MAPS),
      dropPages: (r) => {
        dropped.push(r);
        if (r.start === 0x500000n) throw new Error('EINVAL');
        return true;
      },
      trimAllocator: () => true,
    };
    // Two assets in the executable's read-only file pages (with a small gap), one in the anonymous heap.
    const report = releaseStartupMemory(releaser, [range(0x400100, 0x1000), range(0x401200, 0x10000), range(0x700000, 0x8000)]);
    expect(dropped).toEqual([range(0x401000, 0x10000)]);
    expect(report).toEqual({ droppedBytes: 0x10000, refusedRanges: 0, trimmed: true });
    const failing = releaseStartupMemory({ ...releaser, trimAllocator: () => { throw new Error('no'); } }, [range(0x500000, 0x2000)]);
    expect(failing).toEqual({ droppedBytes: 0, refusedRanges: 1, trimmed: false });
  });

  it("asks V8 for its last-resort collection where gc is exposed, and does nothing where it is not", () => {
    const global = globalThis as { gc?: unknown };
    const saved = global.gc;
    const calls: unknown[] = [];
    try {
      global.gc = (options: unknown) => calls.push(options);
      collectAllAvailableGarbage();
      expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
      delete global.gc;
      expect(() => collectAllAvailableGarbage()).not.toThrow();
    } finally {
      if (saved === undefined) delete global.gc;
      else global.gc = saved;
    }
  });

  it('releases 5 s after start by default, at the delay the resolved option gives, or never', () => {
    const delay = (argv: string[], env: Record<string, string> = {}) => releaseDelay(parseArgs(argv, env, { platform: 'linux' }));
    expect(DEFAULT_RELEASE_MEMORY_MS).toBe(5_000);
    expect(delay([])).toBe(DEFAULT_RELEASE_MEMORY_MS);
    expect(delay(['--release-memory', '1'])).toBe(1);
    expect(delay([], { NHI_GATEWAY_RELEASE_MEMORY: 'off' })).toBeNull();
    expect(delay(['--release-memory', '250'], { NHI_GATEWAY_RELEASE_MEMORY: 'off' })).toBe(250); // command line first
    expect(delay(['doctor', '--release-memory', 'OFF'])).toBeNull();
    // Commands without a configuration (help, a usage error) keep the default; main prints the error.
    expect(delay(['--help'])).toBe(DEFAULT_RELEASE_MEMORY_MS);
    const refused = parseArgs([], { NHI_GATEWAY_RELEASE_MEMORY: 'soon' }, { platform: 'linux' });
    expect(refused).toEqual({
      kind: 'error',
      message: 'NHI_GATEWAY_RELEASE_MEMORY must be off or a whole number of milliseconds from 0 to 3600000 (got "soon")',
    });
  });
});

describe.runIf(process.platform === 'linux')('start-up memory release: the libc adapter in this process', () => {
  it("finds a buffer's address and this process's mappings, and trims glibc's allocator", () => {
    const releaser = libcMemoryReleaser();
    expect(releaser).not.toBeNull();
    expect(releaser!.pageSize).toBe(4096);
    const bytes = new Uint8Array(64 * 1024).fill(7);
    const at = addressOf(bytes);
    const maps = releaser!.mappings();
    // Read twice, a moment apart (the process may map something in between): about the same list.
    expect(Math.abs(maps.length - parseMaps(readFileSync('/proc/self/maps', 'utf8')).length)).toBeLessThan(8);
    expect(maps.every((m) => typeof m.anonymousKiB === 'number')).toBe(true);
    // Outside a single executable there is no SEA blob: nothing to drop.
    expect(seaBlobRanges(maps)).toEqual([]);
    // A buffer is anonymous memory: never a candidate for dropping.
    expect(maps.some((m) => m.start <= at && at < m.end && m.file === '')).toBe(true);
    expect(withinReadOnlyFileMappings([{ start: at, length: bytes.length }], maps)).toEqual([]);
    expect(typeof releaser!.trimAllocator()).toBe('boolean');
    expect(bytes.every((b) => b === 7)).toBe(true);
  });

  it("drops pages of a read-only file mapping (this Node's own executable) and reads them back unchanged", () => {
    const releaser = libcMemoryReleaser()!;
    const own = releaser.mappings().find((m) => m.perms === 'r--p' && m.anonymousKiB === 0 && m.file === realpathSync(process.execPath));
    expect(own).toBeDefined();
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const memcpy = koffi.load('libc.so.6').func('void *memcpy(_Out_ uint8_t *dst, uintptr_t src, size_t n)');
    const length = Math.min(16 * 4096, Number(own!.end - own!.start));
    const before = Buffer.alloc(length);
    const after = Buffer.alloc(length);
    memcpy(before, own!.start, length);
    expect(releaser.dropPages({ start: own!.start, length })).toBe(true);
    memcpy(after, own!.start, length);
    expect(after.equals(before)).toBe(true);
    expect(before.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  });
});
