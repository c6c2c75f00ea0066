/**
 * The gateway as a real process (`node --import tsx src/main.ts …`), as `npm start` runs it: waits for the
 * banner's last line or the exit, whichever comes first, and stops it with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves once the banner is printed (`started`) or the process ended (`exited`, with its code). */
  readonly ready: Promise<{ readonly kind: 'started' } | { readonly kind: 'exited'; readonly code: number | null }>;
  /** SIGTERM and wait for the exit; resolves at once if it already ended. */
  stop(): Promise<void>;
}

export function startGatewayProcess(args: readonly string[], env: NodeJS.ProcessEnv): GatewayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ kind: 'started' } | { kind: 'exited'; code: number | null }>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes('Ctrl+C to stop')) resolve({ kind: 'started' });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    void exited.then((code) => resolve({ kind: 'exited', code }));
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The URL the banner names for `what` (`health`, `ready`, …). */
export function bannerUrl(stdout: string, what: string): string {
  const match = new RegExp(`^\\s+${what}:\\s+(\\S+)`, 'm').exec(stdout);
  if (!match?.[1]) throw new Error(`no ${what} URL in the banner:\n${stdout}`);
  return match[1];
}
