/**
 * The pairing routes (docs/security.md, "Pairing"), for pages on an allowed origin:
 *
 * - `POST /pair` → 202 `{ expiresAt, codeLength }`: the gateway shows a 6-digit code on its own surface
 *   (console and gateway.log at warn, `/status` on this machine); the page asks the user for it.
 * - `POST /pair/confirm` with `{ "code": "123456" }` → 200 `{ token, id, origin, expiresAt }`, or 403
 *   PAIRING_CODE_INVALID with `triesLeft`.
 * - `GET /status/pairing` (loopback only, like the rest of /status) → the codes waiting to be typed in.
 *
 * Both POSTs need `Content-Type: application/json`, so a cross-site form cannot send them without the
 * preflight the origin check answers. New codes are rate-limited for all origins together (a local program
 * can forge any Origin); guesses are limited by each code's 5 tries and 2 minutes. Every refusal is audited.
 */
import type { IncomingMessage } from 'node:http';
import type { Route } from './use-routes.ts';
import type { OriginPolicy } from '../security/origins.ts';
import type { PairingStore } from '../security/pairings.ts';
import { TokenBuckets } from '../security/rate-limit.ts';
import { refusal, refusalResponse, type RefusalCode } from '../security/refusals.ts';
import type { AuditEntry, AuditLog } from '../security/audit.ts';
import { markRefusalAudited } from './use-access-control.ts';
import { isSameUserPeer } from '../security/peer-user.ts';
import { cappedText } from '../security/capped-text.ts';

export const PAIR_PATH = '/pair';
export const PAIR_CONFIRM_PATH = '/pair/confirm';
export const PAIRING_STATUS_PATH = '/status/pairing';
/** Small: the body is `{"code":"123456"}`. */
const MAX_PAIR_BODY = 256;

export interface PairingRoutesOptions {
  readonly store: PairingStore;
  readonly origins: OriginPolicy;
  readonly audit?: AuditLog | undefined;
  readonly onRefusal?: ((entry: AuditEntry) => void) | undefined;
  /** Pairing requests (new codes), for every origin together. @default 10 a minute, 5 at once */
  readonly rate?: { readonly perMinute: number; readonly burst: number };
  readonly now?: () => number;
}

/** The pairing routes, for src/plugins/use-routes.ts. */
export function pairingRoute(options: PairingRoutesOptions): Route {
  const { store, origins } = options;
  const limiter = new TokenBuckets({ ...(options.rate ?? { perMinute: 10, burst: 5 }), ...(options.now ? { now: options.now } : {}) });

  return {
    paths: [PAIRING_STATUS_PATH, PAIR_PATH, PAIR_CONFIRM_PATH],
    async handle({ request, url, serverContext, endResponse, fetchAPI }) {
      const path = url.pathname;
      const origin = request.headers.get('origin');
      const refuse = (code: RefusalCode, details: Parameters<typeof refusal>[1] = {}): void => {
        const entry: AuditEntry = {
          event: 'refused',
          transport: 'http',
          origin,
          remoteAddress: (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket?.remoteAddress ?? null,
          auth: 'none',
          operationName: path === PAIR_PATH ? 'pair' : path === PAIR_CONFIRM_PATH ? 'pairConfirm' : 'pairingStatus',
          outcome: code,
        };
        options.audit?.record(entry);
        options.onRefusal?.(entry);
        markRefusalAudited(request);
        endResponse(refusalResponse(fetchAPI, refusal(code, details)));
      };
      // Codes are for this OS user's browser and eyes only (Linux can tell; elsewhere this passes).
      if (!isSameUserPeer(serverContext)) {
        return refuse('LOOPBACK_ONLY', { message: 'Pairing is for programs of the user who runs the gateway' });
      }
      if (path === PAIRING_STATUS_PATH) {
        // The door (createDoor in use-access-control.ts) already kept this to loopback clients.
        endResponse(json(fetchAPI, 200, { pending: store.pending() }));
        return;
      }
      if (request.method !== 'POST') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'POST, OPTIONS' } }));
        return;
      }
      // Only pages on the allow-list pair: the gateway's own pages and programs have the token.
      if (origin === null || origins.verdict(origin, url) !== 'allowed') {
        return refuse('ORIGIN_NOT_ALLOWED', { message: 'Pairing is for web pages on an allowed origin (--allowed-origin)' });
      }
      if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
        return refuse('CSRF_HEADER_MISSING', { message: 'Pairing requests must be sent as application/json' });
      }
      // New codes are limited; guesses at a code are limited by its 5 tries.
      const taken = path === PAIR_PATH ? limiter.take('pairing') : ({ ok: true } as const);
      if (!taken.ok) {
        return refuse('RATE_LIMITED', {
          message: 'Too many pairing requests',
          extensions: { retryAfter: taken.retryAfterSeconds },
          headers: { 'Retry-After': String(taken.retryAfterSeconds) },
        });
      }
      // Read only as much as the limit needs (a route answers before yoga's body limit applies).
      const text = await cappedText(request, MAX_PAIR_BODY);
      if (text === null) return refuse('REQUEST_ENTITY_TOO_LARGE', { extensions: { limit: MAX_PAIR_BODY } });
      const normalized = new URL(origin).origin;
      if (path === PAIR_PATH) {
        const pending = store.request(normalized);
        endResponse(json(fetchAPI, 202, { expiresAt: pending.expiresAt, codeLength: pending.code.length }));
        return;
      }
      let code: unknown;
      try {
        code = (JSON.parse(text) as { code?: unknown } | null)?.code;
      } catch {
        code = undefined;
      }
      if (typeof code !== 'string' || !/^\d{6}$/.test(code)) {
        return refuse('PAIRING_CODE_INVALID', { message: 'code: must be the 6 digits the gateway shows' });
      }
      const result = store.confirm(normalized, code);
      if (!result.ok) return refuse('PAIRING_CODE_INVALID', { extensions: { triesLeft: result.triesLeft } });
      options.audit?.record({
        event: 'operation',
        transport: 'http',
        origin,
        remoteAddress: (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket?.remoteAddress ?? null,
        auth: 'none',
        operationName: 'pairConfirm',
        outcome: 'OK',
      });
      endResponse(json(fetchAPI, 200, { token: result.token, ...result.pairing }));
    },
  };
}

function json(fetchAPI: { Response: typeof Response }, status: number, body: unknown): Response {
  return new fetchAPI.Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}
