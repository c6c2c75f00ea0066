/**
 * Running the win-x64 executable under Wine 8 (Debian 12 `wine64`), for the Wine test and the start-up
 * benchmark. The traps (docs/windows.md):
 *
 * - call the 64-bit loader `/usr/lib/wine/wine64` with `WINELOADER` set to it (with wine32 installed,
 *   `/usr/bin/wine` would prefer the 32-bit loader);
 * - a fresh prefix defaults to "win7", where Node 22 refuses to start: the prefix is set to win10 (and
 *   checked), rather than hiding it with NODE_SKIP_PLATFORM_CHECK;
 * - Node's stdout/stderr must not be a Linux pipe under Wine (`Error: open EBADF`): they go to a file;
 * - Mono/Gecko installers are switched off (WINEDLLOVERRIDES), so wineboot never waits for a dialog.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WINE64 = '/usr/lib/wine/wine64';
export const WINESERVER = '/usr/lib/wine/wineserver';

export function wineInstalled(): boolean {
  return existsSync(WINE64) && existsSync(WINESERVER);
}

export function wineEnv(prefix: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WINEPREFIX: prefix,
    WINELOADER: WINE64,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    ...extra,
  };
  delete env['NODE_OPTIONS']; // a test runner's loader flags are not for the executable
  delete env['DISPLAY']; // no window may ever wait for a click
  return env;
}

/** `/work/main/x/CSHIS.dll` → `Z:\work\main\x\CSHIS.dll` (Wine maps Z: to /). */
export function windowsPath(linuxPath: string): string {
  return `Z:${resolve(linuxPath).replace(/\//g, '\\')}`;
}

function wineVersion(): string {
  return execFileSync(WINE64, ['--version'], { encoding: 'utf8' }).trim();
}

/**
 * A Wine prefix set to Windows 10 under `cacheDir`, created on first use (about 10 s) and reused after.
 * Returns its path.
 */
export function prepareWinePrefix(cacheDir: string): string {
  const version = wineVersion();
  const prefix = join(cacheDir, `wine-prefix-${version.replace(/[^\w.-]/g, '_')}`);
  const stamp = join(prefix, '.nhi-gateway-win10');
  if (existsSync(stamp)) return prefix;
  mkdirSync(prefix, { recursive: true });
  const env = wineEnv(prefix);
  const run = (args: string[]) => execFileSync(WINE64, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  run(['wineboot', '-u']);
  execFileSync(WINESERVER, ['-w'], { env, timeout: 120_000 });
  run(['winecfg', '/v', 'win10']);
  execFileSync(WINESERVER, ['-w'], { env, timeout: 120_000 });
  const set = execFileSync(WINE64, ['winecfg', '/v'], { env, encoding: 'utf8', timeout: 60_000 }).trim();
  if (set !== 'win10') throw new Error(`Wine prefix ${prefix}: winecfg /v says ${JSON.stringify(set)}, not win10`);
  writeFileSync(stamp, `${version}\n`);
  return prefix;
}

export interface WineProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `wine64 <exe> <args>` with stdout and stderr in `logFile` (never a pipe). */
export function startUnderWine(
  exe: string,
  args: readonly string[],
  options: { readonly prefix: string; readonly logFile: string; readonly env?: Readonly<Record<string, string>> },
): WineProcess {
  const fd = openSync(options.logFile, 'w');
  const child = spawn(WINE64, [exe, ...args], { env: wineEnv(options.prefix, options.env), stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
    child.once('error', () => resolveExit(-1));
  });
  return {
    child,
    logFile: options.logFile,
    exited,
    log: () => (existsSync(options.logFile) ? readFileSync(options.logFile, 'utf8') : ''),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `wine64 <exe> <args>` to completion with output in `logFile`; returns its exit code and output. */
export async function runUnderWine(
  exe: string,
  args: readonly string[],
  options: { readonly prefix: string; readonly logFile: string; readonly env?: Readonly<Record<string, string>>; readonly timeoutMs?: number },
): Promise<{ code: number | null; output: string }> {
  const process = startUnderWine(exe, args, options);
  const timer = setTimeout(() => void process.stop(), options.timeoutMs ?? 60_000);
  const code = await process.exited;
  clearTimeout(timer);
  return { code, output: process.log() };
}
