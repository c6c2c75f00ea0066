/**
 * The gateway as a child process, started the way `npx tsx src/main.ts …` starts it (tsx's CLI under this
 * Node, without npx), with its own HOME and XDG_STATE_HOME so nothing touches the developer's files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const MAIN = join(ROOT, 'src/main.ts');

/** A private home for one child: HOME and XDG_STATE_HOME inside it, removed by `dispose`. */
export interface ChildHome {
  readonly dir: string;
  readonly env: Record<string, string>;
  dispose(): void;
}

export function childHome(): ChildHome {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-child-home-'));
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_STATE_HOME: join(dir, 'state'),
    TMPDIR: process.env['TMPDIR'] ?? tmpdir(),
    NO_COLOR: '1',
  };
  return { dir, env, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { stdout: () => stdout, stderr: () => stderr };
}

/** Runs a script under tsx to its end (e.g. `doctor …`, `--version`). */
export function runTsx(script: string, args: readonly string[], env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, [TSX, script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = collect(child);
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout: out.stdout(), stderr: out.stderr() }));
  });
}

/** `nhi-gateway <args>` run to its end. */
export const runGateway = (args: readonly string[], env: Record<string, string>): Promise<Finished> => runTsx(MAIN, args, env);

export interface RunningGateway {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** Resolves when the banner is out (`listening`) or the process ended first (`exited`, with its code). */
  readonly started: Promise<{ kind: 'listening' } | { kind: 'exited'; code: number | null }>;
  stop(): Promise<void>;
}

/** Starts the gateway (or another entry that runs it) and waits for its banner line or its end. */
export function startGateway(args: readonly string[], env: Record<string, string>, script: string = MAIN): RunningGateway {
  const child = spawn(process.execPath, [TSX, script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = collect(child);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const started = new Promise<{ kind: 'listening' } | { kind: 'exited'; code: number | null }>((done) => {
    const look = () => {
      // The banner's last line (src/cli.ts) comes once the server listens.
      if (out.stdout().includes('Ctrl+C to stop')) done({ kind: 'listening' });
    };
    child.stdout?.on('data', look);
    void exited.then((code) => done({ kind: 'exited', code }));
  });
  return {
    child,
    output: () => `${out.stdout()}${out.stderr()}`,
    started,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
