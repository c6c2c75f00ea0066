/**
 * Opens the configured backend. Each backend module is imported only when chosen, so the simulator never
 * loads koffi and only the pcsc backend (or --pcsc-wake) loads the PC/SC library.
 */
import type { GatewayConfig } from '../config.ts';
import type { Backend, BackendDeps, BackendName, OpenBackend } from './backend.ts';

const BACKENDS: Record<BackendName, () => Promise<{ open: OpenBackend }>> = {
  simulator: () => import('./simulator.ts'),
  cshis: () => import('./cshis.ts'),
  pcsc: () => import('./pcsc.ts'),
};

export async function openBackend(config: GatewayConfig, deps: BackendDeps): Promise<Backend> {
  const { open } = await BACKENDS[config.backend]();
  return open(config, deps);
}
