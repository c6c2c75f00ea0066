/**
 * V8 heap-sizing flags side by side: the shipped gateway (bench/servers/gateway.ts --variant=shipped) in
 * two processes, one with Node's defaults and one with the flags given, under the same healthCard.basicData
 * load at concurrency 16 in alternating 2-s rounds; RSS read from /proc after every round.
 *   npx tsx bench/tools/heap-flags.ts [--rounds=12] -- <V8 flags…>
 */
import { readFileSync } from 'node:fs';
import { basicDataExchange } from '../gateway-basic-data.ts';
import { startChildServer } from '../lib/child-server.ts';
import { KeepAliveClient, runConcurrent, Tally } from '../lib/http-client.ts';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 12);
const dash = process.argv.indexOf('--');
const flags = dash >= 0 ? process.argv.slice(dash + 1) : ['--max-semi-space-size=4'];
const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

const targets = [
  { label: 'defaults', nodeArgs: [] as string[] },
  { label: flags.join(' '), nodeArgs: flags },
];
// Before the children start: they read the token from the environment.
const exchange = basicDataExchange();
const servers = await Promise.all(
  targets.map((t) => startChildServer({ name: t.label, script: 'bench/servers/gateway.ts', args: ['--variant=shipped'], nodeArgs: t.nodeArgs, startTimeoutMs: 120_000 })),
);
try {
  const clients = servers.map((s) => new KeepAliveClient('127.0.0.1', s.port, 16));
  const tallies = servers.map(() => new Tally());
  const rss: number[][] = servers.map(() => []);
  const rps: number[][] = servers.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < servers.length; k++) {
      const i = (k + round) % servers.length;
      const phase = await runConcurrent(clients[i]!, exchange, tallies[i]!, { concurrency: 16, durationMs: 2_000, maxRequests: 1e9 });
      rps[i]!.push(phase.rps);
      rss[i]!.push(rssMb(servers[i]!.pid));
    }
    console.log(`round ${round + 1}/${rounds}: RSS ${targets.map((t, i) => `${t.label} ${rss[i]!.at(-1)!.toFixed(1)} MB`).join(', ')}`);
  }
  const warm = Math.max(1, Math.floor(rounds / 4));
  for (const [i, t] of targets.entries()) {
    const after = Math.min(...rss[i]!.slice(warm - 1));
    const end = rss[i]!.at(-1)!;
    const sorted = [...rps[i]!].sort((a, b) => a - b);
    console.log(
      `${t.label}: lowest RSS after round ${warm} ${after.toFixed(1)} MB, end ${end.toFixed(1)} MB (${(((end - after) / after) * 100).toFixed(1)} %), ` +
        `median req/s ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)}, failed ${tallies[i]!.failed}${tallies[i]!.firstProblem ? ` (${tallies[i]!.firstProblem.slice(0, 120)})` : ''}; RSS by round ${rss[i]!.map((x) => x.toFixed(0)).join(' ')}`,
    );
  }
  for (const c of clients) c.close();
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
