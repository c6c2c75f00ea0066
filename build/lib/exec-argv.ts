/**
 * The V8 flags the single executable always runs with (its SEA `execArgv`, build/build.ts). Here on their
 * own so the benchmarks that judge "what ships" (bench/load.ts, bench/gateway-basic-data.ts) run the gateway
 * with the same flags without importing the build. Why these: docs/performance.md, "Memory under load";
 * `--expose-gc` lets the executable collect once when it has started (src/executable.ts), which gives back
 * the young generation V8 grew during start-up: docs/performance.md, "Idle and peak memory". A 2-MB
 * semi-space (4 until round 4, then 1, 2 since round 6): each scavenge of a small young generation copies
 * the requests in flight again, so 1 MB cost ~156 µs of GC per HTTP request on Node 22 against ~119 µs at
 * 2 MB; 4 MB would raise the start-up peak by ~6 MiB, 2 MB raises it by ~2 MiB, within the issue-18 limit.
 * `--heap-growing-percent=100` (was 30): the old generation may grow to twice what survived the last major
 * collection before the next one. At 30 the gateway ran ~8 times as many major collections as V8's own
 * sizing, ~17 % of its instructions per HTTP request on Node 22; V8's own sizing lets the heap climb under
 * load (+27 % RSS in the load benchmark). docs/performance.md, "The heap-growing factor".
 */
export const SEA_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=2', '--heap-growing-percent=100', '--expose-gc'];
