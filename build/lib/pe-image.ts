/**
 * Enough of the PE/COFF format to check a Windows executable the build made or is about to use: the
 * machine, the Authenticode certificate table, the VS_VERSIONINFO file version (node.exe's Node version),
 * and named resources (postject's NODE_SEA_BLOB, an RT_RCDATA resource). The machine comes from
 * src/adapters/cshis/pe.ts, the same reader the gateway uses on CSHIS.dll.
 *
 * References: Microsoft "PE Format" (optional header data directories, .rsrc directory tables) and
 * "VS_FIXEDFILEINFO" (signature 0xFEEF04BD).
 */
import { readPeMachine, type PeHeaderInfo } from '../../src/adapters/cshis/pe.ts';

export const RT_RCDATA = 10;
export const RT_VERSION = 16;
const DIRECTORY_RESOURCE = 2;
const DIRECTORY_SECURITY = 4;
const VS_FIXEDFILEINFO_SIGNATURE = 0xfeef04bd;

export interface PeSection {
  readonly name: string;
  readonly virtualAddress: number;
  readonly virtualSize: number;
  readonly rawOffset: number;
  readonly rawSize: number;
}

export interface PeImage {
  readonly header: PeHeaderInfo;
  /** 0x10b (PE32) or 0x20b (PE32+). */
  readonly optionalMagic: number;
  readonly sections: readonly PeSection[];
  /** File offset and size of the Authenticode certificate table; size 0 when unsigned. */
  readonly certificateTable: { readonly offset: number; readonly size: number };
  /** File offset of the resource directory, or null when there is none. */
  readonly resourceRva: number | null;
}

export class PeFormatError extends Error {
  override readonly name = 'PeFormatError';
}

export function parsePeImage(bytes: Uint8Array): PeImage {
  const header = readPeMachine(bytes);
  if (!header) throw new PeFormatError('not a PE image (no MZ/PE signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lfanew = view.getUint32(0x3c, true);
  const fileHeader = lfanew + 4;
  const sectionCount = view.getUint16(fileHeader + 2, true);
  const optionalSize = view.getUint16(fileHeader + 16, true);
  const optional = fileHeader + 20;
  const optionalMagic = view.getUint16(optional, true);
  if (optionalMagic !== 0x10b && optionalMagic !== 0x20b) throw new PeFormatError(`unknown optional header magic 0x${optionalMagic.toString(16)}`);
  const directories = optional + (optionalMagic === 0x20b ? 112 : 96);
  const directoryCount = view.getUint32(directories - 4, true);
  const directory = (index: number) =>
    index < directoryCount
      ? { rva: view.getUint32(directories + index * 8, true), size: view.getUint32(directories + index * 8 + 4, true) }
      : { rva: 0, size: 0 };

  const sections: PeSection[] = [];
  const table = optional + optionalSize;
  for (let i = 0; i < sectionCount; i++) {
    const at = table + i * 40;
    const nameBytes = bytes.subarray(at, at + 8);
    const end = nameBytes.indexOf(0);
    sections.push({
      name: new TextDecoder('latin1').decode(end === -1 ? nameBytes : nameBytes.subarray(0, end)),
      virtualSize: view.getUint32(at + 8, true),
      virtualAddress: view.getUint32(at + 12, true),
      rawSize: view.getUint32(at + 16, true),
      rawOffset: view.getUint32(at + 20, true),
    });
  }
  const security = directory(DIRECTORY_SECURITY); // its "RVA" is a file offset
  const resource = directory(DIRECTORY_RESOURCE);
  return {
    header,
    optionalMagic,
    sections,
    certificateTable: { offset: security.rva, size: security.size },
    resourceRva: resource.rva === 0 ? null : resource.rva,
  };
}

export function rvaToOffset(image: PeImage, rva: number): number {
  for (const section of image.sections) {
    const span = Math.max(section.virtualSize, section.rawSize);
    if (rva >= section.virtualAddress && rva < section.virtualAddress + span) {
      return section.rawOffset + (rva - section.virtualAddress);
    }
  }
  throw new PeFormatError(`RVA 0x${rva.toString(16)} is in no section`);
}

export interface PeResource {
  readonly type: number | string;
  readonly name: number | string;
  readonly language: number;
  /** File offset and size of the data. */
  readonly offset: number;
  readonly size: number;
  /** File offset of the IMAGE_RESOURCE_DATA_ENTRY (data RVA, size, code page) that points at the data. */
  readonly entryOffset: number;
}

/** Every resource in the image (type → name → language → data). */
export function listResources(bytes: Uint8Array, image: PeImage = parsePeImage(bytes)): PeResource[] {
  if (image.resourceRva === null) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const root = rvaToOffset(image, image.resourceRva);
  const entries = (tableOffset: number) => {
    const named = view.getUint16(tableOffset + 12, true);
    const ids = view.getUint16(tableOffset + 14, true);
    const result: Array<{ id: number | string; target: number; isDirectory: boolean }> = [];
    for (let i = 0; i < named + ids; i++) {
      const at = tableOffset + 16 + i * 8;
      const nameField = view.getUint32(at, true);
      const offsetField = view.getUint32(at + 4, true);
      let id: number | string = nameField;
      if (nameField & 0x80000000) {
        const nameAt = root + (nameField & 0x7fffffff);
        const length = view.getUint16(nameAt, true);
        id = new TextDecoder('utf-16le').decode(bytes.subarray(nameAt + 2, nameAt + 2 + length * 2));
      }
      result.push({ id, target: root + (offsetField & 0x7fffffff), isDirectory: (offsetField & 0x80000000) !== 0 });
    }
    return result;
  };
  const resources: PeResource[] = [];
  for (const type of entries(root)) {
    if (!type.isDirectory) continue;
    for (const name of entries(type.target)) {
      if (!name.isDirectory) continue;
      for (const language of entries(name.target)) {
        if (language.isDirectory) continue;
        const dataRva = view.getUint32(language.target, true);
        const size = view.getUint32(language.target + 4, true);
        resources.push({
          type: type.id,
          name: name.id,
          language: typeof language.id === 'number' ? language.id : 0,
          offset: rvaToOffset(image, dataRva),
          size,
          entryOffset: language.target,
        });
      }
    }
  }
  return resources;
}

/** The bytes of the first resource with this type and name, or null. Names compare case-insensitively, as Windows does. */
export function findResource(bytes: Uint8Array, type: number | string, name: number | string): Uint8Array | null {
  const wanted = (a: number | string, b: number | string) =>
    typeof a === 'string' && typeof b === 'string' ? a.toUpperCase() === b.toUpperCase() : a === b;
  const found = listResources(bytes).find((r) => wanted(r.type, type) && wanted(r.name, name));
  return found ? bytes.subarray(found.offset, found.offset + found.size) : null;
}

/** `major.minor.patch` from VS_VERSIONINFO's fixed file version (node.exe: the Node version), or null. */
export function readFileVersion(bytes: Uint8Array): string | null {
  const image = parsePeImage(bytes);
  const version = listResources(bytes, image).find((r) => r.type === RT_VERSION);
  if (!version) return null;
  const data = bytes.subarray(version.offset, version.offset + version.size);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 52 <= data.byteLength; at += 4) {
    if (view.getUint32(at, true) !== VS_FIXEDFILEINFO_SIGNATURE) continue;
    const ms = view.getUint32(at + 8, true);
    const ls = view.getUint32(at + 12, true);
    return `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}`;
  }
  return null;
}
