/**
 * The gateway's heavy half (docs/performance.md, "Answering before the app is built"): everything src/main.ts
 * loads with a dynamic `import()` once the port answers /health — logs, token, backend, schema, yoga — and
 * every command other than serving, `pairings` and `where` (help, version, install, doctor).
 *
 * In the single executable's CommonJS bundle esbuild turns that `import()` into a lazily evaluated wrapper, so
 * none of these modules (yoga, Pothos, pino, graphql-js …) is evaluated before the port is bound.
 */
import { HELP_TEXT, type GatewayConfig, type ParseArgsResult, type DataPaths } from './config.ts';
import { formatStartupBanner } from './cli.ts';
import { serveApp, installSignalHandlers } from './server.ts';
import { createApp, prepareSchema } from './app.ts';
import { createServices, servicesOptionsFromConfig, GATEWAY_VERSION, type RunningServices } from './services.ts';
import { openBackend } from './backends/index.ts';
import { closeGatewayLogs, openGatewayLogs, shippedAppOptions } from './shipped-app.ts';
import type { GatewayLogger } from './yoga.ts';
import { loadOrCreateToken } from './security/token.ts';
import { PairingStore, pairingsPath } from './security/pairings.ts';
import { installAtLogon, uninstallFromLogon, nodeCommandRunner } from './install/logon.ts';
import { publishDiscovery, type PublishedDiscovery } from './per-user/discovery.ts';
import type { InstanceLock } from './install/instance-lock.ts';
import type { EarlyServer } from './early-server.ts';
import type { MainOptions } from './main.ts';
import { userInfo } from 'node:os';

async function createBackendServices(
  config: GatewayConfig,
  paths: { readonly journalFile: string; readonly dataDir: string },
  logger: GatewayLogger,
): Promise<RunningServices> {
  const backend = await openBackend(config, { logger, dataDir: paths.dataDir });
  const journalPath = paths.journalFile;
  return createServices(backend, servicesOptionsFromConfig(config, { journalPath, logger }));
}

/** Every command line that does not serve: help, version, a usage error, install, uninstall, doctor. */
export async function runCommand(
  parsed: Exclude<ParseArgsResult, { kind: 'run' }>,
  env: Record<string, string | undefined>,
  options: MainOptions,
): Promise<number> {
  if (parsed.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${GATEWAY_VERSION}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    // One line: the option and the rule, never the whole help text.
    process.stderr.write(`nhi-gateway: ${parsed.message}${/see --help/.test(parsed.message) ? '' : '; see --help'}\n`);
    return 2;
  }
  if (parsed.kind === 'install' || parsed.kind === 'uninstall') {
    const deps = {
      run: nodeCommandRunner,
      platform: process.platform,
      execPath: process.execPath,
      executable: options.executable ?? false,
      env,
      out: (line: string) => process.stdout.write(`${line}\n`),
      err: (line: string) => process.stderr.write(`${line}\n`),
    };
    if (parsed.kind === 'uninstall') return uninstallFromLogon(deps);
    // The same lines the gateway will log at every start: say them now, while someone is looking.
    for (const warning of parsed.config.warnings ?? []) deps.err(`warning: ${warning}`);
    return installAtLogon(parsed.runArgs, deps);
  }
  if (parsed.kind === 'doctor') {
    // Loaded only for the doctor: it looks at CSHIS.dll and PC/SC, and runs tasklist/sc/reg on Windows.
    const { runDoctor } = await import('./doctor/run.ts');
    const { createNodeEnvironment } = await import('./doctor/environment.ts');
    return runDoctor(
      parsed.config,
      parsed.doctor,
      { out: (text) => process.stdout.write(text), columns: process.stdout.columns, version: GATEWAY_VERSION },
      createNodeEnvironment({ systemRoot: env['SystemRoot'], env }),
    );
  }
  return 2;
}

/** What src/main.ts has done before loading this module: data folder checked, lock taken, port bound. */
export interface Prepared {
  readonly config: GatewayConfig;
  readonly paths: DataPaths;
  readonly env: Record<string, string | undefined>;
  readonly privacyWarnings: readonly string[];
  readonly lock: InstanceLock;
  readonly bound: EarlyServer;
  /** Yields to the event loop between the steps below, so /health is answered while they run. */
  readonly nextTurn: () => Promise<void>;
}

/** Builds the gateway behind the early-bound port and serves it; 0 once serving, 1 on a start-up fault. */
export async function startGateway(prepared: Prepared): Promise<number> {
  const { config, paths, env, privacyWarnings, lock, bound, nextTurn } = prepared;
  // Logs, the audit trail and the access token before anything that could need them (docs/security.md).
  const { logDir } = paths;
  let access;
  try {
    access = {
      ...openGatewayLogs(logDir),
      // The simulator gets its own token: GraphiQL shows it to rehearsing developers, and it must never
      // open the real card stack when the same workstation later runs --backend cshis.
      token: loadOrCreateToken(paths.tokenFile),
    };
  } catch (error) {
    await bound.abandon();
    lock.release();
    process.stderr.write(`${error instanceof Error ? error.message : String(error)} (see --log-dir, --token-file)\n`);
    return 1;
  }
  const { logger, audit, token } = access;
  for (const warning of [...(config.warnings ?? []), ...privacyWarnings, ...token.warnings]) logger.warn(warning);
  // HIS pages pair through POST /pair; the code goes to this user's console and log only (and /status).
  const pairings = new PairingStore(pairingsPath(paths.dataDir, config.backend), {
    onCode: (pending) =>
      logger.warn(`pairing requested by ${pending.origin}: code ${pending.code} — type it into that page only if you asked it to pair`, {
        origin: pending.origin,
        expiresAt: pending.expiresAt,
      }),
  });
  await nextTurn();
  const services = await createBackendServices(config, paths, logger);
  await nextTurn();
  prepareSchema();
  await nextTurn();
  const yoga = createApp(services, shippedAppOptions(config, { logger, audit }, token.token, pairings));
  // Requests held while the app was built are answered now, in arrival order (src/early-server.ts).
  const server = serveApp(bound, { yoga, logger });
  // Where this user's gateway listens, for `nhi-gateway where`, scripts and support (no secrets in it).
  let discovery: PublishedDiscovery | undefined;
  try {
    discovery = publishDiscovery(paths.dataDir, {
      port: server.port,
      pid: process.pid,
      version: GATEWAY_VERSION,
      startedAt: new Date().toISOString(),
      user: safeUserName(env),
      url: server.url,
    });
    if (discovery.replacedStale) logger.info('replaced a stale discovery file', { path: discovery.path, stalePid: discovery.replacedStale.pid });
  } catch (error) {
    logger.warn(`cannot write the discovery file: ${error instanceof Error ? error.message : String(error)}`);
  }
  const backend = services.backend.description;
  const banner = formatStartupBanner({ url: server.url, backend, version: GATEWAY_VERSION, graphiql: config.graphiql });
  // The token's path, never the token itself; then where the logs go and who may call.
  banner.splice(
    banner.length - 1,
    0,
    `  token:     ${token.path}${token.created ? ' (created now)' : ''}`,
    `  logs:      ${logDir}`,
    `  origins:   ${config.allowedOrigins?.length ? config.allowedOrigins.join(' ') : 'this gateway only (add HIS pages with --allowed-origin)'}`,
  );
  for (const line of banner) process.stdout.write(`${line}\n`);
  const running = server;
  installSignalHandlers(
    async () => {
      await running.close();
      await services[Symbol.asyncDispose]();
      // Every queued log and audit line on disk before the process ends (src/log-file.ts).
      await closeGatewayLogs({ logger, audit });
      discovery?.remove();
      lock.release();
    },
    { logger },
  );
  return 0;
}

/** The OS account name for the discovery file; empty when the system cannot say. */
function safeUserName(env: Record<string, string | undefined>): string {
  try {
    return userInfo().username;
  } catch {
    return env['USERNAME'] ?? env['USER'] ?? '';
  }
}

