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
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, HELP_TEXT, type GatewayConfig } from './config.ts';
import { formatStartupBanner } from './cli.ts';
import { startServer, installSignalHandlers } from './server.ts';
import { createApp } from './app.ts';
import { createSimulatorServices, webApiOptionsFromConfig, GATEWAY_VERSION, type RunningServices } from './services.ts';
import { defaultLogDirectory } from './logger.ts';
import { closeGatewayLogs, openGatewayLogs, shippedAppOptions } from './shipped-app.ts';
import type { GatewayLogger } from './yoga.ts';
import { defaultTokenPath, loadOrCreateToken } from './security/token.ts';
import type { VisitStrategy } from './ports/card-stack.ts';
import { dataDirectory, JOURNAL_FILE } from './paths.ts';
import { acquireInstanceLock } from './install/instance-lock.ts';
import { installAtLogon, uninstallFromLogon, nodeCommandRunner } from './install/logon.ts';

const STRATEGIES: Record<GatewayConfig['visitStrategy'], VisitStrategy> = {
  n1: 'N1',
  'seq256-treatnum': 'SEQ256_TREATNUM',
  'seq256-quick-treatnum': 'SEQ256_QUICK_TREATNUM',
  'seq256-webapi': 'SEQ256_WEBAPI',
};

async function createBackend(config: GatewayConfig, env: Record<string, string | undefined>, logger: GatewayLogger): Promise<RunningServices> {
  const strategy = STRATEGIES[config.visitStrategy];
  // The simulator's rehearsals must never answer a real card write's idempotency key: separate journals.
  const journalPath = simulatorAware(join(dataDirectory(env), JOURNAL_FILE), config.backend);
  if (config.pcscWake && config.backend !== 'cshis') {
    logger.warn('--pcsc-wake applies to the cshis backend only; ignored', { backend: config.backend });
  }
  if (config.backend === 'simulator') return createSimulatorServices({ strategy, journalPath, logger, ...webApiOptionsFromConfig(config) });
  if (config.backend === 'pcsc') {
    // Loaded only when asked for, like the control software below: other backends never load the PC/SC library.
    const { createPcscServices } = await import('./pcsc-services.ts');
    return createPcscServices({ journalPath, logger });
  }
  // Loaded only when asked for: the simulator never touches koffi.
  const { createCshisServices } = await import('./cshis-services.ts');
  return createCshisServices(config, strategy, {
    journalPath,
    logger,
    ...(config.readerOpenPolicy ? { openPolicy: config.readerOpenPolicy } : {}),
  });
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
    process.stderr.write(`${parsed.message}\n\n${HELP_TEXT}`);
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
    return parsed.kind === 'install' ? installAtLogon(parsed.runArgs, deps) : uninstallFromLogon(deps);
  }
  if (parsed.kind === 'doctor') {
    // Loaded only for the doctor: it looks at CSHIS.dll and PC/SC, and runs tasklist/sc/reg on Windows.
    const { runDoctor } = await import('./doctor/run.ts');
    const { createNodeEnvironment } = await import('./doctor/environment.ts');
    return runDoctor(
      parsed.config,
      parsed.doctor,
      { out: (text) => process.stdout.write(text), columns: process.stdout.columns, version: GATEWAY_VERSION },
      createNodeEnvironment({ systemRoot: env['SystemRoot'] }),
    );
  }
  const { config } = parsed;
  // One gateway per data folder (its card-write journal must have one writer): a second one exits here,
  // before it opens the journal or the DLL. A second one on the same port also fails at listen (below).
  const lock = acquireInstanceLock(dataDirectory(env), { port: config.port });
  if (!lock.ok) {
    process.stderr.write(`${lock.message}\n`);
    return 1;
  }
  // Logs, the audit trail and the access token before anything that could need them (docs/security.md).
  const logDir = config.logDir ?? defaultLogDirectory(env);
  let access;
  try {
    access = {
      ...openGatewayLogs(logDir),
      // The simulator gets its own token: GraphiQL shows it to rehearsing developers, and it must never
      // open the real card stack when the same workstation later runs --backend cshis.
      token: loadOrCreateToken(config.tokenFile ?? simulatorAware(defaultTokenPath(env), config.backend)),
    };
  } catch (error) {
    lock.lock.release();
    process.stderr.write(`${error instanceof Error ? error.message : String(error)} (see --log-dir, --token-file)\n`);
    return 1;
  }
  const { logger, audit, token } = access;
  for (const warning of token.warnings) logger.warn(warning);
  const services = await createBackend(config, env, logger);
  const yoga = createApp(services, shippedAppOptions(config, { logger, audit }, token.token));
  let server;
  try {
    server = await startServer({ yoga, host: config.host, port: config.port, logger, allowRemote: config.allowRemote ?? false });
  } catch (error) {
    await services[Symbol.asyncDispose]();
    await closeGatewayLogs({ logger, audit });
    lock.lock.release();
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const backend =
    config.backend === 'cshis'
      ? `cshis (${config.cshisPath})`
      : config.backend === 'pcsc'
        ? 'pcsc (PC/SC readers, basic data only; /ready says whether PC/SC is up)'
        : 'simulator (no card reader needed)';
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
      lock.lock.release();
    },
    { logger },
  );
  return 0;
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

/** The simulator's own copy of a per-user file (token, journal), so rehearsals never touch the real ones. */
function simulatorAware(path: string, backend: GatewayConfig['backend']): string {
  return backend === 'simulator' ? `${path}-simulator` : path;
}
