/**
 * In-process cost of one request, without sockets: builds one app (gateway-variants.ts `AppName`), sends
 * the benchmark query through `yoga.fetch` back to back and prints
 * `RESULT {"wallUsPerRequest":…,"cpuUsPerRequest":…,"gcUsPerRequest":…,"foreignCpuShare":…,"ok":…,…}`
 * (foreignCpuShare: other processes' CPU during the loop, in cores; see bench/lib/machine.ts).
 * Run alone in its own process so no other app's code shares the JIT's type feedback.
 *   node --import tsx bench/servers/fetch-loop.ts --app=<name> [--warmup=N] [--count=N]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { createSimulatorServices } from '../../src/services.ts';
import { argValue } from './serve.ts';
import { APP_NAMES, buildApp, isAppName } from './gateway-variants.ts';
import { callgrindCounting, graphqlFetchInit } from '../lib/in-process.ts';
import { ForeignCpu } from '../lib/machine.ts';

const name = argValue('app') ?? 'production';
if (!isAppName(name)) throw new Error(`unknown --app=${name}; known: ${APP_NAMES.join(', ')}`);
const warmup = Number(argValue('warmup') ?? 3000);
const count = Number(argValue('count') ?? 20_000);
const query = argValue('query') ?? '{ healthCard { basicData { ... on BasicData { cardNumber idNumber name { text } } } } }';
const expected = argValue('expect') ?? '"cardNumber":"000012345678"';

const services = createSimulatorServices({ strategy: 'N1' });
services.simulator?.insertHealthCard('STANDARD');
const app = buildApp(services, name);
const init = graphqlFetchInit(query);

let ok = 0;
let failed = 0;
let first: string | null = null;
let last: string | null = null;
const once = async (): Promise<void> => {
  const response = await app.yoga.fetch('http://127.0.0.1/graphql', init);
  const body = await response.text();
  first ??= body;
  last = body;
  if (response.status === 200 && body.includes(expected) && !body.includes('"errors"')) ok++;
  else failed++;
};

for (let i = 0; i < warmup; i++) await once();
// Under `valgrind --tool=callgrind --instr-atstart=no` (bench/tools/callgrind-per-request.ts): instructions
// are counted for the measured loop only, which no other process on the machine can inflate.
const callgrind = process.env['NHI_BENCH_CALLGRIND'] === '1';
// A full collection first (when --expose-gc), so no garbage of the warm-up is collected inside the count.
if (callgrind) (globalThis as { gc?: () => void }).gc?.();
if (callgrind) await callgrindCounting('on');
let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });
const foreign = new ForeignCpu();
const cpuBefore = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let i = 0; i < count; i++) await once();
const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
if (callgrind) await callgrindCounting('off');
const cpu = process.cpuUsage(cpuBefore);
foreign.addOwn((cpu.user + cpu.system) / 1000);
const foreignCpuShare = foreign.share();
await new Promise((resolve) => setTimeout(resolve, 100));
gcObserver.disconnect();
process.stdout.write(
  `RESULT ${JSON.stringify({
    wallUsPerRequest: wallUs / count,
    cpuUsPerRequest: (cpu.user + cpu.system) / count,
    gcUsPerRequest: (gcMs * 1000) / count,
    foreignCpuShare,
    ok,
    failed,
    first,
    last,
  })}\n`,
);
await app.yoga.dispose();
await app.close();
await services[Symbol.asyncDispose]();
