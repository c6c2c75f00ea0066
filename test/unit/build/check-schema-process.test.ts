/**
 * build/check-schema.ts run as a process, as CI would: it exits non-zero and names the change for each kind of
 * breaking change, passes additions and deprecations, and enforces the deprecation rule (docs/api-conventions.md):
 * a field deprecated in 1.0 may be removed in 1.2, not in 1.1. The schemas are the repository's own, edited.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCRIPT = join(ROOT, 'build', 'check-schema.ts');
const released10 = readFileSync(join(ROOT, 'schema', 'released', '1.0.graphql'), 'utf8');
const current = readFileSync(join(ROOT, 'schema', 'schema.graphql'), 'utf8');
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the check on `schema` against the given released schemas, as `npx tsx build/check-schema.ts` does. */
function check(schema: string, releases: Record<string, string>, apiVersion: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-check-schema-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'released'));
  for (const [version, sdl] of Object.entries(releases)) writeFileSync(join(dir, 'released', `${version}.graphql`), sdl);
  writeFileSync(join(dir, 'schema.graphql'), schema);
  const args = ['--import', 'tsx', SCRIPT, '--schema', join(dir, 'schema.graphql'), '--released', join(dir, 'released'), '--api-version', apiVersion];
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** `text` with `from` replaced once; fails the test if `from` is not there (the edit would prove nothing). */
function edit(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to);
  expect(next, `edit ${String(from)}`).not.toBe(text);
  return next;
}

/** `Gateway.version` with its description (group 1: everything of the type before it). */
const GATEWAY_VERSION = /^(type Gateway \{[\s\S]*?\n)  """The gateway’s own version \(package version\)\."""\n  version: String!\n/m;

// Each case starts a process (tsx, graphql-inspector, two 3000-line schemas): seconds each on a busy machine.
describe('build/check-schema.ts as a process', { timeout: 60_000 }, () => {
  it('passes the repository’s schema against its releases (what `npm test` guards)', async () => {
    const run = await new Promise<Run>((done) =>
      execFile(process.execPath, ['--import', 'tsx', SCRIPT], { cwd: ROOT }, (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
      ),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/compatible with the released 1\.0/);
  });

  const breaking: Array<{ name: string; schema: () => string; names: RegExp }> = [
    { name: 'a removed field', schema: () => edit(current, GATEWAY_VERSION, '$1'), names: /BREAKING: Field 'version' was removed from object type 'Gateway'/ },
    {
      name: 'a removed enum value',
      schema: () => edit(current, /(enum Backend \{\n)  """[^\n]*"""\n  CS6\n\n/, '$1'),
      names: /BREAKING: Enum value 'CS6' was removed from enum 'Backend'/,
    },
    {
      name: 'a new required argument',
      schema: () => edit(current, GATEWAY_VERSION, '$1  version(detail: Boolean!): String!\n'),
      names: /BREAKING: Argument 'detail: Boolean!' added to field 'Gateway\.version'/,
    },
    {
      name: 'a changed field type',
      schema: () => edit(current, GATEWAY_VERSION, '$1  version: Int!\n'),
      names: /BREAKING: Field 'Gateway\.version' changed type from 'String!' to 'Int!'/,
    },
  ];
  for (const c of breaking) {
    it(`fails on ${c.name}, naming it`, async () => {
      const run = await check(c.schema(), { '1.0': released10 }, '1.0');
      expect(run.code, run.stdout).not.toBe(0);
      expect(run.stderr).toMatch(c.names);
      expect(run.stderr).toMatch(/breaking change\(s\) in API 1\.0 against the released 1\.0/);
    });
  }

  it('passes an added optional field', async () => {
    const run = await check(edit(current, 'type Gateway {\n', 'type Gateway {\n  uptimeSeconds: Int\n'), { '1.0': released10 }, '1.0');
    expect(run.code, run.stderr).toBe(0);
  });

  it('passes an added optional argument', async () => {
    const run = await check(edit(current, GATEWAY_VERSION, '$1  version(detail: Boolean): String!\n'), { '1.0': released10 }, '1.0');
    expect(run.code, run.stderr).toBe(0);
  });

  it('passes a deprecation', async () => {
    const deprecated = edit(current, GATEWAY_VERSION, '$1  version: String! @deprecated(reason: "use apiVersion; removed in 1.2")\n');
    const run = await check(deprecated, { '1.0': released10 }, '1.0');
    expect(run.code, run.stderr).toBe(0);
  });

  describe('the deprecation rule: deprecated fields live one minor version', () => {
    const deprecatedIn10 = edit(released10, GATEWAY_VERSION, '$1  version: String! @deprecated(reason: "use apiVersion; removed in 1.2")\n');
    const withoutVersion = edit(current, GATEWAY_VERSION, '$1');

    it('refuses to remove in 1.1 a field deprecated in 1.0', async () => {
      const run = await check(withoutVersion, { '1.0': deprecatedIn10 }, '1.1');
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/BREAKING: Field 'version' \(deprecated\) was removed from object type 'Gateway' \(deprecated in 1\.0: it lives through 1\.1 and may be removed from 1\.2\)/);
    });

    it('allows removing it in 1.2 (against the released 1.1, which still had it)', async () => {
      const run = await check(withoutVersion, { '1.0': deprecatedIn10, '1.1': edit(current, GATEWAY_VERSION, '$1  version: String! @deprecated(reason: "use apiVersion; removed in 1.2")\n') }, '1.2');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/retired \(deprecation rule\): Field 'version' \(deprecated\) was removed from object type 'Gateway'/);
      expect(run.stdout).toMatch(/compatible with the released 1\.1/);
    });

    it('refuses to remove in 1.2 a field first deprecated in 1.1', async () => {
      const deprecatedIn11 = edit(current, GATEWAY_VERSION, '$1  version: String! @deprecated(reason: "use apiVersion")\n');
      const run = await check(withoutVersion, { '1.0': released10, '1.1': deprecatedIn11 }, '1.2');
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/deprecated in 1\.1: it lives through 1\.2 and may be removed from 1\.3/);
    });

    it('refuses to remove a field never deprecated, in any minor version', async () => {
      const run = await check(withoutVersion, { '1.0': released10 }, '1.5');
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/never deprecated in a released schema/);
    });

    it('applies to enum values too', async () => {
      const valueDeprecated = edit(released10, /(enum Backend \{\n  """[^\n]*"""\n  CS6)\n/, '$1 @deprecated(reason: "gone")\n');
      const removed = edit(current, /(enum Backend \{\n)  """[^\n]*"""\n  CS6\n\n/, '$1');
      expect((await check(removed, { '1.0': valueDeprecated }, '1.1')).code).not.toBe(0);
      expect((await check(removed, { '1.0': valueDeprecated }, '1.2')).code).toBe(0);
    });
  });
});
