/**
 * Builds the whole gateway from its services: schema, context and the yoga core. No listening here, so
 * the in-process API tests and the real server use exactly the same thing.
 */
import { GraphQLError } from 'graphql';
import { buildSchema } from '../schema/index.ts';
import { createGateway, type Gateway, type GatewayLogger, type GatewaySecurity } from './yoga.ts';
import type { GatewayContext } from './context.ts';
import type { RunningServices } from './services.ts';
import { InputError } from './codecs/input-error.ts';
import { createConsoleLogger } from './logger.ts';
import { generateToken, MIN_TOKEN_LENGTH } from './security/token.ts';
import { guardPinFlows } from './security/pin-gate.ts';
import { GatewayMetrics } from './metrics/gateway-metrics.ts';
import { instrumentCardStack } from './metrics/instrument.ts';
import { metricsSourcesOf } from './metrics/sources.ts';
import type { PairingRegistry } from './ports/pairings.ts';

export interface AppOptions {
  readonly logger?: GatewayLogger;
  readonly graphiql?: boolean;
  /**
   * Who may call (docs/security.md). Every omitted field takes the secure default: only the gateway's own
   * origin, loopback Host names only, the identity-read rate limit, no audit file — and without `token` a
   * random one that nobody else knows, so protected operations are refused until the caller passes the
   * real one (main.ts passes the token file's; tests pass theirs).
   */
  readonly security?: Partial<GatewaySecurity>;
}

let schema: ReturnType<typeof buildSchema> | null = null;

/** Builds the schema now, once per process (createApp reuses it): src/main-app.ts does it as its own step. */
export function prepareSchema(): void {
  schema ??= buildSchema();
}

export function createApp(services: RunningServices, options: AppOptions = {}): Gateway {
  schema ??= buildSchema();
  const token = options.security?.token ?? generateToken();
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`createApp: the access token must have at least ${MIN_TOKEN_LENGTH} characters`);
  const metrics = services.metrics ?? new GatewayMetrics();
  metrics.attach(metricsSourcesOf(services));
  // PIN flows one at a time, for every caller of this CardStack (ACTION_PENDING); each operation counted.
  const cards = instrumentCardStack(guardPinFlows(services.cards).cards, metrics);
  return createGateway({
    schema,
    createContext: contextFactory(services, cards, options.security?.pairings ?? null),
    security: { ...options.security, token },
    // Which backend answers, on every /ready: a simulator chosen by `auto` must never pass for real cards.
    readiness: () =>
      services.status.readiness().then((r) => ({ ready: r.ready, reasons: [...r.reasons], backend: services.backend.description })),
    mapError: toClientError,
    metrics,
    // Never yoga's bare console: every line goes through the masking logger.
    logger: options.logger ?? createConsoleLogger(),
    ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
    // The simulator holds no patient data: GraphiQL may carry the token there, never with real cards.
    ...(services.simulator ? { graphiqlHeaders: { Authorization: `Bearer ${token}` } } : {}),
  });
}

/**
 * The per-request context over long-lived services (`cards` as the resolvers must see it, e.g. PIN-gated).
 * Spelled out, not `{ ...services }`: a spread also copies the dispose symbol, and this runs on every request.
 */
export function contextFactory(
  services: RunningServices,
  cards: GatewayContext['cards'],
  pairings: PairingRegistry | null = null,
): (initial: { request: Request }) => GatewayContext {
  return ({ request }) => ({
    cards,
    monitor: services.monitor,
    writes: services.writes,
    simulator: services.simulator,
    controlSoftware: services.controlSoftware ?? null,
    status: services.status,
    pairings,
    request,
  });
}

/** Bad input is the client's to fix: say which field and which rule, as BAD_USER_INPUT. */
export function toClientError(error: unknown): GraphQLError | undefined {
  if (error instanceof InputError) {
    return new GraphQLError(`${error.field}: ${error.rule}`, {
      extensions: { code: 'BAD_USER_INPUT', field: error.field, rule: error.rule },
    });
  }
  return undefined;
}
