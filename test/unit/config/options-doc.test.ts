/** docs/options.md's table is the option table (src/config/options.ts): it fails when they differ. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../../src/config.ts';
import { OPTIONS_DOC_END, OPTIONS_DOC_START, renderOptionsMarkdown, withOptionsTable } from '../../../src/config/help.ts';
import { OPTIONS_DOC } from '../../../build/options-doc.ts';

describe('docs/options.md', () => {
  const document = readFileSync(OPTIONS_DOC, 'utf8');

  it('holds the generated table (run `npx tsx build/options-doc.ts --write` after changing the table)', () => {
    expect(withOptionsTable(document)).toBe(document);
  });

  it('has one row per option, with its environment variable and config key', () => {
    const table = document.slice(document.indexOf(OPTIONS_DOC_START), document.indexOf(OPTIONS_DOC_END));
    for (const [key, option] of Object.entries(OPTIONS)) {
      const shown = option.shownAs ?? `--${option.flag}`;
      const line = table.split('\n').find((row) => (row.split(' | ')[0] ?? '').includes(`\`${shown}`));
      expect(line, key).toBeDefined();
      if (option.env) expect(line).toContain(`\`${option.env}\``);
      if (option.inFile) expect(line).toContain(`\`${key}\``);
    }
  });

  it('is refused by the check script when stale, as a process', () => {
    expect(renderOptionsMarkdown()).toContain('| `--token-file <path>` | `NHI_GATEWAY_TOKEN_FILE` | `tokenFile` |');
    expect(() => execFileSync('npx', ['tsx', 'build/options-doc.ts', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
