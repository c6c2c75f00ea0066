/** BENCHMARKS.md: a fixed header, then one marked section per benchmark, each rewritten on its own. */

export const BENCHMARKS_HEADER = `# Benchmarks

<!-- This header is rewritten by \`npm run bench -- --write\` from bench/lib/markdown.ts; edit it there. -->

Recorded by \`npm run bench -- --write\` on the machine named in each section; numbers from different
machines are not comparable. The benchmarks are in \`bench/\` (one module per section, run by
\`bench/run.ts\`); targets are recorded here, not asserted in tests.

How to run:

\`\`\`sh
npm run bench                     # every default benchmark, printed only
npm run bench -- gateway          # only the named ones (\`npm run bench -- --list\` lists them)
npm run bench -- gateway --write  # also rewrite that benchmark's section below
\`\`\`

Flags: \`--quick\` (short smoke run, not for recording), \`--cpu-prof\` (HTTP server children write V8 CPU
profiles to \`bench/.profiles/<target>/\`; summarise one with \`npx tsx bench/tools/profile-summary.ts <file>\`),
\`--retries=N\` (rerun while other processes keep the machine busy). The machine may be shared with whatever
else runs on it: the gateway sections say how much CPU other processes used during their run, and mark the
run unreliable above 10 % of a core.

What is measured: one marked section per benchmark below, each saying what it measures, how, and against
which targets. For the gateway's own overhead:

- \`gateway\` — what our gateway adds over HTTP to one health-card read, against the port call alone and
  against a bare graphql-yoga server. The judged gateway is the shipped configuration (log file, audit log,
  token, access control, limits, the executable's V8 flags), built through the functions src/main.ts calls (src/shipped-app.ts); the
  stripped createApp is a diagnostic. Targets: throughput ≥ 0.75 × bare yoga at concurrency 16; p50
  latency ≤ bare yoga + 0.3 ms at concurrency 1. Three forks (fresh server processes each), medians judged:
  the same build's server CPU per request differs by up to ~10 % from one process to the next.
- \`startup\` — sizes of the executables; the linux-x64 executable beside a bare Node HTTP server of the
  same Node version (launch → first /health, peak RSS, alternating, medians; idle RSS after 60 s).
  Targets (issue 18): ≤ bare Node + 100 ms, peak ≤ 1.5 × bare Node's, idle RSS ≤ 70 MB.
  \`npx tsx bench/tools/startup-pair.ts --idle=60 a=<exe> b=<exe>\` compares builds the same way.
- \`gateway-layers\`, \`gateway-layers-http\` (not run by default) — the same query against variants of the
  gateway with one layer removed, or bare yoga with one layer added: where the time goes
  (\`NHI_BENCH_APPS=production,bare+gateway-schema npm run bench -- gateway-layers-http\` picks variants).
- \`gateway-bundle\` (not run by default) — the same query against the gateway bundled as the executable bundles
  it (esbuild, CommonJS, production), with and without esbuild's keepNames: what the executable runs.
- \`load\` (not run by default; 60 s) — 200 concurrent clients against the gateway over the native fixture
  (issue 7, item 8): reads, keyed mutations with deliberate retries, held and churned subscriptions. Targets:
  zero untyped errors, zero overlapping native calls, zero duplicate writes (retries answered byte for
  byte), RSS at the end < 10 % above its lowest level after warm-up, subscribers connected and receiving;
  it also reports the light-change delivery delay seen by one graphql-ws light subscriber (as \`light-delay\`).
  \`NHI_BENCH_LOAD_HEAP_CLASSES=1\` adds heap snapshots (by constructor) before and after;
  The gateway runs with the executable's V8 flags (build/lib/exec-argv.ts); \`NHI_BENCH_LOAD_NODE_ARGS\` replaces
  them (\`defaults\`: Node's own heap sizing); \`bench/tools/heap-flags.ts\` compares
  heap-sizing flags side by side (two gateways, alternating rounds).
- \`light-delay\` (not run by default; about 3 min) — how long a light change takes to reach a graphql-ws
  subscriber, from the moment the native fixture changed the card state (it stamps each change), with an idle
  queue and with 200 clients reading (issue 15). Target: within one poll interval + one call duration.
  \`NHI_BENCH_LIGHT_CALL_MS\` (50), \`NHI_BENCH_LIGHT_POLL_MS\` (500), \`NHI_BENCH_LIGHT_CLIENTS\` (200),
  \`NHI_BENCH_LIGHT_TOGGLES\` (40) change the setup.
`;

export function startMarker(id: string): string {
  return `<!-- bench:${id}:start -->`;
}

export function endMarker(id: string): string {
  return `<!-- bench:${id}:end -->`;
}

/** Puts the current header in front of the first marked section (creating the document if empty). */
export function withHeader(document: string): string {
  const first = document.indexOf('<!-- bench:');
  const rest = first === -1 ? '' : document.slice(first);
  return `${BENCHMARKS_HEADER.trimEnd()}\n\n${rest}`;
}

/** Replaces the text between the markers of `id`, or appends a new marked section. */
export function replaceSection(document: string, id: string, body: string): string {
  const start = startMarker(id);
  const end = endMarker(id);
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from !== -1 && to > from) return document.slice(0, from) + block + document.slice(to + end.length);
  if (from !== -1 || to !== -1) throw new Error(`BENCHMARKS.md: markers for ${id} are unbalanced; fix them by hand`);
  return `${document.trimEnd()}\n\n${block}\n`;
}
