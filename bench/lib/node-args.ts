/**
 * The V8 flags a benchmark runs the gateway with: the executable's (build/lib/exec-argv.ts) unless an
 * environment variable names others — `defaults` for none (Node's own heap sizing), or the flags
 * themselves, separated by spaces. Used by bench/load.ts (NHI_BENCH_LOAD_NODE_ARGS) and
 * bench/gateway-basic-data.ts (NHI_BENCH_GATEWAY_NODE_ARGS), so a trade of heap flags can be recorded in the
 * judged harness (docs/performance.md, "Memory under load").
 */
import { SEA_EXEC_ARGV } from '../../build/lib/exec-argv.ts';

export function gatewayNodeArgs(fromEnv: string | undefined): readonly string[] {
  const given = fromEnv?.trim();
  if (!given) return SEA_EXEC_ARGV;
  if (given === 'defaults') return [];
  return given.split(/\s+/);
}

/** How a report names the flags: `(the executable's)` when they are SEA_EXEC_ARGV. */
export function describeNodeArgs(flags: readonly string[]): string {
  if (flags.length === 0) return 'Node defaults';
  const same = flags.length === SEA_EXEC_ARGV.length && flags.every((flag, i) => flag === SEA_EXEC_ARGV[i]);
  return `${flags.join(' ')}${same ? " (the executable's)" : ''}`;
}
