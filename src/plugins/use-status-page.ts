/**
 * The live status page (`/status`): the console's two lights, reader and card events, backend health and the
 * last error, driven by the gateway's own subscriptions. `/status?embed=1` is a compact layout for an
 * <iframe>; `/status/widget.js` inserts that iframe into a HIS page. Served from strings (src/status/), works
 * offline.
 *
 * Loopback clients only (the page shows who is at the counter's reader): requests whose socket is not on
 * 127.0.0.0/8 or ::1 get 403. `allow` replaces that check, so the security plugins can wrap or tighten it.
 */
import type { Plugin } from 'graphql-yoga';
import { useRoutes, type Route } from './use-routes.ts';
import { isSameUserPeer } from '../security/peer-user.ts';
import { renderStatusPage, STATUS_FAVICON } from '../status/page.ts';
import { STATUS_CSS } from '../status/style.ts';
import { STATUS_SCRIPT, WIDGET_SCRIPT } from '../status/script.ts';

export const STATUS_PATH = '/status';

export interface StatusPageOptions {
  /**
   * Whether this request may see the page. Default: {@link isLoopbackClient}. `serverContext` is what yoga
   * got from the HTTP server (Node: `{ req, res }`); in-process `yoga.fetch` calls have none.
   */
  readonly allow?: (request: Request, serverContext: Record<string, unknown> | undefined) => boolean;
  /** Pairing codes waiting to be typed into a HIS page: shown on the full page (docs/security.md, "Pairing"). */
  readonly pairingCodes?: () => ReadonlyArray<{ readonly origin: string; readonly code: string; readonly expiresAt: string }>;
  /** Origins allowed to frame the page (the widget), besides the gateway itself. @default [] */
  readonly frameAncestors?: readonly string[];
}

/** True when the TCP peer is on loopback, or when there is no socket at all (in-process `yoga.fetch`). */
export function isLoopbackClient(_request: Request, serverContext: Record<string, unknown> | undefined): boolean {
  const req = serverContext?.['req'] as { socket?: { remoteAddress?: string } } | undefined;
  const address = req?.socket?.remoteAddress;
  if (address === undefined) return req === undefined;
  return /^(127\.|::1$|::ffff:127\.)/.test(address);
}

interface Asset {
  readonly body: string;
  readonly type: string;
  /** Loaded by HIS pages of other origins (the widget). */
  readonly crossOrigin?: boolean;
}

const ASSETS: Readonly<Record<string, Asset>> = {
  'status.css': { body: STATUS_CSS, type: 'text/css; charset=utf-8' },
  'status.js': { body: STATUS_SCRIPT, type: 'text/javascript; charset=utf-8' },
  'widget.js': { body: WIDGET_SCRIPT, type: 'text/javascript; charset=utf-8', crossOrigin: true },
  'favicon.svg': { body: STATUS_FAVICON, type: 'image/svg+xml' },
};

const FORBIDDEN_TEXT =
  '狀態頁僅限本機瀏覽（請在讀卡機所在的電腦開啟 http://127.0.0.1 位址）。\n' +
  'The status page is for this computer only: open it on the workstation with the reader, at http://127.0.0.1.\n';

/** `/status` and what it loads under `/status/`, for src/plugins/use-routes.ts. */
export function statusPageRoute(options: StatusPageOptions = {}): Route {
  const allow = options.allow ?? isLoopbackClient;
  const frameAncestors = ["'self'", ...(options.frameAncestors ?? [])].join(' ');
  return {
    paths: [STATUS_PATH],
    prefixes: [`${STATUS_PATH}/`],
    handle({ url, request, serverContext, endResponse, fetchAPI }) {
      const path = url.pathname;
      const respond = (body: string | null, status: number, headers: Record<string, string> = {}) =>
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
            status,
            headers: { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', ...headers },
          }),
        );
      if (!allow(request, serverContext as Record<string, unknown> | undefined)) {
        respond(FORBIDDEN_TEXT, 403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        respond(null, 405, { allow: 'GET, HEAD' });
        return;
      }
      if (path === STATUS_PATH || path === `${STATUS_PATH}/`) {
        const embed = url.searchParams.get('embed') === '1';
        // Pairing codes only to this OS user's browser (another user's program can reach /status too).
        const pairing = embed || !isSameUserPeer(serverContext) ? [] : (options.pairingCodes?.() ?? []);
        respond(renderStatusPage({ embed, assetBase: `${STATUS_PATH}/`, pairing }), 200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          // No inline code; the page talks only to this gateway (HTTP, SSE and its WebSocket). Framed only by
          // the gateway and the allowed HIS origins (the widget), so no other page can overlay it.
          'content-security-policy':
            `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; ` +
            `connect-src 'self' ws://${url.host} wss://${url.host}; base-uri 'none'; form-action 'none'; ` +
            `frame-ancestors ${frameAncestors}`,
        });
        return;
      }
      const asset = ASSETS[path.slice(STATUS_PATH.length + 1)];
      if (!asset) {
        respond('not found\n', 404, { 'content-type': 'text/plain; charset=utf-8' });
        return;
      }
      respond(asset.body, 200, {
        'content-type': asset.type,
        // Small and versioned with the gateway: revalidate rather than pin, so an upgrade shows at once.
        'cache-control': 'no-cache',
        ...(asset.crossOrigin ? { 'cross-origin-resource-policy': 'cross-origin' } : {}),
      });
    },
  };
}

/** {@link statusPageRoute} as a plugin of its own (for a yoga without the gateway's router). */
export function useStatusPage(options: StatusPageOptions = {}): Plugin {
  return useRoutes([statusPageRoute(options)]);
}
