/**
 * The switch that keeps CI from being green with a test skipped (test/support/fail-on-skip.ts), proven by
 * running vitest as a process on a tiny suite with one skipped and one todo test: the run fails under
 * NHI_FAIL_ON_SKIP=1 and under CI=true (also with .ci/run's --reporter options) and passes with the switch off.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../../vitest.config.ts';
import { failOnSkipEnabled } from '../../support/fail-on-skip.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const RUN_MS = 120_000;

interface Run {
  code: number;
  output: string;
}

async function vitest(dir: string, env: Record<string, string>, extra: string[] = []): Promise<Run> {
  const base: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? dir, NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [VITEST, 'run', '--root', dir, '--config', join(dir, 'vitest.config.ts'), ...extra], {
      cwd: dir,
      env: { ...base, ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('NHI_FAIL_ON_SKIP / CI=true: a skipped test fails the run', () => {
  let dir: string;
  beforeAll(() => {
    // Inside the repository (ignored .cache/) so the fixture suite resolves vitest from node_modules.
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    dir = mkdtempSync(join(ROOT, '.cache', 'fail-on-skip-'));
    writeFileSync(
      join(dir, 'vitest.config.ts'),
      `import { failOnSkip } from ${JSON.stringify(join(ROOT, 'test/support/fail-on-skip.ts'))};\n` +
        `export default { plugins: [failOnSkip()], test: { include: ['*.test.ts'] } };\n`,
    );
    writeFileSync(
      join(dir, 'tiny.test.ts'),
      "import { describe, it, expect } from 'vitest';\n" +
        "it('runs', () => expect(1).toBe(1));\n" +
        "it.skip('is skipped on purpose', () => {});\n" +
        "describe.skipIf(true)('a suite whose package is missing', () => { it('needs it', () => {}); });\n" +
        "it.todo('is a todo');\n",
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails under NHI_FAIL_ON_SKIP=1 and names every test that did not run', { timeout: RUN_MS }, async () => {
    const run = await vitest(dir, { NHI_FAIL_ON_SKIP: '1' });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('FAIL: 3 test(s) did not run');
    expect(run.output).toContain('skipped: tiny.test.ts > is skipped on purpose');
    expect(run.output).toContain('skipped: tiny.test.ts > a suite whose package is missing > needs it');
    expect(run.output).toContain('todo: tiny.test.ts > is a todo');
  });

  it('fails under CI=true, also with .ci/run’s --reporter options', { timeout: RUN_MS }, async () => {
    const json = join(dir, 'report.json');
    const run = await vitest(dir, { CI: 'true' }, ['--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('FAIL: 3 test(s) did not run');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    expect(report).toMatchObject({ numPassedTests: 1, numFailedTests: 0 });
    expect(report.numPendingTests + report.numTodoTests).toBe(3);
  });

  it('passes with the switch off', { timeout: RUN_MS }, async () => {
    const run = await vitest(dir, {});
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toContain('did not run');
  });

  it('is wired into the repository’s vitest.config.ts and read from the environment', () => {
    const plugins = (config.plugins ?? []).flat() as { name?: string }[];
    expect(plugins.map((p) => p?.name)).toContain('nhi-fail-on-skip');
    expect(failOnSkipEnabled({ CI: 'true' })).toBe(true);
    expect(failOnSkipEnabled({ NHI_FAIL_ON_SKIP: '1' })).toBe(true);
    expect(failOnSkipEnabled({ CI: 'false', NHI_FAIL_ON_SKIP: '0' })).toBe(false);
    expect(failOnSkipEnabled({})).toBe(false);
  });
});
