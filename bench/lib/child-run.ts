/** Runs a bench script to completion in its own Node process (with tsx), bounded in time. */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from './child-server.ts';

const tsxLoader = import.meta.resolve('tsx');

export interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export function runChildScript(opts: { script: string; args?: readonly string[]; nodeArgs?: readonly string[]; timeoutMs: number }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', tsxLoader, opts.script, ...(opts.args ?? [])], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      if (stderr.length < 64_000) stderr += c;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
