/**
 * Summarises a V8 .cpuprofile (from `--cpu-prof`, e.g. `npm run bench -- gateway --cpu-prof`): self time
 * grouped by package / source area, and the top functions.
 *   npx tsx bench/tools/profile-summary.ts <file.cpuprofile> [--requests=N] [--top=25] [--inclusive=<label>=<regex>]…
 * With --requests, times are also given per request. Each --inclusive adds a line with the inclusive time
 * of the frames whose `functionName url` matches the regex (a sample counts once however many match), e.g.
 *   --inclusive='access control=use-access-control' --inclusive='port call=CshisCardStack|basicData '
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/builtin)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(src|schema|resolvers|bench)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  return url;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  process.stderr.write('usage: profile-summary <file.cpuprofile> [--requests=N] [--top=25]\n');
  process.exit(2);
}
const requests = Number(args.find((a) => a.startsWith('--requests='))?.split('=')[1] ?? 0);
const top = Number(args.find((a) => a.startsWith('--top='))?.split('=')[1] ?? 25);
const inclusive = args
  .filter((a) => a.startsWith('--inclusive='))
  .map((a) => {
    const spec = a.slice('--inclusive='.length);
    const eq = spec.indexOf('=');
    return { label: eq === -1 ? spec : spec.slice(0, eq), pattern: new RegExp(eq === -1 ? spec : spec.slice(eq + 1)) };
  });
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  if (id === undefined) continue;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const areas = new Map<string, number>();
const fns = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  total += us;
  const a = area(url, functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const key = `${functionName || '(anonymous)'}  ${a}:${lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}
const fmt = (us: number): string => {
  const ms = `${(us / 1000).toFixed(1)} ms`.padStart(11);
  const pct = `${((us / total) * 100).toFixed(1)} %`.padStart(7);
  const per = requests ? `${(us / requests).toFixed(2)} µs/req`.padStart(14) : '';
  return `${ms} ${pct}${per}`;
};
process.stdout.write(`total sampled ${(total / 1000).toFixed(0)} ms${requests ? ` over ${requests} requests (${(total / requests).toFixed(1)} µs/req)` : ''}\n\nby area:\n`);
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, top)) process.stdout.write(`${fmt(us)}  ${a}\n`);
if (inclusive.length > 0) {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const matches = (id: number, pattern: RegExp): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame && pattern.test(`${frame.functionName} ${frame.url}`)) return true;
    }
    return false;
  };
  process.stdout.write(`\ninclusive:\n`);
  for (const { label, pattern } of inclusive) {
    let us = 0;
    for (const [id, t] of selfUs) if (matches(id, pattern)) us += t;
    process.stdout.write(`${fmt(us)}  ${label}  /${pattern.source}/\n`);
  }
}
process.stdout.write(`\ntop functions (self):\n`);
for (const [f, us] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) process.stdout.write(`${fmt(us)}  ${f}\n`);
