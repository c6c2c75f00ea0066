import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { WEB_API_CODES } from '../../../src/errors/webapi-codes.ts';
import {
  END_MARKER,
  START_MARKER,
  renderErrorTableMarkdown,
  withErrorTable,
} from '../../../build/error-table.ts';
import { GATEWAY_CODES } from '../../../src/errors/gateway-codes.ts';
import { VENDOR_CODES } from '../../../src/errors/vendor-codes.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(ROOT, 'build/error-table.ts');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [TSX, SCRIPT, ...args], { cwd: ROOT });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? '' };
  }
}

describe('renderErrorTableMarkdown', () => {
  const table = renderErrorTableMarkdown();
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));

  it('has the header and one row per code', () => {
    expect(table.split('\n')[0]).toBe('| code | vendor code | category | retryable | 中文 | English | what to do | where it comes from |');
    expect(rows).toHaveLength(VENDOR_CODES.length + WEB_API_CODES.length + GATEWAY_CODES.length);
  });

  it('has a row for 9240 pointing at csfsim', () => {
    expect(table).toMatch(/\| `CLOUD_SAM_CONSOLE_NOT_RUNNING` \| 9240 \| CONTROL_SOFTWARE \| yes \|[^\n]*csfsim/);
  });

  it('lists vendor codes in ascending order, gateway codes after them', () => {
    const vendor = rows.map((r) => r.split(' | ')[1]).filter((v) => /^-?\d+$/.test(v!)).map(Number);
    expect(vendor).toEqual([...vendor].sort((a, b) => a - b));
    expect(rows.at(-1)).toMatch(/\| — \|/);
  });

  it('keeps every row at 8 cells (pipes in text are escaped)', () => {
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|').length - 2, row).toBe(8);
  });
});

describe('error-table marker replacement', () => {
  const dir = mkdtempSync(join(tmpdir(), 'error-table-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces only the text between the markers', () => {
    const doc = `# Title\n\nbefore\n${START_MARKER}\nold table\n${END_MARKER}\nafter\n`;
    const next = withErrorTable(doc);
    expect(next.startsWith(`# Title\n\nbefore\n${START_MARKER}\n`)).toBe(true);
    expect(next.endsWith(`${END_MARKER}\nafter\n`)).toBe(true);
    expect(next).not.toContain('old table');
    expect(withErrorTable(next)).toBe(next);
  });

  it('CLI: --write then --check passes; an edited table fails --check', async () => {
    const file = join(dir, 'README.md');
    writeFileSync(file, `# Doc\n${START_MARKER}\n${END_MARKER}\n`);
    expect((await cli('--check', file)).code).toBe(1);

    expect((await cli('--write', file)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('| `HEALTH_CARD_NOT_INSERTED` | 4013 |');
    expect(await cli('--check', file)).toEqual({ code: 0, stderr: '' });

    writeFileSync(file, readFileSync(file, 'utf8').replace('4013', '4014'));
    const stale = await cli('--check', file);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the error table is stale: run `npm run docs`');
  }, 30_000);

  it('CLI: --write without markers prints an error and exits 1, leaving the file alone', async () => {
    const file = join(dir, 'no-markers.md');
    writeFileSync(file, '# nothing here\n');
    const result = await cli('--write', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/markers/);
    expect(readFileSync(file, 'utf8')).toBe('# nothing here\n');
  }, 30_000);
});
