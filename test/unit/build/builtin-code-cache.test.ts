/**
 * src/builtin-code-cache.ts: the executable's V8 flags are set back to V8's defaults (so Node's code cache of
 * its built-in modules is accepted) only when the process runs with exactly the SEA execArgv, and the flag V8
 * reads at each full collection is set again once. The process-level proof (no built-in module compiled from
 * source before the port is bound) is test/integration/sea-builtin-code-cache.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pinnedNode } from '../../../bench/lib/startup-pair.ts';
import { restoreCollectionFlags, useBuiltinCodeCache, V8_DEFAULT_OF } from '../../../src/builtin-code-cache.ts';
import { SEA_EXEC_ARGV } from '../../../build/lib/exec-argv.ts';

const recorder = () => {
  const set: string[] = [];
  return { set, setFlags: (flag: string) => void set.push(flag) };
};

afterEach(() => restoreCollectionFlags(() => {}));

describe('the built-in code cache in the executable', () => {
  it('knows the V8 default of every flag the executable runs with', () => {
    for (const flag of SEA_EXEC_ARGV) expect(V8_DEFAULT_OF[flag], flag).toMatch(/^--/);
  });

  it('sets the SEA execArgv back to the defaults, then the heap-growing flag again, once', () => {
    const start = recorder();
    expect(useBuiltinCodeCache(SEA_EXEC_ARGV, start.setFlags)).toBe(true);
    expect(start.set).toEqual(['--max-semi-space-size=0', '--heap-growing-percent=0', '--no-expose-gc']);
    const bound = recorder();
    restoreCollectionFlags(bound.setFlags);
    expect(bound.set).toEqual(['--heap-growing-percent=100']);
    const again = recorder();
    restoreCollectionFlags(again.setFlags);
    expect(again.set).toEqual([]);
  });

  it('leaves a process without those flags, or with any other flag, alone', () => {
    for (const execArgv of [[], ['--inspect'], [...SEA_EXEC_ARGV, '--trace-gc'], ['--max-semi-space-size=4'], ['--expose-gc'], SEA_EXEC_ARGV.slice(1)]) {
      const start = recorder();
      expect(useBuiltinCodeCache(execArgv, start.setFlags)).toBe(false);
      restoreCollectionFlags(start.setFlags);
      expect(start.set).toEqual([]);
    }
  });

  it('keeps the young generation at the 2-MB semi-space after the flags are set back (on the executable\'s Node)', () => {
    // Survivor-heavy allocation makes V8 grow the young generation up to its limit: 2 × 2 MB under the
    // execArgv, 2 × 16 MB under V8's defaults. After the reset it must stay at the execArgv's limit.
    const dir = mkdtempSync(join(tmpdir(), 'nhi-semi-space-'));
    const script = join(dir, 'semi-space.mjs');
    writeFileSync(
      script,
      `import v8 from 'node:v8';
import { pathToFileURL } from 'node:url';
const { useBuiltinCodeCache } = await import(pathToFileURL(process.argv[2]).href);
const reset = process.argv[3] === 'reset' && useBuiltinCodeCache(${JSON.stringify(SEA_EXEC_ARGV)});
let keep = [];
let largest = 0;
for (let round = 0; round < 40; round++) {
  for (let i = 0; i < 200000; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 100000) keep = []; }
  largest = Math.max(largest, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
}
console.log(JSON.stringify({ reset, largest }));
`,
    );
    const run = (nodeArgs: readonly string[], mode: string) =>
      JSON.parse(execFileSync(pinnedNode(), [...nodeArgs, '--import', 'tsx', script, join(process.cwd(), 'src', 'builtin-code-cache.ts'), mode], { encoding: 'utf8' })) as { reset: boolean; largest: number };
    const afterReset = run(SEA_EXEC_ARGV, 'reset');
    expect(afterReset.reset).toBe(true);
    expect(afterReset.largest).toBeLessThanOrEqual(4 * 1024 * 1024);
    // The same allocation under V8's defaults grows past it: the measurement can see a larger young generation.
    expect(run([], 'none').largest).toBeGreaterThan(4 * 1024 * 1024);
  });
});
