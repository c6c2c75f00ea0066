/**
 * Where this process's SEA blob (the main script, its code cache and the embedded assets) is mapped: the ELF
 * note postject stored it in, read from the executable's file headers (never its contents), placed by
 * /proc/self/maps. Linux ELF64 only; elsewhere, or when anything is not as expected, no ranges: nothing is
 * dropped (src/memory-release.ts says why dropping these pages is safe).
 */
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';
import { findElfNote, mappedFileRange, type AddressRange, type Mapping } from '../../memory-release.ts';

/** The note name of the SEA resource (build/lib/inspect.ts SEA_RESOURCE). */
const SEA_NOTE = 'NODE_SEA_BLOB';

export function seaBlobRanges(maps: readonly Mapping[], platform: string = process.platform): AddressRange[] {
  if (platform !== 'linux') return [];
  let fd: number | undefined;
  try {
    const exe = readlinkSync('/proc/self/exe');
    fd = openSync('/proc/self/exe', 'r');
    const file = fd;
    const read = (offset: number, length: number): Uint8Array => {
      const bytes = new Uint8Array(length);
      return bytes.subarray(0, readSync(file, bytes, 0, length, offset));
    };
    const note = findElfNote(read, SEA_NOTE);
    return note ? mappedFileRange(exe, note.offset, note.size, maps) : [];
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
