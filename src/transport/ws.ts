/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the gateway's HTTP server, following yoga's
 * `examples/graphql-ws`: every operation goes through `yoga.getEnveloped`, so the schema, context
 * factory, limits and error masking are the same as over HTTP.
 *
 * Yoga's HTTP plugins (CORS, health, GraphiQL, body limits) never see WebSocket traffic, and browsers
 * do not apply CORS to WebSockets: use `onConnect` for origin checks.
 */
import type { IncomingMessage, Server } from 'node:http';
import { getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { MessageType, type Context } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { UPGRADE_REQUEST_KEY, type Gateway } from '../yoga.ts';
import { withClientExtensions } from '../errors/client-errors.ts';

export interface AttachGraphqlWsOptions {
  server: Server;
  yoga: Gateway;
  /** URL path to accept upgrades on; use `yoga.graphqlEndpoint`. */
  path: string;
  /**
   * Called on the client's `connection_init` with the HTTP upgrade request. Returning `false` closes the
   * socket with 4403 Forbidden.
   */
  onConnect?: (request: IncomingMessage) => boolean | Promise<boolean>;
  /** Told about operations refused before they run (parse/validate errors, e.g. the document limits), for the audit log. */
  onRefused?: (request: IncomingMessage, errors: readonly GraphQLError[]) => void;
  /**
   * How long `dispose()` waits for clients to answer the close handshake before cutting them off.
   * @default 1000
   */
  closeTimeoutMs?: number;
  /**
   * Put internal error messages in close reasons (graphql-ws's `isProd: false`).
   * @default false
   */
  exposeInternalErrors?: boolean;
}

export interface GraphqlWsHandle {
  /**
   * Sends `complete` for every running subscription, then closes every socket with 1001 Going Away
   * (terminating those that do not answer within `closeTimeoutMs`) and stops the server (docs/protocol.md).
   */
  dispose(): Promise<void>;
}

type Enveloped = ReturnType<Gateway['getEnveloped']>;

export function attachGraphqlWs(opts: AttachGraphqlWsOptions): GraphqlWsHandle {
  const { yoga, onConnect, closeTimeoutMs = 1000 } = opts;
  const wss = new WebSocketServer({ server: opts.server, path: opts.path });
  // One Fetch Request per connection, aborted when the socket closes (context code may watch `signal`).
  const requests = new WeakMap<IncomingMessage, Request>();
  // execute/subscribe of the envelop each operation was prepared with, keyed by its context value.
  const envelopedByContext = new WeakMap<object, Enveloped>();
  // Connections with subscriptions, so a shutdown can complete each one before closing the socket.
  const connections = new Set<Context<Record<string, unknown> | undefined, Extra>>();

  const requestFor = (extra: Extra): Request => {
    let request = requests.get(extra.request);
    if (!request) {
      const controller = new AbortController();
      extra.socket.once('close', () => controller.abort());
      request = toFetchRequest(extra.request, yoga.fetchAPI.Request, controller.signal);
      requests.set(extra.request, request);
    }
    return request;
  };

  const graphqlWs = useServer<Record<string, unknown> | undefined, Record<PropertyKey, never>>(
    {
      isProd: !opts.exposeInternalErrors,
      onConnect: onConnect ? async (ctx) => (await onConnect(ctx.extra.request)) !== false : undefined,
      // Yoga strips its internal extensions (`http`, `unexpected`) when writing HTTP responses; do the same.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors?.length ? { ...result, errors: result.errors.map(formatError) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map(formatError),
      // One channel per kind (docs/api-conventions.md): an operation refused or failed as a whole (variables,
      // access, rate, unknown operation id, a root field's input check, a bug) produced no data, so it is the
      // protocol's `error` message, as a validation error already is, not `next` with errors then `complete`.
      onOperation: (ctx, id, _payload, _args, operationResult) => {
        // Typed as possibly a promise; graphql-ws has awaited it by now.
        const result = operationResult as ExecutionResult | AsyncIterable<unknown>;
        if (isAsyncIterable(result) || !failedAsAWhole(result)) return undefined;
        // Removed first: graphql-ws then sends neither `next` nor `complete` for it (an `error` ends the id).
        delete ctx.subscriptions[id];
        const socket = ctx.extra.socket;
        if (socket.readyState === socket.OPEN) {
          socket.send(JSON.stringify({ id, type: MessageType.Error, payload: result.errors!.map(formatError) }));
        }
        return undefined;
      },
      execute: (args: ExecutionArgs) => enveloped(args).execute(args),
      subscribe: (args: ExecutionArgs) => enveloped(args).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        if (!connections.has(ctx)) {
          connections.add(ctx);
          ctx.extra.socket.once('close', () => connections.delete(ctx));
        }
        const params = {
          query: payload.query,
          variables: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          extensions: payload.extensions ?? undefined,
        };
        // No `request` here on purpose: yoga's envelop plugins treat a context `request` as an HTTP
        // request (a GET one would refuse mutations). createGateway hands `upgradeRequest` to
        // createContext as `request`.
        const initialContext: Record<string, unknown> = {
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          connectionParams: ctx.connectionParams,
          params,
          [UPGRADE_REQUEST_KEY]: requestFor(ctx.extra),
          waitUntil: yoga.waitUntil,
        };
        const envelop = yoga.getEnveloped(initialContext as unknown as Parameters<Gateway['getEnveloped']>[0]);
        let document: DocumentNode;
        try {
          document = envelop.parse(payload.query);
          const errors = envelop.validate(envelop.schema, document);
          if (errors.length > 0) {
            opts.onRefused?.(ctx.extra.request, errors);
            return errors;
          }
          // As yoga answers over HTTP (graphql-ws would call it an unexpected error).
          if (!getOperationAST(document, params.operationName)) {
            return [createGraphQLError('Could not determine what operation to execute.', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
          }
        } catch (error) {
          // Parse errors, and graphql-armor limits (which throw from parse/validate).
          if (isGraphQLError(error)) {
            opts.onRefused?.(ctx.extra.request, [error]);
            return [error];
          }
          throw error;
        }
        let contextValue: object;
        try {
          contextValue = (await envelop.contextFactory()) as object;
        } catch (error) {
          // As over HTTP: a GraphQLError from createContext goes to the client, anything else is masked.
          if (isGraphQLError(error)) return [error];
          yoga.logger.error(error);
          return [createGraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        }
        envelopedByContext.set(contextValue, envelop);
        return {
          schema: envelop.schema,
          document,
          variableValues: params.variables,
          operationName: params.operationName,
          contextValue,
        };
      },
    },
    wss,
  );

  function enveloped(args: ExecutionArgs): Enveloped {
    const found = envelopedByContext.get(args.contextValue as object);
    if (!found) throw new Error('graphql-ws: operation was not prepared by onSubscribe');
    return found;
  }

  /** Tells every client its subscriptions are over (a restart, not a failure), then ends them here. */
  function completeAll(): void {
    for (const ctx of connections) {
      const socket = ctx.extra.socket;
      for (const [id, running] of Object.entries(ctx.subscriptions)) {
        // Removed first, so graphql-ws does not send a second `complete` when the iterator ends.
        delete ctx.subscriptions[id];
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ id, type: MessageType.Complete }));
        const iterator = running as AsyncIterator<unknown> | null;
        if (iterator && typeof iterator.return === 'function') void iterator.return().catch(() => undefined);
      }
    }
    connections.clear();
  }

  let disposing: Promise<void> | undefined;
  return {
    dispose() {
      disposing ??= (async () => {
        completeAll();
        const timer = setTimeout(() => {
          for (const client of wss.clients) client.terminate();
        }, closeTimeoutMs);
        try {
          await graphqlWs.dispose();
        } finally {
          clearTimeout(timer);
        }
      })();
      return disposing;
    },
  };
}

function formatError(error: GraphQLError): GraphQLFormattedError {
  // The same extensions as over HTTP (docs/api-conventions.md): code from the catalogue, texts, hint.
  const formatted = withClientExtensions(error).toJSON();
  if (!formatted.extensions) return formatted;
  const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions;
  const { extensions: _all, ...rest } = formatted;
  return Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest;
}

/** No data at all (absent, or null because a non-null root field failed): nothing but errors to report. */
function failedAsAWhole(result: ExecutionResult): boolean {
  return (result.errors?.length ?? 0) > 0 && result.data == null;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** A GET Request with the upgrade request's URL and headers, so context code reads headers one way. */
export function toFetchRequest(
  message: IncomingMessage,
  RequestCtor: typeof Request,
  signal?: AbortSignal,
): Request {
  const host = message.headers.host ?? 'localhost';
  let url: URL;
  try {
    url = new URL(message.url ?? '/', `http://${host}`);
  } catch {
    url = new URL(message.url ?? '/', 'http://localhost');
  }
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A header the Fetch API refuses (invalid characters) is dropped rather than failing the connection.
    }
  }
  return new RequestCtor(url, { method: 'GET', headers, ...(signal ? { signal } : {}) });
}
