/**
 * NHI's control software (CSHIS.dll through koffi) as a backend. Imported only for `--backend cshis`, so the
 * simulator never loads koffi.
 *
 * Start-up, in order:
 * 1. csdll.ini (--csdll-ini) is read and watched: its COM= picks the csOpenCom port, its CSTIMEOUT (seconds)
 *    sets the call timeout when --call-timeout-ms is not given (docs/control-software.md).
 * 2. The library is loaded. A missing file, a file that is no library, the wrong bitness or a library that is
 *    not NHI's control software never stops the gateway: it serves, card calls answer
 *    CONTROL_SOFTWARE_UNAVAILABLE, /ready says what is wrong and how to fix it, and loading is retried in the
 *    background, so installing the control software after the gateway started recovers without a restart.
 * 3. The version is checked against the visit strategy and logged.
 *
 * The SAM signer for the treatment-ID Web API is NHI's CsHisX COM component (Windows only).
 */
import { pathToFileURL } from 'node:url';
import type { GatewayConfig } from '../config.ts';
import type { OleRuntime } from '../adapters/signer/ole.ts';
import { DEFAULT_CSHIS_PATH } from '../config.ts';
import type { ControlSoftware } from '../ports/control-software.ts';
import type { Signer } from '../ports/signer.ts';
import { GatewayError } from '../errors/gateway-errors.ts';
import { gatewayError } from '../errors/gateway-codes.ts';
import type { GatewayLogger } from '../yoga.ts';
import { CsdllIniFile, type CsdllIniSnapshot } from '../adapters/cshis/csdll-ini.ts';
import {
  controlSoftwareReadiness,
  createControlSoftwareService,
  type CallTimeoutSource,
  type ReaderPortSource,
} from '../adapters/cshis/control-software-service.ts';
import { strategyProblems } from '../adapters/cshis/features.ts';
import type { CshisControlSoftware, OpenPolicy } from '../adapters/cshis/cshis-control-software.ts';
import { CSHIS_EXPORTS } from '../adapters/cshis/native.ts';
import type { VisitStrategy } from '../ports/card-stack.ts';
import type { Backend, BackendDeps, LightSource } from './backend.ts';

/** Without --call-timeout-ms and without a readable CSTIMEOUT. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/**
 * Added to CSTIMEOUT: the control software's own wait should end first, so the caller gets its vendor code
 * (e.g. 4061 network) instead of CALL_TIMEOUT, and the queue is not marked stuck for a call about to return.
 */
export const CSTIMEOUT_GRACE_MS = 5_000;
/** How often loading is retried while the control software is missing: first after 5 s, then up to every minute. */
export const RELOAD_BACKOFF_MS = { initial: 5_000, max: 60_000 } as const;
/**
 * Exports every version of NHI's control software has had. A library with fewer than two of them is some other
 * DLL (or a stub), not an old version of NHI's: "update it" would send clinic IT the wrong way.
 */
export const CORE_EXPORTS = ['csOpenCom', 'csCloseCom', 'csGetVersionEx', 'hisGetBasicData', 'hisGetCardStatus'] as const;

export interface CshisBackendOptions {
  readonly libraryPath: string;
  readonly csdllIni: string;
  readonly callTimeoutMs?: number | undefined;
  readonly strategy: VisitStrategy;
  /** @default 'keep-open' */
  readonly openPolicy?: OpenPolicy;
  /** Watch PC/SC readers as a wake-up for the light poller (--pcsc-wake). */
  readonly pcscWake?: boolean;
  /** Light poll interval while subscribed. @default 500 */
  readonly lightPollMs?: number;
  /** The SAM signer for the Web API. @default the CsHisX COM signer */
  readonly signer?: () => Signer;
  /** Retry timing for a library that did not load (tests shorten it). */
  readonly reloadBackoffMs?: { readonly initial: number; readonly max: number };
  readonly description?: string;
  readonly logger: GatewayLogger;
}

/**
 * Test seam: a module whose `createRuntime()` returns the COM runtime the CsHisX signer uses instead of
 * ole32/oleaut32, so a gateway process on Linux can run the treatment-ID Web API path end to end against a fake
 * COM object (test/webapi/fake-com-runtime.ts). Not an option of the gateway: never set it on a clinic PC.
 */
export const TEST_COM_RUNTIME_ENV = 'NHI_GATEWAY_TEST_ONLY_COM_RUNTIME';

function testComSigner(env: Readonly<Record<string, string | undefined>>): (() => Signer) | undefined {
  const modulePath = env[TEST_COM_RUNTIME_ENV];
  if (!modulePath) return undefined;
  return () => new ComSignerLazy(() => import(pathToFileURL(modulePath).href).then((m: { createRuntime(): OleRuntime }) => m.createRuntime()));
}

export async function open(config: GatewayConfig, deps: BackendDeps): Promise<Backend> {
  const signer = testComSigner(process.env);
  if (signer) deps.logger.warn(`${TEST_COM_RUNTIME_ENV} is set: the CsHisX signer talks to a test COM object, not NHI's`);
  return openCshis({
    ...(signer ? { signer } : {}),
    libraryPath: config.cshisPath ?? DEFAULT_CSHIS_PATH,
    csdllIni: config.csdllIni,
    callTimeoutMs: config.callTimeoutMs,
    strategy: config.visitStrategyValue,
    ...(config.readerOpenPolicy ? { openPolicy: config.readerOpenPolicy } : {}),
    pcscWake: config.pcscWake === true,
    description: `cshis (${config.cshisPath ?? DEFAULT_CSHIS_PATH}; ${config.backendReason})`,
    logger: deps.logger,
  });
}

/** The call timeout and its source: --call-timeout-ms, else CSTIMEOUT + grace, else the default. */
export function resolveCallTimeout(
  optionMs: number | undefined,
  csTimeoutSeconds: number | null | undefined,
): { ms: number; source: CallTimeoutSource } {
  if (optionMs !== undefined) return { ms: optionMs, source: 'OPTION' };
  if (csTimeoutSeconds != null) return { ms: csTimeoutSeconds * 1000 + CSTIMEOUT_GRACE_MS, source: 'CSTIMEOUT' };
  return { ms: DEFAULT_CALL_TIMEOUT_MS, source: 'DEFAULT' };
}

/** The csOpenCom index from csdll.ini's COM= (COMX1 → 0, COM3 → 2), else 0. */
export function resolveReaderPort(snapshot: CsdllIniSnapshot | null): { index: number; source: ReaderPortSource } {
  const com = snapshot?.document?.settings.com;
  return com ? { index: com.openComIndex, source: 'CSDLL_INI' } : { index: 0, source: 'DEFAULT' };
}

export async function openCshis(options: CshisBackendOptions): Promise<Backend> {
  const { logger, libraryPath, strategy } = options;
  const openPolicy = options.openPolicy ?? 'keep-open';
  const ini = await openCsdllIni(options.csdllIni, logger);
  const callTimeout = resolveCallTimeout(options.callTimeoutMs, ini.snapshot?.document?.settings.csTimeoutSeconds);
  const readerPort = resolveReaderPort(ini.snapshot);

  let adapter: CshisControlSoftware | null = null;
  let loadError: GatewayError | null = null;
  let disposed = false;
  let retry: NodeJS.Timeout | null = null;
  const loadedListeners = new Set<() => void>();

  const load = async (): Promise<boolean> => {
    const result = await loadAdapter(libraryPath, { callTimeoutMs: callTimeout.ms, readerPort: readerPort.index, openPolicy });
    if (disposed) {
      await result.adapter?.[Symbol.asyncDispose]();
      return false;
    }
    adapter = result.adapter;
    loadError = result.error;
    return adapter !== null;
  };
  const scheduleReload = (delayMs: number): void => {
    const backoff = options.reloadBackoffMs ?? RELOAD_BACKOFF_MS;
    retry = setTimeout(async () => {
      retry = null;
      if (disposed) return;
      if (await load()) {
        logLoaded(adapter!, logger, { readerPort, callTimeout, ini: ini.snapshot, openPolicy, strategy });
        for (const listener of loadedListeners) listener();
      } else if (!disposed) {
        scheduleReload(Math.min(delayMs * 2, backoff.max));
      }
    }, delayMs);
    // A retry must never keep a stopping gateway alive.
    retry.unref?.();
  };

  if (await load()) {
    logLoaded(adapter!, logger, { readerPort, callTimeout, ini: ini.snapshot, openPolicy, strategy });
  } else {
    const reason = loadError ?? gatewayError('CONTROL_SOFTWARE_UNAVAILABLE');
    logger.warn(
      `control software not loaded: ${reason.messageEn}${reason.hintEn ? `. Fix: ${reason.hintEn}` : ''}. ` +
        `The gateway keeps serving; card calls answer ${reason.code}, /ready says why, and loading is retried`,
      { libraryPath },
    );
    scheduleReload((options.reloadBackoffMs ?? RELOAD_BACKOFF_MS).initial);
  }

  const diagnostics = createControlSoftwareService({
    libraryPath,
    state: () => ({ adapter, loadError: adapter ? null : (loadError ?? gatewayError('CONTROL_SOFTWARE_UNAVAILABLE')) }),
    onLoaded: (listener) => {
      loadedListeners.add(listener);
      return () => loadedListeners.delete(listener);
    },
    callTimeout,
    readerPort,
    csdllIni: ini.file,
  });

  const controlSoftware = currentControlSoftware(libraryPath, () => adapter ?? diagnostics.loadError!);
  const wake = options.pcscWake ? await openPcscWake(logger) : null;
  const lights = controlSoftwareLights(options.lightPollMs, wake?.changeSignal);

  return {
    name: 'cshis',
    description: options.description ?? `cshis (${libraryPath})`,
    controlSoftware,
    cards: null,
    lights,
    signer: options.signer ?? (() => new ComSignerLazy()),
    webApiServiceCode: '11',
    simulator: null,
    diagnostics,
    // From state the backend already has: no DLL call queued behind a PIN dialog or a stuck call.
    async readiness() {
      const reasons = controlSoftwareReadiness(diagnostics, strategy);
      // The control software reads its reader port and timeout from csdll.ini: without it the card calls fail too.
      if (ini.file && ini.file.last?.exists === false) {
        reasons.push(
          `csdll.ini not found at ${options.csdllIni}: NHI's control software reads its reader port (COM=) and timeout from it; ` +
            'reinstall the control software, or point --csdll-ini at the file',
        );
      }
      return reasons;
    },
    async [Symbol.asyncDispose]() {
      disposed = true;
      if (retry) clearTimeout(retry);
      await wake?.[Symbol.asyncDispose]();
      await adapter?.[Symbol.asyncDispose]();
      await diagnostics[Symbol.asyncDispose]();
    },
  };
}

/** The control software has no reader list: its two logical slots are what the console's lights show. */
function controlSoftwareLights(intervalMs = 500, changeSignal?: LightSource['changeSignal']): LightSource {
  return {
    readers: {
      HEALTH_CARD: { id: 'cshis:health-card', name: '健保卡 (control software)', slot: 'HEALTH_CARD' },
      PROFESSIONAL_CARD: { id: 'cshis:professional-card', name: '醫事人員卡 (control software)', slot: 'PROFESSIONAL_CARD' },
    },
    intervalMs,
    ...(changeSignal ? { changeSignal } : {}),
  };
}

/**
 * A backend over a control-software port that is already open (tests and benchmarks that load the native
 * fixture themselves): no csdll.ini, no reload, no diagnostics. Disposing it disposes the port.
 */
export function controlSoftwareBackend(
  cs: ControlSoftware,
  options: { readonly signer?: () => Signer; readonly lightPollMs?: number; readonly changeSignal?: LightSource['changeSignal'] } = {},
): Backend {
  return {
    name: 'cshis',
    description: `cshis (${cs.info.libraryPath})`,
    controlSoftware: cs,
    cards: null,
    lights: controlSoftwareLights(options.lightPollMs, options.changeSignal),
    signer: options.signer ?? (() => new ComSignerLazy()),
    webApiServiceCode: '11',
    simulator: null,
    diagnostics: null,
    async readiness() {
      try {
        const { version } = await cs.csGetVersionEx();
        return version ? [] : ['control software version unknown'];
      } catch (error) {
        return [error instanceof GatewayError ? `${error.code}: ${error.messageEn}` : 'control software unreachable'];
      }
    },
    async [Symbol.asyncDispose]() {
      await cs[Symbol.asyncDispose]();
    },
  };
}

/**
 * A ControlSoftware that always speaks for the library loaded now: before it loads, every call rejects with
 * the load error (typed, with its fix); once a retry loads it, the same object calls it. The card stack above
 * keeps one reference for the gateway's lifetime.
 */
export function currentControlSoftware(libraryPath: string, current: () => ControlSoftware | GatewayError): ControlSoftware {
  const info = { backend: 'cshis', libraryPath } as const;
  return new Proxy({} as ControlSoftware, {
    get(_target, property) {
      if (property === 'info') {
        const now = current();
        return now instanceof GatewayError ? info : now.info;
      }
      // The backend disposes the adapter it loaded; the card stack's dispose must not do it twice.
      if (property === Symbol.asyncDispose) return async () => {};
      if (property === 'then') return undefined;
      // Optional port methods (e.g. peekHealthCardNumber) are tested for presence: a loaded adapter without
      // one must show undefined, not a function that rejects.
      const loaded = current();
      if (!(loaded instanceof GatewayError) && typeof (loaded as unknown as Record<PropertyKey, unknown>)[property] !== 'function') return undefined;
      return (...args: unknown[]) => {
        const now = current();
        if (now instanceof GatewayError) return Promise.reject(now);
        const method = (now as unknown as Record<PropertyKey, unknown>)[property];
        if (typeof method !== 'function') return Promise.reject(new TypeError(`control software has no ${String(property)}`));
        return (method as (...a: unknown[]) => unknown).apply(now, args);
      };
    },
  });
}

async function loadAdapter(
  libraryPath: string,
  options: { callTimeoutMs: number; readerPort: number; openPolicy: OpenPolicy },
): Promise<{ adapter: CshisControlSoftware | null; error: GatewayError | null }> {
  let adapter: CshisControlSoftware;
  try {
    const { createCshisControlSoftware } = await import('../adapters/cshis/cshis-control-software.ts');
    adapter = await createCshisControlSoftware({ libraryPath, ...options });
  } catch (error) {
    if (error instanceof GatewayError) return { adapter: null, error };
    return {
      adapter: null,
      error: gatewayError('CONTROL_SOFTWARE_UNAVAILABLE', {
        text: {
          en: `The NHI control software (${libraryPath}) could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
          zh: `無法載入健保讀卡機控制軟體 (${libraryPath})`,
        },
      }),
    };
  }
  const total = Object.keys(CSHIS_EXPORTS).length;
  const core = CORE_EXPORTS.filter((name) => !adapter.missingExports.includes(name)).length;
  if (core < 2) {
    await adapter[Symbol.asyncDispose]();
    return { adapter: null, error: notControlSoftware(libraryPath, total - adapter.missingExports.length, total) };
  }
  return { adapter, error: null };
}

function notControlSoftware(libraryPath: string, found: number, total: number): GatewayError {
  return gatewayError('CONTROL_SOFTWARE_UNAVAILABLE', {
    text: {
      en: `${libraryPath} is not NHI's control software: it has ${found} of the ${total} CSHIS.dll functions`,
      zh: `${libraryPath} 不是健保讀卡機控制軟體（只有 ${total} 個 CSHIS.dll 函式中的 ${found} 個）`,
    },
    hint: {
      en: 'Point --cshis-path at CSHIS.dll from NHI’s control software (usually C:\\NHI\\LIB\\CSHIS.dll), or install the control software',
      zh: '請將 --cshis-path 指向健保署控制軟體的 CSHIS.dll（通常為 C:\\NHI\\LIB\\CSHIS.dll），或安裝控制軟體',
    },
  });
}

function logLoaded(
  adapter: CshisControlSoftware,
  logger: GatewayLogger,
  context: {
    readerPort: { index: number; source: ReaderPortSource };
    callTimeout: { ms: number; source: CallTimeoutSource };
    ini: CsdllIniSnapshot | null;
    openPolicy: OpenPolicy;
    strategy: VisitStrategy;
  },
): void {
  const { readerPort, callTimeout, ini } = context;
  logger.info('control software loaded', {
    libraryPath: adapter.info.libraryPath,
    versionCode: adapter.versionCode,
    missingExports: adapter.missingExports.length,
    readerPort: `${readerPort.index} (${readerPort.source === 'CSDLL_INI' ? `COM=${ini?.document?.settings.com?.value}` : 'default'})`,
    callTimeoutMs: `${callTimeout.ms} (${callTimeout.source})`,
    openPolicy: context.openPolicy,
  });
  for (const problem of strategyProblems(context.strategy, adapter.versionCode, adapter.missingExports)) logger.warn(problem);
}

/** A Windows path (C:\…) means nothing on another OS: there is no csdll.ini to read there. */
const foreignWindowsPath = (path: string): boolean => process.platform !== 'win32' && /^[A-Za-z]:\\/.test(path);

async function openCsdllIni(path: string, logger: GatewayLogger): Promise<{ file: CsdllIniFile | null; snapshot: CsdllIniSnapshot | null }> {
  if (foreignWindowsPath(path)) {
    logger.info('csdll.ini: not on Windows and no --csdll-ini given; using the default port and timeout', { path });
    return { file: null, snapshot: null };
  }
  const file = new CsdllIniFile(path, { logger });
  try {
    const snapshot = await file.start();
    if (!snapshot.exists) {
      logger.warn('csdll.ini not found; using the default port (COMX1) and timeout', { path });
    } else {
      for (const p of snapshot.document?.problems ?? []) logger.warn(`csdll.ini: ${p.key} ${p.rule}`, { path });
    }
    return { file, snapshot };
  } catch (error) {
    logger.warn('csdll.ini could not be read; using the default port (COMX1) and timeout', {
      path,
      error: error instanceof Error ? error.message : String(error),
    });
    return { file, snapshot: null };
  }
}

/** --pcsc-wake: loaded only when asked for, so the cshis backend otherwise never loads the PC/SC library. */
async function openPcscWake(logger: GatewayLogger) {
  const { createPcscWake } = await import('./pcsc.ts');
  return createPcscWake({ logger });
}

/**
 * The CsHisX COM signer, loaded on first use: composing the backend must not load the COM runtime (and off
 * Windows the signer reports itself unavailable with its fix, through the Web API's readiness).
 */
class ComSignerLazy implements Signer {
  readonly kind = 'cshisx-com';
  private inner: Promise<Signer> | null = null;
  constructor(private readonly loadRuntime?: () => Promise<OleRuntime>) {}
  private get signer(): Promise<Signer> {
    const loadRuntime = this.loadRuntime;
    this.inner ??= import('../adapters/signer/com-signer.ts').then(({ ComSigner }) => new ComSigner(loadRuntime ? { loadRuntime } : {}));
    return this.inner;
  }
  async sign(...args: Parameters<Signer['sign']>): ReturnType<Signer['sign']> {
    return (await this.signer).sign(...args);
  }
  async status(): ReturnType<Signer['status']> {
    return (await this.signer).status();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.inner) await (await this.inner)[Symbol.asyncDispose]();
  }
}
