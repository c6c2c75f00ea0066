/**
 * Instructions from launch to the listen, counted by callgrind: each executable starts on a port this process
 * already holds, so it runs its whole path to the port (embedded assets, koffi, data folder, instance lock,
 * `listen`) and exits with "port … is already in use"; bare Node runs bench/servers/bare-node-health.cjs the same
 * way (its listen fails and it exits). All threads are counted. Other processes cannot inflate the count, so on a
 * shared machine it tells start-up levers apart where CPU time (10-ms ticks) cannot (docs/performance.md,
 * "Start-up", round 7). valgrind hides some CPU features (e.g. the SHA extensions), so compare counts with counts.
 *   npx tsx bench/tools/callgrind-startup.ts [--runs=1] <label>=<executable> [<label>=<executable> …]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BARE_NODE_SCRIPT, pinnedNode } from '../lib/startup-pair.ts';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 1);
const specs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const work = mkdtempSync(join(tmpdir(), 'nhi-callgrind-startup-'));

/** A port held by this process for as long as the measurements run. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

/** valgrind's "I refs" total of one run of `command args`. */
function instructions(command: string, args: readonly string[], dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['NODE_OPTIONS'];
    const child = spawn('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${join(dir, 'callgrind.out')}`, command, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const total = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1];
      if (!total) reject(new Error(`no instruction count for ${command}:\n${stderr.slice(-2000)}`));
      else resolve(Number(total.replaceAll(',', '')));
    });
  });
}

const { server, port } = await holdPort();
try {
  const contenders = [
    { label: 'bare node', command: pinnedNode(), args: [BARE_NODE_SCRIPT, String(port)] },
    ...specs.map((spec) => {
      const [label, command] = spec.includes('=') ? (spec.split('=', 2) as [string, string]) : [spec, spec];
      return { label, command, args: ['--backend', 'simulator', '--port', String(port)] };
    }),
  ];
  for (const [i, c] of contenders.entries()) {
    const counts: number[] = [];
    for (let r = 0; r < runs; r++) {
      const dir = join(work, `${i}-${r}`);
      const data = c.label === 'bare node' ? [] : ['--data-dir', join(dir, 'data'), '--log-dir', join(dir, 'data', 'logs')];
      counts.push(await instructions(c.command, [...c.args, ...data], mkdtempSync(join(work, `cg-${i}-${r}-`))));
    }
    console.log(`${c.label.padEnd(28)} ${counts.map((n) => `${(n / 1e6).toFixed(1)} M`).join(', ')} instructions to the listen`);
  }
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
