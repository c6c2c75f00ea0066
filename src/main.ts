#!/usr/bin/env node
/**
 * The executable's edge: arguments and environment (read once, in src/config.ts), backend choice,
 * listening, signals, and disposal in reverse order of creation.
 *
 * `main()` is the whole program. It runs by itself only when this file is the program (`npm start`, i.e.
 * `tsx src/main.ts`, or `deno task start`); the single executable's entry, src/bin.ts, imports it and calls
 * it after preparing the embedded assets. No top-level await here: the executable is a CommonJS bundle.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs, HELP_TEXT, resolveDataPaths, type GatewayConfig } from './config.ts';
import { formatStartupBanner } from './cli.ts';
import { startServer, installSignalHandlers } from './server.ts';
import { createApp } from './app.ts';
import { createServices, servicesOptionsFromConfig, GATEWAY_VERSION, type RunningServices } from './services.ts';
import { openBackend } from './backends/index.ts';
import { closeGatewayLogs, openGatewayLogs, shippedAppOptions } from './shipped-app.ts';
import type { GatewayLogger } from './yoga.ts';
import { loadOrCreateToken } from './security/token.ts';
import { ensurePrivateDataFolder } from './security/private-files.ts';
import { acquireInstanceLock } from './install/instance-lock.ts';
import { PairingStore, pairingsPath } from './security/pairings.ts';
import { runPairingsCommand } from './security/pairings-cli.ts';
import { installAtLogon, uninstallFromLogon, nodeCommandRunner } from './install/logon.ts';
import { currentUserKey, listenOnFirstFree, userPortCandidates } from './per-user/port-choice.ts';
import { publishDiscovery, readDiscovery, type PublishedDiscovery } from './per-user/discovery.ts';
import { runWhereCommand } from './per-user/where-cli.ts';
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

/** What differs between `npm start` and the single executable. */
export interface MainOptions {
  /** Running as the single executable (Node SEA); `install` registers only that. @default false */
  readonly executable?: boolean;
}

export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  options: MainOptions = {},
): Promise<number> {
  // `nhi-gateway pairings list|revoke <id> [--data-dir …]`: works on the data folder's pairings file.
  if (argv[0] === 'pairings') return runPairingsCommand(argv.slice(1), env);
  // `nhi-gateway where [--data-dir …] [--json]`: this user's running gateway, from its discovery file.
  if (argv[0] === 'where') return runWhereCommand(argv.slice(1), env);
  const parsed = parseArgs(argv, env);
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
  const { config } = parsed;
  const paths = resolveDataPaths(config, env);
  let privacyWarnings: string[];
  try {
    privacyWarnings = await ensurePrivateDataFolder(paths, { run: nodeCommandRunner, env });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  // One gateway per data folder (its card-write journal must have one writer): a second one exits here,
  // before it opens the journal or the DLL. A second one on the same port also fails at listen (below).
  const lock = acquireInstanceLock(paths.lockDir, { port: config.port });
  if (!lock.ok) {
    // Without --port the lock's port is only the first candidate: the discovery file says where it listens.
    const running = readDiscovery(paths.dataDir);
    process.stderr.write(`${lock.message}${running.state === 'running' ? ` (it listens at ${running.info.url})` : ''}\n`);
    return 1;
  }
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
    lock.lock.release();
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
  const services = await createBackendServices(config, paths, logger);
  const yoga = createApp(services, shippedAppOptions(config, { logger, audit }, token.token, pairings));
  let server;
  const listen = (port: number) => startServer({ yoga, host: config.host, port, logger, allowRemote: config.allowRemote ?? false });
  try {
    // --port: that port or nothing. Otherwise 8737 if free, else this OS user's own port in the per-user
    // range (docs/terminal-server.md): several users' gateways side by side on one host.
    server = config.portGiven ? await listen(config.port) : await listenOnFirstFree(userPortCandidates(config.port, currentUserKey(env)), listen);
  } catch (error) {
    await services[Symbol.asyncDispose]();
    await closeGatewayLogs({ logger, audit });
    lock.lock.release();
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
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
      lock.lock.release();
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

/**
 * Runs `main` and sets the exit code. A failure to start exits non-zero with its message; a running
 * gateway keeps the process alive through its server until a signal closes it.
 */
export function runMain(argv: string[], env: Record<string, string | undefined>, options: MainOptions = {}): void {
  main(argv, env, options).then(
    (exitCode) => {
      if (exitCode !== 0) process.exit(exitCode);
    },
    (error: unknown) => {
      process.stderr.write(`nhi-gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** True when this module is the program being run, not a module imported by src/bin.ts or a test. */
function isProgramEntry(): boolean {
  const meta = import.meta as ImportMeta & { main?: boolean };
  if (meta.main === true) return true; // Deno
  // In the CommonJS bundle `import.meta` is empty, so this is false there; src/bin.ts calls runMain.
  const script = process.argv[1];
  if (typeof meta.url !== 'string' || script === undefined) return false;
  try {
    return meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isProgramEntry()) runMain(process.argv.slice(2), process.env);
