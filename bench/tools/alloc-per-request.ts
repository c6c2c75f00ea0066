/**
 * Bytes allocated per request, in-process, by allocating function: the sampling heap profiler (collected
 * objects included) over the `yoga.fetch` loop of bench/servers/fetch-loop.ts, for one app of
 * bench/servers/gateway-variants.ts (docs/performance.md, "Allocation per request").
 *   npx tsx bench/tools/alloc-per-request.ts [--app=shipped] [--warmup=3000] [--count=3000] [--top=30] [--only=src/|schema/]
 * Prints the total per request, then the top allocating frames (`function url:line`) per request; `--only`
 * keeps frames whose url matches the regex (e.g. our own code) in the listing.
 */
import { Session } from 'node:inspector/promises';
import { createSimulatorServices } from '../../src/services.ts';
import { APP_NAMES, buildApp, isAppName } from '../servers/gateway-variants.ts';
import { benchToken } from '../lib/bench-token.ts';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const name = arg('app', 'shipped');
if (!isAppName(name)) throw new Error(`unknown --app=${name}; known: ${APP_NAMES.join(', ')}`);
const warmup = Number(arg('warmup', '3000'));
const count = Number(arg('count', '3000'));
const top = Number(arg('top', '30'));
const only = new RegExp(arg('only', '.'));
const query = '{ healthCard { basicData { ... on BasicData { cardNumber idNumber name { text } } } } }';

const services = createSimulatorServices({ strategy: 'N1' });
services.simulator?.insertHealthCard('STANDARD');
const app = buildApp(services, name);
const init = {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    authorization: `Bearer ${benchToken()}`,
    'x-nhi-gateway': '1',
  },
  body: JSON.stringify({ query }),
};
const once = async (): Promise<void> => {
  const response = await app.yoga.fetch('http://127.0.0.1/graphql', init);
  const body = await response.text();
  if (response.status !== 200 || !body.includes('"cardNumber":"000012345678"')) throw new Error(`unexpected answer: ${body}`);
};

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

for (let i = 0; i < warmup; i++) await once();
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
for (let i = 0; i < count; i++) await once();
const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SamplingNode } };
session.disconnect();

const byFrame = new Map<string, number>();
let total = 0;
const walk = (node: SamplingNode): void => {
  total += node.selfSize;
  const { functionName, url, lineNumber } = node.callFrame;
  if (node.selfSize > 0 && only.test(url)) {
    const short = url.replace(/^.*\/(node_modules|src|schema|resolvers|bench)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child);
};
walk(profile.head);
const rows = [...byFrame.entries()].sort((a, b) => b[1] - a[1]);
const listed = rows.reduce((sum, [, bytes]) => sum + bytes, 0);
process.stdout.write(`${name}: ${(total / count / 1024).toFixed(1)} KB/request allocated; frames matching ${only}: ${(listed / count / 1024).toFixed(2)} KB\n`);
for (const [frame, bytes] of rows.slice(0, top)) process.stdout.write(`${(bytes / count).toFixed(0).padStart(8)} B  ${frame}\n`);
await app.close?.();
process.exit(0);
