/**
 * `npm run bench [-- <name>… ] [--write] [--quick] [--cpu-prof] [--list]`
 *
 * Runs the named benchmarks (default: every one marked `byDefault`) one after another and prints their
 * tables; `--write` also rewrites each one's marked section of BENCHMARKS.md. A benchmark is a sibling
 * module exporting `benchmark: BenchModule` (bench/lib/types.ts), registered below; it is imported only
 * when run, so one benchmark's dependencies (koffi, PC/SC) never load for another.
 * Misses against targets are reported, never turned into a failing exit code; failures of the harness are.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './lib/child-server.ts';
import { describeMachine, machineInfo, waitForQuiet } from './lib/machine.ts';
import { BENCHMARKS_HEADER, replaceSection, withHeader } from './lib/markdown.ts';
import type { BenchContext, BenchModule } from './lib/types.ts';
import { benchToken } from './lib/bench-token.ts';

interface Entry {
  readonly name: string;
  readonly summary: string;
  readonly byDefault: boolean;
  load(): Promise<BenchModule>;
}

const REGISTRY: readonly Entry[] = [
  {
    name: 'gateway',
    summary: 'healthCard.basicData over HTTP: port call vs bare yoga vs our gateway (issue 2, item 9)',
    byDefault: true,
    load: async () => (await import('./gateway-basic-data.ts')).benchmark,
  },
  {
    name: 'gateway-layers',
    summary: 'in-process cost of the same query per app variant: what each layer of the gateway costs',
    byDefault: false,
    load: async () => (await import('./gateway-layers.ts')).benchmark,
  },
  {
    name: 'gateway-layers-http',
    summary: 'server CPU per request over HTTP for a few gateway variants (what the layers cost on the wire)',
    byDefault: false,
    load: async () => (await import('./gateway-layers-http.ts')).benchmark,
  },
  {
    name: 'gateway-bundle',
    summary: 'the executable’s esbuild bundle (with and without keepNames) against the tsx-run source, same query over HTTP',
    byDefault: false,
    load: async () => (await import('./gateway-bundle.ts')).benchmark,
  },
  {
    name: 'startup',
    summary: 'single executables (issue 6): sizes, launch to first answer (linux-x64; win-x64 under Wine), idle RSS; builds dist/ if stale',
    byDefault: false,
    load: async () => (await import('./startup.ts')).benchmark,
  },
  {
    name: 'pcsc',
    summary: 'PC/SC card events (issue 4): direct listener vs gateway subscriber vs 1 s poller, 1,000-subscriber fan-out; needs pcscd + vpcd',
    byDefault: false,
    load: async () => (await import('./pcsc.ts')).benchmark,
  },
  {
    name: 'card-records',
    summary: 'the largest card read (1.10, every prescription area full) through GraphQL against the port call alone (issue 14)',
    byDefault: true,
    load: async () => (await import('./card-records.ts')).benchmark,
  },
  {
    name: 'native',
    summary: 'CSHIS.dll over koffi on the native fixture (issue 3, item 7): call overhead, event loop during a 2 s call, 100 concurrent mixed requests',
    byDefault: true,
    load: async () => (await import('./native.ts')).benchmark,
  },
  {
    name: 'light-delay',
    summary: 'light-change delivery delay (issue 15): fixture state change → graphql-ws subscriber, idle and under 200 clients; prints a BENCHMARKS.md section',
    byDefault: false,
    load: async () => (await import('./light-delay.ts')).benchmark,
  },
  {
    name: 'load',
    summary: 'load (issue 7, item 8): 200 clients for 60 s over the native fixture — queries, keyed mutations with retries, subscriptions; untyped errors, overlaps, duplicate writes, memory',
    byDefault: false,
    load: async () => (await import('./load.ts')).benchmark,
  },
];

/** Every benchmark bounds its own counts and time; this is the backstop for a hung harness. */
const WATCHDOG_MS = 20 * 60_000;

const BENCHMARKS_FILE = join(REPO_ROOT, 'BENCHMARKS.md');

function usage(): string {
  return [
    'usage: npm run bench [-- <name>…] [--write] [--quick] [--cpu-prof] [--retries=N] [--list]',
    '',
    ...REGISTRY.map((e) => `  ${e.name.padEnd(16)} ${e.byDefault ? '' : '(not run by default) '}${e.summary}`),
    '',
    '  --write     rewrite each benchmark\'s section of BENCHMARKS.md',
    '  --quick     short run to check the harness (numbers not worth recording)',
    '  --cpu-prof  HTTP server children write V8 CPU profiles to bench/.profiles/<target>/',
    '  --retries=N rerun a benchmark up to N times while its numbers are unreliable (machine busy),',
    '              each attempt waiting (up to 2 min) for a quiet moment first',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const retriesArg = argv.find((a) => a.startsWith('--retries='));
  const retries = retriesArg ? Number(retriesArg.slice('--retries='.length)) : 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    process.stderr.write(`--retries must be an integer from 0 to 10\n`);
    return 2;
  }
  const flags = new Set(argv.filter((a) => a.startsWith('--') && !a.startsWith('--retries=')));
  const names = argv.filter((a) => !a.startsWith('--'));
  const known = new Set(['--write', '--quick', '--cpu-prof', '--list', '--help']);
  const unknownFlags = [...flags].filter((f) => !known.has(f));
  if (flags.has('--help') || flags.has('--list')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (unknownFlags.length > 0) {
    process.stderr.write(`unknown option ${unknownFlags.join(', ')}\n\n${usage()}\n`);
    return 2;
  }
  const unknownNames = names.filter((n) => !REGISTRY.some((e) => e.name === n));
  if (unknownNames.length > 0) {
    process.stderr.write(`unknown benchmark ${unknownNames.join(', ')}\n\n${usage()}\n`);
    return 2;
  }
  const selected = names.length > 0 ? REGISTRY.filter((e) => names.includes(e.name)) : REGISTRY.filter((e) => e.byDefault);

  // One access token for the whole run, in the environment before any server child starts.
  benchToken();
  const machine = machineInfo();
  const ctx: BenchContext = {
    quick: flags.has('--quick'),
    cpuProfDir: flags.has('--cpu-prof') ? join(REPO_ROOT, 'bench', '.profiles') : null,
    log: (line) => process.stderr.write(`${line}\n`),
  };
  process.stdout.write(`machine: ${describeMachine(machine)}\n`);
  if (machine.cores < 2) process.stdout.write('warning: fewer than 2 cores; server and load generator share a CPU\n');

  for (const entry of selected) {
    const module = await entry.load();
    let date = new Date().toISOString();
    ctx.log(`== ${entry.name}: ${module.title}`);
    // With --retries, every attempt starts in a quiet moment if one comes within 2 minutes.
    const quietStart = async (): Promise<void> => {
      if (retries > 0 && !(await waitForQuiet({ timeoutMs: 120_000 }))) ctx.log('  machine still busy after 2 min; running anyway');
    };
    await quietStart();
    let report = await module.run(ctx);
    for (let attempt = 1; report.unreliable && attempt <= retries; attempt++) {
      ctx.log(`  unreliable (${report.unreliable}); retry ${attempt}/${retries}`);
      await quietStart();
      date = new Date().toISOString();
      report = await module.run(ctx);
    }
    process.stdout.write(`\n== ${module.title} (${date})\n${report.text}\n`);
    if (report.unreliable) process.stdout.write(`warning: unreliable run: ${report.unreliable}\n`);
    if (flags.has('--write')) {
      const current = existsSync(BENCHMARKS_FILE) ? readFileSync(BENCHMARKS_FILE, 'utf8') : BENCHMARKS_HEADER;
      const warning = report.unreliable ? `\n\n**Unreliable run: ${report.unreliable}.** Rerun on a quiet machine before comparing.` : '';
      const body = `### ${module.title}\n\nRecorded ${date} on ${describeMachine(machine)} (\`npm run bench -- ${entry.name}${ctx.quick ? ' --quick' : ''} --write\`).${warning}\n\n${report.markdown}`;
      writeFileSync(BENCHMARKS_FILE, replaceSection(withHeader(current), module.section, body));
      process.stdout.write(`wrote section ${module.section} of BENCHMARKS.md\n`);
    }
  }
  if (ctx.cpuProfDir) process.stdout.write(`CPU profiles in ${ctx.cpuProfDir}\n`);
  return 0;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: still running after ${WATCHDOG_MS / 60_000} min; giving up\n`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
