/** The pcsc backend composed as src/main.ts composes it, with its reader watcher in reach for tests that wait on it. */
import { openPcsc, type PcscBackendOptions } from '../../src/backends/pcsc.ts';
import { createServices, type RunningServices } from '../../src/services.ts';
import type { ReaderWatcher } from '../../src/adapters/pcsc/reader-watcher.ts';

export interface PcscRunningServices extends RunningServices {
  readonly watcher: ReaderWatcher;
}

export function createPcscServices(options: PcscBackendOptions = {}): PcscRunningServices {
  const backend = openPcsc(options);
  return { ...createServices(backend, { strategy: 'N1' }), watcher: backend.watcher };
}
