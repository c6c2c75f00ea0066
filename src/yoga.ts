/**
 * The gateway core: a yoga fetch handler with our plugins. Does no I/O (no listening, no file access);
 * `src/server.ts` binds it to Node and `src/transport/ws.ts` adds graphql-ws.
 */
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { createYoga, type GraphiQLOptions, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import { renderOfflineGraphiQL, GRAPHIQL_FAVICON, GRAPHIQL_LOGO, graphiqlAssetsRoute } from './plugins/use-graphiql-assets.ts';
import { useErrorMapping, type ErrorMapper } from './plugins/use-error-mapping.ts';
import { useErrorExtensions } from './plugins/use-error-extensions.ts';
import { useLimits, type OperationLimits } from './plugins/use-limits.ts';
import { readinessRoute, type Readiness } from './plugins/use-readiness.ts';
import type { IncomingMessage } from 'node:http';
import { createCredentialVerifier, createDoor, createWsAdmission, createWsRefusalAudit, isLoopbackClient, useAccessControl } from './plugins/use-access-control.ts';
import { credentialCheckRoute } from './plugins/use-credential-check.ts';
import { useCsrfHeader } from './plugins/use-csrf-header.ts';
import { OriginPolicy, isLocalHostHeader } from './security/origins.ts';
import { accessRule } from './security/access-policy.ts';
import { DEFAULT_IDENTITY_RATE } from './security/rate-limit.ts';
import { instrumentAuditedFields, type AuditEntry, type AuditLog } from './security/audit.ts';
import { GRAPHIQL_ASSETS_PATH } from './plugins/use-graphiql-assets.ts';
import { STATUS_PATH, statusPageRoute } from './plugins/use-status-page.ts';
import { METRICS_PATH, metricsRoute, useSubscriptionMetrics } from './plugins/use-metrics.ts';
import type { GatewayMetrics } from './metrics/gateway-metrics.ts';
import { useResumableStreams } from './plugins/use-resumable-streams.ts';
import { createSseStreams, type SseStreams } from './transport/sse.ts';
import { pairingRoute } from './plugins/use-pairing.ts';
import { useRoutes, type Route } from './plugins/use-routes.ts';
import { mergeResultHooks } from './plugins/merge-result-hooks.ts';
import { mergeExecuteHooks } from './plugins/merge-execute-hooks.ts';
import { MAX_STRING_INPUT, useInputCaps } from './plugins/use-input-caps.ts';
import { useBodySizeLimit } from './plugins/use-body-size-limit.ts';
import type { PairingStore } from './security/pairings.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Minimal structured logger; `fields` must not carry patient data. */
export interface GatewayLogger {
  /** The lowest level written, when known: lets callers skip building messages nobody will see. */
  readonly level?: LogLevel;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * What `createContext` receives. Over HTTP this is yoga's initial context (`request`, `params`, and the
 * Node `req`/`res`); over WebSocket it is built by `src/transport/ws.ts` (`request` rebuilt from the
 * upgrade request, plus `params`, `connectionParams`, `req`, `socket`). Read headers from `request` only.
 */
export interface GatewayInitialContext {
  /** A Fetch `Request`: the HTTP request, or for WebSocket the upgrade request (GET, same headers). */
  readonly request: Request;
  /** graphql-ws `connection_init` payload; undefined over HTTP. */
  readonly connectionParams?: Readonly<Record<string, unknown>> | undefined;
  readonly [key: string]: unknown;
}

export interface GatewayLimits extends OperationLimits {
  /** Largest request body accepted, in bytes (413 above it). @default 1048576 */
  maxBodyBytes?: number;
}

export interface GatewayDeps {
  schema: GraphQLSchema;
  /** Builds the per-request GraphQL context (receives yoga's initial context, incl. `request`). */
  createContext: (initial: { request: Request }) => object | Promise<object>;
  /** Readiness check for /ready. */
  readiness: () => Promise<Readiness>;
  logger?: GatewayLogger;
  limits?: GatewayLimits;
  /** Serve GraphiQL on GET /graphql with Accept: text/html. @default true */
  graphiql?: boolean;
  /**
   * Headers GraphiQL starts with (its Headers tab). Only the simulator sets one, the access token, so a
   * developer can rehearse mutations at once; GraphiQL is served to this machine only.
   */
  graphiqlHeaders?: Readonly<Record<string, string>>;
  /**
   * Turns errors thrown by resolvers into client errors (e.g. input errors → BAD_USER_INPUT) before
   * masking; return `undefined` to keep masking ("Unexpected error.", logged).
   */
  mapError?: ErrorMapper;
  /**
   * Who may call (docs/security.md). Without it the core is open (the stand-in schema tests); the real
   * gateway always gets it from `createApp`, whose defaults are the secure ones.
   */
  security?: GatewaySecurity;
  /** Serve them at /metrics (loopback only, docs/metrics.md) and count subscriptions into them. */
  metrics?: GatewayMetrics;
}

export interface GatewaySecurity {
  /** The access token: protected operations need `Authorization: Bearer <token>`. */
  readonly token: string;
  /** HIS origins allowed besides the gateway's own (`scheme://host[:port]`). @default [] */
  readonly allowedOrigins?: readonly string[];
  /** Accept Host names other than loopback names and IP literals (--allow-remote). @default false */
  readonly allowRemote?: boolean;
  /** Per-origin limit on identity reads; false turns it off. @default DEFAULT_IDENTITY_RATE */
  readonly identityRate?: { readonly perMinute: number; readonly burst: number } | false;
  /** Where identity reads, protected operations and refusals are recorded. */
  readonly audit?: AuditLog;
  /** Pairings of HIS pages (POST /pair); without it only the access token is a credential. */
  readonly pairings?: PairingStore;
  /** For tests of the rate limiter. */
  readonly now?: () => number;
}

/** The yoga instance returned by {@link createGateway}; use as a Node request listener or via `.fetch`. */
export type Gateway = YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;

export const GRAPHQL_PATH = '/graphql';
export const HEALTH_PATH = '/health';
export const READY_PATH = '/ready';
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/** GraphiQL's first tab for a browser that has no saved tabs. */
export const GRAPHIQL_DEFAULT_QUERY = `# NHI Card Gateway. Pick an operation with the ▶ button's menu, or Ctrl+Enter inside one.
# On the simulator, run them top to bottom to rehearse a whole visit; Docs (top left) lists every field.

query Gateway {
  gateway { version backend ready readinessReasons }
  lightState { ... on LightState { healthCard { level colour } professionalCard { level colour } } }
}

mutation InsertTestCard {
  simulatorInsertHealthCard(input: { card: STANDARD }) { ... on LightState { healthCard { level colour } } }
}

query ReadCard {
  healthCard {
    basicData {
      ... on BasicData { cardNumber idNumber birthDate sex name { text hasRareCharacters } }
      ... on Error { code messageZh hint } ... on VendorError { vendorCode }
    }
    registerData { ... on RegisterData { remainingVisits cardValidUntil } }
  }
}

mutation StartVisit {
  startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) {
    ... on Visit { visitTimeRoc seqNumber treatmentId treatmentIdSource treatmentIdPending }
    ... on Error { code messageZh hint } ... on VendorError { vendorCode }
  }
}

subscription Lights {
  lightStateChanged { healthCard { level colour } professionalCard { level colour } }
}
`;

export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'NHI Card Gateway',
  defaultQuery: GRAPHIQL_DEFAULT_QUERY,
  subscriptionsProtocol: 'WS',
  favicon: GRAPHIQL_FAVICON,
  logo: GRAPHIQL_LOGO,
};

export function createGateway(deps: GatewayDeps): Gateway {
  const graphiql = deps.graphiql !== false;
  const graphiqlOptions: GraphiQLOptions = deps.graphiqlHeaders
    ? { ...GRAPHIQL_OPTIONS, headers: JSON.stringify(deps.graphiqlHeaders, null, 2) }
    : GRAPHIQL_OPTIONS;
  const logger = deps.logger;
  const sseStreams = createSseStreams();
  const security = deps.security;
  const onRefusal = (entry: AuditEntry): void =>
    logger?.info('request refused', {
      code: entry.outcome,
      transport: entry.transport,
      origin: entry.origin,
      ...(entry.operationType ? { operationType: entry.operationType } : {}),
    });
  const accessControl = security && {
    origins: new OriginPolicy(security.allowedOrigins ?? []),
    token: security.token,
    allowRemote: security.allowRemote ?? false,
    identityRate: security.identityRate ?? DEFAULT_IDENTITY_RATE,
    graphqlPath: GRAPHQL_PATH,
    loopbackOnlyPaths: [GRAPHIQL_ASSETS_PATH, STATUS_PATH, METRICS_PATH],
    upgradeRequestKey: UPGRADE_REQUEST_KEY,
    audit: security.audit,
    pairings: security.pairings,
    onRefusal,
    ...(security.now ? { now: security.now } : {}),
  };
  if (accessControl && security.audit) {
    // Outcomes of gated fields for the audit log (wraps their resolvers once per schema; without an audit
    // log nothing would read them).
    instrumentAuditedFields(deps.schema, (coordinate, isRoot) => {
      const rule = accessRule(coordinate, isRoot);
      return rule !== undefined && rule.level !== 'public';
    });
  }
  // Each answers its own paths; the first that matches wins (pairing's /status/pairing before /status/…).
  const routes: Route[] = [
    ...(accessControl && security.pairings
      ? [pairingRoute({ store: security.pairings, origins: accessControl.origins, audit: security.audit, onRefusal })]
      : []),
    // POST /credential: the client kit's findGateway asks which port's gateway knows its credential.
    ...(accessControl
      ? [credentialCheckRoute({ verify: createCredentialVerifier(accessControl.token, accessControl.pairings), audit: security.audit, onRefusal })]
      : []),
    readinessRoute({
      endpoint: READY_PATH,
      check: deps.readiness,
      onCheckError: (error) => logger?.warn('readiness check threw', { error: describe(error) }),
    }),
    ...(graphiql ? [graphiqlAssetsRoute()] : []),
    statusPageRoute({
      ...(security?.pairings ? { pairingCodes: () => security.pairings!.pending() } : {}),
      frameAncestors: security?.allowedOrigins ?? [],
    }),
    ...(deps.metrics ? [metricsRoute({ metrics: deps.metrics })] : []),
  ];
  const yoga = createYoga<Record<string, unknown>, Record<string, unknown>>({
    schema: deps.schema,
    context: (initial) =>
      deps.createContext(withRequest(initial)) as Promise<Record<string, unknown>> | Record<string, unknown>,
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: HEALTH_PATH,
    landingPage: false,
    maskedErrors: true,
    // No file uploads here; multipart is also a content type browsers may send cross-site unpreflighted.
    multipart: false,
    // The body limit is ours (use-body-size-limit.ts): yoga's counts every body through a stream.
    maxRequestBodySize: false,
    // yoga's CORS echoes any Origin with credentials (docs/security.md (2. Origin allow-list and CORS)); useAccessControl does CORS instead.
    ...(accessControl ? { cors: false as const } : {}),
    // GraphiQL only for this machine: yoga's GraphiQL hook runs before any of ours, so it asks here.
    graphiql: !graphiql
      ? false
      : accessControl
        ? (request: Request, serverContext: unknown) =>
            // Declined here, the page falls to the door (use-access-control.ts createDoor, run by the router), which answers HOST_NOT_ALLOWED (rebinding).
            isLoopbackClient(serverContext) && (accessControl.allowRemote || isLocalHostHeader(new URL(request.url).hostname))
              ? graphiqlOptions
              : false
        : graphiqlOptions,
    renderGraphiQL: renderOfflineGraphiQL,
    logging: logger ? toYogaLogger(logger) : true,
    // Our execute hooks run as one, and our result hooks as one (src/plugins/merge-execute-hooks.ts,
    // merge-result-hooks.ts), in this order.
    plugins: mergeExecuteHooks(mergeResultHooks([
      // First: one onRequest hook for the door checks, then the paths we answer ourselves
      // (src/plugins/use-routes.ts), so the door runs before /ready, the GraphiQL assets and any parsing.
      useRoutes(routes, { door: accessControl && createDoor(accessControl) }),
      ...(accessControl ? [useAccessControl(accessControl), useCsrfHeader()] : []),
      ...(deps.metrics ? [useSubscriptionMetrics(deps.metrics)] : []),
      useResumableStreams(sseStreams),
      ...(deps.mapError ? [useErrorMapping(deps.mapError)] : []),
      useInputCaps(MAX_STRING_INPUT, (field) => logger?.info('input refused: too long', { field })),
      ...useLimits(deps.limits, (error) => logger?.info('operation rejected by limits', { reason: error.message })),
      // Last: every error a client sees gets the catalogue's code, texts and hint (docs/api-conventions.md).
      useErrorExtensions(),
      // After every request parser, where yoga puts its own body limit (which is off above).
      useBodySizeLimit(deps.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    ])),
  });
  if (accessControl) wsAdmissions.set(yoga, createWsAdmission(accessControl));
  if (accessControl) wsRefusalAudits.set(yoga, createWsRefusalAudit(accessControl));
  sseStreamsByGateway.set(yoga, sseStreams);
  return yoga;
}

const sseStreamsByGateway = new WeakMap<Gateway, SseStreams>();

/** The gateway's open SSE streams, for `startServer` to complete them on shutdown (docs/protocol.md). */
export function sseStreamsOf(yoga: Gateway): SseStreams | undefined {
  return sseStreamsByGateway.get(yoga);
}

const wsAdmissions = new WeakMap<Gateway, (request: IncomingMessage) => boolean>();

/**
 * The WebSocket door check of a gateway built with `security` (Host and Origin; false → close 4403), for
 * `startServer` to apply in graphql-ws's connect step. Undefined for an open gateway.
 */
export function wsAdmissionOf(yoga: Gateway): ((request: IncomingMessage) => boolean) | undefined {
  return wsAdmissions.get(yoga);
}

const wsRefusalAudits = new WeakMap<Gateway, (request: IncomingMessage, errors: readonly GraphQLError[]) => void>();

/** Audits graphql-ws operations refused by the document limits (`startServer` hands it to the transport). */
export function wsRefusalAuditOf(yoga: Gateway): ((request: IncomingMessage, errors: readonly GraphQLError[]) => void) | undefined {
  return wsRefusalAudits.get(yoga);
}

/**
 * Key under which `src/transport/ws.ts` puts the Fetch `Request` rebuilt from the WebSocket upgrade request.
 * It is not put at `request`, because yoga's plugins take a context `request` for the HTTP request of
 * the operation (a GET one would refuse mutations).
 */
export const UPGRADE_REQUEST_KEY = 'upgradeRequest';

function withRequest(initial: Record<string, unknown>): GatewayInitialContext {
  // Not `instanceof Request`: yoga's requests come from its own fetch implementation.
  if (initial['request'] != null) return initial as GatewayInitialContext;
  const upgrade = initial[UPGRADE_REQUEST_KEY] as Request | undefined;
  if (upgrade != null) return { ...initial, request: upgrade };
  throw new Error('createGateway: context without a request (HTTP) or upgradeRequest (WebSocket)');
}

function describe(value: unknown): unknown {
  // `type`, not `name`: the logger redacts every `name` key (patients' and professionals' names).
  return value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
}

/** Yoga logs `(message, ...details)` or a bare `Error` (masked errors); fold that into `(msg, fields)`. */
function toYogaLogger(logger: GatewayLogger): YogaLogger {
  const adapt =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      const words: string[] = [];
      const details: unknown[] = [];
      for (const arg of args) {
        if (typeof arg === 'string') words.push(arg);
        else details.push(describe(arg));
      }
      const msg = words.join(' ') || (args[0] instanceof Error ? args[0].message : `yoga ${level}`);
      if (details.length === 0) logger[level](msg);
      else logger[level](msg, { details: details.length === 1 ? details[0] : details });
    };
  // yoga logs three debug lines per request: drop them here when they would be dropped anyway.
  const noop = (): void => undefined;
  return {
    debug: logger.level === undefined || logger.level === 'debug' ? adapt('debug') : noop,
    info: adapt('info'),
    warn: adapt('warn'),
    error: adapt('error'),
  };
}
