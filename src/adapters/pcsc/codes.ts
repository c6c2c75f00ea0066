/**
 * PC/SC constants shared by the three implementations (winscard.h / pcsclite.h; same values on Windows,
 * pcsc-lite and macOS for everything used here), and the PcscError every port call rejects with.
 */
import type { PcscDisposition, PcscErrorCode, PcscFailure, PcscProtocol, PcscShareMode } from '../../ports/pcsc.ts';

export const SCARD_SCOPE_SYSTEM = 2;

export const SHARE_MODE: Readonly<Record<PcscShareMode, number>> = { EXCLUSIVE: 1, SHARED: 2 };
export const PROTOCOL: Readonly<Record<PcscProtocol, number>> = { T0: 0x1, T1: 0x2 };
export const DISPOSITION: Readonly<Record<PcscDisposition, number>> = { LEAVE: 0, RESET: 1, UNPOWER: 2 };

/** Windows' INFINITE; pcsc-lite defines the same value. */
export const INFINITE = 0xffffffff;

export const STATE = {
  UNAWARE: 0x0000,
  IGNORE: 0x0001,
  CHANGED: 0x0002,
  UNKNOWN: 0x0004,
  UNAVAILABLE: 0x0008,
  EMPTY: 0x0010,
  PRESENT: 0x0020,
  ATRMATCH: 0x0040,
  EXCLUSIVE: 0x0080,
  INUSE: 0x0100,
  MUTE: 0x0200,
  UNPOWERED: 0x0400,
} as const;

/** The pseudo-reader whose state changes when readers come and go (anchors.md §2, WICG smart-card PR #9). */
export const PNP_NOTIFICATION = '\\\\?PnP?\\Notification';

export const SCARD_S_SUCCESS = 0;

/** Return codes, as unsigned 32-bit numbers. */
export const RETURN_CODES: Readonly<Record<Exclude<PcscErrorCode, 'LIBRARY_UNAVAILABLE' | 'UNKNOWN'>, number>> = {
  SCARD_F_INTERNAL_ERROR: 0x80100001,
  SCARD_E_CANCELLED: 0x80100002,
  SCARD_E_INVALID_HANDLE: 0x80100003,
  SCARD_E_INVALID_PARAMETER: 0x80100004,
  SCARD_E_NO_MEMORY: 0x80100006,
  SCARD_E_INSUFFICIENT_BUFFER: 0x80100008,
  SCARD_E_UNKNOWN_READER: 0x80100009,
  SCARD_E_TIMEOUT: 0x8010000a,
  SCARD_E_SHARING_VIOLATION: 0x8010000b,
  SCARD_E_NO_SMARTCARD: 0x8010000c,
  SCARD_E_PROTO_MISMATCH: 0x8010000f,
  SCARD_E_NOT_READY: 0x80100010,
  SCARD_E_SYSTEM_CANCELLED: 0x80100012,
  SCARD_F_COMM_ERROR: 0x80100013,
  SCARD_F_UNKNOWN_ERROR: 0x80100014,
  SCARD_E_NOT_TRANSACTED: 0x80100016,
  SCARD_E_READER_UNAVAILABLE: 0x80100017,
  SCARD_E_NO_SERVICE: 0x8010001d,
  SCARD_E_SERVICE_STOPPED: 0x8010001e,
  SCARD_E_UNEXPECTED: 0x8010001f,
  SCARD_E_NO_READERS_AVAILABLE: 0x8010002e,
  SCARD_W_UNSUPPORTED_CARD: 0x80100065,
  SCARD_W_UNRESPONSIVE_CARD: 0x80100066,
  SCARD_W_UNPOWERED_CARD: 0x80100067,
  SCARD_W_RESET_CARD: 0x80100068,
  SCARD_W_REMOVED_CARD: 0x80100069,
};

const BY_NUMBER = new Map<number, PcscErrorCode>(
  Object.entries(RETURN_CODES).map(([name, rc]) => [rc, name as PcscErrorCode]),
);

/** The code for a LONG return value of any width or sign (Windows' LONG is negative, pcsc-lite's 64-bit positive). */
export function codeOf(rc: number | bigint): PcscErrorCode {
  return BY_NUMBER.get(toUint32(rc)) ?? 'UNKNOWN';
}

export function toUint32(rc: number | bigint): number {
  return Number(BigInt.asUintN(32, BigInt(rc)));
}

export class PcscError extends Error implements PcscFailure {
  override readonly name = 'PcscError' as const;
  readonly code: PcscErrorCode;
  readonly rc: number | null;
  readonly call: string;

  constructor(call: string, rc: number | null, code: PcscErrorCode = rc === null ? 'UNKNOWN' : codeOf(rc), detail?: string) {
    const hex = rc === null ? '' : ` (0x${rc.toString(16).toUpperCase().padStart(8, '0')})`;
    super(`${call}: ${code}${hex}${detail ? `: ${detail}` : ''}`);
    this.call = call;
    this.rc = rc;
    this.code = code;
  }
}

/** The code of a PcscFailure, or null for anything else. */
export function pcscCode(error: unknown): PcscErrorCode | null {
  return error instanceof Error && error.name === 'PcscError' && typeof (error as Partial<PcscFailure>).code === 'string'
    ? ((error as PcscFailure).code)
    : null;
}

/**
 * Codes after which the context is useless and a new one must be established: the service stopped or was
 * restarted (pcscd killed: SCARD_F_COMM_ERROR first, then SCARD_E_NO_SERVICE; Windows stopping the Smart Card
 * service when the last reader goes: SCARD_E_SERVICE_STOPPED / SCARD_E_NO_READERS_AVAILABLE, pyscard #153), or the
 * handle is no longer valid (anchors.md §2: node-pcsclite #68).
 */
export const CONTEXT_DEAD_CODES: ReadonlySet<PcscErrorCode> = new Set<PcscErrorCode>([
  'SCARD_E_NO_SERVICE',
  'SCARD_E_SERVICE_STOPPED',
  'SCARD_F_COMM_ERROR',
  'SCARD_E_INVALID_HANDLE',
  'SCARD_E_NO_READERS_AVAILABLE',
  'SCARD_E_SYSTEM_CANCELLED',
  'SCARD_F_INTERNAL_ERROR',
  'SCARD_E_UNEXPECTED',
  'LIBRARY_UNAVAILABLE',
]);

/** How a failure of koffi itself (not the PC/SC library) is described, so /ready does not advise installing pcsc-lite. */
export const KOFFI_UNAVAILABLE = "koffi's native module could not be loaded (see NHI_GATEWAY_TEMP_DIR in docs/windows.md)";
