/**
 * The composition root for long-lived services: what is common to every backend, put on top of the one
 * Backend shape (src/backends/backend.ts). No HTTP here (that is src/yoga.ts and src/server.ts).
 *
 * For a backend that can register visits (it hands over a ControlSoftware port): the visit strategy, the
 * treatment-ID Web API with the backend's SAM signer, and the card stack over both. For every backend: the
 * card-write journal and idempotency, the light monitor, readiness.
 */
import type { NoCardTreatmentIdPolicy, VisitStrategy } from './ports/card-stack.ts';
import type { SignerServiceCode } from './ports/signer.ts';
import type { TreatmentIdWebApi } from './ports/webapi.ts';
import { DEFAULT_WEBAPI_URL, type GatewayConfig } from './config.ts';
import type { GatewayServices, Readiness } from './context.ts';
import { CshisCardStack } from './domain/cshis-card-stack.ts';
import { DEFAULT_REPLAY_WINDOW } from './domain/replay-buffer.ts';
import { LightMonitor } from './domain/light-monitor.ts';
import { watchCardState } from './domain/card-state-hints.ts';
import { CardWriteJournal } from './domain/card-write-journal.ts';
import { IdempotentWrites } from './domain/idempotent-writes.ts';
import type { SimulatorOptions } from './adapters/simulator/workstation.ts';
import { NhiTreatmentIdWebApi } from './adapters/webapi/treatment-id-client.ts';
import type { GatewayLogger } from './yoga.ts';
import type { Backend } from './backends/backend.ts';
import { openSimulator } from './backends/simulator.ts';
import { GatewayMetrics } from './metrics/gateway-metrics.ts';
import { instrumentControlSoftware } from './metrics/instrument.ts';

export const GATEWAY_VERSION = '0.1.0';

export interface ServicesOptions {
  readonly strategy: VisitStrategy;
  /** How often the light monitor polls while somebody subscribes, in ms. @default the backend's */
  readonly lightPollMs?: number;
  /** The card-write journal file; omitted keeps it in memory (tests). */
  readonly journalPath?: string;
  /** How long finished operations (and their idempotency keys) are remembered, ms. @default 24 hours */
  readonly journalRetentionMs?: number;
  /** NHI's treatment-ID Web API (方式4, visits without a card); omitted = not configured. docs/webapi.md */
  readonly webApi?: WebApiServiceOptions;
  /** Where treatment IDs without a card come from; default WEB_API when `webApi` is set, else 1.54. */
  readonly noCardTreatmentId?: NoCardTreatmentIdPolicy;
  /** Where queue degradation and recovery are logged (no patient data). */
  readonly logger?: GatewayLogger;
  /** Where control-software calls are counted and timed (/metrics); a fresh registry when omitted. */
  readonly metrics?: GatewayMetrics;
}

export interface WebApiServiceOptions {
  /** https:// URL of the treatment-ID operation (its path is configuration: not public, docs/reference/webapi.md). */
  readonly url: string;
  /** NHI's CA chain file (PEM or DER), trusted in addition to Node's roots. */
  readonly caFile?: string;
  /** Extra CA certificates as PEM text (tests). */
  readonly extraCa?: readonly string[];
  readonly timeoutMs?: number;
  /** VPNH_SignX service code. @default the backend's ('12' on the simulator, '11' otherwise) */
  readonly serviceCode?: SignerServiceCode;
  readonly refreshMarginMs?: number;
}

export interface RunningServices extends GatewayServices, AsyncDisposable {
  /** The backend the services run on (banner, /status). */
  readonly backend: Backend;
  /** The gateway's metrics (docs/metrics.md). */
  readonly metrics?: GatewayMetrics;
}

/**
 * ServicesOptions from the configuration, the same for every backend. The Web API is used when it is asked
 * for: `--webapi-url`, `--visit-strategy seq256-webapi`, or a no-card policy that names it. Its URL defaults to
 * DEFAULT_WEBAPI_URL (an assumption, docs/webapi.md) on real backends; the simulator's SAM is no clinic's, so NHI
 * would refuse it: there the Web API is used only with an explicit URL (a stand-in) and /ready says so otherwise.
 */
export function servicesOptionsFromConfig(
  config: GatewayConfig,
  extra: Pick<ServicesOptions, 'journalPath' | 'journalRetentionMs' | 'logger' | 'lightPollMs'> = {},
): ServicesOptions {
  const noCard = config.noCardTreatmentIdPolicy;
  const wanted = config.webApiWanted;
  const url = config.webApiUrl ?? (config.backend === 'simulator' ? undefined : DEFAULT_WEBAPI_URL);
  return {
    ...extra,
    strategy: config.visitStrategyValue,
    ...(noCard ? { noCardTreatmentId: noCard } : {}),
    ...(wanted && url !== undefined
      ? {
          webApi: {
            url,
            ...(config.nhiCaFile !== undefined ? { caFile: config.nhiCaFile } : {}),
            ...(config.webApiTimeoutMs !== undefined ? { timeoutMs: config.webApiTimeoutMs } : {}),
            ...(config.webApiServiceCode !== undefined ? { serviceCode: config.webApiServiceCode } : {}),
            ...(config.signatureRefreshMarginMs !== undefined ? { refreshMarginMs: config.signatureRefreshMarginMs } : {}),
          },
        }
      : {}),
  };
}

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

/** Services over the embedded simulator (tests, benchmarks, the example desk). */
export function createSimulatorServices(options: ServicesOptions & { readonly simulator?: SimulatorOptions }): RunningServices {
  const { simulator, ...rest } = options;
  return createServices(openSimulator(simulator), rest);
}

/** Services over any backend. Disposing them disposes the backend too. */
export function createServices(backend: Backend, options: ServicesOptions): RunningServices {
  const metrics = options.metrics ?? new GatewayMetrics();
  const webApi = backend.controlSoftware && options.webApi ? createWebApi(options.webApi, backend) : null;
  // What ordinary calls prove about the card reaches the lights at once (src/domain/card-state-hints.ts).
  let monitor: LightMonitor | null = null;
  const cs = backend.controlSoftware
    ? watchCardState(instrumentControlSoftware(backend.controlSoftware, metrics), (slot, present) => monitor?.cardSeen(slot, present))
    : null;
  const cards = cs
    ? new CshisCardStack(cs, {
        strategy: options.strategy,
        webApi,
        ...(options.noCardTreatmentId ? { noCardTreatmentId: options.noCardTreatmentId } : {}),
      })
    : backend.cards;
  if (!cards) throw new Error(`createServices: the ${backend.name} backend has neither a control-software port nor a card stack`);
  const canVisit = backend.controlSoftware !== null;
  const webApiInUse =
    canVisit &&
    (options.strategy === 'SEQ256_WEBAPI' ||
      (options.noCardTreatmentId ?? (webApi ? 'WEB_API' : 'CONTROL_SOFTWARE_1_54')) !== 'CONTROL_SOFTWARE_1_54');
  const writes = new IdempotentWrites(openJournal(options));
  monitor = new LightMonitor({
    ...backend.lights,
    ...(backend.lights.presence ? {} : { read: (levelsKnown) => cards.lightState(levelsKnown) }),
    ...(options.lightPollMs !== undefined ? { intervalMs: options.lightPollMs } : {}),
    // Keep watching through a reconnect, so a resuming subscriber is given what happened meanwhile.
    lingerMs: DEFAULT_REPLAY_WINDOW.maxAgeMs,
  });
  const unsubscribe = logQueueEvents(backend, options.logger);

  // The Web API's problems (an unregistered CsHisX with its regsvr32 fix, an unusable CA file) count only
  // where it is used; it is never called from here (no signing, no request to NHI).
  const readiness = async (): Promise<Readiness> => {
    const reasons = [...(await backend.readiness())];
    if (webApiInUse && !webApi) {
      reasons.push(
        backend.signer === null
          ? `WEB_API_NOT_CONFIGURED: the ${backend.name} backend has no SAM signer for NHI's treatment-ID Web API`
          : 'WEB_API_NOT_CONFIGURED: the treatment-ID Web API is not configured — set --webapi-url and --nhi-ca-file (docs/webapi.md)',
      );
    } else if (webApiInUse && webApi) {
      reasons.push(...(await webApi.readiness()));
    }
    return { ready: reasons.length === 0, reasons };
  };

  return {
    backend,
    cards,
    monitor,
    writes,
    simulator: backend.simulator,
    controlSoftware: backend.diagnostics,
    metrics,
    status: { version: GATEWAY_VERSION, backend: backend.name, readiness },
    async [Symbol.asyncDispose]() {
      for (const off of unsubscribe) off();
      await monitor[Symbol.asyncDispose]();
      // The backend owns its ports: the card stack over a control-software port must not dispose it again.
      if (!backend.controlSoftware) await cards[Symbol.asyncDispose]();
      await webApi?.[Symbol.asyncDispose]();
      await backend[Symbol.asyncDispose]();
    },
  };
}

function createWebApi(options: WebApiServiceOptions, backend: Backend): TreatmentIdWebApi | null {
  if (!backend.signer) return null;
  return new NhiTreatmentIdWebApi({
    url: options.url,
    signer: backend.signer(),
    serviceCode: options.serviceCode ?? backend.webApiServiceCode,
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    ...(options.extraCa !== undefined ? { extraCa: options.extraCa } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
  });
}

/** Logs the call queue's degradation and recovery (function names and timings only); returns the unsubscribers. */
function logQueueEvents(backend: Backend, logger: GatewayLogger | undefined): (() => void)[] {
  const controlSoftware = backend.diagnostics;
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
