/** graphql-ws client helpers over the `ws` package (Node 20 has no global WebSocket). */
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsClientOptions {
  /** Extra headers on the upgrade request (e.g. `origin`). */
  headers?: Record<string, string>;
  /** The `connection_init` payload. */
  connectionParams?: Record<string, unknown>;
}

/** `http://…/graphql` or `ws://…/graphql` → `ws://…/graphql`. */
export function toWsUrl(url: string): string {
  return url.replace(/^http(s?):/, 'ws$1:');
}

/** A lazy, non-retrying graphql-ws client; dispose it when done. */
export function createWsClient(url: string, options: WsClientOptions = {}): Client {
  const { headers } = options;
  const webSocketImpl = headers
    ? class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers });
        }
      }
    : WebSocket;
  return createClient({
    url: toWsUrl(url),
    webSocketImpl,
    lazy: true,
    retryAttempts: 0,
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
  });
}

/** The error a subscription fails with: GraphQL errors, or the socket's close code and reason. */
export class WsSubscriptionError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    readonly graphqlErrors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>,
  ) {
    super(message);
    this.name = 'WsSubscriptionError';
  }
}

export interface SubscribeWsOptions extends WsClientOptions {
  /** Stop (and complete the subscription) after this many payloads. */
  take?: number;
  /** Reject if the subscription has not finished by then. @default 10000 */
  timeoutMs?: number;
}

/**
 * Runs one operation over graphql-ws and returns every payload in order (until `complete` or `take`).
 * Rejects with {@link WsSubscriptionError} on GraphQL errors sent as `error`, an abnormal close, or timeout.
 */
export async function subscribeWs<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  options: SubscribeWsOptions = {},
): Promise<Array<FormattedExecutionResult<T, unknown>>> {
  const client = createWsClient(url, options);
  const payloads: Array<FormattedExecutionResult<T, unknown>> = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Array<FormattedExecutionResult<T, unknown>>>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new WsSubscriptionError(`no complete within ${options.timeoutMs ?? 10_000} ms (${payloads.length} payload(s))`)),
        options.timeoutMs ?? 10_000,
      );
      const unsubscribe = client.subscribe<T>(
        { query, ...(variables ? { variables } : {}) },
        {
          next: (value) => {
            payloads.push(value);
            if (options.take !== undefined && payloads.length >= options.take) {
              unsubscribe();
              resolve(payloads);
            }
          },
          error: (error) => reject(toWsError(error)),
          complete: () => resolve(payloads),
        },
      );
    });
  } finally {
    clearTimeout(timer);
    await client.dispose();
  }
}

function toWsError(error: unknown): WsSubscriptionError {
  if (Array.isArray(error)) {
    return new WsSubscriptionError(error.map((e: { message: string }) => e.message).join('; '), undefined, error);
  }
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'number') {
    const reason = 'reason' in error ? String(error.reason) : '';
    return new WsSubscriptionError(`socket closed with ${error.code}${reason ? ` ${reason}` : ''}`, error.code);
  }
  return new WsSubscriptionError(error instanceof Error ? error.message : String(error));
}
