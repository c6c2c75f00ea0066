#!/usr/bin/env node
/**
 * The executable's edge: arguments and environment (read once, in src/config.ts), backend choice,
 * listening, signals, and disposal in reverse order of creation.
 *
 * `main()` is the whole program. It runs by itself only when this file is the program (`npm start`, i.e.
 * `tsx src/main.ts`, or `deno task start`); the single executable's entry, src/bin.ts, imports it and calls
 * it after preparing the embedded assets. No top-level await here: the executable is a CommonJS bundle.
 *
 * This module is kept light on purpose (docs/performance.md, "Answering before the app is built"): for a
 * serving command it checks the data folder, takes the instance lock and binds the port (which answers
 * /health at once, src/early-server.ts) before it loads src/main-app.ts — logs, backend, schema, yoga —
 * with a dynamic `import()`. Import nothing heavy here: it would be evaluated before the port answers.
 */
import { realpathSync } from 'node:fs';
import { setImmediate } from 'node:timers';
import { pathToFileURL } from 'node:url';
import { parseArgs, resolveDataPaths } from './config.ts';
import { ensurePrivateDataFolder } from './security/private-files.ts';
import { acquireInstanceLock } from './install/instance-lock.ts';
import { nodeCommandRunner } from './install/logon.ts';
import { currentUserKey, listenOnFirstFree, userPortCandidates } from './per-user/port-choice.ts';
import { readDiscovery } from './per-user/discovery.ts';
import { bindEarly, type EarlyServer } from './early-server.ts';
import { restoreCollectionFlags } from './builtin-code-cache.ts';

/** What differs between `npm start` and the single executable. */
export interface MainOptions {
  /** Running as the single executable (Node SEA); `install` registers only that. @default false */
  readonly executable?: boolean;
}

/** The rest of the gateway, evaluated only when needed (a lazily evaluated wrapper in the bundle). */
const loadApp = () => import('./main-app.ts');

/**
 * A full collection where the executable exposes it (SEA `execArgv --expose-gc`, build/lib/exec-argv.ts); a
 * no-op under `npm start`. Used between the slices below, so the heap does not grow for the garbage of
 * evaluating them before the app is built, which is when resident memory peaks (docs/performance.md, "Idle
 * and peak memory"). The executable's memory release collects harder (src/executable.ts).
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Lets the event loop answer what has arrived (a /health probe: accept, then read) before the next step. */
export const nextTurn = (): Promise<void> =>
  new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * The app's module graph evaluated in slices, the event loop served between them, so a /health probe waits
 * for one slice at most, not for the whole graph. Each `import()` evaluates only what that module still
 * needs; main-app.ts last, with little left to do.
 */
const APP_SLICES: ReadonlyArray<() => Promise<unknown>> = [
  () => import('./shipped-app.ts'),
  () => import('./services.ts'),
  () => import('./yoga.ts'),
  () => import('./app.ts'),
];

async function loadAppInSlices(): Promise<Awaited<ReturnType<typeof loadApp>>> {
  for (const slice of APP_SLICES) {
    await nextTurn();
    await slice();
    collectGarbage();
  }
  await nextTurn();
  return loadApp();
}

export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  options: MainOptions = {},
): Promise<number> {
  // `nhi-gateway pairings list|revoke <id> [--data-dir …]`: works on the data folder's pairings file.
  if (argv[0] === 'pairings') return (await import('./security/pairings-cli.ts')).runPairingsCommand(argv.slice(1), env);
  // `nhi-gateway where [--data-dir …] [--json]`: this user's running gateway, from its discovery file.
  if (argv[0] === 'where') return (await import('./per-user/where-cli.ts')).runWhereCommand(argv.slice(1), env);
  const parsed = parseArgs(argv, env);
  if (parsed.kind !== 'run') return (await loadApp()).runCommand(parsed, env, options);
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
  // The port now, so a supervisor's /health answers while the app is built; everything else waits for it.
  let bound: EarlyServer;
  const bind = (port: number) => bindEarly({ host: config.host, port, allowRemote: config.allowRemote ?? false });
  try {
    // --port: that port or nothing. Otherwise 8737 if free, else this OS user's own port in the per-user
    // range (docs/terminal-server.md): several users' gateways side by side on one host.
    bound = config.portGiven ? await bind(config.port) : await listenOnFirstFree(userPortCandidates(config.port, currentUserKey(env)), bind);
  } catch (error) {
    lock.lock.release();
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  // The executable's heap-growing flag again, before the app's build runs its first full collection
  // (src/builtin-code-cache.ts); nothing under npm start.
  restoreCollectionFlags();
  // A fault from here on exits as before (runMain); held requests die with the process.
  const app = await loadAppInSlices();
  return app.startGateway({ config, paths, env, privacyWarnings, lock: lock.lock, bound, nextTurn });
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
