/**
 * Services over the real control software (CSHIS.dll through koffi). Imported only for `--backend cshis`,
 * so the simulator path never loads koffi.
 *
 * Start-up, in order:
 * 1. csdll.ini (--csdll-ini, default C:\NHI\INI\csdll.ini) is read and watched (src/adapters/cshis/csdll-ini.ts).
 *    Its COM= picks the csOpenCom port (COMX1 → 0, docs/reference/abi.md (csdll.ini) inferred); its CSTIMEOUT (seconds) sets
 *    the call timeout when --call-timeout-ms is not given.
 * 2. The DLL is loaded. A DLL that is missing or of the wrong bitness does not stop the gateway: a warning
 *    with the fix is logged, the gateway keeps serving (GraphiQL, /health, the schema, csdll.ini), every card
 *    call answers CONTROL_SOFTWARE_UNAVAILABLE, and /ready and `gateway { readinessReasons }` say why.
 * 3. The version is checked against the visit strategy (features.ts) and logged.
 *
 * csdll.ini is read once for the gateway's own settings: changes (the gateway's or another program's) apply
 * at the next start, as they do for the control software's console (csfsim.exe reads the file at start).
 */
import type { GatewayConfig } from './config.ts';
import type { ControlSoftware } from './ports/control-software.ts';
import type { VisitStrategy } from './ports/card-stack.ts';
import { createServices, type RunningServices, type ServicesOptions } from './services.ts';
import { GatewayError } from './errors/gateway-errors.ts';
import { gatewayError } from './errors/gateway-codes.ts';
import { createConsoleLogger } from './logger.ts';
import type { GatewayLogger } from './yoga.ts';
import { CsdllIniFile, type CsdllIniSnapshot } from './adapters/cshis/csdll-ini.ts';
import {
  createControlSoftwareService,
  type CallTimeoutSource,
  type ControlSoftwareService,
  type ReaderPortSource,
} from './adapters/cshis/control-software-service.ts';
import { strategyProblems } from './adapters/cshis/features.ts';
import type { CshisControlSoftware, OpenPolicy } from './adapters/cshis/cshis-control-software.ts';

/** Without --call-timeout-ms and without a readable CSTIMEOUT. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/**
 * Added to CSTIMEOUT: the control software's own wait should end first, so the caller gets its vendor code
 * (e.g. 4061 network) instead of CALL_TIMEOUT, and the queue is not marked stuck for a call about to return.
 */
export const CSTIMEOUT_GRACE_MS = 5_000;

export interface CshisServicesOptions extends Omit<ServicesOptions, 'strategy' | 'controlSoftware'> {
  /** Reader open/close policy (docs/reference/functions.md (1.31/1.32)). @default 'keep-open' */
  readonly openPolicy?: OpenPolicy;
}

export async function createCshisServices(
  config: GatewayConfig,
  strategy: VisitStrategy,
  extra: CshisServicesOptions = {},
): Promise<RunningServices> {
  // main.ts does not hand its logger down yet: the console logger (masking, stderr) makes sure start-up
  // problems are printed all the same.
  const { openPolicy = 'keep-open', ...rest } = extra;
  const logger = rest.logger ?? createConsoleLogger();
  const { cs, service } = await loadControlSoftware(config, strategy, logger, openPolicy);
  if (!config.pcscWake) return createServices(cs, { ...rest, strategy, logger, controlSoftware: service });
  // Loaded only when asked for: without --pcsc-wake the cshis backend never loads the PC/SC library.
  const { createPcscWake } = await import('./pcsc-services.ts');
  const wake = createPcscWake({ logger });
  const services = createServices(cs, { ...rest, strategy, logger, controlSoftware: service, changeSignal: wake.changeSignal });
  return {
    ...services,
    async [Symbol.asyncDispose]() {
      await services[Symbol.asyncDispose]();
      await wake[Symbol.asyncDispose]();
    },
  };
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

async function loadControlSoftware(
  config: GatewayConfig,
  strategy: VisitStrategy,
  logger: GatewayLogger,
  openPolicy: OpenPolicy,
): Promise<{ cs: ControlSoftware; service: ControlSoftwareService }> {
  const libraryPath = config.cshisPath ?? 'C:\\NHI\\LIB\\CSHIS.dll';
  const ini = await openCsdllIni(config.csdllIni, logger);
  const callTimeout = resolveCallTimeout(config.callTimeoutMs, ini.snapshot?.document?.settings.csTimeoutSeconds);
  const readerPort = resolveReaderPort(ini.snapshot);

  let adapter: CshisControlSoftware | null = null;
  let loadError: GatewayError | null = null;
  try {
    const { createCshisControlSoftware } = await import('./adapters/cshis/cshis-control-software.ts');
    adapter = await createCshisControlSoftware({
      libraryPath,
      callTimeoutMs: callTimeout.ms,
      readerPort: readerPort.index,
      openPolicy,
    });
  } catch (error) {
    loadError =
      error instanceof GatewayError
        ? error
        : gatewayError('CONTROL_SOFTWARE_UNAVAILABLE', {
            text: {
              en: `The NHI control software (${libraryPath}) could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
              zh: `無法載入健保讀卡機控制軟體 (${libraryPath})`,
            },
          });
  }

  const service = createControlSoftwareService({ libraryPath, adapter, loadError, callTimeout, readerPort, csdllIni: ini.file });
  if (!adapter || loadError) {
    const reason = loadError ?? gatewayError('CONTROL_SOFTWARE_UNAVAILABLE');
    logger.warn(
      `control software not loaded: ${reason.messageEn}` +
        `${reason.hintEn ? `. Fix: ${reason.hintEn}` : ''}. The gateway keeps serving; card calls answer ${reason.code} and /ready says why`,
      { libraryPath },
    );
    return { cs: unavailableControlSoftware(libraryPath, reason), service };
  }

  logger.info('control software loaded', {
    libraryPath: adapter.info.libraryPath,
    versionCode: adapter.versionCode,
    missingExports: adapter.missingExports.length,
    readerPort: `${readerPort.index} (${readerPort.source === 'CSDLL_INI' ? `COM=${ini.snapshot?.document?.settings.com?.value}` : 'default'})`,
    callTimeoutMs: `${callTimeout.ms} (${callTimeout.source})`,
    openPolicy,
  });
  for (const problem of strategyProblems(strategy, adapter.versionCode, adapter.missingExports)) logger.warn(problem);
  return { cs: adapter, service };
}

/** A ControlSoftware whose every call fails with the load error, so the API answers typed errors. */
export function unavailableControlSoftware(libraryPath: string, reason: GatewayError): ControlSoftware {
  const info = { backend: 'cshis', libraryPath } as const;
  return new Proxy({} as ControlSoftware, {
    get(_target, property) {
      if (property === 'info') return info;
      if (property === Symbol.asyncDispose) return async () => {};
      if (property === 'then') return undefined;
      return () => Promise.reject(reason);
    },
  });
}
