/**
 * What the metrics read at scrape time, from the running services' ports and domain objects. A scrape never
 * queues a card call behind a busy control software (a PIN dialog can hold it for minutes): the lights come
 * from the monitor when somebody watches them, else from one read only when the call queue is idle.
 */
import type { RunningServices } from '../services.ts';
import type { LightState } from '../ports/card-stack.ts';
import type { MetricsSources } from './gateway-metrics.ts';

/** How long a scrape waits for a fresh light read. */
const LIGHT_READ_WAIT_MS = 1000;

export function metricsSourcesOf(services: RunningServices): MetricsSources {
  const queueStats = () => services.controlSoftware?.queueStats() ?? null;
  return {
    version: services.status.version,
    backend: services.status.backend,
    readiness: () => services.status.readiness(),
    async lights(): Promise<LightState | null> {
      const watched = services.monitor.watchedState;
      if (watched) return watched;
      const queue = queueStats();
      if (queue && (queue.depth > 0 || queue.inFlight !== null || queue.isStuck)) return null;
      return within(services.monitor.current(), LIGHT_READ_WAIT_MS);
    },
    readers: () => services.monitor.readers,
    queue() {
      const queue = queueStats();
      return queue ? { depth: queue.depth, stuck: queue.isStuck, readerOpen: queue.readerOpen } : null;
    },
    unresolvedWrites: () => services.writes.unresolved().length,
  };
}

/** The value, or null when it takes longer than `ms` (the read itself goes on). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([promise.catch(() => null), late]).finally(() => clearTimeout(timer));
}
