/**
 * Enough of ELF64 to check the Linux executable: its machine, and the note postject adds for NODE_SEA_BLOB
 * (a PT_NOTE program header whose note is named after the resource; Node finds it the same way at start).
 */
export const EM_X86_64 = 62;
const PT_NOTE = 4;

export class ElfFormatError extends Error {
  override readonly name = 'ElfFormatError';
}

export interface ElfInfo {
  /** e_machine, e.g. 62 for x86-64. */
  readonly machine: number;
  readonly elfClass: 32 | 64;
}

export function readElfInfo(bytes: Uint8Array): ElfInfo | null {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { elfClass: bytes[4] === 2 ? 64 : 32, machine: view.getUint16(18, true) };
}

/** The descriptor of the first note named `name` in a PT_NOTE segment of an ELF64 file, or null. */
export function findElfNote(bytes: Uint8Array, name: string): Uint8Array | null {
  const info = readElfInfo(bytes);
  if (!info) throw new ElfFormatError('not an ELF file');
  if (info.elfClass !== 64) throw new ElfFormatError('only ELF64 is supported');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  const align4 = (n: number) => (n + 3) & ~3;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== PT_NOTE) continue;
    const start = Number(view.getBigUint64(ph + 8, true));
    const end = start + Number(view.getBigUint64(ph + 32, true));
    let at = start;
    while (at + 12 <= end) {
      const namesz = view.getUint32(at, true);
      const descsz = view.getUint32(at + 4, true);
      const nameStart = at + 12;
      const descStart = nameStart + align4(namesz);
      const noteName = new TextDecoder('latin1').decode(bytes.subarray(nameStart, nameStart + Math.max(0, namesz - 1)));
      if (noteName === name) return bytes.subarray(descStart, descStart + descsz);
      at = descStart + align4(descsz);
    }
  }
  return null;
}
