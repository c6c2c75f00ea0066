/**
 * A small typed client for the NHI Card Gateway, for HIS front ends (browser) and Node tools.
 *
 * - `request(doc, vars)` runs a query or mutation over HTTP POST and resolves with its typed `data`.
 * - `subscribe(doc, vars)` is an async iterable of typed results over graphql-ws (default) or SSE.
 * - Card operations never throw for expected failures: those are typed `Error` members of each field's union
 *   (see `isGatewayError`). `request` rejects only when the gateway answers GraphQL errors (bad input,
 *   validation, a bug) or the network fails: `GatewayRequestError` carries them.
 *
 * Documents are the typed ones generated into client/generated/graphql.ts, or any `TypedDocumentNode`.
 */
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { WsConnection } from './transports/ws.ts';
import { subscribeSse } from './transports/sse.ts';

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
}

export interface GraphQLErrorLike {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export interface ExecutionResultOf<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphQLErrorLike[];
}

/** The gateway answered with GraphQL errors (e.g. `BAD_USER_INPUT` with `field` and `rule`), or HTTP failed. */
export class GatewayRequestError extends Error {
  override readonly name = 'GatewayRequestError';
  constructor(
    message: string,
    readonly errors: readonly GraphQLErrorLike[] = [],
    readonly status?: number,
  ) {
    super(message);
  }
  /** `extensions.code` of the first error, e.g. `BAD_USER_INPUT`. */
  get code(): string | undefined {
    const code = this.errors[0]?.extensions?.['code'];
    return typeof code === 'string' ? code : undefined;
  }
}

export interface GatewayClient {
  request<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    ...variables: VariablesArg<TVariables>
  ): Promise<TData>;
  subscribe<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    ...variables: VariablesArg<TVariables>
  ): AsyncIterableIterator<ExecutionResultOf<TData>>;
  /** Closes the WebSocket (if any) and ends every subscription. */
  dispose(): Promise<void>;
}

/** Variables are optional only when the operation has no required ones. */
type VariablesArg<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];

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
        throw new GatewayRequestError(`the gateway at ${options.url} cannot be reached (${String(error)})`);
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

    subscribe(document, ...[variables]) {
      const query = queryText(document);
      const vars = (variables ?? {}) as Record<string, unknown>;
      let stream: AsyncIterableIterator<ExecutionResultOf<never>>;
      if (transport === 'sse') {
        stream = subscribeSse(doFetch, options.url, query, vars, extra);
      } else {
        ws ??= new WsConnection(options.url, options.webSocketImpl, extra);
        stream = ws.subscribe(query, vars);
      }
      live.add(stream);
      const inner = stream;
      const wrapped: AsyncIterableIterator<ExecutionResultOf<never>> = {
        next: () => inner.next(),
        return: (value?: unknown) => {
          live.delete(inner);
          return inner.return ? inner.return(value) : Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]() {
          return wrapped;
        },
      };
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
