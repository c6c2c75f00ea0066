/**
 * A small typed client for the NHI Card Gateway, for HIS front ends (browser) and Node tools.
 *
 * - `request(doc, vars)` runs a query or mutation over HTTP POST and resolves with its typed `data`.
 * - `subscribe(doc, vars)` is an async iterable of typed results over graphql-ws (default) or SSE. It lasts until
 *   you end it (`return()` or `dispose()`): it reconnects forever with capped, jittered backoff, starts again
 *   after a gateway restart, resumes SSE from `Last-Event-ID`, and reports connected / reconnecting / resumed
 *   through `onStateChange` (docs/protocol.md). It throws only when the gateway refuses the operation
 *   (`GatewayRequestError`), never a bare object.
 * - Card operations never throw for expected failures: those are typed `Error` members of each field's union
 *   (see `isGatewayError`). `request` rejects only when the gateway answers GraphQL errors (bad input,
 *   validation, a bug) or the network fails: `GatewayRequestError` carries them.
 *
 * Documents are the typed ones generated into client/generated/graphql.ts, or any `TypedDocumentNode`.
 */
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from './typed-document.ts';
import type { BackoffOptions, ConnectionStateChange } from './reconnect.ts';
import { WsConnection } from './transports/ws.ts';
import { subscribeSse } from './transports/sse.ts';

export type { TypedDocumentNode } from './typed-document.ts';

export type Transport = 'ws' | 'sse';

export interface GatewayClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://127.0.0.1:8737/graphql`. */
  readonly url: string;
  /** How subscriptions travel. @default 'ws' */
  readonly transport?: Transport;
  /**
   * The gateway's access token (docs/security.md): card writes and visits need it, identity reads need it or an
   * allowed Origin. Sent as `Authorization: Bearer …` over HTTP and in `connection_init` over graphql-ws.
   */
  readonly token?: string;
  /** Extra HTTP headers; sent on every HTTP request and as `connectionParams` over ws. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `fetch` to use. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** WebSocket constructor (Node 20 has none: pass the `ws` package's). @default globalThis.WebSocket */
  readonly webSocketImpl?: unknown;
  /** Called when a subscription's connection is made, lost, or made again. */
  readonly onStateChange?: (change: ConnectionStateChange) => void;
  /** Waits between reconnect attempts. @default { initialMs: 500, maxMs: 15000 } */
  readonly backoff?: BackoffOptions;
}

export interface SubscribeOptions {
  /**
   * End when the gateway completes the subscription (e.g. `operationProgress` when the operation is done).
   * Otherwise a `complete` is taken for a gateway shutting down and the subscription starts again. @default false
   */
  readonly endOnComplete?: boolean;
}

export interface GraphQLErrorLike {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export interface ExecutionResultOf<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphQLErrorLike[];
  /** On resumable streams: `eventId`, `replayed`, `resume` ('REPLAYED' | 'GAP'); see docs/protocol.md. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** The gateway answered with GraphQL errors (e.g. `BAD_USER_INPUT` with `field` and `rule`), or HTTP failed. */
export class GatewayRequestError extends Error {
  override readonly name = 'GatewayRequestError';
  /** Transport-level code when there are no GraphQL errors (e.g. `NETWORK_ERROR`, `HTTP_503`). */
  private readonly transportCode: string | undefined;
  constructor(
    message: string,
    readonly errors: readonly GraphQLErrorLike[] = [],
    readonly status?: number,
    options?: { cause?: unknown; code?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.transportCode = options?.code ?? (status !== undefined && status >= 400 ? `HTTP_${status}` : undefined);
  }
  /** `extensions.code` of the first error, e.g. `BAD_USER_INPUT`; else the transport's code. */
  get code(): string | undefined {
    const code = this.errors[0]?.extensions?.['code'];
    return typeof code === 'string' ? code : this.transportCode;
  }
}

export interface GatewayClient {
  request<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    ...variables: VariablesArg<TVariables>
  ): Promise<TData>;
  subscribe<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: SubscribeArgs<TVariables>
  ): AsyncIterableIterator<ExecutionResultOf<TData>>;
  /** Closes the WebSocket (if any) and ends every subscription. */
  dispose(): Promise<void>;
}

/** Variables are optional only when the operation has no required ones. */
type VariablesArg<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];
type SubscribeArgs<V> = Record<string, never> extends V
  ? [variables?: V, options?: SubscribeOptions]
  : [variables: V, options?: SubscribeOptions];

const printed = new WeakMap<DocumentNode, string>();
export function queryText(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const transport = options.transport ?? 'ws';
  // x-nhi-gateway: the gateway's CSRF header (any value); a page cannot send it cross-site without a preflight.
  const extra: Record<string, string> = {
    'x-nhi-gateway': 'client-kit',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  const headers = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    ...extra,
  };
  let ws: WsConnection | null = null;
  const live = new Set<AsyncIterableIterator<unknown>>();

  return {
    async request(document, ...[variables]) {
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: queryText(document), variables: variables ?? {} }),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new GatewayRequestError(`the gateway at ${options.url} cannot be reached (${reason})`, [], undefined, {
          cause: error,
          code: 'NETWORK_ERROR',
        });
      }
      let body: ExecutionResultOf<never>;
      try {
        body = (await response.json()) as ExecutionResultOf<never>;
      } catch {
        throw new GatewayRequestError(`the gateway answered HTTP ${response.status} without a GraphQL result`, [], response.status);
      }
      if (body.errors && body.errors.length > 0) {
        throw new GatewayRequestError(body.errors.map((e) => e.message).join('; '), body.errors, response.status);
      }
      if (body.data == null) throw new GatewayRequestError(`HTTP ${response.status}: no data`, [], response.status);
      return body.data;
    },

    subscribe(document, ...[variables, subscribeOptions]) {
      const query = queryText(document);
      const vars = (variables ?? {}) as Record<string, unknown>;
      const endOnComplete = subscribeOptions?.endOnComplete ?? false;
      const controller = new AbortController();
      let stream: AsyncGenerator<ExecutionResultOf<never>>;
      if (transport === 'sse') {
        stream = subscribeSse(query, vars, {
          fetch: doFetch,
          url: options.url,
          headers: extra,
          signal: controller.signal,
          endOnComplete,
          ...(options.backoff ? { backoff: options.backoff } : {}),
          ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
        });
      } else {
        ws ??= new WsConnection(options.url, {
          webSocketImpl: options.webSocketImpl,
          headers: extra,
          ...(options.backoff ? { backoff: options.backoff } : {}),
          ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
        });
        stream = ws.subscribe(query, vars, controller.signal, endOnComplete);
      }
      // Ending is abort first: a generator waiting on the network would otherwise hold `return()` until data came.
      const end = async (): Promise<IteratorResult<ExecutionResultOf<never>>> => {
        live.delete(wrapped);
        controller.abort();
        await stream.return(undefined).catch(() => undefined);
        return { value: undefined, done: true };
      };
      const wrapped: AsyncIterableIterator<ExecutionResultOf<never>> = {
        next: () => stream.next(),
        return: end,
        [Symbol.asyncIterator]() {
          return wrapped;
        },
      };
      live.add(wrapped);
      return wrapped;
    },

    async dispose() {
      await Promise.all([...live].map((s) => s.return?.()));
      live.clear();
      await ws?.dispose();
      ws = null;
    },
  };
}

// ---- typed errors --------------------------------------------------------------------------------------

/** What every typed error in the schema's unions has (select `...GatewayErrorFields`). */
export interface GatewayErrorFields {
  readonly __typename?: string;
  readonly code: string;
  /** Only on `VendorError` (the control software's or the Web API's return code). */
  readonly vendorCode?: number;
  readonly message: string;
  readonly messageZh: string;
  readonly retryable: boolean;
  readonly hint: string | null;
  readonly hintZh: string | null;
}

/** Narrows a union member to its typed error (anything with `code` and both messages). */
export function isGatewayError<T extends object>(value: T | null | undefined): value is Extract<T, GatewayErrorFields> {
  return value != null && typeof value === 'object' && 'code' in value && 'messageZh' in value;
}
