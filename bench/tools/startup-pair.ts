/**
 * Compares executables' start-up against bare Node, alternating (bench/lib/startup-pair.ts):
 *   npx tsx bench/tools/startup-pair.ts [--rounds=8] [--idle=60] <label>=<executable> [<label>=<executable> …]
 * `--idle=S` then starts all of them at once and reads each one's RSS after S seconds without traffic.
 * For the executables it also times launch → first GraphQL answer (the peak is then read after that answer).
 * Used to measure each start-up lever (a build with it vs one without) in one rotation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, BARE_NODE_SCRIPT, copiedPrograms, launch, memoryOf, pinnedNode, type Contender, type MemoryStatus } from '../lib/startup-pair.ts';

const idleSeconds = Number(process.argv.find((a) => a.startsWith('--idle='))?.slice(7) ?? 0);
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 8);
const exes = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const work = mkdtempSync(join(tmpdir(), 'nhi-startup-pair-'));
// Every program launched from a fresh copy (copiedPrograms says why).
const contenders: Contender[] = copiedPrograms([
  { label: 'bare node', command: pinnedNode(), args: [BARE_NODE_SCRIPT, '{port}'] },
  ...exes.map((spec) => {
    const [label, path] = spec.includes('=') ? (spec.split('=', 2) as [string, string]) : [spec, spec];
    return { label, command: path, args: ['--backend', 'simulator', '--port', '{port}', '--log-dir', '{dir}/logs'], graphql: true };
  }),
], join(work, 'programs'));
try {
  const results = await alternate(contenders, rounds, (i, r) => join(work, `${i}-${r}`), (l) => console.log(l));
  const bare = results[0]!;
  for (const r of results) {
    console.log(
      `${r.contender.label.padEnd(28)} ready median ${Math.round(r.readyMedian)} ms (+${Math.round(r.readyMedian - bare.readyMedian)} vs bare), ` +
        `CPU to ready median ${Math.round(r.cpuMedian)} ms (+${Math.round(r.cpuMedian - bare.cpuMedian)}), ` +
        (Number.isNaN(r.graphqlMedian)
          ? ''
          : `first GraphQL answer median ${Math.round(r.graphqlMedian)} ms (CPU ${Math.round(r.graphqlCpuMedian)} ms), `) +
        `peak median ${r.peakMedian.toFixed(1)} MiB (${(r.peakMedian / bare.peakMedian).toFixed(2)}× bare); ` +
        `ready ${r.launches.map((l) => Math.round(l.readyMs)).join(', ')}`,
    );
  }
  if (idleSeconds > 0) {
    const idle: (MemoryStatus | null)[] = contenders.map(() => null);
    await Promise.all(
      contenders.map((c, i) =>
        launch(c, join(work, `idle-${i}`), {
          hold: (child) => new Promise<void>((resolve) => setTimeout(() => ((idle[i] = memoryOf(child.pid!)), resolve()), idleSeconds * 1000)),
        }),
      ),
    );
    for (const [i, c] of contenders.entries()) {
      const m = idle[i];
      console.log(`${c.label.padEnd(28)} idle ${idleSeconds} s: RSS ${m ? `${m.rss.toFixed(1)} MiB (anon ${m.anon.toFixed(1)}, file ${m.file.toFixed(1)})` : '?'}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
