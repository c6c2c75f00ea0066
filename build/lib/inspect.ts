/**
 * Structural checks of an executable the build made: what the build asserts before an output may land in
 * dist/, and what the win-x86 test asserts on a file these machines cannot run.
 *
 * - machine: PE Machine (i386/x64) or ELF e_machine (x86-64);
 * - Node version: node.exe's VS_VERSIONINFO file version (PE); for ELF the caller compares the node binary;
 * - the SEA fuse: postject flips `NODE_SEA_FUSE_…:0` to `:1`, which is how Node knows to look for the blob;
 * - the blob: the NODE_SEA_BLOB resource (PE, RT_RCDATA) or note (ELF), parsed with the target's size_t
 *   width, with its manifest and assets;
 * - the Authenticode certificate table (PE): removed before injection, so none may be left.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { findElfNote, readElfInfo, EM_X86_64 } from './elf-image.ts';
import { findResource, parsePeImage, readFileVersion, RT_RCDATA } from './pe-image.ts';
import { parseSeaBlob, type SeaBlob, type SizeTWidth } from './sea-blob.ts';
import { MANIFEST_ASSET, type SeaManifest } from '../../src/sea-setup.ts';

export const SEA_RESOURCE = 'NODE_SEA_BLOB';
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export type FuseState = 'flipped' | 'unflipped' | 'missing';

export interface ExecutableReport {
  readonly format: 'pe' | 'elf' | 'unknown';
  /** `i386`, `x64`, `x86-64` (ELF) or `unknown`. */
  readonly machine: string;
  /** PE only: `major.minor.patch` of the file version. */
  readonly fileVersion: string | null;
  /** PE only: whether an Authenticode certificate table is present. */
  readonly signed: boolean;
  readonly fuse: FuseState;
  /** The parsed blob, or null when there is none (or it cannot be parsed: see `blobError`). */
  readonly blob: SeaBlob | null;
  readonly blobError: string | null;
  readonly manifest: SeaManifest | null;
}

export function fuseState(bytes: Uint8Array): FuseState {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buffer.indexOf(`${SEA_FUSE}:`, 0, 'latin1');
  if (at === -1) return 'missing';
  const flag = buffer[at + SEA_FUSE.length + 1];
  return flag === 0x31 ? 'flipped' : 'unflipped';
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function inspectExecutable(path: string, sizeT: SizeTWidth): ExecutableReport {
  return inspectBytes(readFileSync(path), sizeT);
}

/** The injected NODE_SEA_BLOB bytes (PE resource or ELF note), or null when there are none. */
export function readSeaBlobBytes(bytes: Uint8Array): Uint8Array | null {
  return readElfInfo(bytes) ? findElfNote(bytes, SEA_RESOURCE) : findResource(bytes, RT_RCDATA, SEA_RESOURCE);
}

export function inspectBytes(bytes: Uint8Array, sizeT: SizeTWidth): ExecutableReport {
  let format: ExecutableReport['format'] = 'unknown';
  let machine = 'unknown';
  let fileVersion: string | null = null;
  let signed = false;
  let blobBytes: Uint8Array | null = null;

  const elf = readElfInfo(bytes);
  if (elf) {
    format = 'elf';
    machine = elf.machine === EM_X86_64 ? 'x86-64' : `e_machine ${elf.machine}`;
    blobBytes = findElfNote(bytes, SEA_RESOURCE);
  } else {
    const image = parsePeImage(bytes);
    format = 'pe';
    machine = image.header.architecture;
    fileVersion = readFileVersion(bytes);
    signed = image.certificateTable.size > 0;
    blobBytes = findResource(bytes, RT_RCDATA, SEA_RESOURCE);
  }

  let blob: SeaBlob | null = null;
  let blobError: string | null = null;
  let manifest: SeaManifest | null = null;
  if (blobBytes) {
    try {
      blob = parseSeaBlob(blobBytes, sizeT, { allowTrailingZeros: true });
      const manifestBytes = blob.assets.get(MANIFEST_ASSET);
      manifest = manifestBytes ? (JSON.parse(new TextDecoder().decode(manifestBytes)) as SeaManifest) : null;
    } catch (error) {
      blobError = (error as Error).message;
    }
  }
  return { format, machine, fileVersion, signed, fuse: fuseState(bytes), blob, blobError, manifest };
}
