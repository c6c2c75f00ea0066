/**
 * The PC/SC ABI of each platform as pure data (docs/pcsc.md (The native layer and its ABI) "PC/SC via koffi — struct/ABI notes"): which
 * library, calling convention and names, the widths of DWORD / LONG / SCARDCONTEXT, and the layouts of
 * SCARD_READERSTATE and SCARD_IO_REQUEST. No koffi here: native.ts builds its koffi types from this, checks them
 * against it at load time, and test/unit/pcsc/abi.test.ts pins the numbers for every platform.
 *
 * Where the platforms differ:
 * - Windows: DWORD and LONG are 4 bytes on x86 and x64 (LLP64), SCARDCONTEXT is ULONG_PTR (pointer-sized),
 *   functions taking strings have `…A` / `…W` variants (we use `…A`), `__stdcall` (only matters on x86),
 *   rgbAtr is 36 bytes.
 * - pcsc-lite (Linux): DWORD is `unsigned long` and LONG `long`, so 8 bytes on LP64 (x86_64, arm64) and 4 on
 *   32-bit; SCARDCONTEXT is LONG; cdecl; no suffix; rgbAtr is MAX_ATR_SIZE = 33.
 * - macOS PCSC.framework: DWORD uint32_t, LONG int32_t, SCARDCONTEXT int32_t even on 64-bit, and the structs are
 *   declared under `#pragma pack(1)`, so SCARD_READERSTATE is 61 bytes with no tail padding (an array of them
 *   laid out with C's natural 64-byte stride would be read wrongly by the framework).
 */

export type PcscAbiId =
  | 'win32-x64'
  | 'win32-ia32'
  | 'win32-arm64'
  | 'linux-x64'
  | 'linux-arm64'
  | 'linux-ia32'
  | 'darwin-x64'
  | 'darwin-arm64';

/** A C scalar or array as far as layout goes. */
export interface CType {
  readonly size: number;
  readonly align: number;
}

export interface StructLayout {
  readonly size: number;
  readonly align: number;
  readonly offsets: Readonly<Record<string, number>>;
}

export interface PcscAbi {
  readonly id: PcscAbiId;
  readonly library: string;
  readonly callingConvention: '__stdcall' | '__cdecl';
  /** Appended to functions that take or return strings (`SCardListReadersA`). */
  readonly stringSuffix: 'A' | '';
  readonly pointerSize: 4 | 8;
  /** DWORD (state flags, lengths, protocols). */
  readonly dwordSize: 4 | 8;
  /** LONG (return codes). */
  readonly longSize: 4 | 8;
  /** SCARDCONTEXT and SCARDHANDLE. */
  readonly handleSize: 4 | 8;
  readonly handleSigned: boolean;
  /** rgbAtr's length. */
  readonly maxAtrSize: 33 | 36;
  /** `#pragma pack(n)` around the structs, or null for natural alignment. */
  readonly pack: 1 | null;
  /** SCARD_READERSTATE(A): szReader, pvUserData, dwCurrentState, dwEventState, cbAtr, rgbAtr. */
  readonly readerState: StructLayout;
  /** SCARD_IO_REQUEST: dwProtocol, cbPciLength. */
  readonly ioRequest: StructLayout;
}

/** C layout: each field at the next multiple of its alignment (capped by `pack`), size a multiple of the largest. */
export function layoutStruct(fields: readonly (readonly [name: string, type: CType])[], pack: number | null = null): StructLayout {
  const cap = (align: number): number => (pack === null ? align : Math.min(align, pack));
  let offset = 0;
  let structAlign = 1;
  const offsets: Record<string, number> = {};
  for (const [name, type] of fields) {
    const align = cap(type.align);
    offset = Math.ceil(offset / align) * align;
    offsets[name] = offset;
    offset += type.size;
    structAlign = Math.max(structAlign, align);
  }
  return { size: Math.ceil(offset / structAlign) * structAlign, align: structAlign, offsets };
}

const scalar = (size: number): CType => ({ size, align: size });

interface AbiBase {
  readonly library: string;
  readonly callingConvention: '__stdcall' | '__cdecl';
  readonly stringSuffix: 'A' | '';
  readonly pointerSize: 4 | 8;
  readonly dwordSize: 4 | 8;
  readonly longSize: 4 | 8;
  readonly handleSize: 4 | 8;
  readonly handleSigned: boolean;
  readonly maxAtrSize: 33 | 36;
  readonly pack: 1 | null;
}

function abi(id: PcscAbiId, base: AbiBase): PcscAbi {
  const pointer = scalar(base.pointerSize);
  const dword = scalar(base.dwordSize);
  return {
    id,
    ...base,
    readerState: layoutStruct(
      [
        ['szReader', pointer],
        ['pvUserData', pointer],
        ['dwCurrentState', dword],
        ['dwEventState', dword],
        ['cbAtr', dword],
        ['rgbAtr', { size: base.maxAtrSize, align: 1 }],
      ],
      base.pack,
    ),
    ioRequest: layoutStruct(
      [
        ['dwProtocol', dword],
        ['cbPciLength', dword],
      ],
      base.pack,
    ),
  };
}

const WINDOWS = {
  library: 'winscard.dll',
  callingConvention: '__stdcall',
  stringSuffix: 'A',
  dwordSize: 4,
  longSize: 4,
  handleSigned: false, // ULONG_PTR
  maxAtrSize: 36,
  pack: null,
} as const;

const PCSC_LITE = {
  library: 'libpcsclite.so.1',
  callingConvention: '__cdecl',
  stringSuffix: '',
  handleSigned: true, // typedef LONG SCARDCONTEXT
  maxAtrSize: 33,
  pack: null,
} as const;

const MACOS = {
  library: '/System/Library/Frameworks/PCSC.framework/PCSC',
  callingConvention: '__cdecl',
  stringSuffix: '',
  pointerSize: 8,
  dwordSize: 4,
  longSize: 4,
  handleSize: 4,
  handleSigned: true, // int32_t SCARDCONTEXT
  maxAtrSize: 33,
  pack: 1,
} as const;

export const PCSC_ABIS: Readonly<Record<PcscAbiId, PcscAbi>> = {
  'win32-x64': abi('win32-x64', { ...WINDOWS, pointerSize: 8, handleSize: 8 }),
  'win32-arm64': abi('win32-arm64', { ...WINDOWS, pointerSize: 8, handleSize: 8 }),
  'win32-ia32': abi('win32-ia32', { ...WINDOWS, pointerSize: 4, handleSize: 4 }),
  'linux-x64': abi('linux-x64', { ...PCSC_LITE, pointerSize: 8, dwordSize: 8, longSize: 8, handleSize: 8 }),
  'linux-arm64': abi('linux-arm64', { ...PCSC_LITE, pointerSize: 8, dwordSize: 8, longSize: 8, handleSize: 8 }),
  'linux-ia32': abi('linux-ia32', { ...PCSC_LITE, pointerSize: 4, dwordSize: 4, longSize: 4, handleSize: 4 }),
  'darwin-x64': abi('darwin-x64', MACOS),
  'darwin-arm64': abi('darwin-arm64', MACOS),
};

/** The ABI for a Node platform/arch pair, or null where PC/SC is not supported by this gateway. */
export function abiFor(platform: NodeJS.Platform, arch: string): PcscAbi | null {
  const id = `${platform}-${arch}`;
  return Object.hasOwn(PCSC_ABIS, id) ? PCSC_ABIS[id as PcscAbiId] : null;
}
