/**
 * A V8 CPU profile of one gateway-benchmark target under the judged load (concurrency 16, the benchmark's own
 * request), for bench/tools/profile-summary.ts. Start-up is in the profile too, so send enough requests that
 * it is small beside them.
 *   npx tsx bench/tools/profile-http.ts [--target=shipped] [--requests=40000] [--dir=bench/.profiles/http] [--node-args="…"] [--source]
 * Targets and their flags are callgrind-http.ts's (the judged ones run with the executable's V8 flags);
 * `--node-args` replaces a target's V8 flags (`defaults` for none), as NHI_BENCH_GATEWAY_NODE_ARGS does.
 * The server runs bundled as the executable is (bench/lib/bundled-server.ts), as the judged benchmark runs it;
 * `--source` runs the TypeScript through tsx instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBenchServer } from '../lib/bundled-server.ts';
import { SEA_EXEC_ARGV } from '../../build/lib/exec-argv.ts';
import { basicDataExchange } from '../gateway-basic-data.ts';
import { REPO_ROOT, startChildServer } from '../lib/child-server.ts';
import { benchServerNode } from '../lib/server-node.ts';
import { KeepAliveClient, runConcurrent, Tally } from '../lib/http-client.ts';
import { describeNodeArgs, gatewayNodeArgs } from '../lib/node-args.ts';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const TARGETS: Record<string, { script: string; args: string[]; nodeArgs: readonly string[] }> = {
  bare: { script: 'bench/servers/bare-yoga.ts', args: [], nodeArgs: [] },
  shipped: { script: 'bench/servers/gateway.ts', args: ['--variant=shipped'], nodeArgs: SEA_EXEC_ARGV },
  stripped: { script: 'bench/servers/gateway.ts', args: ['--variant=production'], nodeArgs: [] },
};
const name = arg('target', 'shipped');
const target = TARGETS[name];
if (!target) throw new Error(`unknown --target=${name}; known: ${Object.keys(TARGETS).join(', ')}`);
const requests = Number(arg('requests', '40000'));
const givenArgs = arg('node-args', '');
const nodeArgs = givenArgs ? gatewayNodeArgs(givenArgs) : target.nodeArgs;
const dir = arg('dir', join(REPO_ROOT, 'bench', '.profiles', 'http', name));

// The exchange carries the bench token, which the child must get from the environment: make it first.
const exchange = basicDataExchange();
const server = await startChildServer({
    node: benchServerNode(),
  name,
  script: process.argv.includes('--source') ? target.script : await bundleBenchServer(target.script, mkdtempSync(join(tmpdir(), 'nhi-profile-'))),
  args: target.args,
  nodeArgs: [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${dir}`],
});
const client = new KeepAliveClient('127.0.0.1', server.port, 16, 120_000, 2_000);
const tally = new Tally();
const phase = await runConcurrent(client, exchange, tally, { concurrency: 16, durationMs: 1e9, maxRequests: requests });
const cpu = await server.cpu();
await server.stop(10_000);
console.log(`${name} (${describeNodeArgs(nodeArgs)}): ${phase.requests} requests, ${Math.round(phase.rps)} req/s, server CPU ${Math.round((cpu.user + cpu.system) / phase.requests)} µs/request (incl. start-up); profile in ${dir}`);
