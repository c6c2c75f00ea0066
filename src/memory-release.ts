/**
 * Memory the single executable gives back once it has started (docs/performance.md, "Idle and peak memory"):
 *
 * - the SEA blob's pages, file pages of the executable: the main script (copied into V8's heap when it is
 *   compiled) and its code cache are read once at start and never again, yet stay counted in the process's
 *   resident memory for as long as the kernel leaves them there; the same for an embedded asset once read
 *   (koffi.node when it is extracted, a GraphiQL file when it is served). Dropping them
 *   (`madvise(MADV_DONTNEED)` on a read-only private mapping) loses nothing: a later read faults them back in
 *   from the file. The blob is found through the ELF note postject put it in (`findElfNote`);
 * - what glibc's allocator holds free after start-up (`malloc_trim`).
 *
 * The page arithmetic is here, pure; the calls are in src/adapters/memory/libc.ts (Linux with glibc only).
 */

/** An address range in this process, in bytes. */
export interface AddressRange {
  readonly start: bigint;
  readonly length: number;
}

/**
 * The whole pages inside the ranges, merged where they touch or overlap: a page shared with bytes outside
 * every range is left alone (it may hold data still in use, such as the blob's header or the main script).
 */
export function wholePagesWithin(ranges: readonly AddressRange[], pageSize: number): AddressRange[] {
  const page = BigInt(pageSize);
  const sorted = ranges
    .filter((r) => r.length > 0)
    .map((r) => ({ start: r.start, end: r.start + BigInt(r.length) }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: { start: bigint; end: bigint }[] = [];
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && r.start <= last.end) last.end = r.end > last.end ? r.end : last.end;
    else merged.push({ ...r });
  }
  const out: AddressRange[] = [];
  for (const r of merged) {
    const start = ((r.start + page - 1n) / page) * page;
    const end = (r.end / page) * page;
    if (end > start) out.push({ start, length: Number(end - start) });
  }
  return out;
}

/**
 * The ranges covered by the embedded assets, with the gaps between neighbours filled when they are only the
 * blob's own length and key fields (`maxGap` bytes at most), so the pages between two assets go too.
 */
export function assetSpan(ranges: readonly AddressRange[], maxGap: number): AddressRange[] {
  const sorted = [...ranges].filter((r) => r.length > 0).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: { start: bigint; end: bigint }[] = [];
  for (const r of sorted) {
    const end = r.start + BigInt(r.length);
    const last = out.at(-1);
    if (last && r.start - last.end <= BigInt(maxGap)) last.end = end > last.end ? end : last.end;
    else out.push({ start: r.start, end });
  }
  return out.map((r) => ({ start: r.start, length: Number(r.end - r.start) }));
}

/** One line of /proc/self/maps: an address range, its permissions and what it maps. */
export interface Mapping {
  readonly start: bigint;
  readonly end: bigint;
  readonly perms: string;
  /** Offset in the file of the mapping's first byte (0 for anonymous memory). */
  readonly offset: bigint;
  /** The file mapped, or '' for anonymous memory ([heap], [stack] and the like count as anonymous). */
  readonly file: string;
  /**
   * KiB of the mapping that are the process's own copies (smaps `Anonymous`): pages written before the mapping
   * was made read-only, such as relocated data (RELRO). Unknown (undefined) from /proc/self/maps.
   */
  readonly anonymousKiB?: number;
}

export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+([0-9a-f]+)\s+\S+\s+(\d+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, start, end, perms, offset, inode, path] = match;
    const file = inode !== '0' && path && !path.startsWith('[') ? path : '';
    out.push({ start: BigInt(`0x${start}`), end: BigInt(`0x${end}`), perms: perms!, offset: BigInt(`0x${offset}`), file });
  }
  return out;
}

/** /proc/self/smaps: the mappings, each with its `Anonymous` KiB (one pass over the text, no line array). */
export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  const lines = /^([0-9a-f]+-[0-9a-f]+\s.*)$|^Anonymous:\s+(\d+) kB/gm;
  let last: Mapping | undefined;
  for (let match = lines.exec(text); match; match = lines.exec(text)) {
    if (match[1] !== undefined) {
      last = parseMaps(match[1])[0];
      if (last) out.push(last);
    } else if (last) {
      out[out.length - 1] = last = { ...last, anonymousKiB: Number(match[2]) };
    }
  }
  return out;
}

/**
 * The parts of `ranges` that lie in read-only, private mappings of a file holding none of the process's own
 * copies. Only there does dropping pages lose nothing: anonymous memory (a test's stand-in assets, a copy in
 * the heap) would read back as zeros, a writable mapping could hold changes, and a read-only one with
 * `Anonymous` pages (relocated data made read-only after start, RELRO) would read back unrelocated.
 */
export function withinReadOnlyFileMappings(ranges: readonly AddressRange[], maps: readonly Mapping[]): AddressRange[] {
  const out: AddressRange[] = [];
  const safe = maps.filter((m) => m.file !== '' && m.perms[1] === '-' && m.perms[3] === 'p' && (m.anonymousKiB ?? 0) === 0);
  for (const range of ranges) {
    const end = range.start + BigInt(range.length);
    for (const m of safe) {
      const start = range.start > m.start ? range.start : m.start;
      const stop = end < m.end ? end : m.end;
      if (stop > start) out.push({ start, length: Number(stop - start) });
    }
  }
  return out;
}

/**
 * Where a note's contents lie in an ELF64 little-endian file (postject stores the SEA blob as the note
 * `NODE_SEA_BLOB` of a PT_NOTE segment; Node finds it the same way). `read(offset, length)` reads the file:
 * only the headers are read, never the note's contents. Null when the file has no such note or is not ELF64.
 */
export function findElfNote(read: (offset: number, length: number) => Uint8Array, name: string): { offset: number; size: number } | null {
  const header = read(0, 64);
  if (header.length < 64 || header[0] !== 0x7f || header[1] !== 0x45 || header[2] !== 0x4c || header[3] !== 0x46 || header[4] !== 2 || header[5] !== 1) {
    return null;
  }
  const h = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const phoff = Number(h.getBigUint64(32, true));
  const phentsize = h.getUint16(54, true);
  const phnum = h.getUint16(56, true);
  const align4 = (n: number) => (n + 3) & ~3;
  const wanted = new TextEncoder().encode(`${name}\0`);
  for (let i = 0; i < phnum; i++) {
    const ph = read(phoff + i * phentsize, 56);
    if (ph.length < 56) return null;
    const p = new DataView(ph.buffer, ph.byteOffset, ph.byteLength);
    if (p.getUint32(0, true) !== 4) continue; // PT_NOTE
    const start = Number(p.getBigUint64(8, true));
    const end = start + Number(p.getBigUint64(32, true));
    let at = start;
    while (at + 12 <= end) {
      const note = read(at, 12);
      if (note.length < 12) return null;
      const n = new DataView(note.buffer, note.byteOffset, note.byteLength);
      const namesz = n.getUint32(0, true);
      const descsz = n.getUint32(4, true);
      const descStart = at + 12 + align4(namesz);
      if (namesz === wanted.length) {
        const noteName = read(at + 12, namesz);
        if (noteName.every((byte, k) => byte === wanted[k])) return { offset: descStart, size: descsz };
      }
      at = descStart + align4(descsz);
    }
  }
  return null;
}

/** The addresses at which `file`'s bytes [offset, offset + length) are mapped in this process. */
export function mappedFileRange(file: string, offset: number, length: number, maps: readonly Mapping[]): AddressRange[] {
  const from = BigInt(offset);
  const to = from + BigInt(length);
  const out: AddressRange[] = [];
  for (const m of maps) {
    if (m.file !== file) continue;
    const mapEnd = m.offset + (m.end - m.start);
    const start = from > m.offset ? from : m.offset;
    const stop = to < mapEnd ? to : mapEnd;
    if (stop > start) out.push({ start: m.start + (start - m.offset), length: Number(stop - start) });
  }
  return out;
}

/** What the process can do to give memory back: the native calls, or a stand-in in tests. */
export interface MemoryReleaser {
  readonly pageSize: number;
  /** This process's mappings (/proc/self/smaps, with each one's `Anonymous` KiB). */
  mappings(): Mapping[];
  /** Drops the pages of a read-only file mapping from this process's resident set; false when refused. */
  dropPages(range: AddressRange): boolean;
  /** Returns the allocator's free memory to the OS; true when some was released. */
  trimAllocator(): boolean;
}

export interface ReleaseReport {
  readonly droppedBytes: number;
  readonly refusedRanges: number;
  readonly trimmed: boolean;
}

/**
 * Drops the pages of the given ranges (the SEA blob, or its embedded assets) and, unless `trim` is false, trims
 * the allocator. Never throws: it is only an optimisation.
 */
export function releaseStartupMemory(releaser: MemoryReleaser, assets: readonly AddressRange[], trim = true): ReleaseReport {
  let droppedBytes = 0;
  let refusedRanges = 0;
  // Gaps between assets in the blob are a size_t length, the key and the next length: well under a page.
  const spans = withinReadOnlyFileMappings(assetSpan(assets, 4096), releaser.mappings());
  for (const range of wholePagesWithin(spans, releaser.pageSize)) {
    let dropped = false;
    try {
      dropped = releaser.dropPages(range);
    } catch {
      dropped = false;
    }
    if (dropped) droppedBytes += range.length;
    else refusedRanges++;
  }
  let trimmed = false;
  try {
    trimmed = trim && releaser.trimAllocator();
  } catch {
    trimmed = false;
  }
  return { droppedBytes, refusedRanges, trimmed };
}
