/**
 * The control-software backend seen from outside the card calls (the schema's `gateway { controlSoftwareQueue }`,
 * `csdllIni`, `updateCsdllIni`): the call queue's state and csdll.ini. Types only; the cshis adapter's
 * ControlSoftwareService implements it. Nothing here carries patient data.
 */
import type { CsdllIniPort } from './csdll-ini.ts';

/** The call inside the control software right now. */
export interface InFlightCall {
  readonly name: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly elapsedMs: number;
  /** The caller already got CALL_TIMEOUT; the call is still inside the library. */
  readonly timedOut: boolean;
}

/** Durations of one export since the gateway started. */
export interface FunctionCallStats {
  readonly count: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly lastMs: number;
  readonly maxMs: number;
  readonly p50Ms: number;
}

export interface CallQueueState {
  /** Calls waiting for their turn. */
  readonly depth: number;
  readonly isStuck: boolean;
  readonly inFlight: InFlightCall | null;
  readonly coalesced: number;
  readonly waitTimeouts: number;
  readonly functions: Readonly<Record<string, FunctionCallStats>>;
  readonly openPolicy: 'per-operation' | 'keep-open';
  readonly readerOpen: boolean;
  readonly slowCallTimeoutMs: number;
}

/** Where the call timeout came from: --call-timeout-ms, csdll.ini CSTIMEOUT (+5 s) or the default. */
export type CallTimeoutSource = 'OPTION' | 'CSTIMEOUT' | 'DEFAULT';
/** Where the csOpenCom port came from: csdll.ini's COM=, or the default 0 (COMX1 / COM1). */
export type ReaderPortSource = 'CSDLL_INI' | 'DEFAULT';

export interface ControlSoftwareAdmin {
  /** csGetVersionEx's code read at load (5158 = 5.1.5.8); null when not loaded or it did not answer. */
  readonly versionCode: number | null;
  /** Exports the loaded library lacks (docs/reference/functions.md lists them). */
  readonly missingExports: readonly string[];
  readonly callTimeout: { readonly ms: number; readonly source: CallTimeoutSource };
  readonly readerPort: { readonly index: number; readonly source: ReaderPortSource };
  /** The call queue now; null when the library is not loaded. */
  queueStats(): CallQueueState | null;
  /** csdll.ini; null when no csdll.ini applies. */
  readonly csdllIni: CsdllIniPort | null;
}
