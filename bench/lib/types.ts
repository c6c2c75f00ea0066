/** What bench/run.ts knows about a benchmark module (one file per benchmark, e.g. bench/gateway-basic-data.ts). */

export interface BenchContext {
  /** Smaller counts and shorter phases: checks the harness, numbers are not worth recording. */
  readonly quick: boolean;
  /** When set, HTTP server children run with `--cpu-prof` into this directory. */
  readonly cpuProfDir: string | null;
  /** Progress lines (stderr), not part of the report. */
  log(line: string): void;
}

export interface BenchReport {
  /** Printed to stdout. */
  readonly text: string;
  /** Goes between this benchmark's markers in BENCHMARKS.md with `--write` (machine and date are added by run.ts). */
  readonly markdown: string;
  /** Why the numbers should not be trusted (e.g. other processes were busy), if so; `--retries` reruns then. */
  readonly unreliable?: string | undefined;
}

export interface BenchModule {
  readonly title: string;
  /** Marker id in BENCHMARKS.md: `<!-- bench:<section>:start -->` … `<!-- bench:<section>:end -->`. */
  readonly section: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}
