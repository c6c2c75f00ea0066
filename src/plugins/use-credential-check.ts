/**
 * `POST /credential` (docs/terminal-server.md): "is the credential I hold one of this gateway's?" On a
 * shared workstation or terminal server every user runs their own gateway on their own port, and the client
 * kit's `findGateway` asks each port in the range until one says yes.
 *
 * The answer reveals nothing else: 200 `{ "valid": true }`, or the same typed 401 a GraphQL operation would
 * get with that credential (TOKEN_REQUIRED, TOKEN_INVALID, PAIRING_ORIGIN_MISMATCH). Like /pair it needs
 * `Content-Type: application/json` (a cross-site form cannot send it without a preflight), and checks are
 * rate-limited per origin so it is no faster an oracle for guessing tokens than a GraphQL request. Every
 * refusal is one audit line, without the credential.
 */
import type { IncomingMessage } from 'node:http';
import type { Route } from './use-routes.ts';
import { TokenBuckets } from '../security/rate-limit.ts';
import { refusal, refusalResponse, type RefusalCode, type RefusalDetails } from '../security/refusals.ts';
import type { AuditEntry, AuditLog } from '../security/audit.ts';
import { markRefusalAudited, type CredentialVerdict } from './use-access-control.ts';

export const CREDENTIAL_PATH = '/credential';

export interface CredentialCheckOptions {
  /** This gateway's verdict on an Authorization value presented with an Origin (src/plugins/use-access-control.ts). */
  readonly verify: (authorization: unknown, origin: string | null) => CredentialVerdict;
  readonly audit?: AuditLog | undefined;
  readonly onRefusal?: ((entry: AuditEntry) => void) | undefined;
  /** Checks per origin (programs share one bucket). @default 30 a minute, 10 at once */
  readonly rate?: { readonly perMinute: number; readonly burst: number };
  readonly now?: () => number;
}

/** `POST /credential`, for src/plugins/use-routes.ts. */
export function credentialCheckRoute(options: CredentialCheckOptions): Route {
  const limiter = new TokenBuckets({ ...(options.rate ?? { perMinute: 30, burst: 10 }), ...(options.now ? { now: options.now } : {}) });
  return {
    paths: [CREDENTIAL_PATH],
    handle({ request, serverContext, endResponse, fetchAPI }) {
      const origin = request.headers.get('origin');
      const refuse = (code: RefusalCode, details: RefusalDetails = {}): void => {
        const entry: AuditEntry = {
          event: 'refused',
          transport: 'http',
          origin,
          remoteAddress: (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket?.remoteAddress ?? null,
          auth: 'none',
          operationName: 'credentialCheck',
          outcome: code,
        };
        options.audit?.record(entry);
        options.onRefusal?.(entry);
        markRefusalAudited(request);
        endResponse(refusalResponse(fetchAPI, refusal(code, details)));
      };
      if (request.method !== 'POST') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'POST, OPTIONS' } }));
        return;
      }
      if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
        return refuse('CSRF_HEADER_MISSING', { message: 'Credential checks must be sent as application/json' });
      }
      const taken = limiter.take(origin ?? '(no origin)');
      if (!taken.ok) {
        return refuse('RATE_LIMITED', {
          message: 'Too many credential checks',
          extensions: { retryAfter: taken.retryAfterSeconds },
          headers: { 'Retry-After': String(taken.retryAfterSeconds) },
        });
      }
      const verdict = options.verify(request.headers.get('authorization') ?? undefined, origin);
      if (verdict === 'none') return refuse('TOKEN_REQUIRED', { message: 'Send the credential to check as Authorization: Bearer <token>' });
      if (verdict === 'invalid') return refuse('TOKEN_INVALID');
      if (verdict === 'wrong-origin') return refuse('PAIRING_ORIGIN_MISMATCH');
      endResponse(
        new fetchAPI.Response(JSON.stringify({ valid: true }), {
          status: 200,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
