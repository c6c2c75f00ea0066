/**
 * Subscriptions over graphql-ws (`graphql-transport-ws`), one socket per client, opened on first use.
 *
 * A front desk keeps the page open all day, so the socket reconnects forever (capped, jittered backoff), and a
 * subscription the gateway completes on shutdown is started again once it is back, asking to resume after the
 * last event id it saw (`extensions.lastEventId`; docs/protocol.md).
 */
import { createClient, type Client } from 'graphql-ws';
import type { ExecutionResultOf, GraphQLErrorLike } from '../client.ts';
import { GatewayRequestError } from '../client.ts';
import { backoffDelay, sleep, toError, type BackoffOptions, type ConnectionStateChange } from '../reconnect.ts';

export interface WsConnectionOptions {
  readonly webSocketImpl?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly backoff?: BackoffOptions;
  readonly onStateChange?: (change: ConnectionStateChange) => void;
}

/** Close codes after which trying again cannot help: the gateway refused us. */
const REFUSED_CLOSE_CODES = new Set([4400, 4401, 4403]);

export class WsConnection {
  private readonly client: Client;
  private everConnected = false;
  private lost = false;
  private attempt = 0;
  private disposed = false;

  constructor(
    httpUrl: string,
    private readonly options: WsConnectionOptions = {},
  ) {
    const headers = options.headers;
    this.client = createClient({
      url: httpUrl.replace(/^http(s?):/, 'ws$1:'),
      lazy: true,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (event) => !REFUSED_CLOSE_CODES.has((event as { code?: number } | null)?.code ?? 0),
      retryWait: async (retries) => {
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(retries, options.backoff)));
      },
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
      // Browsers cannot set headers on a WebSocket: what would be headers goes in connection_init.
      ...(headers && Object.keys(headers).length > 0 ? { connectionParams: { ...headers } } : {}),
      on: {
        connected: () => {
          const state = !this.everConnected ? 'connected' : this.lost ? 'resumed' : null;
          this.everConnected = true;
          this.lost = false;
          this.attempt = 0;
          if (state) this.emit({ state, transport: 'ws', attempt: 0 });
        },
        closed: (event) => {
          // 1000: the client closed an idle socket itself (lazy mode, no subscription left): nothing is lost.
          if (this.disposed || !this.everConnected || (event as { code?: number } | null)?.code === 1000) return;
          this.markLost(toError(event));
        },
      },
    });
  }

  /** Results until `signal` aborts; restarted after a shutdown's `complete` unless `endOnComplete`. */
  async *subscribe<T>(
    query: string,
    variables: Record<string, unknown>,
    signal: AbortSignal,
    endOnComplete: boolean,
  ): AsyncGenerator<ExecutionResultOf<T>> {
    let lastEventId: string | undefined;
    let idle = 0;
    while (!signal.aborted) {
      const iterator = this.client.iterate<T>({
        query,
        variables,
        ...(lastEventId ? { extensions: { lastEventId } } : {}),
      });
      const stop = () => void iterator.return?.();
      signal.addEventListener('abort', stop, { once: true });
      let delivered = false;
      try {
        for await (const result of iterator) {
          delivered = true;
          if (this.lost) {
            // Subscribed again on a socket that stayed open.
            this.lost = false;
            this.attempt = 0;
            this.emit({ state: 'resumed', transport: 'ws', attempt: 0 });
          }
          const id = (result.extensions as Record<string, unknown> | undefined)?.['eventId'];
          if (typeof id === 'string') lastEventId = id;
          yield result as ExecutionResultOf<T>;
        }
        if (endOnComplete || signal.aborted) return;
        // The gateway completed a stream that has no end of its own: it is shutting down. Start again.
        this.markLost(new Error('the gateway ended the subscription (shutting down)'));
      } catch (error) {
        if (signal.aborted) return;
        if (Array.isArray(error)) {
          const errors = error as GraphQLErrorLike[];
          throw new GatewayRequestError(errors.map((e) => e.message).join('; ') || 'subscription refused', errors);
        }
        const reason = toError(error);
        if (REFUSED_CLOSE_CODES.has((error as { code?: number } | null)?.code ?? 0)) throw reason;
        this.markLost(reason);
      } finally {
        signal.removeEventListener('abort', stop);
      }
      // Never spin: a stream that ended without delivering anything waits before the next try.
      idle = delivered ? 0 : idle + 1;
      if (idle > 0) await sleep(backoffDelay(idle - 1, this.options.backoff), signal);
    }
  }

  dispose(): Promise<void> {
    this.disposed = true;
    return Promise.resolve(this.client.dispose());
  }

  private markLost(error: Error): void {
    if (this.lost) return;
    this.lost = true;
    this.attempt += 1;
    this.emit({ state: 'reconnecting', transport: 'ws', attempt: this.attempt, error });
  }

  private emit(change: ConnectionStateChange): void {
    try {
      this.options.onStateChange?.(change);
    } catch {
      // A listener's bug must not stop the reconnecting.
    }
  }
}
