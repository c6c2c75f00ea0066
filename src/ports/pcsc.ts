/**
 * The PC/SC port: the operating system's smart-card API (winscard.dll on Windows, libpcsclite.so.1 with pcscd on
 * Linux, PCSC.framework on macOS; docs/pcsc.md (The native layer and its ABI)), at the level the gateway needs for reader hot-plug, card
 * presence and the basic-data APDUs of docs/reference/pcsc.md. Types only: the koffi adapter is
 * src/adapters/pcsc/native.ts, unit tests use a fake.
 *
 * Conventions for every method:
 *
 * - **Off the event loop.** Every call that can block (all but {@link PcscPort.cancel}) runs on a worker
 *   thread and returns a promise. A blocking {@link PcscPort.getStatusChange} holds one worker thread of the
 *   libuv pool (4 by default) until it returns, so a process should have one waiter per context, not many.
 * - **One call per context at a time.** pcsc-lite serialises calls on one context (its per-context lock), so a
 *   call on a context that is blocked in getStatusChange waits until that returns. Card access therefore uses
 *   its own context, separate from the watcher's. `cancel` is the exception: it is meant to be called while
 *   getStatusChange blocks.
 * - **Errors.** A method rejects with a {@link PcscFailure}: `code` names the PC/SC return code
 *   (`SCARD_E_NO_SERVICE` …, `rc` holds its number as an unsigned 32-bit value), or is `LIBRARY_UNAVAILABLE` when
 *   the PC/SC library could not be loaded (`rc` null). It never resolves with an error code. Expected codes per
 *   method are listed on each.
 * - **Units.** Timeouts are milliseconds; byte counts are bytes; ATRs and APDUs are raw bytes.
 * - **Strings.** Reader names are decoded as UTF-8 (pcsc-lite, macOS) or with the ANSI code page of the `…A`
 *   functions (Windows; reader names are ASCII in practice) and passed back unchanged.
 */

/** SCARDCONTEXT: an opaque handle, as a bigint whatever its native width (4 or 8 bytes, per platform, docs/pcsc.md (The native layer and its ABI)). */
export type PcscContext = bigint;
/** SCARDHANDLE: a connection to the card in one reader. */
export type PcscHandle = bigint;

/** SCARD_SHARE_*: SHARED lets other applications (e.g. NHI's control software) use the card too (docs/reference/pcsc.md). */
export type PcscShareMode = 'SHARED' | 'EXCLUSIVE';
/** SCARD_PROTOCOL_T0 / _T1: the transmission protocol negotiated with the card. */
export type PcscProtocol = 'T0' | 'T1';
/** SCARD_LEAVE_CARD / _RESET_CARD / _UNPOWER_CARD: what happens to the card when a handle lets go of it. */
export type PcscDisposition = 'LEAVE' | 'RESET' | 'UNPOWER';

/** The PC/SC return codes the gateway tells apart; anything else is `UNKNOWN` with its number in `rc`. */
export type PcscErrorCode =
  | 'SCARD_F_INTERNAL_ERROR'
  | 'SCARD_E_CANCELLED'
  | 'SCARD_E_INVALID_HANDLE'
  | 'SCARD_E_INVALID_PARAMETER'
  | 'SCARD_E_NO_MEMORY'
  | 'SCARD_E_INSUFFICIENT_BUFFER'
  | 'SCARD_E_UNKNOWN_READER'
  | 'SCARD_E_TIMEOUT'
  | 'SCARD_E_SHARING_VIOLATION'
  | 'SCARD_E_NO_SMARTCARD'
  | 'SCARD_E_PROTO_MISMATCH'
  | 'SCARD_E_NOT_READY'
  | 'SCARD_E_SYSTEM_CANCELLED'
  | 'SCARD_F_COMM_ERROR'
  | 'SCARD_F_UNKNOWN_ERROR'
  | 'SCARD_E_NOT_TRANSACTED'
  | 'SCARD_E_READER_UNAVAILABLE'
  | 'SCARD_E_NO_SERVICE'
  | 'SCARD_E_SERVICE_STOPPED'
  | 'SCARD_E_UNEXPECTED'
  | 'SCARD_E_NO_READERS_AVAILABLE'
  | 'SCARD_W_UNSUPPORTED_CARD'
  | 'SCARD_W_UNRESPONSIVE_CARD'
  | 'SCARD_W_UNPOWERED_CARD'
  | 'SCARD_W_RESET_CARD'
  | 'SCARD_W_REMOVED_CARD'
  /** The PC/SC library is not installed or could not be loaded (no rc). */
  | 'LIBRARY_UNAVAILABLE'
  | 'UNKNOWN';

/** What every port method rejects with. Its message names the call and the code, never card data. */
export interface PcscFailure extends Error {
  readonly name: 'PcscError';
  readonly code: PcscErrorCode;
  /** The LONG return code as an unsigned 32-bit number (e.g. 0x8010001D), or null for LIBRARY_UNAVAILABLE. */
  readonly rc: number | null;
  /** The PC/SC function that failed, e.g. `SCardGetStatusChange`. */
  readonly call: string;
}

/** One entry of SCARD_READERSTATE going in. */
export interface ReaderStateQuery {
  /** A reader name from listReaders, or the {@link PnpNotificationReader} pseudo-reader for reader attach/detach. */
  readonly reader: string;
  /**
   * dwCurrentState: the state the caller knows about. 0 (SCARD_STATE_UNAWARE) makes the call return at once
   * with the present state; passing back the last `eventState` (with SCARD_STATE_CHANGED cleared, which keeps
   * the event counter in the high 16 bits, as Windows requires) makes it wait for the next change.
   */
  readonly currentState: number;
}

/** One entry of SCARD_READERSTATE coming back. */
export interface ReaderStateResult {
  readonly reader: string;
  /** dwEventState as returned, flags plus the event counter in the high 16 bits. */
  readonly eventState: number;
  /** SCARD_STATE_CHANGED: differs from the `currentState` passed in. */
  readonly changed: boolean;
  /** SCARD_STATE_PRESENT: a card is in the reader. */
  readonly present: boolean;
  /** SCARD_STATE_MUTE: a card is in but did not answer the reset (no ATR). */
  readonly mute: boolean;
  /** SCARD_STATE_UNAVAILABLE or SCARD_STATE_UNKNOWN: the reader is gone or not known. */
  readonly unavailable: boolean;
  /** The card's ATR (empty when no card). At most 33 (pcsc-lite, macOS) or 36 (Windows) bytes. */
  readonly atr: Uint8Array;
}

/** The special reader name whose state changes when a reader is attached or detached (docs/pcsc.md (Surviving what breaks other agents)). */
export type PnpNotificationReader = '\\\\?PnP?\\Notification';

export interface PcscLibraryInfo {
  /** What was (or would be) loaded: `winscard.dll`, `libpcsclite.so.1`, `…/PCSC.framework/PCSC`. */
  readonly library: string;
  /** The platform ABI, e.g. `linux-x64`, `win32-ia32`, `darwin-arm64` (src/adapters/pcsc/abi.ts). */
  readonly abi: string;
  /**
   * True under Wine, whose blocking SCardGetStatusChange returns at once (docs/pcsc.md (The native layer and its ABI)): watchers must poll.
   * False elsewhere, and before the library has been loaded.
   */
  readonly wine: boolean;
}

export interface PcscPort {
  /** Which library and ABI this port uses. Loading is lazy: `wine` is known after the first successful call. */
  readonly info: PcscLibraryInfo;

  /**
   * SCardEstablishContext(SCARD_SCOPE_SYSTEM). Loads the library on first use (and again after a failed load,
   * so a library installed later is found). Rejects LIBRARY_UNAVAILABLE, SCARD_E_NO_SERVICE (pcscd / the Smart
   * Card service is not running), SCARD_E_NO_READERS_AVAILABLE (Windows without readers).
   */
  establishContext(): Promise<PcscContext>;

  /** SCardReleaseContext. Cancel a pending getStatusChange first. Rejects SCARD_E_INVALID_HANDLE. */
  releaseContext(context: PcscContext): Promise<void>;

  /**
   * SCardListReaders: the attached readers' names, in the library's order. Resolves `[]` when there are none
   * (SCARD_E_NO_READERS_AVAILABLE). Rejects SCARD_E_NO_SERVICE / SCARD_E_SERVICE_STOPPED /
   * SCARD_E_INVALID_HANDLE when the service or the context is gone.
   */
  listReaders(context: PcscContext): Promise<readonly string[]>;

  /**
   * SCardGetStatusChange: waits until one of `states` differs from its `currentState`, or `timeoutMs` passes.
   * `timeoutMs` is milliseconds, 0 to return at once, `'INFINITE'` to wait until a change or {@link cancel}.
   * Resolves with one result per query, in order, when something changed. Rejects SCARD_E_TIMEOUT (nothing
   * changed), SCARD_E_CANCELLED (cancel was called), SCARD_E_UNKNOWN_READER / SCARD_E_READER_UNAVAILABLE (a
   * listed reader is gone), SCARD_E_NO_SERVICE / SCARD_E_SERVICE_STOPPED / SCARD_F_COMM_ERROR /
   * SCARD_E_INVALID_HANDLE (the service stopped or the context died: establish a new one).
   */
  getStatusChange(
    context: PcscContext,
    timeoutMs: number | 'INFINITE',
    states: readonly ReaderStateQuery[],
  ): Promise<readonly ReaderStateResult[]>;

  /**
   * SCardCancel: makes a getStatusChange blocked on `context` return SCARD_E_CANCELLED. Synchronous and safe
   * while that call blocks on another thread. Never throws (a dead context has nothing to cancel).
   */
  cancel(context: PcscContext): void;

  /**
   * SCardConnect to the card in `reader`, offering `protocols`. Rejects SCARD_E_NO_SMARTCARD / SCARD_W_REMOVED_CARD
   * (no card), SCARD_W_UNRESPONSIVE_CARD / SCARD_W_UNPOWERED_CARD (mute card), SCARD_E_SHARING_VIOLATION (held
   * exclusively by another application), SCARD_E_UNKNOWN_READER, SCARD_E_PROTO_MISMATCH.
   */
  connect(
    context: PcscContext,
    reader: string,
    share: PcscShareMode,
    protocols: readonly PcscProtocol[],
  ): Promise<{ readonly handle: PcscHandle; readonly protocol: PcscProtocol }>;

  /** SCardBeginTransaction: no other application talks to the card until endTransaction. */
  beginTransaction(handle: PcscHandle): Promise<void>;

  /** SCardEndTransaction. */
  endTransaction(handle: PcscHandle, disposition: PcscDisposition): Promise<void>;

  /**
   * SCardTransmit one command APDU with the protocol's PCI (SCARD_IO_REQUEST, docs/pcsc.md (The native layer and its ABI) layouts); resolves with the
   * response APDU (data + SW1 SW2). `maxResponseBytes` sizes the receive buffer (default 258: 256 data + SW).
   * Rejects SCARD_W_REMOVED_CARD / SCARD_W_RESET_CARD / SCARD_E_NO_SMARTCARD (the card went away or was reset),
   * SCARD_E_NOT_TRANSACTED / SCARD_F_COMM_ERROR (transmission failed), SCARD_E_INSUFFICIENT_BUFFER.
   */
  transmit(handle: PcscHandle, protocol: PcscProtocol, command: Uint8Array, maxResponseBytes?: number): Promise<Uint8Array>;

  /** SCardDisconnect. LEAVE keeps the card as it is for other applications. */
  disconnect(handle: PcscHandle, disposition: PcscDisposition): Promise<void>;
}
