/**
 * A client can `switch` over `code` exhaustively (issue 13): the client kit, with client/examples/error-switch.ts
 * and client/examples/desk-day.ts, compiles with `tsc -p client/tsconfig.json`; the same switch with one code left
 * out does not; and at run time every catalogue code gets the reaction its catalogue entry implies.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { deskReaction } from '../../client/examples/error-switch.ts';
import { errorCatalogue, type ErrorCode } from '../../client/index.ts';
import { ROOT } from '../helpers/gateway-child.ts';

const run = promisify(execFile);
const SWITCH = join(ROOT, 'client/examples/error-switch.ts');

/** Type errors of `file`, checked with client/tsconfig.json's compiler options. */
function typeErrors(file: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'client/tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('client/tsconfig.json could not be read');
  const program = ts.createProgram([file], config.options);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

describe('an exhaustive switch over ErrorCode (client/examples/error-switch.ts)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'error-switch-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('the client kit and its examples compile with tsc -p client/tsconfig.json', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'client/tsconfig.json'], { cwd: ROOT }).catch((e: { stdout: string }) => e);
    expect(result.stdout).toBe('');
  }, 240_000);

  it('does not compile when one code is left out', () => {
    const source = readFileSync(SWITCH, 'utf8').replace("from '../index.ts'", `from ${JSON.stringify(join(ROOT, 'client/index.ts'))}`);
    expect(source).toContain("    case 'NO_REMAINING_VISITS':\n");
    const file = join(scratch, 'missing-one.ts');
    writeFileSync(file, source.replace("    case 'NO_REMAINING_VISITS':\n", ''));
    const errors = typeErrors(file);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/NO_REMAINING_VISITS.* is not assignable to type 'never'/);
  }, 240_000);

  it('names a reaction for every code, following the catalogue’s action and retryable', () => {
    for (const entry of Object.values(errorCatalogue)) {
      const reaction = deskReaction(entry.code as ErrorCode);
      if (entry.action === 'UPDATE_CARD') expect(reaction, entry.code).toBe('UPDATE_CARD');
      else if (entry.action === 'CHECK_CARD_BEFORE_RETRY') expect(reaction, entry.code).toBe('CHECK_THE_CARD');
      else if (entry.action === 'FIX_REQUEST') expect(reaction, entry.code).toBe('FIX_THE_HIS');
      else if (entry.action === null && entry.retryable) expect(reaction, entry.code).toBe('TRY_AGAIN');
    }
    expect(deskReaction('NO_REMAINING_VISITS')).toBe('UPDATE_CARD');
    expect(deskReaction('HEALTH_CARD_CANCELLED')).toBe('ASK_THE_PATIENT');
    expect(deskReaction('COVERAGE_SUSPENDED_OR_WITHDRAWN')).toBe('ASK_THE_PATIENT');
    // A code from a newer gateway: no exception at the desk.
    expect(deskReaction('A_CODE_FROM_A_NEWER_GATEWAY' as ErrorCode)).toBe('SHOW_THE_MESSAGE');
  });
});
