/**
 * CI is never green with a test skipped: under the switch (NHI_FAIL_ON_SKIP=1, or CI=true as CI services set
 * it) every skipped or todo test fails the run, and the names are printed. A suite may skip on a developer's
 * machine without Wine, pcscd, Chromium or mingw-w64; .ci/run installs them, so a skip there means a test
 * that silently did not run.
 *
 * It is a vitest plugin (vitest.config.ts) that adds a reporter in `configureVitest`, after the command line's
 * `--reporter` options were applied: so it works for `npm test`, `npx vitest run <file>` and .ci/run alike.
 */
import type { Reporter, TestModule } from 'vitest/node';

/** Whether skipped tests fail the run, from the environment the test run got. */
export function failOnSkipEnabled(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const on = (value: string | undefined) => value !== undefined && /^(1|true|yes)$/i.test(value.trim());
  return on(env['NHI_FAIL_ON_SKIP']) || on(env['CI']);
}

export interface SkippedTest {
  readonly file: string;
  readonly name: string;
  readonly mode: 'skip' | 'todo';
}

/** Every test in these modules that did not run because it was skipped or is a todo. */
export function skippedTests(modules: ReadonlyArray<TestModule>, root: string): SkippedTest[] {
  const skipped: SkippedTest[] = [];
  for (const module of modules) {
    const file = module.moduleId.startsWith(`${root}/`) ? module.moduleId.slice(root.length + 1) : module.moduleId;
    for (const test of module.children.allTests()) {
      if (test.result().state !== 'skipped') continue;
      skipped.push({ file, name: test.fullName, mode: test.options.mode === 'todo' ? 'todo' : 'skip' });
    }
  }
  return skipped;
}

export class FailOnSkipReporter implements Reporter {
  constructor(
    private readonly root: string,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped = skippedTests(modules, this.root);
    if (skipped.length === 0) return;
    const lines = skipped.map((t) => `  ${t.mode === 'todo' ? 'todo' : 'skipped'}: ${t.file} > ${t.name}`);
    this.write(
      `\nFAIL: ${skipped.length} test(s) did not run, and skips fail this run (NHI_FAIL_ON_SKIP=1 or CI=true).\n` +
        `${lines.join('\n')}\n` +
        'Install what the suite names as missing (.ci/run lists the packages), or run without CI/NHI_FAIL_ON_SKIP locally.\n',
    );
    process.exitCode = 1;
  }
}

/** The vitest plugin: adds the reporter when the switch is on. */
export function failOnSkip(env: Readonly<Record<string, string | undefined>> = process.env) {
  return {
    name: 'nhi-fail-on-skip',
    configureVitest({ vitest }: { vitest: { config: { root: string; reporters: unknown[] } } }): void {
      if (!failOnSkipEnabled(env)) return;
      vitest.config.reporters.push(new FailOnSkipReporter(vitest.config.root));
    },
  };
}
