/**
 * Binds the gateway to Node: one HTTP server for GraphQL over HTTP/SSE, GraphiQL, /health and /ready,
 * with graphql-ws on the same path. Shutdown tells subscribers so (docs/protocol.md): SSE streams end with
 * `event: complete`, graphql-ws subscriptions get `complete` and their sockets close with 1001.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as osConstants } from 'node:os';
import { attachGraphqlWs } from './transport/ws.ts';
import { takeTurns } from './transport/request-turns.ts';
import { sseStreamsOf, wsAdmissionOf, wsRefusalAuditOf, type Gateway, type GatewayLogger } from './yoga.ts';
import { bindEarly, type EarlyServer } from './early-server.ts';

export interface StartServerOptions {
  yoga: Gateway;
  /** Address to bind, e.g. `127.0.0.1`. */
  host: string;
  /** Port to bind; 0 picks a free one (tests). */
  port: number;
  logger?: GatewayLogger;
  /**
   * WebSocket admission (e.g. an Origin check); `false` closes the socket with 4403. A gateway built with
   * `security` brings its own Host/Origin check, which always runs too (both must admit).
   */
  onWsConnect?: (request: IncomingMessage) => boolean | Promise<boolean>;
  /**
   * Listen on a non-loopback address. Without it such a `host` is refused: the gateway reads ID numbers
   * and writes cards, so being reachable from the network must be asked for (--allow-remote).
   * @default false
   */
  allowRemote?: boolean;
}

export interface RunningServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:8737` (no trailing slash; a wildcard host is shown as loopback). */
  readonly url: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /**
   * Stops accepting connections, ends SSE streams with `event: complete`, completes graphql-ws subscriptions
   * and closes their sockets with 1001, gives HTTP requests `graceMs` to finish and then cuts them, and
   * disposes yoga. Idempotent.
   * @param graceMs default 1000
   */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_CLOSE_GRACE_MS = 1000;

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const bound = await bindEarly({ host: opts.host, port: opts.port, allowRemote: opts.allowRemote ?? false });
  return serveApp(bound, opts);
}

/**
 * Hands a port bound early (src/early-server.ts) to the built gateway: graphql-ws on its path, every request
 * to yoga, the requests and upgrades held while the app was loading first.
 */
export function serveApp(bound: EarlyServer, opts: Pick<StartServerOptions, 'yoga' | 'logger' | 'onWsConnect'>): RunningServer {
  const { yoga, logger } = opts;
  const { server, port } = bound;
  // Responses in progress, so a shutdown can wait for the completed SSE streams to be written out.
  const openResponses = new Set<ServerResponse>();
  // A burst of requests is taken in batches, so the light poll's callbacks get in between (request-turns.ts).
  // A request whose client left while it waited is dropped, as the early server drops held ones: yoga hears of a
  // client leaving only from a `close` after it took the request, so an SSE stream would run on for nobody.
  const handle = takeTurns((request: IncomingMessage, response: ServerResponse): void => {
    if (!response.destroyed) void yoga(request, response);
  });
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    openResponses.add(response);
    response.once('close', () => openResponses.delete(response));
    handle(request, response);
  };
  server.on('error', (error) => logger?.error('HTTP server error', { error: error.message }));

  const onConnect = admitAll([wsAdmissionOf(yoga), opts.onWsConnect]);
  const onRefused = wsRefusalAuditOf(yoga);
  const ws = attachGraphqlWs({
    server,
    yoga,
    path: yoga.graphqlEndpoint,
    ...(onConnect ? { onConnect } : {}),
    ...(onRefused ? { onRefused } : {}),
  });
  bound.open(listener);

  let closing: Promise<void> | undefined;
  const close = (graceMs = DEFAULT_CLOSE_GRACE_MS): Promise<void> => {
    closing ??= (async () => {
      logger?.info('gateway stopping');
      // 1. Stop accepting; the callback fires once every connection is gone.
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      // 2. SSE streams end with `event: complete` (they never end on their own).
      const responsesDone = Promise.all([...openResponses].map((response) => ended(response)));
      sseStreamsOf(yoga)?.completeAll();
      // 3. WebSockets: `complete` per subscription, then close 1001. (Upgraded sockets are not tracked by the
      // HTTP server, so closeAllConnections would miss them.)
      await ws.dispose().catch((error: unknown) =>
        logger?.warn('closing WebSockets failed', { error: error instanceof Error ? error.message : String(error) }),
      );
      // 4. In-flight requests get `graceMs`; connections left idle by finished responses close now, the rest are cut.
      await Promise.race([responsesDone, graceOver]);
      server.closeIdleConnections();
      await Promise.race([httpClosed, graceOver]);
      clearTimeout(timer);
      server.closeAllConnections();
      await httpClosed;
      // 5. Plugins' onDispose and pending waitUntil work. Readers and the DLL are released by the caller.
      await yoga.dispose();
      logger?.info('gateway stopped');
    })();
    return closing;
  };

  return {
    url: bound.url,
    port,
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}

/** Resolves when a response has been written out or its connection has gone. */
function ended(response: ServerResponse): Promise<void> {
  if (response.writableFinished || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    response.once('finish', () => resolve());
    response.once('close', () => resolve());
  });
}

type Admission = (request: IncomingMessage) => boolean | Promise<boolean>;

/** One admission check that passes only when every given check passes (the gateway's own first). */
function admitAll(checks: ReadonlyArray<Admission | undefined>): Admission | undefined {
  const present = checks.filter((check): check is Admission => check !== undefined);
  if (present.length === 0) return undefined;
  return async (request) => {
    for (const check of present) if ((await check(request)) === false) return false;
    return true;
  };
}

/** Something that delivers process signals; `process` in production. */
export interface SignalSource {
  on(event: string, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: string, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface SignalHandlerOptions {
  /** @default process */
  source?: SignalSource;
  /** Called on a second signal, or when `onSignal` rejects. @default process.exit */
  exit?: (code: number) => void;
  logger?: GatewayLogger;
}

/**
 * SIGINT (Ctrl+C), SIGBREAK (Ctrl+Break on Windows), SIGTERM (service managers; never sent on Windows)
 * and SIGHUP (console window closed on Windows, terminal gone elsewhere).
 */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] as const;

/**
 * Runs `onSignal` on the first shutdown signal; a second signal exits at once (128 + signal number).
 * The process is not exited after `onSignal` resolves: once everything is closed, the event loop drains.
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  onSignal: (signal: NodeJS.Signals) => Promise<void>,
  options: SignalHandlerOptions = {},
): () => void {
  const source = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const { logger } = options;
  let received: NodeJS.Signals | undefined;

  const handler = (signal: NodeJS.Signals): void => {
    if (received) {
      logger?.warn(`${signal} again: exiting without finishing shutdown`);
      exit(128 + (osConstants.signals[signal] ?? 1));
      return;
    }
    received = signal;
    logger?.info(`${signal} received: shutting down (press Ctrl+C again to force)`);
    onSignal(signal).catch((error: unknown) => {
      logger?.error('shutdown failed', { error: error instanceof Error ? error.message : String(error) });
      exit(1);
    });
  };

  for (const signal of SHUTDOWN_SIGNALS) source.on(signal, handler);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) source.off(signal, handler);
  };
}
