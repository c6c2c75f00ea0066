/**
 * The port, bound before the gateway's modules are evaluated (docs/performance.md, "Answering before the app
 * is built"). Until the app is handed over (`open`), it answers only `GET /health` (liveness: the same empty
 * 200 yoga answers later) and `GET /ready` (503, reason "starting"), and only to a caller the gateway's door
 * would let through on those paths: a local Host name (unless --allow-remote), this OS user's program, no
 * Origin header (a page's request needs the Origin policy and CORS, which come with the app). Everything else
 * — GraphQL over HTTP and SSE, graphql-ws upgrades, /status, a /health that fails those checks — is held,
 * unread, and handed to the app in arrival order once it is built; a request still held after `holdMs` gets
 * 503 with a retryable error instead. Nothing is refused because the port was bound early.
 *
 * Imports only Node and two small checks, so the single executable's bundle evaluates nothing else before
 * the port answers.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isLocalHostHeader, isLoopbackAddress, isLoopbackHostname } from './security/origins.ts';
import { isSameUserSocket } from './security/peer-user.ts';

export const HEALTH_PATH = '/health';
export const READY_PATH = '/ready';
/** The status page (src/plugins/use-status-page.ts): shown early as "starting" to this machine, unframed. */
export const STATUS_PATH = '/status';
/** How long a request waits for the app before it gets 503 (the app normally takes well under a second). */
export const DEFAULT_HOLD_MS = 30_000;
/** The error code of a request that waited `holdMs` for the app in vain. */
export const STARTING_CODE = 'GATEWAY_STARTING';
/**
 * The catalogue's entry of STARTING_CODE, loaded when a request first waited in vain: the catalogue (every
 * code's texts) is evaluated with the app, not before the port answers (docs/performance.md, "Start-up").
 */
async function startingEntry() {
  try {
    return (await import('./errors/catalogue.ts')).catalogueEntry(STARTING_CODE);
  } catch {
    return undefined; // the answer's fields have their fallbacks
  }
}

export interface BindOptions {
  /** Address to bind, e.g. `127.0.0.1`. */
  readonly host: string;
  /** Port to bind; 0 picks a free one (tests). */
  readonly port: number;
  /** Listen on a non-loopback address and accept any Host name (--allow-remote). @default false */
  readonly allowRemote?: boolean;
  /** @default DEFAULT_HOLD_MS */
  readonly holdMs?: number;
}

export interface EarlyServer {
  readonly server: Server;
  /** Base URL, e.g. `http://127.0.0.1:8737` (a wildcard host is shown as loopback). */
  readonly url: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /**
   * From now on every request goes to `listener`; held requests first, in arrival order. Attach the
   * WebSocket server (its own `upgrade` listener) before calling this: held upgrades are re-emitted to it.
   */
  open(listener: RequestListener): void;
  /** The app could not be built: held requests get 503, the port is closed. */
  abandon(): Promise<void>;
}

interface HeldRequest {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly timer: NodeJS.Timeout;
}

interface HeldUpgrade {
  readonly request: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly timer: NodeJS.Timeout;
}

export async function bindEarly(opts: BindOptions): Promise<EarlyServer> {
  const { host } = opts;
  const allowRemote = opts.allowRemote ?? false;
  const holdMs = opts.holdMs ?? DEFAULT_HOLD_MS;
  if (!allowRemote && !isLoopbackHostname(host)) {
    throw new Error(
      `refusing to listen on ${host}: it is not a loopback address, so other computers could call the gateway ` +
        '(use --host 127.0.0.1, or --allow-remote together with --allowed-origin if you really mean it)',
    );
  }
  const heldRequests = new Set<HeldRequest>();
  const heldUpgrades = new Set<HeldUpgrade>();

  const early: RequestListener = (request, response) => {
    if (answersEarly(request, allowRemote)) {
      const path = pathOf(request);
      if (path === HEALTH_PATH) {
        response.writeHead(200, { 'x-yoga-id': 'yoga', 'content-length': '0' }).end();
      } else if (path === STATUS_PATH) {
        response
          .writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
            'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          })
          .end(request.method === 'HEAD' ? '' : STARTING_PAGE);
      } else {
        const body = request.method === 'HEAD' ? '' : JSON.stringify({ ready: false, reasons: ['starting'] });
        response.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(body);
      }
      return;
    }
    const held: HeldRequest = {
      request,
      response,
      timer: setTimeout(() => {
        heldRequests.delete(held);
        void answerStarting(response, holdMs);
      }, holdMs),
    };
    heldRequests.add(held);
  };
  const earlyUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const held: HeldUpgrade = {
      request,
      socket,
      head,
      timer: setTimeout(() => {
        heldUpgrades.delete(held);
        refuseUpgrade(socket);
      }, holdMs),
    };
    heldUpgrades.add(held);
    socket.once('close', () => {
      clearTimeout(held.timer);
      heldUpgrades.delete(held);
    });
  };

  const server = createServer(early);
  server.on('upgrade', earlyUpgrade);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, host, opts.port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(opts.port, host);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    server,
    url: `http://${urlHost(host)}:${port}`,
    port,
    open(listener) {
      server.off('request', early);
      server.off('upgrade', earlyUpgrade);
      server.on('request', listener);
      for (const held of heldRequests) {
        clearTimeout(held.timer);
        if (!held.response.destroyed) listener(held.request, held.response);
      }
      heldRequests.clear();
      for (const held of heldUpgrades) {
        clearTimeout(held.timer);
        if (!held.socket.destroyed) server.emit('upgrade', held.request, held.socket, held.head);
      }
      heldUpgrades.clear();
    },
    async abandon() {
      const answers = [...heldRequests].map((held) => {
        clearTimeout(held.timer);
        return answerStarting(held.response, holdMs);
      });
      heldRequests.clear();
      for (const held of heldUpgrades) {
        clearTimeout(held.timer);
        refuseUpgrade(held.socket);
      }
      heldUpgrades.clear();
      await Promise.all(answers);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

/** What /status shows until the app is built; it reloads itself every second (no script: CSP default-src 'none'). */
const STARTING_PAGE =
  '<!doctype html><html lang="zh-TW"><head><meta charset="utf-8"><meta http-equiv="refresh" content="1">' +
  '<title>NHI Card Gateway: starting</title></head><body><p>閘道啟動中… / The gateway is starting…</p></body></html>';

/** The path without the query string. */
function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * /health and /ready, GET or HEAD, from a caller the door would admit there (src/plugins/use-access-control.ts:
 * Host, same OS user; an Origin header means a page, which gets its answer with CORS from the app).
 */
function answersEarly(request: IncomingMessage, allowRemote: boolean): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = pathOf(request);
  if (path === STATUS_PATH) {
    // The full page only (the widget is framed by HIS pages: it waits for the app's frame-ancestors), and
    // only to this machine, as the app serves it.
    if (request.url !== STATUS_PATH || !isLoopbackAddress(request.socket.remoteAddress)) return false;
  } else if (path !== HEALTH_PATH && path !== READY_PATH) return false;
  if (request.headers.origin !== undefined) return false;
  if (!allowRemote && !isLocalHostHeader(hostnameOf(request.headers.host))) return false;
  return isSameUserSocket(request.socket as Socket);
}

/** The host name of a Host header (`127.0.0.1:8737`, `[::1]:8737`, `localhost`); empty when absent. */
function hostnameOf(host: string | undefined): string {
  if (!host) return '';
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return '';
  }
}

/** A request that waited for the app in vain: 503, retryable, in GraphQL's error shape (docs/performance.md). */
async function answerStarting(response: ServerResponse, holdMs: number): Promise<void> {
  if (response.headersSent || response.destroyed) return;
  const starting = await startingEntry();
  if (response.headersSent || response.destroyed) return;
  const seconds = Math.ceil(holdMs / 1000);
  const body = JSON.stringify({
    errors: [
      {
        message: `The gateway is still starting (waited ${seconds} s); try again shortly`,
        extensions: {
          code: STARTING_CODE,
          category: starting?.category ?? 'REQUEST',
          messageZh: starting?.zh ?? '',
          messageEn: `The gateway is still starting (waited ${seconds} s); try again shortly`,
          retryable: true,
          hint: starting?.hintEn ?? null,
          hintZh: starting?.hintZh ?? null,
        },
      },
    ],
  });
  response
    .writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '1', connection: 'close' })
    .end(body);
}

function refuseUpgrade(socket: Duplex): void {
  if (socket.destroyed) return;
  socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

export function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new Error(`port ${port} is already in use — is another gateway running? (use --port)`, { cause: error });
    case 'EACCES':
      return new Error(`not allowed to listen on ${host}:${port} (use another --port)`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new Error(`address ${host} is not available on this machine (use --host 127.0.0.1)`, { cause: error });
    default:
      return new Error(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error });
  }
}

export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
