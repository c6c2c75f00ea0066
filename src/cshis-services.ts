/**
 * Services over the real control software (CSHIS.dll through koffi). Imported only for `--backend cshis`,
 * so the simulator path never loads koffi.
 *
 * A DLL that is missing or of the wrong bitness does not stop the gateway: it keeps serving (GraphiQL,
 * /health, the schema) and every card call, and /ready, say why.
 */
import type { GatewayConfig } from './config.ts';
import type { ControlSoftware } from './ports/control-software.ts';
import type { VisitStrategy } from './ports/card-stack.ts';
import { createServices, type RunningServices, type ServicesOptions } from './services.ts';
import { GatewayError } from './errors/gateway-errors.ts';
import { gatewayError } from './errors/gateway-codes.ts';

/** Used until csdll.ini's CSTIMEOUT is read: the console's own default is 120 s for network calls. */
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export async function createCshisServices(
  config: GatewayConfig,
  strategy: VisitStrategy,
  extra: Omit<ServicesOptions, 'strategy'> = {},
): Promise<RunningServices> {
  const cs = await loadControlSoftware(config);
  return createServices(cs, { ...extra, strategy });
}

async function loadControlSoftware(config: GatewayConfig): Promise<ControlSoftware> {
  const libraryPath = config.cshisPath ?? 'C:\\NHI\\LIB\\CSHIS.dll';
  try {
    const { createCshisControlSoftware } = await import('./adapters/cshis/cshis-control-software.ts');
    return await createCshisControlSoftware({
      libraryPath,
      callTimeoutMs: config.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      readerPort: 0,
      openPolicy: 'keep-open',
    });
  } catch (error) {
    const reason = error instanceof GatewayError ? error : gatewayError('CONTROL_SOFTWARE_UNAVAILABLE');
    return unavailableControlSoftware(libraryPath, reason);
  }
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
