/**
 * What the GraphQL layer and /ready see of the CSHIS backend beyond the ControlSoftware port: whether the
 * library loaded (and if not, why and how to fix it), its version and missing exports, the call queue, the
 * timeout and reader port in use and where they came from, and csdll.ini. Built by src/cshis-services.ts;
 * `null` in the context for the simulator.
 *
 * No koffi here (type imports only): src/services.ts imports {@link controlSoftwareReadiness} on the
 * simulator path too.
 */
import type { GatewayError } from '../../errors/gateway-errors.ts';
import type { VisitStrategy } from '../../ports/card-stack.ts';
import type { QueueEvent, QueueEventType } from './call-queue.ts';
import type { CshisAdapterStats, CshisControlSoftware } from './cshis-control-software.ts';
import type { CsdllIniFile } from './csdll-ini.ts';
import { strategyProblems } from './features.ts';

/** Where the call timeout came from: --call-timeout-ms, csdll.ini's CSTIMEOUT, or the built-in default. */
export type CallTimeoutSource = 'OPTION' | 'CSTIMEOUT' | 'DEFAULT';
/** Where the csOpenCom port came from: csdll.ini's COM=, or the default 0 (COMX1 / COM1). */
export type ReaderPortSource = 'CSDLL_INI' | 'DEFAULT';

export interface ControlSoftwareService extends AsyncDisposable {
  /** CSHIS.dll as configured (the path csGetVersionEx reports is on the port's `info`). */
  readonly libraryPath: string;
  /**
   * Why the library could not be loaded (missing file, wrong bitness, not a library), as the typed error
   * card calls answer (CONTROL_SOFTWARE_UNAVAILABLE, with the fix in its hint); null when loaded.
   */
  readonly loadError: GatewayError | null;
  /** csGetVersionEx's code read at load (5158 = 5.1.5.8); null when not loaded or it did not answer. */
  readonly versionCode: number | null;
  /** Exports of docs/reference/functions.md that the loaded library lacks. */
  readonly missingExports: readonly string[];
  readonly callTimeout: { readonly ms: number; readonly source: CallTimeoutSource };
  readonly readerPort: { readonly index: number; readonly source: ReaderPortSource };
  /** The call queue now; null when the library is not loaded. */
  queueStats(): CshisAdapterStats | null;
  /** Queue events ('degraded', 'recovered', 'recovery-failed'); never fires when not loaded. */
  onQueueEvent<E extends QueueEventType>(type: E, listener: (event: Extract<QueueEvent, { type: E }>) => void): () => void;
  /** The csdll.ini service; null when no csdll.ini applies (e.g. a Windows path on another OS). */
  readonly csdllIni: CsdllIniFile | null;
}

export interface ControlSoftwareServiceInit {
  readonly libraryPath: string;
  /** The adapter loaded now, or null with the reason it is not (read at every use: a retry may load it later). */
  readonly state: () => { readonly adapter: CshisControlSoftware | null; readonly loadError: GatewayError | null };
  /** Tells when a retry loaded the adapter, so queue listeners move to it; returns the unsubscribe function. */
  readonly onLoaded?: (listener: () => void) => () => void;
  readonly callTimeout: ControlSoftwareService['callTimeout'];
  readonly readerPort: ControlSoftwareService['readerPort'];
  readonly csdllIni: CsdllIniFile | null;
}

/**
 * Assembles the service over whatever adapter is loaded at the moment. Disposing it closes the csdll.ini watcher
 * only: the adapter belongs to the backend, which disposes it.
 */
export function createControlSoftwareService(init: ControlSoftwareServiceInit): ControlSoftwareService {
  const adapter = (): CshisControlSoftware | null => init.state().adapter;
  return {
    libraryPath: init.libraryPath,
    get loadError() {
      return init.state().loadError;
    },
    get versionCode() {
      return adapter()?.versionCode ?? null;
    },
    get missingExports() {
      return adapter()?.missingExports ?? [];
    },
    callTimeout: init.callTimeout,
    readerPort: init.readerPort,
    queueStats: () => adapter()?.queueStats() ?? null,
    // Listeners follow the adapter loaded now, and one a retry loads later.
    onQueueEvent: (type, listener) => {
      let off = adapter()?.onQueueEvent(type, listener) ?? null;
      const offLoaded = init.onLoaded?.(() => {
        off?.();
        off = adapter()?.onQueueEvent(type, listener) ?? null;
      });
      return () => {
        offLoaded?.();
        off?.();
      };
    },
    csdllIni: init.csdllIni,
    async [Symbol.asyncDispose]() {
      await init.csdllIni?.[Symbol.asyncDispose]();
    },
  };
}

/**
 * Why the CSHIS backend is not ready, for /ready and `gateway { readinessReasons }` (empty when ready).
 * Never calls the DLL: a readiness probe must not queue behind a card operation (a PIN dialog can hold the
 * queue for minutes) nor wait on a stuck call. Reasons never contain patient data.
 */
export function controlSoftwareReadiness(service: ControlSoftwareService, strategy: VisitStrategy): string[] {
  if (service.loadError) {
    const e = service.loadError;
    return [`control software unavailable (${e.code}): ${e.messageEn}${e.hintEn ? `. Fix: ${e.hintEn}` : ''}`];
  }
  const reasons: string[] = [];
  const queue = service.queueStats();
  if (queue?.isStuck) {
    reasons.push(`a control-software call timed out: ${queue.inFlight?.name ?? 'unknown'}; recovering`);
  }
  reasons.push(...strategyProblems(strategy, service.versionCode, service.missingExports));
  return reasons;
}
