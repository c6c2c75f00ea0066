/**
 * The V8 flags the single executable always runs with (its SEA `execArgv`, build/build.ts). Here on their
 * own so the benchmarks that judge "what ships" (bench/load.ts, bench/gateway-basic-data.ts) run the gateway
 * with the same flags without importing the build. Why these: docs/performance.md, "Memory under load";
 * `--expose-gc` lets the executable collect once when it has started (src/executable.ts), which gives back
 * the young generation V8 grew during start-up: docs/performance.md, "Idle and peak memory". A 1-MB
 * semi-space (was 4): 5 MiB lower peak at start and ~10 MB lower RSS under load, at no throughput cost
 * measured side by side (bench/tools/heap-flags.ts; docs/performance.md, "Idle and peak memory").
 * `--heap-growing-percent=100` (was 30): the old generation may grow to twice what survived the last major
 * collection before the next one. At 30 the gateway ran ~8 times as many major collections as V8's own
 * sizing, ~17 % of its instructions per HTTP request on Node 22; V8's own sizing lets the heap climb under
 * load (+27 % RSS in the load benchmark). docs/performance.md, "The heap-growing factor".
 */
export const SEA_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=100', '--expose-gc'];
