import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorTableMarkdown, withErrorTable } from '../../build/error-table.ts';

const README = new URL('../../README.md', import.meta.url);

describe('README', () => {
  it('carries the current error table (run `npm run docs` when this fails)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme, 'README error table is stale: run `npm run docs`').toBe(withErrorTable(readme));
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
