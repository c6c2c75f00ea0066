/**
 * PC/SC readers alone as a backend (`--backend pcsc`, docs/pcsc.md): any PC/SC reader, basic data and live card
 * events, no control software and so no visits. Imported only for that backend (and for the cshis backend's
 * --pcsc-wake), so the other backends never load the PC/SC library.
 *
 * Composition: one native PcscPort; a ReaderWatcher (its own context, blocking in SCardGetStatusChange) whose
 * events go straight into the light monitor as a presence source, so `lightStateChanged` and `readerEvents` are
 * one merged stream; a PcscCardStack (its own context) that reads basic data and classifies inserted cards for
 * the watcher (NHI card or other, by the SELECT in docs/reference/pcsc.md).
 *
 * A missing library or service does not stop the gateway: GraphiQL, /health and the schema keep working, /ready
 * is false with the watcher's reason, card calls answer PCSC_UNAVAILABLE, and the watcher keeps trying to
 * establish a context (with backoff) so the gateway attaches by itself once pcscd / the Smart Card service is up.
 */
import type { PcscPort } from '../ports/pcsc.ts';
import type { GatewayConfig } from '../config.ts';
import type { Backend, BackendDeps } from './backend.ts';
import type { PresenceChange, PresenceReader, PresenceSource } from '../domain/light-monitor.ts';
import { PcscCardStack } from '../adapters/pcsc/card-stack.ts';
import { createNativePcscPort } from '../adapters/pcsc/native.ts';
import { ReaderWatcher, type ReaderWatcherOptions, type WatcherEvent, type WatcherStatus } from '../adapters/pcsc/reader-watcher.ts';
import type { GatewayLogger } from '../yoga.ts';

export interface PcscBackendOptions {
  /** A port other than the platform's PC/SC library (tests). */
  readonly port?: PcscPort;
  /** Watcher settings: poll fallback interval, backoff … (src/adapters/pcsc/reader-watcher.ts). */
  readonly watcher?: Omit<ReaderWatcherOptions, 'classify'>;
  /** Bounds one basic-data read, in ms. @default 10000 */
  readonly readTimeoutMs?: number;
}

/** Reader ids are stable across reconnects: the system's reader name. */
export const pcscReaderId = (name: string): string => `pcsc:${name}`;

/** The PC/SC parts a backend composes: the watcher, the card reader that classifies for it, and the presence source. */
export interface PcscPresence extends AsyncDisposable {
  readonly watcher: ReaderWatcher;
  readonly cards: PcscCardStack;
  /** For LightMonitor's `presence` option: every PC/SC reader serves the health-card light. */
  readonly presence: PresenceSource;
}

/**
 * Starts watching PC/SC readers. Used by the pcsc backend below, and meant for any backend that wants pushed card
 * presence in its lights (the cshis backend: pass `presence` to its LightMonitor next to the control-software
 * poller; docs/pcsc.md).
 */
export function createPcscPresence(
  options: PcscBackendOptions = {},
): PcscPresence {
  const port = options.port ?? createNativePcscPort();
  let cards: PcscCardStack | null = null;
  const watcher = new ReaderWatcher(port, {
    ...options.watcher,
    classify: (reader) => cards?.classify(reader) ?? Promise.resolve('OTHER'),
  });
  cards = new PcscCardStack(port, {
    presence: watcher,
    libraryPath: port.info.library,
    ...(options.readTimeoutMs === undefined ? {} : { readTimeoutMs: options.readTimeoutMs }),
  });
  // Without the HPC's AID (not public, §8) a professional card cannot be told from any other card, so only the
  // health-card light is PC/SC's to decide.
  const presence: PresenceSource = {
    slots: ['HEALTH_CARD'],
    readers: () =>
      watcher.readers().map(
        (r): PresenceReader => ({ id: pcscReaderId(r.name), name: r.name, slot: 'HEALTH_CARD', card: r.card }),
      ),
    subscribe: (listener) => watcher.subscribe((event) => listener(toPresenceChange(event))),
  };
  watcher.start();
  const stack = cards;
  return {
    watcher,
    cards: stack,
    presence,
    async [Symbol.asyncDispose]() {
      // SCardCancel ends the blocking wait; then the card context goes.
      await watcher.dispose();
      await stack[Symbol.asyncDispose]();
    },
  };
}

/** PC/SC as a wake-up for another backend's light poller (see {@link createPcscWake}). */
export interface PcscWake extends AsyncDisposable {
  readonly watcher: ReaderWatcher;
  /** For LightMonitor's `changeSignal`: called on every reader or card change. */
  readonly changeSignal: (wake: () => void) => () => void;
}

/**
 * `--pcsc-wake` for the cshis backend: a ReaderWatcher without classification, so the gateway only listens
 * (SCardGetStatusChange) and never connects to a card the control software may be using at that moment. Every
 * reader or card change wakes the control-software light poller at once; what the lights are still comes from
 * the control software (hisGetCardStatus), which alone knows SAM authentication and PIN state. Without PC/SC
 * (no service, no library) the watcher keeps retrying in the background and the poller works as before.
 */
export function createPcscWake(
  options: { readonly port?: PcscPort; readonly watcher?: Omit<ReaderWatcherOptions, 'classify'>; readonly logger?: GatewayLogger } = {},
): PcscWake {
  const port = options.port ?? createNativePcscPort();
  const watcher = new ReaderWatcher(port, { ...options.watcher });
  let lastState: WatcherStatus['state'] | null = null;
  const offStatus = watcher.onStatus((status) => {
    if (status.state === lastState) return;
    lastState = status.state;
    if (status.state === 'RUNNING') options.logger?.info('PC/SC wake-up watching the readers', { mode: status.mode });
    else if (status.state === 'UNAVAILABLE') {
      options.logger?.warn('PC/SC wake-up unavailable; the lights follow the control-software poll alone', { reason: status.reason });
    }
  });
  watcher.start();
  return {
    watcher,
    changeSignal: (wake) => watcher.subscribe(() => wake()),
    async [Symbol.asyncDispose]() {
      offStatus();
      await watcher.dispose();
    },
  };
}

export async function open(_config: GatewayConfig, _deps: BackendDeps): Promise<Backend> {
  return openPcsc();
}

/** The pcsc backend; `watcher` is there for tests and benchmarks that wait for it. */
export function openPcsc(options: PcscBackendOptions = {}): Backend & { readonly watcher: ReaderWatcher } {
  const pcsc = createPcscPresence(options);
  const { watcher, cards, presence } = pcsc;
  return {
    name: 'pcsc',
    description: 'pcsc (PC/SC readers, basic data only; /ready says whether PC/SC is up)',
    controlSoftware: null,
    cards,
    watcher,
    lights: {
      presence,
      readers: {
        HEALTH_CARD: { id: 'pcsc:health-card', name: '健保卡 (PC/SC)', slot: 'HEALTH_CARD' },
        PROFESSIONAL_CARD: { id: 'pcsc:professional-card', name: '醫事人員卡 (not readable over PC/SC)', slot: 'PROFESSIONAL_CARD' },
      },
      intervalMs: 1000,
    },
    // No SAM over plain PC/SC: no signer, no visits, no Web API.
    signer: null,
    webApiServiceCode: '11',
    simulator: null,
    diagnostics: null,
    async readiness() {
      const status = watcher.status();
      return status.state === 'RUNNING' ? [] : [status.reason ?? `PC/SC watcher ${status.state.toLowerCase()}`];
    },
    async [Symbol.asyncDispose]() {
      await pcsc[Symbol.asyncDispose]();
    },
  };
}

function toPresenceChange(event: WatcherEvent): PresenceChange {
  const reader = { id: pcscReaderId(event.reader), name: event.reader, slot: 'HEALTH_CARD' as const };
  if (event.kind === 'CARD_INSERTED' || event.kind === 'CARD_REMOVED') {
    return { kind: event.kind, reader, card: event.card, at: event.at };
  }
  return { kind: event.kind, reader, card: null, at: event.at };
}
