/**
 * Memory the single executable gives back once it has started (docs/performance.md, "Idle and peak memory"):
 *
 * - the embedded assets' pages, where they are pages of the executable's file. They are file pages of the executable, read once at start (every asset's
 *   SHA-256 is checked, koffi.node is extracted) and then counted in the process's resident memory for as
 *   long as the kernel leaves them there. Dropping them (`madvise(MADV_DONTNEED)` on a read-only private
 *   mapping) loses nothing: a later read (a GraphiQL page) faults them back in from the file;
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
  /** The file mapped, or '' for anonymous memory ([heap], [stack] and the like count as anonymous). */
  readonly file: string;
}

export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+(\d+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, start, end, perms, inode, path] = match;
    const file = inode !== '0' && path && !path.startsWith('[') ? path : '';
    out.push({ start: BigInt(`0x${start}`), end: BigInt(`0x${end}`), perms: perms!, file });
  }
  return out;
}

/**
 * The parts of `ranges` that lie in read-only, private mappings of a file. Only there does dropping pages lose
 * nothing: anonymous memory (a test's stand-in assets, a copy in the heap) would read back as zeros, and a
 * writable mapping could hold changes.
 */
export function withinReadOnlyFileMappings(ranges: readonly AddressRange[], maps: readonly Mapping[]): AddressRange[] {
  const out: AddressRange[] = [];
  const safe = maps.filter((m) => m.file !== '' && m.perms[1] === '-' && m.perms[3] === 'p');
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

/** What the process can do to give memory back: the native calls, or a stand-in in tests. */
export interface MemoryReleaser {
  readonly pageSize: number;
  /** This process's mappings (/proc/self/maps). */
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

/** Drops the pages of the given embedded assets and trims the allocator. Never throws: it is only an optimisation. */
export function releaseStartupMemory(releaser: MemoryReleaser, assets: readonly AddressRange[]): ReleaseReport {
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
    trimmed = releaser.trimAllocator();
  } catch {
    trimmed = false;
  }
  return { droppedBytes, refusedRanges, trimmed };
}
