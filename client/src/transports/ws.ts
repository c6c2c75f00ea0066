/**
 * Subscriptions over graphql-ws (`graphql-transport-ws`), one socket per client, opened on first use.
 */
import { createClient, type Client } from 'graphql-ws';
import type { ExecutionResultOf } from '../client.ts';

export class WsConnection {
  private readonly client: Client;

  constructor(httpUrl: string, webSocketImpl?: unknown, headers?: Readonly<Record<string, string>>) {
    this.client = createClient({
      url: httpUrl.replace(/^http(s?):/, 'ws$1:'),
      lazy: true,
      // A front desk keeps the page open all day: ride out a gateway restart.
      retryAttempts: 10,
      ...(webSocketImpl ? { webSocketImpl } : {}),
      // Browsers cannot set headers on a WebSocket: what would be headers goes in connection_init.
      ...(headers && Object.keys(headers).length > 0 ? { connectionParams: { ...headers } } : {}),
    });
  }

  subscribe<T>(query: string, variables: Record<string, unknown>): AsyncIterableIterator<ExecutionResultOf<T>> {
    return this.client.iterate({ query, variables }) as AsyncIterableIterator<ExecutionResultOf<T>>;
  }

  dispose(): Promise<void> {
    return Promise.resolve(this.client.dispose());
  }
}
