/**
 * The Windows version resource (VS_VERSIONINFO) of our executables: product, company, version and
 * description, so Explorer, Task Manager and antivirus consoles show "NHI Card Gateway" rather than
 * node.exe's "Node.js JavaScript Runtime".
 *
 * No PE resource editor is installed here (resedit is not a dependency; icoutils only reads), so this writes
 * the resource itself: it encodes a VS_VERSIONINFO tree and puts it where node.exe's own version resource
 * is, in place. That is enough because ours is smaller than node.exe's (it is checked: a larger one is an
 * error, never a resize of .rsrc); the data entry's size is updated and the rest of the old bytes zeroed.
 * Must run before signing (it changes signed bytes).
 *
 * References: Microsoft's VS_VERSIONINFO, StringFileInfo, StringTable, String, VarFileInfo, Var and
 * VS_FIXEDFILEINFO descriptions (each block: wLength, wValueLength, wType, a NUL-terminated UTF-16 key,
 * padding to 32 bits, the value, padding, the children).
 */
import { listResources, parsePeImage, PeFormatError, RT_VERSION } from './pe-image.ts';

export interface VersionStrings {
  readonly ProductName: string;
  readonly CompanyName: string;
  readonly FileDescription: string;
  readonly LegalCopyright?: string;
  readonly OriginalFilename: string;
  readonly InternalName: string;
  readonly Comments?: string;
}

/** What our executables say about themselves (kept short: it must fit where node.exe's 744 bytes were). */
export function gatewayVersionInfo(gatewayVersion: string, fileName: string): VersionInfo {
  return {
    // A prerelease tag has no place in the four numbers.
    version: /^\d+\.\d+\.\d+/.exec(gatewayVersion)?.[0] ?? gatewayVersion,
    strings: {
      ProductName: 'NHI Card Gateway',
      CompanyName: 'NHI Card Gateway',
      FileDescription: 'NHI Card Gateway 健保卡閘道',
      OriginalFilename: fileName,
      InternalName: 'nhi-gateway',
    },
  };
}

export interface VersionInfo {
  /** `major.minor.patch` (a fourth part is 0). */
  readonly version: string;
  readonly strings: VersionStrings;
}

/** U.S. English, Unicode: the one string table (its text may hold any characters). */
const LANGUAGE = 0x0409;
const CODE_PAGE = 1200;
const FIXED_SIGNATURE = 0xfeef04bd;
const VOS_NT_WINDOWS32 = 0x00040004;
const VFT_APP = 1;

function utf16z(text: string): Uint8Array {
  const out = new Uint8Array((text.length + 1) * 2);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out[i * 2] = code & 0xff;
    out[i * 2 + 1] = code >> 8;
  }
  return out;
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

/** One block: header, key, padding, value, then each child after padding. wLength excludes trailing padding. */
function block(key: string, type: 0 | 1, value: Uint8Array | null, valueLength: number, children: readonly Uint8Array[] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 6;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    length += bytes.byteLength;
  };
  const align = () => {
    if (pad4(length)) push(new Uint8Array(pad4(length)));
  };
  push(utf16z(key));
  align();
  if (value) push(value);
  for (const child of children) {
    align();
    push(child);
  }
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint16(0, length, true);
  view.setUint16(2, valueLength, true);
  view.setUint16(4, type, true);
  let at = 6;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function versionWords(version: string): [number, number, number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  if (!match) throw new Error(`version ${version} is not major.minor.patch`);
  const words = match.slice(1).map((p) => Number(p ?? 0)) as [number, number, number, number];
  if (words.some((w) => w > 0xffff)) throw new Error(`version ${version}: a part is over 65535`);
  return words;
}

/** The VS_VERSIONINFO bytes for `info`. */
export function encodeVersionInfo(info: VersionInfo): Uint8Array {
  const [a, b, c, d] = versionWords(info.version);
  const fixed = new Uint8Array(52);
  const view = new DataView(fixed.buffer);
  const ms = ((a << 16) | b) >>> 0;
  const ls = ((c << 16) | d) >>> 0;
  [FIXED_SIGNATURE, 0x00010000, ms, ls, ms, ls, 0x3f, 0, VOS_NT_WINDOWS32, VFT_APP, 0, 0, 0].forEach((v, i) => view.setUint32(i * 4, v, true));
  const dotted = `${a}.${b}.${c}.${d}`;
  const strings: Array<[string, string]> = [
    ...Object.entries(info.strings).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ['FileVersion', dotted],
    ['ProductVersion', `${a}.${b}.${c}`],
  ];
  const table = block(
    `${LANGUAGE.toString(16).padStart(4, '0')}${CODE_PAGE.toString(16).padStart(4, '0')}`.toUpperCase(),
    1,
    null,
    0,
    strings.map(([key, text]) => block(key, 1, utf16z(text), text.length + 1)),
  );
  const translation = new Uint8Array(4);
  new DataView(translation.buffer).setUint16(0, LANGUAGE, true);
  new DataView(translation.buffer).setUint16(2, CODE_PAGE, true);
  return block('VS_VERSION_INFO', 0, fixed, 52, [
    block('StringFileInfo', 1, null, 0, [table]),
    block('VarFileInfo', 1, null, 0, [block('Translation', 0, translation, 4)]),
  ]);
}

/**
 * Replaces the image's version resource with `info`, in place (same file size). Throws when the image has no
 * version resource, is signed (sign after this), or the new one does not fit.
 */
export function replaceVersionResource(bytes: Uint8Array, info: VersionInfo): void {
  const image = parsePeImage(bytes);
  if (image.certificateTable.size !== 0) throw new PeFormatError('the image is signed: set the version resource before signing');
  const resources = listResources(bytes, image).filter((r) => r.type === RT_VERSION);
  if (resources.length !== 1) throw new PeFormatError(`expected one version resource, found ${resources.length}`);
  const old = resources[0]!;
  const encoded = encodeVersionInfo(info);
  if (encoded.byteLength > old.size) {
    throw new PeFormatError(`the new version resource (${encoded.byteLength} bytes) is larger than the old one (${old.size} bytes)`);
  }
  bytes.fill(0, old.offset, old.offset + old.size);
  bytes.set(encoded, old.offset);
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(old.entryOffset + 4, encoded.byteLength, true);
}
