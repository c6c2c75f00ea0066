/**
 * The composition root for long-lived services: picks the ControlSoftware adapter, puts the domain layer
 * on top, and returns everything as one disposable. No HTTP here (that is src/yoga.ts and src/server.ts).
 */
import type { ControlSoftware } from './ports/control-software.ts';
import type { NoCardTreatmentIdPolicy, VisitStrategy } from './ports/card-stack.ts';
import type { Signer, SignerServiceCode } from './ports/signer.ts';
import type { TreatmentIdWebApi } from './ports/webapi.ts';
import { DEFAULT_WEBAPI_URL, type GatewayConfig, type NoCardTreatmentIdChoice } from './config.ts';
import type { GatewayServices, Readiness } from './context.ts';
import { CshisCardStack } from './domain/cshis-card-stack.ts';
import { LightMonitor } from './domain/light-monitor.ts';
import { CardWriteJournal } from './domain/card-write-journal.ts';
import { IdempotentWrites } from './domain/idempotent-writes.ts';
import { SimulatedWorkstation, type SimulatorOptions } from './adapters/simulator/workstation.ts';
import { GatewayError } from './errors/gateway-errors.ts';
import type { GatewayLogger } from './yoga.ts';
import { controlSoftwareReadiness as cshisReadiness, type ControlSoftwareService } from './adapters/cshis/control-software-service.ts';
import { NhiTreatmentIdWebApi } from './adapters/webapi/treatment-id-client.ts';
import { SimulatorSigner } from './adapters/signer/simulator-signer.ts';
import { SIMULATED_HOSPITAL } from './adapters/simulator/patients.ts';

export const GATEWAY_VERSION = '0.1.0';

export interface ServicesOptions {
  readonly strategy: VisitStrategy;
  /** How often the light monitor polls while somebody subscribes, in ms. */
  readonly lightPollMs?: number;
  readonly simulator?: SimulatorOptions;
  /** The card-write journal file; omitted keeps it in memory (tests). */
  readonly journalPath?: string;
  /** How long finished operations (and their idempotency keys) are remembered, ms. @default 24 hours */
  readonly journalRetentionMs?: number;
  /** NHI's treatment-ID Web API (方式4, visits without a card); omitted = not configured. docs/webapi.md */
  readonly webApi?: WebApiServiceOptions;
  /** Where treatment IDs without a card come from; default WEB_API when `webApi` is set, else 1.54. */
  readonly noCardTreatmentId?: NoCardTreatmentIdPolicy;
  /**
   * The CSHIS backend's extras (load problems, call queue, csdll.ini; src/adapters/cshis/control-software-service.ts):
   * readiness then comes from it without a DLL call, and its queue events are logged. Omitted for the
   * simulator. Disposed with the services.
   */
  readonly controlSoftware?: ControlSoftwareService | null;
  /** Where queue degradation and recovery are logged (no patient data). */
  readonly logger?: GatewayLogger;
  /**
   * Wakes the light poller at once when something outside the control software saw a change (the cshis
   * backend's --pcsc-wake: a card in or out of a PC/SC reader). The simulator brings its own.
   */
  readonly changeSignal?: (wake: () => void) => () => void;
}

export interface WebApiServiceOptions {
  /** https:// URL of the treatment-ID operation (its path is configuration: not public, docs/reference/webapi.md (Treatment-ID Web API)). */
  readonly url: string;
  /** NHI's CA chain file (PEM or DER), trusted in addition to Node's roots. */
  readonly caFile?: string;
  /** Extra CA certificates as PEM text (tests). */
  readonly extraCa?: readonly string[];
  readonly timeoutMs?: number;
  /** VPNH_SignX service code. Default '12' (NHI test cards) on the simulator, '11' otherwise. */
  readonly serviceCode?: SignerServiceCode;
  readonly refreshMarginMs?: number;
  /** The SAM signer. Default on the simulator: the simulator signer (its SAM); required on other backends. */
  readonly signer?: Signer;
}

const NO_CARD_POLICIES: Record<NoCardTreatmentIdChoice, NoCardTreatmentIdPolicy> = {
  webapi: 'WEB_API',
  '1.54': 'CONTROL_SOFTWARE_1_54',
  'webapi-then-1.54': 'WEB_API_THEN_1_54',
};

/**
 * The Web API part of ServicesOptions from the configuration. The Web API is used when it is asked for:
 * `--webapi-url`, `--visit-strategy seq256-webapi`, or a no-card policy that names it. Its URL defaults to
 * DEFAULT_WEBAPI_URL (an assumption, see config.ts) — except on the simulator, whose signer NHI would refuse:
 * there it is used only with an explicit URL (a stand-in), and otherwise reports WEB_API_NOT_CONFIGURED.
 * `signer` is called only when the Web API is used (the COM signer for the cshis backend).
 */
export function webApiOptionsFromConfig(
  config: GatewayConfig,
  signer?: () => Signer,
): Pick<ServicesOptions, 'webApi' | 'noCardTreatmentId'> {
  const noCard = config.noCardTreatmentId === undefined ? undefined : NO_CARD_POLICIES[config.noCardTreatmentId];
  const wanted =
    config.webApiUrl !== undefined ||
    config.visitStrategy === 'seq256-webapi' ||
    (noCard !== undefined && noCard !== 'CONTROL_SOFTWARE_1_54');
  const url = config.webApiUrl ?? (config.backend === 'simulator' ? undefined : DEFAULT_WEBAPI_URL);
  const policy = noCard ? { noCardTreatmentId: noCard } : {};
  if (!wanted || url === undefined) return policy;
  return {
    ...policy,
    webApi: {
      url,
      ...(config.nhiCaFile !== undefined ? { caFile: config.nhiCaFile } : {}),
      ...(config.webApiTimeoutMs !== undefined ? { timeoutMs: config.webApiTimeoutMs } : {}),
      ...(config.webApiServiceCode !== undefined ? { serviceCode: config.webApiServiceCode } : {}),
      ...(config.signatureRefreshMarginMs !== undefined ? { refreshMarginMs: config.signatureRefreshMarginMs } : {}),
      ...(signer ? { signer: signer() } : {}),
    },
  };
}

function createWebApi(options: WebApiServiceOptions, simulator: SimulatedWorkstation | null): TreatmentIdWebApi {
  const signer = options.signer ?? (simulator ? new SimulatorSigner({ samId: SIMULATED_HOSPITAL.samId }) : null);
  if (!signer) throw new Error('createServices: the Web API needs a signer on this backend (the CsHisX COM signer)');
  return new NhiTreatmentIdWebApi({
    url: options.url,
    signer,
    // The simulator's cards are NHI test cards: service 12 (docs/reference/webapi.md (Card types and service codes)).
    serviceCode: options.serviceCode ?? (simulator ? '12' : '11'),
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    ...(options.extraCa !== undefined ? { extraCa: options.extraCa } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
  });
}

export interface RunningServices extends GatewayServices, AsyncDisposable {}

/** The card-write journal of any backend; says in the log when opening it compacted the file or could not. */
export function openJournal(options: Pick<ServicesOptions, 'journalPath' | 'journalRetentionMs' | 'logger'>): CardWriteJournal {
  const journal = CardWriteJournal.open({
    path: options.journalPath ?? null,
    ...(options.journalRetentionMs === undefined ? {} : { retentionMs: options.journalRetentionMs }),
  });
  if (journal.compaction) {
    const { bytesBefore, bytesAfter, recordsDropped, previousPath } = journal.compaction;
    options.logger?.info('card-write journal compacted', { bytesBefore, bytesAfter, recordsDropped, previousPath });
  }
  if (journal.compactionError) {
    options.logger?.warn('card-write journal could not be compacted; using it as it is', { reason: journal.compactionError });
  }
  return journal;
}

/** Services over the embedded simulator: what `npm start` runs when there is no hardware. */
export function createSimulatorServices(options: ServicesOptions): RunningServices {
  const workstation = new SimulatedWorkstation(options.simulator);
  return createServices(workstation, options, workstation);
}

/** Services over any ControlSoftware (the koffi/CSHIS.dll adapter, or the simulator in tests). */
export function createServices(
  cs: ControlSoftware,
  options: ServicesOptions,
  simulator: SimulatedWorkstation | null = null,
): RunningServices {
  const webApi = options.webApi ? createWebApi(options.webApi, simulator) : null;
  const cards = new CshisCardStack(cs, {
    strategy: options.strategy,
    webApi,
    ...(options.noCardTreatmentId ? { noCardTreatmentId: options.noCardTreatmentId } : {}),
  });
  const webApiInUse =
    options.strategy === 'SEQ256_WEBAPI' || (options.noCardTreatmentId ?? (webApi ? 'WEB_API' : 'CONTROL_SOFTWARE_1_54')) !== 'CONTROL_SOFTWARE_1_54';
  const writes = new IdempotentWrites(openJournal(options));
  const backend = cs.info.backend;
  const changeSignal = simulator ? (wake: () => void) => simulator.onChange(wake) : options.changeSignal;
  const monitor = new LightMonitor({
    read: () => cards.lightState(),
    // The control software has no reader list: its two logical slots are what the console's lights show.
    readers: {
      HEALTH_CARD: { id: `${backend}:health-card`, name: simulator ? '模擬健保卡讀卡機 (simulator)' : '健保卡 (control software)', slot: 'HEALTH_CARD' },
      PROFESSIONAL_CARD: {
        id: `${backend}:professional-card`,
        name: simulator ? '模擬醫事人員卡讀卡機 (simulator)' : '醫事人員卡 (control software)',
        slot: 'PROFESSIONAL_CARD',
      },
    },
    intervalMs: options.lightPollMs ?? (simulator ? 1000 : 500),
    ...(changeSignal ? { changeSignal } : {}),
  });

  const controlSoftware = options.controlSoftware ?? null;
  const unsubscribe = logQueueEvents(controlSoftware, options.logger);

  const controlSoftwareReadiness = async (): Promise<Readiness> => {
    if (controlSoftware) {
      // The CSHIS backend answers from state it already has: no DLL call queued behind a PIN dialog or a stuck call.
      const reasons = cshisReadiness(controlSoftware, options.strategy);
      return { ready: reasons.length === 0, reasons };
    }
    try {
      const description = await cards.describe();
      if (description.version === null) return { ready: false, reasons: ['control software version unknown'] };
      return { ready: true, reasons: [] };
    } catch (error) {
      const reason = error instanceof GatewayError ? `${error.code}: ${error.messageEn}` : 'control software unreachable';
      return { ready: false, reasons: [reason] };
    }
  };
  // The Web API's problems (an unregistered CsHisX with its regsvr32 fix, an unusable CA file) count only
  // where it is used; it is never called from here (no signing, no request to NHI).
  const readiness = async (): Promise<Readiness> => {
    const base = await controlSoftwareReadiness();
    const reasons = [...base.reasons];
    if (webApiInUse && !webApi) {
      reasons.push('WEB_API_NOT_CONFIGURED: the treatment-ID Web API is not configured — set --webapi-url and --nhi-ca-file (docs/webapi.md)');
    } else if (webApiInUse && webApi) {
      reasons.push(...(await webApi.readiness()));
    }
    return { ready: base.ready && reasons.length === base.reasons.length, reasons };
  };

  return {
    cards,
    monitor,
    writes,
    simulator,
    controlSoftware,
    status: { version: GATEWAY_VERSION, backend, readiness },
    async [Symbol.asyncDispose]() {
      for (const off of unsubscribe) off();
      await monitor[Symbol.asyncDispose]();
      await cards[Symbol.asyncDispose]();
      await webApi?.[Symbol.asyncDispose]();
      await controlSoftware?.[Symbol.asyncDispose]();
    },
  };
}

/** Logs the call queue's degradation and recovery (function names and timings only); returns the unsubscribers. */
function logQueueEvents(controlSoftware: ControlSoftwareService | null, logger: GatewayLogger | undefined): (() => void)[] {
  if (!controlSoftware || !logger) return [];
  return [
    controlSoftware.onQueueEvent('degraded', (e) =>
      logger.warn('control-software call timed out; not ready until it returns and the reader is reset', {
        function: e.name,
        timeoutMs: e.timeoutMs,
      }),
    ),
    controlSoftware.onQueueEvent('recovered', (e) =>
      logger.info('the stuck control-software call returned; resetting the reader, ready again', {
        function: e.name,
        durationMs: Math.round(e.durationMs),
      }),
    ),
    controlSoftware.onQueueEvent('recovery-failed', (e) =>
      logger.error('resetting the reader after a stuck call failed', {
        error: e.error instanceof Error ? e.error.message : String(e.error),
      }),
    ),
  ];
}
