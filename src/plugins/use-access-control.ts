/**
 * Who may call, enforced in one plugin (docs/security.md):
 *
 * - at the door ({@link createDoor}, before anything is parsed; the router src/plugins/use-routes.ts runs it
 *   first on every request): the Host check against DNS rebinding, the Origin allow-list (a present,
 *   unlisted Origin gets 403 ORIGIN_NOT_ALLOWED, not merely a missing CORS header), CORS preflights for
 *   listed origins (credentials off), and loopback-only pages (GraphiQL's assets, /status);
 * - per operation (onExecute / onSubscribe, HTTP, SSE and WebSocket alike): the operation's fields are
 *   classified from its AST (src/security/access-policy.ts, through fragments and aliases); protected
 *   operations and identity reads need a credential: the token, or a pairing token presented with the
 *   Origin it was issued to (src/security/pairings.ts). An allowed Origin gates CORS only, since any
 *   local program can forge one. Pairing management needs the token itself. Identity reads are
 *   rate-limited per origin. A refused operation runs no resolver at all.
 *
 * WebSocket upgrades never reach yoga's HTTP hooks: {@link createWsAdmission} does the door checks for them
 * in graphql-ws's connect step (false → close 4403).
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { OriginPolicy, isLocalHostHeader, isLoopbackAddress, type OriginVerdict } from '../security/origins.ts';
import { createTokenMatcher, parseAuthorization } from '../security/token.ts';
import { classifyOperation, type OperationAccess } from '../security/access-policy.ts';
import { TokenBuckets, type RateLimitOptions } from '../security/rate-limit.ts';
import { refusal, refusalCode, refusalResponse, type RefusalCode, type RefusalDetails } from '../security/refusals.ts';
import { isSameUserPeer, isSameUserSocket } from '../security/peer-user.ts';
import type { RouteRequest } from './use-routes.ts';

/**
 * Refusals decided by other plugins (yoga's CSRF check, the document limits, the body-size limit): they
 * reach the client as result errors or a bare 413, and are audited here from the result, once per request.
 */
const REFUSED_ELSEWHERE: ReadonlySet<string> = new Set([
  'CSRF_HEADER_MISSING',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'TOO_MANY_ALIASES',
  'TOO_MANY_TOKENS',
  'TOO_MANY_DIRECTIVES',
  'REQUEST_ENTITY_TOO_LARGE',
]);
import { startRecording, type AuditEntry, type AuditLog, type FieldOutcome } from '../security/audit.ts';
import { PAIRING_TOKEN_PREFIX, type PairingCheck } from '../security/pairings.ts';
import { OWNER_ONLY_FIELDS } from '../security/access-policy.ts';

/** What the access plugin needs of the pairing store. */
export interface PairingVerifier {
  check(token: string, origin: string | null): PairingCheck;
}

/** The door's answer to a program of another OS user (Linux and Windows tell; docs/terminal-server.md, section 5). */
export const OTHER_USER_REFUSAL: RefusalDetails = {
  message: 'This gateway serves only the OS user who runs it: start your own (each user gets a port of their own)',
};

/** What a presented credential is: the access token, a pairing token from its own origin, or not one. */
export type CredentialVerdict = 'none' | 'valid' | 'paired' | 'wrong-origin' | 'invalid';

/**
 * Checks an `Authorization` value (header or graphql-ws `connectionParams.authorization`) against this
 * gateway's token and pairings. Each gateway has its own token file and pairings file in its user's data
 * folder, so another user's gateway's credentials are simply unknown here (`invalid`).
 */
export function createCredentialVerifier(token: string, pairings: PairingVerifier | undefined) {
  const matchesToken = createTokenMatcher(token);
  return (authorization: unknown, origin: string | null): CredentialVerdict => {
    const presented = parseAuthorization(authorization);
    if (presented.kind === 'none') return 'none';
    if (presented.kind === 'bearer' && matchesToken(presented.token)) return 'valid';
    if (presented.kind === 'bearer' && pairings && presented.token.startsWith(PAIRING_TOKEN_PREFIX)) {
      const check = pairings.check(presented.token, origin);
      return check === 'valid' ? 'paired' : check === 'wrong-origin' ? 'wrong-origin' : 'invalid';
    }
    return 'invalid';
  };
}

/** Headers a CORS preflight may ask for. */
export const CORS_ALLOWED_HEADERS = ['content-type', 'accept', 'authorization', 'x-nhi-gateway', 'x-graphql-yoga-csrf', 'last-event-id'] as const;

export interface AccessControlOptions {
  readonly origins: OriginPolicy;
  /** The access token callers must present for protected operations. */
  readonly token: string;
  /** Skip the Host check (the gateway was started with --allow-remote). */
  readonly allowRemote: boolean;
  /** Per-origin limit on identity reads; false turns it off. */
  readonly identityRate: Pick<RateLimitOptions, 'perMinute' | 'burst'> | false;
  readonly graphqlPath: string;
  /** Path prefixes served to loopback clients only (e.g. GraphiQL's assets, /status). */
  readonly loopbackOnlyPaths: readonly string[];
  /** Key under which the WebSocket transport puts the upgrade request in the context. */
  readonly upgradeRequestKey: string;
  readonly audit?: AuditLog | undefined;
  /** Pairing tokens of HIS pages; without it only the access token is a credential. */
  readonly pairings?: PairingVerifier | undefined;
  /** Refusals are logged here too (at info: they are expected, and the audit log has the details). */
  readonly onRefusal?: ((entry: AuditEntry) => void) | undefined;
  /** For tests of the rate limiter. */
  readonly now?: () => number;
}

interface Caller {
  readonly transport: 'http' | 'ws';
  readonly origin: string | null;
  readonly verdict: OriginVerdict;
  readonly remoteAddress: string | null;
  /** `valid`: the access token; `paired`: a pairing token from its own origin. */
  readonly token: 'none' | 'valid' | 'paired' | 'wrong-origin' | 'invalid';
}

/**
 * Whether the client is on this machine, from Node's socket. In-process calls (`yoga.fetch` with no server
 * context) have no socket and no network, and count as local.
 */
export function isLoopbackClient(serverContext: unknown): boolean {
  const req = (serverContext as { req?: IncomingMessage } | null | undefined)?.req;
  if (!req?.socket) return true;
  return isLoopbackAddress(req.socket.remoteAddress);
}

/** Requests whose refusal is already in the audit log (so a refusal seen again in the response is not doubled). */
const audited = new WeakSet<object>();

/** For routes that audit their own refusals (src/plugins/use-pairing.ts, use-credential-check.ts). */
export function markRefusalAudited(request: Request): void {
  audited.add(request);
}

/** Writes an audit entry, and logs it too when it is a refusal. */
function recorder(options: Pick<AccessControlOptions, 'audit' | 'onRefusal'>): (entry: AuditEntry) => void {
  return (entry) => {
    options.audit?.record(entry);
    if (entry.event === 'refused') options.onRefusal?.(entry);
  };
}

/**
 * The door checks, for every HTTP request before anything else of ours runs (the router,
 * src/plugins/use-routes.ts, calls it first): Host, OS user, Origin, loopback-only pages, and the answer to a
 * CORS preflight. True when it answered the request (a refusal, recorded like every refusal, or a preflight).
 */
export function createDoor(options: AccessControlOptions): (payload: RouteRequest) => boolean {
  const { origins, graphqlPath } = options;
  const record = recorder(options);
  const refuse = (
    code: RefusalCode,
    origin: string | null,
    serverContext: unknown,
    endResponse: (response: Response) => void,
    fetchAPI: { Response: typeof Response },
    details?: RefusalDetails,
  ): true => {
    record({
      event: 'refused',
      transport: 'http',
      origin,
      remoteAddress: (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket?.remoteAddress ?? null,
      auth: 'none',
      outcome: code,
    });
    endResponse(refusalResponse(fetchAPI, refusal(code, details)));
    return true;
  };
  return ({ request, serverContext, endResponse, fetchAPI }) => {
    // No closures made here: this runs for every request.
    const origin = request.headers.get('origin');
    // @whatwg-node hands us a Proxy that builds a new URL on every property read (4+ per request here);
    // read hostname and pathname once, cheaply when the request URL is in its plain form.
    const url = (request as { parsedUrl?: URL }).parsedUrl ?? requestUrlParts(request.url);
    if (!options.allowRemote && !isLocalHostHeader(url.hostname)) return refuse('HOST_NOT_ALLOWED', origin, serverContext, endResponse, fetchAPI);
    // Another OS user's program (Linux, Windows; decided once per connection): nothing here is theirs.
    if (!isSameUserPeer(serverContext)) return refuse('LOOPBACK_ONLY', origin, serverContext, endResponse, fetchAPI, OTHER_USER_REFUSAL);
    const verdict = origins.verdict(origin, url);
    if (verdict === 'refused') return refuse('ORIGIN_NOT_ALLOWED', origin, serverContext, endResponse, fetchAPI);
    const loopbackOnly =
      startsWithAny(url.pathname, options.loopbackOnlyPaths) ||
      // GraphiQL itself: yoga's GraphiQL hook ran first and declined (not loopback), so answer it here.
      (url.pathname === graphqlPath && request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html'));
    if (loopbackOnly && !isLoopbackClient(serverContext)) return refuse('LOOPBACK_ONLY', origin, serverContext, endResponse, fetchAPI);
    if (request.method === 'OPTIONS') {
      // The origin headers (Allow-Origin, Vary) are added by onResponse, as for every response.
      endResponse(new fetchAPI.Response(null, { status: 204, headers: { 'content-length': '0', ...preflightHeaders(request, verdict) } }));
      return true;
    }
    return false;
  };
}

/**
 * Everything of access control after the door ({@link createDoor}, which the router runs): the
 * per-operation checks, audit lines of refusals decided elsewhere, and CORS headers on responses.
 */
export function useAccessControl(options: AccessControlOptions): Plugin {
  const { origins, audit } = options;
  // The expected token is prepared once here, not on every request.
  const verifyCredential = createCredentialVerifier(options.token, options.pairings);
  const limiter = options.identityRate === false ? null : new TokenBuckets({ ...options.identityRate, ...(options.now ? { now: options.now } : {}) });
  const record = recorder(options);
  const recordElsewhere = (request: Request, serverContext: unknown, code: string): void => {
    if (audited.has(request)) return;
    audited.add(request);
    record({
      event: 'refused',
      transport: 'http',
      origin: request.headers.get('origin'),
      remoteAddress: (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket?.remoteAddress ?? null,
      auth: 'none',
      outcome: code,
    });
  };

  const callerOf = (context: Record<string, unknown>): Caller => {
    const upgrade = context[options.upgradeRequestKey] as Request | undefined;
    const request = upgrade ?? (context['request'] as Request | undefined);
    const origin = request?.headers.get('origin') ?? null;
    let verdict: OriginVerdict = 'absent';
    if (request && origin !== null) verdict = origins.verdict(origin, requestUrlParts(request.url));
    let authorization: unknown = request?.headers.get('authorization') ?? undefined;
    if (upgrade) {
      const params = context['connectionParams'] as Record<string, unknown> | undefined;
      authorization = params?.['authorization'] ?? params?.['Authorization'] ?? authorization;
    }
    const token = verifyCredential(authorization, origin);
    const req = context['req'] as IncomingMessage | undefined;
    return { transport: upgrade ? 'ws' : 'http', origin, verdict, remoteAddress: req?.socket?.remoteAddress ?? null, token };
  };

  const authOf = (caller: Caller): AuditEntry['auth'] =>
    caller.token === 'valid' ? 'token' : caller.token === 'paired' ? 'pairing' : caller.verdict === 'allowed' || caller.verdict === 'own' ? 'origin' : 'none';

  // One object literal, keys in the audit line's order: a spread of a base object plus fields cost
  // microseconds per request on Node 20 (docs/performance.md, round 6).
  const operationEntry = (
    caller: Caller,
    access: OperationAccess,
    event: 'operation' | 'refused',
    fields: readonly FieldOutcome[],
    outcome: string,
  ): AuditEntry => ({
    transport: caller.transport,
    origin: caller.origin,
    remoteAddress: caller.remoteAddress,
    auth: authOf(caller),
    operationType: access.operationType,
    operationName: access.operationName,
    event,
    fields,
    outcome,
  });

  /** The refusal for this caller and operation, if any. */
  const decide = (caller: Caller, access: OperationAccess): GraphQLError | undefined => {
    if (caller.token === 'invalid') return refusal('TOKEN_INVALID');
    if (caller.token === 'wrong-origin') return refusal('PAIRING_ORIGIN_MISMATCH');
    const credential = caller.token === 'valid' || caller.token === 'paired';
    if (access.level === 'token' && !credential) return refusal('TOKEN_REQUIRED');
    if (access.level === 'identity' && !credential) {
      return refusal('TOKEN_REQUIRED', { message: 'Identity data needs the access token or a pairing token' });
    }
    // Listing and revoking pairings is for the workstation's owner, not for a paired page.
    if (caller.token !== 'valid' && access.gated.some((field) => OWNER_ONLY_FIELDS.has(field))) {
      return refusal('TOKEN_REQUIRED', { message: 'Managing pairings needs the access token itself' });
    }
    if (limiter && access.identityUses > 0) {
      const taken = limiter.take(caller.origin ?? '(no origin)', access.identityUses);
      if (!taken.ok) {
        return refusal('RATE_LIMITED', {
          extensions: { retryAfter: taken.retryAfterSeconds },
          headers: { 'Retry-After': String(taken.retryAfterSeconds) },
        });
      }
    }
    return undefined;
  };

  /** Shared by onExecute and onSubscribe: refuse, or record the gated fields' outcomes when done. */
  const guard = (
    args: { schema: Parameters<typeof classifyOperation>[0]; document: Parameters<typeof classifyOperation>[1]; operationName?: string | null | undefined; contextValue: unknown },
    stop: (result: { errors: GraphQLError[] }) => void,
  ): ((errors: readonly GraphQLError[] | undefined) => void) | undefined => {
    const access = classifyOperation(args.schema, args.document, args.operationName);
    if (!access) return undefined; // no such operation: execution reports it, and nothing runs
    const context = (args.contextValue ?? {}) as Record<string, unknown>;
    const caller = callerOf(context);
    const refused = decide(caller, access);
    if (refused) {
      const code = refused.extensions['code'] as RefusalCode;
      if (context['request']) audited.add(context['request'] as object);
      record(operationEntry(caller, access, 'refused', access.gated.map((field) => ({ field, outcome: code })), code));
      stop({ errors: [refused] });
      return undefined;
    }
    // Outcomes are collected only for an audit log: without one (tests, embedding) nothing would read them.
    if (!audit || access.gated.length === 0) return undefined;
    const outcomes = startRecording(context);
    return (errors) => {
      const failed = firstFailed(outcomes);
      const topLevel = errors?.[0]?.extensions?.['code'];
      const fields: FieldOutcome[] = outcomes.length > 0 ? [...outcomes] : access.gated.map((field) => ({ field, outcome: 'NOT_RUN' }));
      record(operationEntry(caller, access, 'operation', fields, failed?.outcome ?? (typeof topLevel === 'string' ? topLevel : errors?.length ? 'ERROR' : 'OK')));
    };
  };

  return {
    onResultProcess({ request, result, serverContext }) {
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!single || isAsyncIterable(single) || !('errors' in single)) continue;
        for (const error of single.errors ?? []) {
          const code = refusalCode(error);
          if (code && REFUSED_ELSEWHERE.has(code)) return recordElsewhere(request, serverContext, code);
        }
      }
    },
    onResponse({ request, response, serverContext }) {
      // yoga's body-size limit answers 413 without a typed error.
      if (response.status === 413) recordElsewhere(request, serverContext, 'REQUEST_ENTITY_TOO_LARGE');
      const origin = request.headers.get('origin');
      if (origin === null) return;
      let url: UrlParts;
      try {
        url = requestUrlParts(request.url);
      } catch {
        return;
      }
      for (const [name, value] of Object.entries(corsHeaders(request, origins.verdict(origin, url)))) {
        response.headers.set(name, value);
      }
    },
    onExecute({ args, setResultAndStopExecution }) {
      const done = guard(args, setResultAndStopExecution);
      if (!done) return undefined;
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) done(undefined);
          else done(result.errors as readonly GraphQLError[] | undefined);
        },
      };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const done = guard(args, setResultAndStopExecution);
      if (!done) return undefined;
      return {
        onSubscribeResult({ result }) {
          if (isAsyncIterable(result)) done(undefined);
          else done(result.errors as readonly GraphQLError[] | undefined);
        },
      };
    },
  };
}

/** The first outcome that is not OK (a loop: no function made per operation, as `find` with an arrow would). */
function firstFailed(outcomes: readonly FieldOutcome[]): FieldOutcome | undefined {
  for (const outcome of outcomes) if (outcome.outcome !== 'OK') return outcome;
  return undefined;
}

function startsWithAny(path: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (path.startsWith(prefix)) return true;
  return false;
}

/** What the door checks read of the request URL (a URL has these; so does the fast path's result). */
interface UrlParts {
  readonly hostname: string;
  readonly pathname: string;
  readonly origin: string;
}

/**
 * `scheme://host[:port]/path[?query]` where the host is a lowercase loopback name or a canonical dotted IPv4
 * address and the path has only plain characters: for these, WHATWG URL parsing changes nothing (no case
 * folding, no IPv4 number forms, no percent-decoding or dot segments), so the parts can be read off the
 * string. Anything else (IPv6, DNS names, odd paths) goes through a real URL parse, once.
 */
const PLAIN_URL =
  /^(https?):\/\/(localhost|(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?::([1-9]\d{0,4}))?(\/[A-Za-z0-9_\-/]*)(?:\?[^#\s]*)?$/;

function requestUrlParts(href: string): UrlParts {
  const m = PLAIN_URL.exec(href);
  const port = m?.[3];
  if (m && (port === undefined || Number(port) <= 65535)) {
    const scheme = m[1]!;
    const hostname = m[2]!;
    // The URL standard drops the scheme's default port from the origin.
    const defaultPort = scheme === 'https' ? '443' : '80';
    const origin = `${scheme}://${hostname}${port !== undefined && port !== defaultPort ? `:${port}` : ''}`;
    return { hostname, pathname: m[4]!, origin };
  }
  // One real parse, as @whatwg-node's Proxy does (but not again for each property read).
  return new URL(href, 'http://localhost');
}

/** CORS for allowed and own origins only; everything else gets no CORS headers (and was refused anyway). */
function corsHeaders(request: Request, verdict: OriginVerdict): Record<string, string> {
  const origin = request.headers.get('origin');
  if (origin === null || (verdict !== 'allowed' && verdict !== 'own')) return {};
  // No Allow-Credentials: the gateway uses no cookies, so a page's credentials are never needed.
  return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'Retry-After' };
}

function preflightHeaders(request: Request, verdict: OriginVerdict): Record<string, string> {
  if (request.headers.get('origin') === null || (verdict !== 'allowed' && verdict !== 'own')) return {};
  const headers: Record<string, string> = {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
    'access-control-max-age': '600',
  };
  // Chrome's Private Network Access preflight (before Local Network Access replaced it with a prompt).
  if (request.headers.get('access-control-request-private-network') === 'true') {
    headers['access-control-allow-private-network'] = 'true';
  }
  return headers;
}

/**
 * The door checks for a WebSocket upgrade (graphql-ws's connect step): Host and Origin as over HTTP.
 * Tokens are checked per operation (connectionParams), so a wrong token gets a typed TOKEN_INVALID error
 * rather than a bare close code.
 */
export function createWsAdmission(options: Pick<AccessControlOptions, 'origins' | 'allowRemote' | 'audit' | 'onRefusal'>) {
  return (request: IncomingMessage): boolean => {
    const host = request.headers.host ?? 'localhost';
    let url: URL;
    try {
      url = new URL(request.url ?? '/', `http://${host}`);
    } catch {
      url = new URL('http://invalid.invalid/');
    }
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : null;
    let code: RefusalCode | undefined;
    if (!options.allowRemote && !isLocalHostHeader(url.hostname)) code = 'HOST_NOT_ALLOWED';
    else if (!isSameUserSocket(request.socket)) code = 'LOOPBACK_ONLY';
    else if (options.origins.verdict(origin, url) === 'refused') code = 'ORIGIN_NOT_ALLOWED';
    if (!code) return true;
    const entry: AuditEntry = {
      event: 'refused',
      transport: 'ws',
      origin,
      remoteAddress: request.socket?.remoteAddress ?? null,
      auth: 'none',
      outcome: code,
    };
    options.audit?.record(entry);
    options.onRefusal?.(entry);
    return false;
  };
}

/**
 * Audits refusals that graphql-ws answers from its subscribe step (document limits: depth, aliases, tokens,
 * cost, directives), which never pass through yoga's HTTP result hooks: one line per refused operation,
 * as over HTTP.
 */
export function createWsRefusalAudit(options: Pick<AccessControlOptions, 'audit' | 'onRefusal'>) {
  return (request: IncomingMessage, errors: readonly GraphQLError[]): void => {
    const code = errors.map(refusalCode).find((c) => c !== undefined && REFUSED_ELSEWHERE.has(c));
    if (!code) return;
    const entry: AuditEntry = {
      event: 'refused',
      transport: 'ws',
      origin: typeof request.headers.origin === 'string' ? request.headers.origin : null,
      remoteAddress: request.socket?.remoteAddress ?? null,
      auth: 'none',
      outcome: code,
    };
    options.audit?.record(entry);
    options.onRefusal?.(entry);
  };
}
