/**
 * Which Node runs a judged benchmark's server processes. The executable is the pinned Node 22 (package.json
 * `executables`) with the gateway inside; the machine's own Node may be another line (20 here), whose V8
 * collects garbage differently (bare yoga's server-side cost per request differed by ~40 % between them,
 * docs/performance.md "Which Node the benchmarks run"). So the gateway and load benchmarks run every server
 * child — bare yoga as well as the gateway — on the pinned Node, fetched into .cache/npm as the build does.
 * `NHI_BENCH_SERVER_NODE=current` runs them on the Node running the benchmark instead (to compare).
 */
import { execFileSync } from 'node:child_process';
import { pinnedNode } from './startup-pair.ts';

export const SERVER_NODE_ENV = 'NHI_BENCH_SERVER_NODE';

export function benchServerNode(env: NodeJS.ProcessEnv = process.env): string {
  return env[SERVER_NODE_ENV]?.trim() === 'current' ? process.execPath : pinnedNode();
}

/** `v22.23.2`, as the server processes will report it. */
export function nodeVersionOf(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}
