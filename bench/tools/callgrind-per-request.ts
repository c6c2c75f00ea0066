/**
 * Instructions per request, in-process: each app of bench/servers/gateway-variants.ts runs in
 * bench/servers/fetch-loop.ts under `valgrind --tool=callgrind` with instrumentation switched on for the
 * measured loop only. Instruction counts do not move with other processes' load, so on a shared machine
 * this compares variants (and builds) where CPU and wall time cannot. Slow (~50× native): keep counts small.
 *   npx tsx bench/tools/callgrind-per-request.ts [--apps=bare,shipped] [--count=200] [--warmup=1500] [--jobs=2] [--cwd=<checkout>]
 * `--cwd` measures another checkout of this repository (e.g. an older commit) with the same loop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const apps = arg('apps', 'bare,shipped').split(',');
const count = Number(arg('count', '200'));
const warmup = Number(arg('warmup', '1500'));
const jobs = Number(arg('jobs', '2'));
const cwd = arg('cwd', process.cwd());
const out = mkdtempSync(join(tmpdir(), 'nhi-callgrind-'));

async function measure(app: string): Promise<number> {
  const file = join(out, `${app}.out`);
  const args = [
    '--tool=callgrind',
    '--instr-atstart=no',
    // V8 writes and rewrites machine code on its heap.
    '--smc-check=all-non-file',
    `--callgrind-out-file=${file}`,
    process.execPath,
    '--expose-gc',
    '--import',
    'tsx',
    'bench/servers/fetch-loop.ts',
    `--app=${app}`,
    `--warmup=${warmup}`,
    `--count=${count}`,
  ];
  const child = spawn('valgrind', args, { cwd, env: { ...process.env, NHI_BENCH_CALLGRIND: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const result = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  const parsed = result ? (JSON.parse(result.slice(7)) as { ok: number; failed: number }) : null;
  if (code !== 0 || !parsed || parsed.failed > 0) throw new Error(`${app}: exit ${code}, ${result ?? 'no result'}\n${stderr.slice(-1500)}`);
  const totals = /^totals: (\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!totals) throw new Error(`${app}: no totals in ${file}`);
  return Number(totals[1]) / count;
}

const results = new Map<string, number>();
const queue = [...apps];
await Promise.all(
  Array.from({ length: Math.max(1, jobs) }, async () => {
    for (let app = queue.shift(); app !== undefined; app = queue.shift()) {
      results.set(app, await measure(app));
      process.stderr.write(`  ${app} done\n`);
    }
  }),
);
rmSync(out, { recursive: true, force: true });
const bare = results.get('bare');
for (const app of apps) {
  const ir = results.get(app)!;
  const ratio = bare ? `  bare/this ${(bare / ir).toFixed(3)}` : '';
  process.stdout.write(`${app.padEnd(28)} ${(ir / 1e6).toFixed(3)} M instructions/request${ratio}\n`);
}
