/**
 * Minimal PE (Windows DLL/EXE) header reading for the bitness check before loading CSHIS.dll
 * (docs/reference/abi.md: a 32-bit DLL loads only into a 32-bit process). No koffi here.
 *
 * Layout used: "MZ" at 0; e_lfanew (uint32 LE) at 0x3C; "PE\0\0" at e_lfanew; IMAGE_FILE_HEADER.Machine
 * (uint16 LE) right after the signature.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { PeArchitecture } from './errors.ts';

export const PE_MACHINE = {
  i386: 0x014c,
  x64: 0x8664,
  arm64: 0xaa64,
} as const;

export interface PeHeaderInfo {
  /** The raw IMAGE_FILE_HEADER.Machine value. */
  readonly machine: number;
  readonly architecture: PeArchitecture;
}

/** Bytes needed in the common case (e_lfanew is normally < 0x200). */
const HEAD_BYTES = 4096;
/** Sanity limit for e_lfanew: real images keep the PE header near the start. */
const MAX_LFANEW = 0x10000;

/**
 * Reads the Machine field from the start of a file. Pure: returns null when the bytes are not a PE image
 * (no "MZ", truncated, or no "PE\0\0" where e_lfanew points), and also null when `bytes` is too short to
 * reach the header (callers pass enough bytes; {@link peHeaderBytesNeeded} says how many).
 */
export function readPeMachine(bytes: Uint8Array): PeHeaderInfo | null {
  if (bytes.length < 0x40 || bytes[0] !== 0x4d || bytes[1] !== 0x5a) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lfanew = view.getUint32(0x3c, true);
  if (lfanew < 0x40 || lfanew > MAX_LFANEW || lfanew + 6 > bytes.length) return null;
  if (view.getUint32(lfanew, false) !== 0x50450000) return null; // "PE\0\0"
  const machine = view.getUint16(lfanew + 4, true);
  return { machine, architecture: architectureOf(machine) };
}

/** How many leading bytes {@link readPeMachine} needs for this file, or null if it is not MZ at all. */
export function peHeaderBytesNeeded(head: Uint8Array): number | null {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return null;
  const lfanew = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0x3c, true);
  return lfanew > MAX_LFANEW ? null : lfanew + 6;
}

export function architectureOf(machine: number): PeArchitecture {
  switch (machine) {
    case PE_MACHINE.i386:
      return 'i386';
    case PE_MACHINE.x64:
      return 'x64';
    case PE_MACHINE.arm64:
      return 'arm64';
    default:
      return 'unknown';
  }
}

/** Whether a DLL of this architecture can be loaded into a Node process with this `process.arch`. */
export function isLoadableBy(architecture: PeArchitecture, processArch: string): boolean {
  switch (architecture) {
    case 'i386':
      return processArch === 'ia32';
    case 'x64':
      return processArch === 'x64';
    case 'arm64':
      return processArch === 'arm64';
    default:
      return false;
  }
}

/** Reads the PE header of a file; null when it is not a PE image. Throws only for I/O errors. */
export function readPeHeaderFromFile(path: string): PeHeaderInfo | null {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(HEAD_BYTES);
    const n = readSync(fd, head, 0, HEAD_BYTES, 0);
    const bytes = head.subarray(0, n);
    const needed = peHeaderBytesNeeded(bytes);
    if (needed === null) return null;
    if (needed <= bytes.length) return readPeMachine(bytes);
    const more = new Uint8Array(needed);
    const m = readSync(fd, more, 0, needed, 0);
    return readPeMachine(more.subarray(0, m));
  } finally {
    closeSync(fd);
  }
}
