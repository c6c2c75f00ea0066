/**
 * The apps a benchmark server or loop can be built as, to find out what each layer of the gateway costs.
 * Everything here uses the real factories (createApp, createGateway, our plugins); nothing re-implements
 * src/yoga.ts, so this file cannot drift from the gateway's logic — only its wiring in `gateway-as-app`
 * mirrors src/app.ts, and measuring it beside `production` shows when that wiring is stale.
 *
 * Two families:
 *   removing one thing from the gateway (createApp options, or createGateway without a dependency);
 *   adding one thing to bare yoga (the reference server) — a plugin of ours, or our schema.
 *
 * Every gateway variant turns the identity-read rate limit off (`identityRate: false`): at its default
 * (60 reads per minute per origin) a load test would measure refusals. The token comes from the
 * environment (bench/lib/bench-token.ts), and clients send it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createYoga, type Plugin } from 'graphql-yoga';
import { buildSchema } from '../../schema/index.ts';
import { contextFactory, createApp, toClientError } from '../../src/app.ts';
import type { RunningServices } from '../../src/services.ts';
import type { CardStack } from '../../src/ports/card-stack.ts';
import type { BasicData } from '../../src/domain/types.ts';
import { createAuditLog, createConsoleLogger, createGatewayLogger } from '../../src/logger.ts';
import { parseArgs } from '../../src/config.ts';
import { closeGatewayLogs, openGatewayLogs, shippedAppOptions } from '../../src/shipped-app.ts';
import { loadOrCreateToken } from '../../src/security/token.ts';
import { PairingStore, pairingsPath } from '../../src/security/pairings.ts';
import { createGateway, type Gateway, type GatewayDeps, type GatewaySecurity } from '../../src/yoga.ts';
import { guardPinFlows } from '../../src/security/pin-gate.ts';
import { useErrorMapping } from '../../src/plugins/use-error-mapping.ts';
import { useGraphiQLAssets } from '../../src/plugins/use-graphiql-assets.ts';
import { useLimits } from '../../src/plugins/use-limits.ts';
import { useReadiness } from '../../src/plugins/use-readiness.ts';
import { useStatusPage } from '../../src/plugins/use-status-page.ts';
import { benchToken } from '../lib/bench-token.ts';
import { createBareSchema } from './bare-schema.ts';

export const APP_DESCRIPTIONS = {
  bare: 'bare graphql-yoga (defaults, GraphiQL and logging off), constant answer — reference (b)',
  shipped:
    'what src/main.ts runs: its config parser, log files, token file and createApp options (shippedAppOptions) — judged target (c); ' +
    'only the identity-read rate limit\'s numbers raised so it never refuses',
  production: 'createApp: token, rate limit off, default console logger, no audit file — target (c)',
  'npm-start': 'createApp as src/main.ts wires it: pino logger with file + console, audit file (temp dir)',
  'app-no-graphiql': 'createApp with graphiql: false',
  'gateway-as-app': 'createGateway wired like src/app.ts (checks this file against createApp)',
  'gateway-no-security': 'createGateway without `security` (no access control, CSRF header, audit wrappers)',
  'gateway-no-error-mapping': 'createGateway wired like createApp but without mapError',
  'gateway-yoga-logger': 'createGateway wired like createApp but without our logger (yoga\'s console)',
  'gateway-bare-schema': 'createGateway wired like createApp over the bare constant schema (all our plugins)',
  'bare+gateway-schema': 'bare yoga over our schema (Pothos, simulator) with our context, no plugins of ours',
  'bare+gateway-schema-constant-card': 'as above, basicData() answering a cached result (no simulator, no decoding)',
  'bare+limits': 'bare yoga + useLimits (graphql-armor)',
  'bare+error-mapping': 'bare yoga + useErrorMapping',
  'bare+readiness': 'bare yoga + useReadiness',
  'bare+status-page': 'bare yoga + useStatusPage',
  'bare+graphiql-assets': 'bare yoga + useGraphiQLAssets',
} as const;

export type AppName = keyof typeof APP_DESCRIPTIONS;
export const APP_NAMES = Object.keys(APP_DESCRIPTIONS) as AppName[];

export function isAppName(name: string): name is AppName {
  return Object.hasOwn(APP_DESCRIPTIONS, name);
}

export interface BuiltApp {
  readonly yoga: Gateway;
  /** Flushes and closes files the app opened (logs), removes temporary folders. */
  close(): void | Promise<void>;
}

/**
 * The gateway as `nhi-gateway --backend simulator` configures it, through the functions src/main.ts calls:
 * parseArgs (src/config.ts), openGatewayLogs, loadOrCreateToken, a PairingStore and shippedAppOptions
 * (src/shipped-app.ts).
 * Logs, audit log and token file live in a temporary folder; the token file holds the bench's token (0600,
 * removed at the end). One change, said in the report: the identity-read rate limit keeps running on every
 * request but with numbers no benchmark reaches (its burst is 20 reads, a load test would measure refusals).
 */
function shippedApp(services: RunningServices): BuiltApp {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-shipped-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, benchToken(), { mode: 0o600 });
  // No --token-file: the simulator refuses it (it keeps its own token file); the bench's token is loaded below.
  const parsed = parseArgs(['--backend', 'simulator', '--log-dir', join(dir, 'logs')], {});
  if (parsed.kind !== 'run') throw new Error(`shipped: config did not parse (${parsed.kind})`);
  const logs = openGatewayLogs(join(dir, 'logs'));
  // As src/main-app.ts: the pairing store (an empty file in the temporary folder), hence the pairing routes.
  const pairings = new PairingStore(pairingsPath(dir, parsed.config.backend));
  const options = shippedAppOptions(parsed.config, logs, loadOrCreateToken(tokenFile).token, pairings);
  const yoga = createApp(services, {
    ...options,
    security: { ...options.security, identityRate: { perMinute: 1e9, burst: 1e9 } },
  });
  return {
    yoga,
    close: async () => {
      await closeGatewayLogs(logs);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `cards` whose basicData() always answers the first result (the rest delegates to the real one). */
function constantBasicData(cards: CardStack): CardStack {
  let first: Promise<BasicData> | undefined;
  const stub = Object.create(cards) as CardStack & { basicData: () => Promise<BasicData> };
  stub.basicData = () => (first ??= cards.basicData());
  return stub;
}

let gatewaySchema: ReturnType<typeof buildSchema> | undefined;
const schemaOnce = (): ReturnType<typeof buildSchema> => (gatewaySchema ??= buildSchema());

/** What src/app.ts passes to createGateway, with `changes` applied. */
function appLikeDeps(services: RunningServices, changes: Partial<GatewayDeps> & { security?: GatewaySecurity | undefined }): GatewayDeps {
  const { cards } = guardPinFlows(services.cards);
  const deps: GatewayDeps = {
    schema: schemaOnce(),
    createContext: contextFactory(services, cards),
    security: { token: benchToken(), identityRate: false },
    readiness: () => services.status.readiness().then((r) => ({ ready: r.ready, reasons: [...r.reasons] })),
    mapError: toClientError,
    logger: createConsoleLogger(),
  };
  const merged = { ...deps, ...changes };
  for (const key of Object.keys(changes) as Array<keyof GatewayDeps>) if (changes[key] === undefined) delete merged[key];
  return merged;
}

function bareYoga(plugins: Plugin[] = []): Gateway {
  return createYoga({ schema: createBareSchema(), graphiql: false, logging: false, plugins }) as unknown as Gateway;
}

function bareYogaOverGatewaySchema(services: RunningServices, cards: CardStack): Gateway {
  return createYoga<Record<string, unknown>, Record<string, unknown>>({
    schema: schemaOnce(),
    context: contextFactory(services, cards) as unknown as (initial: { request: Request }) => Record<string, unknown>,
    graphiql: false,
    logging: false,
  });
}

const security = (): GatewaySecurity => ({ token: benchToken(), identityRate: false });
const open = (yoga: Gateway): BuiltApp => ({ yoga, close: () => {} });

export function buildApp(services: RunningServices, name: AppName): BuiltApp {
  switch (name) {
    case 'bare':
      return open(bareYoga());
    case 'shipped':
      return shippedApp(services);
    case 'production':
      return open(createApp(services, { security: security() }));
    case 'npm-start': {
      const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-logs-'));
      const logger = createGatewayLogger({ directory: dir, console: true });
      const audit = createAuditLog({ directory: dir });
      const yoga = createApp(services, { logger, security: { ...security(), audit } });
      return {
        yoga,
        close: async () => {
          await logger.close();
          await audit.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    case 'app-no-graphiql':
      return open(createApp(services, { graphiql: false, security: security() }));
    case 'gateway-as-app':
      return open(createGateway(appLikeDeps(services, {})));
    case 'gateway-no-security':
      return open(createGateway(appLikeDeps(services, { security: undefined })));
    case 'gateway-no-error-mapping':
      return open(createGateway(appLikeDeps(services, { mapError: undefined })));
    case 'gateway-yoga-logger':
      return open(createGateway(appLikeDeps(services, { logger: undefined })));
    case 'gateway-bare-schema':
      return open(createGateway(appLikeDeps(services, { schema: createBareSchema() })));
    case 'bare+gateway-schema':
      return open(bareYogaOverGatewaySchema(services, services.cards));
    case 'bare+gateway-schema-constant-card':
      return open(bareYogaOverGatewaySchema(services, constantBasicData(services.cards)));
    case 'bare+limits':
      return open(bareYoga(useLimits()));
    case 'bare+error-mapping':
      return open(bareYoga([useErrorMapping(toClientError)]));
    case 'bare+readiness':
      return open(bareYoga([useReadiness({ check: async () => ({ ready: true, reasons: [] }) })]));
    case 'bare+status-page':
      return open(bareYoga([useStatusPage()]));
    case 'bare+graphiql-assets':
      return open(bareYoga([useGraphiQLAssets()]));
  }
}
