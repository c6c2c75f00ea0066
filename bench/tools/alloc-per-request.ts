/**
 * Bytes allocated per request, in-process: builds one app of bench/servers/gateway-variants.ts, sends the
 * benchmark query through `yoga.fetch` (as bench/servers/fetch-loop.ts does) and, after the warm-up, samples
 * every allocation with V8's sampling heap profiler, counting objects a collection has already freed too
 * (docs/performance.md, "Allocation per request"). Prints the total per request and the functions that
 * allocate most. Allocation does not move with other processes' load, so this compares builds on a busy
 * machine; the sampling's own spread is a few per cent, so compare runs of the same settings.
 *   node --expose-gc --import tsx bench/tools/alloc-per-request.ts [--app=shipped] [--warmup=3000] [--count=3000] [--root=<checkout>] [--top=25]
 * `--root` measures another checkout of this repository (e.g. the commit before a change) with this loop.
 * `--ours` also lists the bytes by the innermost frame of this repository's gateway code (src/, schema/,
 * resolvers/) on each sample's stack, what that frame allocated directly or through the libraries and
 * built-ins it called (`Map`, `split` …), with the allocating frame beside it when it is not ours.
 */
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { graphqlFetchInit } from '../lib/in-process.ts';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const root = resolve(arg('root', process.cwd()));
const appName = arg('app', 'shipped');
const warmup = Number(arg('warmup', '3000'));
const count = Number(arg('count', '3000'));
const top = Number(arg('top', '25'));
const ours = process.argv.includes('--ours');
const query = '{ healthCard { basicData { ... on BasicData { cardNumber idNumber name { text } } } } }';

const load = (path: string): Promise<Record<string, any>> => import(pathToFileURL(join(root, path)).href);
const { createSimulatorServices } = await load('src/services.ts');
const { buildApp } = await load('bench/servers/gateway-variants.ts');

const services = createSimulatorServices({ strategy: 'N1' });
services.simulator?.insertHealthCard('STANDARD');
const app = buildApp(services, appName);
const init = graphqlFetchInit(query);
let failed = 0;
const once = async (): Promise<void> => {
  const response = await app.yoga.fetch('http://127.0.0.1/graphql', init);
  const body = await response.text();
  if (response.status !== 200 || body.includes('"errors"') || !body.includes('"cardNumber"')) failed++;
};

for (let i = 0; i < warmup; i++) await once();
(globalThis as { gc?: () => void }).gc?.();

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 1024,
  includeObjectsCollectedByMinorGC: true,
  includeObjectsCollectedByMajorGC: true,
});
for (let i = 0; i < count; i++) await once();
const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
session.disconnect();

const bySite = new Map<string, number>();
const byOurs = new Map<string, number>();
const ourCode = new RegExp(`^${pathToFileURL(root).href.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(src|schema|resolvers)/`);
const siteOf = ({ functionName, url, lineNumber, columnNumber }: ProfileNode['callFrame'] & { columnNumber?: number }): string =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(pathToFileURL(root).href, '.')}:${lineNumber + 1}${ours && ourCode.test(url) ? `:${(columnNumber ?? 0) + 1}` : ''}`;
let total = 0;
const walk = (node: ProfileNode, ourFrame: string | null): void => {
  total += node.selfSize;
  const here = ourCode.test(node.callFrame.url) ? siteOf(node.callFrame) : ourFrame;
  if (node.selfSize > 0) {
    const where = siteOf(node.callFrame);
    bySite.set(where, (bySite.get(where) ?? 0) + node.selfSize);
    if (here !== null) {
      const key = here === where ? here : `${here}  <- ${where}`;
      byOurs.set(key, (byOurs.get(key) ?? 0) + node.selfSize);
    }
  }
  for (const child of node.children) walk(child, here);
};
walk(profile.head, null);
const sites = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top);
process.stdout.write(`${appName} (${root}): ${(total / count / 1024).toFixed(1)} KB per request over ${count} requests (failed ${failed})\n`);
for (const [where, bytes] of sites) process.stdout.write(`  ${(bytes / count).toFixed(0).padStart(7)} B  ${where}\n`);
if (ours) {
  const oursTotal = [...byOurs.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`under our own frames: ${(oursTotal / count / 1024).toFixed(1)} KB per request\n`);
  for (const [where, bytes] of [...byOurs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`  ${(bytes / count).toFixed(0).padStart(7)} B  ${where}\n`);
  }
}
await app.yoga.dispose();
await app.close();
await services[Symbol.asyncDispose]();
