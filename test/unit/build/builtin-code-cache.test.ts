/**
 * src/builtin-code-cache.ts: the executable's V8 flags are set back to V8's defaults (so Node's code cache of
 * its built-in modules is accepted) only when the process runs with exactly the SEA execArgv, and the flag V8
 * reads at each full collection is set again once. The process-level proof (no built-in module compiled from
 * source before the port is bound) is test/integration/sea-builtin-code-cache.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
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
    for (const execArgv of [[], ['--inspect'], [...SEA_EXEC_ARGV, '--trace-gc'], ['--max-semi-space-size=4']]) {
      const start = recorder();
      expect(useBuiltinCodeCache(execArgv, start.setFlags)).toBe(false);
      restoreCollectionFlags(start.setFlags);
      expect(start.set).toEqual([]);
    }
  });
});
