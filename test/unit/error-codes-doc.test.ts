import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE_FILE, renderErrorTableMarkdown, withErrorTable } from '../../build/error-table.ts';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

describe('docs/error-codes.md', () => {
  it('carries the generator\'s current table (run `npm run docs` when this fails)', () => {
    const document = read(ERROR_TABLE_FILE);
    expect(document, `${ERROR_TABLE_FILE} is stale: run \`npm run docs\``).toBe(withErrorTable(document));
  });

  it('is what `npm run docs` writes', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.docs).toBe(`tsx build/error-table.ts --write ${ERROR_TABLE_FILE}`);
  });

  it('lists vendor and gateway codes with both languages and the fix', () => {
    const table = renderErrorTableMarkdown();
    expect(table).toMatch(/\| `[A-Z_0-9]+` \| 9240 \| CONTROL_SOFTWARE \|[^\n]*csfsim/);
    expect(table).toMatch(/\| `CALL_TIMEOUT` \| — \|/);
    expect(table).toContain('VENDOR_CODE_UNKNOWN');
  });

  it('refuses a document without markers', () => {
    expect(() => withErrorTable('# no markers')).toThrow(/markers/);
  });
});

describe('README.md', () => {
  it('stays short (≤ 15 KB) and leaves the error table to docs/error-codes.md', () => {
    const readme = read('README.md');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15 * 1024);
    expect(readme).not.toContain('<!-- error-table:start -->');
    expect(readme).toContain('docs/error-codes.md');
  });
});
