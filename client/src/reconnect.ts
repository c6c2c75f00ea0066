/**
 * How the kit waits between reconnect attempts, and how it reports its connection state.
 */

/** What a subscription's connection is doing (docs/protocol.md). */
export type ConnectionState =
  /** Connected for the first time. */
  | 'connected'
  /** The connection was lost or the gateway ended the stream (e.g. a restart); trying again. */
  | 'reconnecting'
  /** Connected again after `reconnecting`; over SSE the gateway replays what was missed. */
  | 'resumed';

export interface ConnectionStateChange {
  readonly state: ConnectionState;
  readonly transport: 'ws' | 'sse';
  /** Reconnect attempts since the last good connection (0 when connected). */
  readonly attempt: number;
  /** Why the connection was lost, when there was an error. */
  readonly error?: Error;
  /** SSE: the id sent as `Last-Event-ID` when resuming. */
  readonly lastEventId?: string;
}

export interface BackoffOptions {
  /** First wait, in ms. @default 500 */
  readonly initialMs?: number;
  /** Longest wait, in ms. @default 15000 */
  readonly maxMs?: number;
}

/**
 * Exponential wait for attempt `n` (0-based), capped, with jitter so that desks that lost the gateway together do
 * not all come back in the same millisecond: a random point between half and all of the capped value.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 15_000;
  const capped = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Anything thrown, as an `Error` with a readable message (never `[object Object]`). */
export function toError(value: unknown, fallback = 'connection failed'): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  if (value && typeof value === 'object') {
    const record = value as { message?: unknown; reason?: unknown; code?: unknown; type?: unknown };
    // A WebSocket CloseEvent or error event.
    if (typeof record.code === 'number') {
      const reason = typeof record.reason === 'string' && record.reason ? `: ${record.reason}` : '';
      return Object.assign(new Error(`the connection closed with code ${record.code}${reason}`), { code: `WS_CLOSE_${record.code}` });
    }
    if (typeof record.message === 'string' && record.message) return new Error(record.message, { cause: value });
    if (typeof record.type === 'string') return new Error(`${fallback} (${record.type})`, { cause: value });
  }
  return new Error(fallback, { cause: value });
}
