/**
 * HTTPS POST of one JSON body to NHI's Web API, over node:https with a dedicated keep-alive Agent.
 *
 * TLS: verification is always on (`rejectUnauthorized: true`, no option to turn it off). The trust store is
 * Node's bundled roots PLUS the extra CA certificates from `--nhi-ca-file` (`ca: [...tls.rootCertificates,
 * ...extraCa]`): setting `ca` alone would replace the roots.
 *
 * Timeouts: one deadline for the whole exchange (`timeoutMs`), and a shorter one for setting up the connection
 * (`connectTimeoutMs`), so a dead VPN fails fast enough to be retried within the deadline.
 *
 * Retries — only where a retry cannot create a second treatment ID. A failure is retried only when it happened
 * before the TLS session was established on a NEW connection: until then not one byte of the request can have
 * reached NHI's application (Node queues the request until `secureConnect`, and TLS keeps anything before the
 * handshake unreadable), so NHI cannot have issued anything. Once the handshake is done Node writes the
 * request; from then on NHI may have received and processed it even if the connection dies a millisecond
 * later, and a repeat could issue a second treatment ID — so a timeout, reset or garbled answer after that
 * point is reported (WEB_API_TIMEOUT / WEB_API_CONNECTION_LOST / WEB_API_BAD_RESPONSE: outcome unknown), never
 * repeated. A request on a REUSED keep-alive socket counts as sent from the start, so the classic keep-alive
 * race (the server closed an idle socket as we wrote) is not retried either: idle sockets are closed early
 * instead (`freeSocketTimeoutMs`). Certificate errors are never retried (a retry cannot fix them).
 */
import { createRequire } from 'node:module';
import type { Agent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { gatewayError } from '../../errors/gateway-codes.ts';
import type { GatewayError } from '../../errors/gateway-errors.ts';

export interface HttpsJsonClientOptions {
  /** https:// URL of the operation. */
  readonly url: string;
  /** Extra trusted CA certificates (PEM), added to Node's roots. */
  readonly extraCa?: readonly string[];
  /** Deadline for one post, retries included. @default 10000 */
  readonly timeoutMs?: number;
  /** Deadline for TCP + TLS setup of one attempt. @default min(5000, timeoutMs) */
  readonly connectTimeoutMs?: number;
  /** Attempts when the connection cannot be set up. @default 3 */
  readonly maxAttempts?: number;
  /** Pause before a retry, times the attempt number. @default 200 */
  readonly retryDelayMs?: number;
  /** A larger answer is garbage. @default 65536 */
  readonly maxResponseBytes?: number;
  /** Idle keep-alive sockets are closed after this. @default 15000 */
  readonly freeSocketTimeoutMs?: number;
}

export interface HttpsJsonResponse {
  readonly status: number;
  readonly text: string;
}

type AttemptOutcome =
  | { readonly ok: true; readonly response: HttpsJsonResponse }
  | { readonly ok: false; readonly error: GatewayError; readonly retry: boolean };

type NodeHttps = typeof import('node:https');
type NodeTls = typeof import('node:tls');

/**
 * node:https and node:tls, loaded at the first request, not when the gateway starts: loading them costs ~2.5 MiB
 * of resident memory for as long as it runs (docs/performance.md, "Idle and peak memory"; build/lib/bundle.ts
 * does the same for the dependencies that require them). `require` in the executable's CommonJS bundle,
 * `createRequire` under tsx/vitest.
 */
function nodeHttps(): NodeHttps {
  return typeof require === 'function' ? (require('node:https') as NodeHttps) : (createRequire(import.meta.url)('node:https') as NodeHttps);
}
function nodeTls(): NodeTls {
  return typeof require === 'function' ? (require('node:tls') as NodeTls) : (createRequire(import.meta.url)('node:tls') as NodeTls);
}

class Deadline extends Error {
  constructor(readonly which: 'connect' | 'overall') {
    super(`${which} deadline`);
  }
}

/** OpenSSL/Node codes for a certificate that does not verify (name, chain, dates). */
const CERTIFICATE_ERROR = /^(ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|UNABLE_TO_(GET|VERIFY)_\w+|\w*CERT\w*)$/;

export class HttpsJsonClient {
  private readonly url: URL;
  /** Made at the first request (see nodeHttps); the same options as ever. */
  private agentMade: Agent | null = null;
  private readonly extraCa: readonly string[];
  private readonly freeSocketTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxResponseBytes: number;

  constructor(options: HttpsJsonClientOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'https:') throw new Error('the Web API URL must be https://');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.connectTimeoutMs = Math.min(options.connectTimeoutMs ?? 5_000, this.timeoutMs);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.maxResponseBytes = options.maxResponseBytes ?? 65_536;
    this.extraCa = [...(options.extraCa ?? [])];
    this.freeSocketTimeoutMs = options.freeSocketTimeoutMs ?? 15_000;
  }

  private get agent(): Agent {
    this.agentMade ??= new (nodeHttps().Agent)({
      keepAlive: true,
      maxSockets: 4,
      maxFreeSockets: 1,
      timeout: this.freeSocketTimeoutMs,
      ca: [...nodeTls().rootCertificates, ...this.extraCa],
      rejectUnauthorized: true,
    });
    return this.agentMade;
  }

  /** POSTs `body` as JSON; resolves with any HTTP answer, rejects with a typed NETWORK error. */
  async post(body: unknown): Promise<HttpsJsonResponse> {
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(payload, deadline);
      if (outcome.ok) return outcome.response;
      const pause = this.retryDelayMs * attempt;
      // See the module comment: only failures before the TLS session existed are retried.
      if (!outcome.retry || attempt >= this.maxAttempts || Date.now() + pause >= deadline) throw outcome.error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** Closes every socket (keep-alive ones included). */
  destroy(): void {
    this.agentMade?.destroy();
  }

  private attempt(payload: Buffer, deadline: number): Promise<AttemptOutcome> {
    return new Promise<AttemptOutcome>((resolve) => {
      let sent = false;
      let settled = false;
      let deadlineHit = false;
      const finish = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(overallTimer);
        clearTimeout(connectTimer);
        resolve(outcome);
      };

      const request = nodeHttps().request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          'content-length': payload.length,
        },
      });
      const overallTimer = setTimeout(() => {
        deadlineHit = true;
        request.destroy(new Deadline('overall'));
      }, Math.max(1, deadline - Date.now()));
      const connectTimer = setTimeout(() => {
        if (!sent) request.destroy(new Deadline('connect'));
      }, this.connectTimeoutMs);
      const markSent = () => {
        sent = true;
        clearTimeout(connectTimer);
      };

      request.once('socket', (socket) => {
        if (request.reusedSocket) markSent();
        else (socket as TLSSocket).once('secureConnect', markSent);
      });

      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            tooLarge = true;
            request.destroy();
          } else chunks.push(chunk);
        });
        response.once('end', () => {
          finish({ ok: true, response: { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') } });
        });
        response.once('close', () => {
          if (settled) return;
          if (tooLarge) {
            finish({
              ok: false,
              retry: false,
              error: gatewayError('WEB_API_BAD_RESPONSE', {
                text: { zh: 'Web API 的回應過大', en: `The Web API’s answer is larger than ${this.maxResponseBytes} bytes` },
              }),
            });
          } else finish(this.failure(deadlineHit ? new Deadline('overall') : new Error('response cut off'), true));
        });
      });

      request.once('error', (error: Error) => finish(this.failure(error, sent)));
      request.end(payload);
    });
  }

  /** Classifies a failure by whether the request may have reached NHI (see the module comment). */
  private failure(error: Error, sent: boolean): AttemptOutcome {
    const code = (error as { code?: unknown }).code;
    if (error instanceof Deadline) {
      if (sent) return { ok: false, retry: false, error: gatewayError('WEB_API_TIMEOUT') };
      return {
        ok: false,
        retry: error.which === 'connect',
        error: gatewayError('WEB_API_UNREACHABLE', {
          text: {
            zh: '無法在時限內連線健保署 Web API（請求未送出）',
            en: 'NHI’s Web API could not be reached in time (the request was not sent)',
          },
        }),
      };
    }
    if (!sent && typeof code === 'string' && CERTIFICATE_ERROR.test(code)) {
      return {
        ok: false,
        retry: false,
        error: gatewayError('WEB_API_TLS_UNTRUSTED', {
          text: {
            zh: `Web API 伺服器憑證無法驗證 (${code})，為安全起見未送出請求`,
            en: `The Web API server’s certificate could not be verified (${code}), so nothing was sent`,
          },
        }),
      };
    }
    if (!sent) {
      const detail = typeof code === 'string' ? ` (${code})` : '';
      return {
        ok: false,
        // A TLS protocol failure (not a certificate) will fail the same way again.
        retry: !(typeof code === 'string' && code.startsWith('ERR_SSL_')),
        error: gatewayError('WEB_API_UNREACHABLE', {
          text: {
            zh: `無法連線健保署就醫識別碼 Web API${detail}（請求未送出）`,
            en: `NHI’s treatment-ID Web API could not be reached${detail} (the request was not sent)`,
          },
        }),
      };
    }
    return { ok: false, retry: false, error: gatewayError('WEB_API_CONNECTION_LOST') };
  }
}
