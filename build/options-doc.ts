/**
 * docs/options.md's option table, generated from the one option table (src/config/options.ts).
 *   npx tsx build/options-doc.ts --write   replace the text between the markers
 *   npx tsx build/options-doc.ts --check   exit 1 when docs/options.md is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withOptionsTable } from '../src/config/help.ts';

export const OPTIONS_DOC = fileURLToPath(new URL('../docs/options.md', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mode = process.argv[2];
  if (mode !== '--write' && mode !== '--check') {
    console.error('usage: options-doc.ts --write|--check');
    process.exit(2);
  }
  const current = readFileSync(OPTIONS_DOC, 'utf8');
  const next = withOptionsTable(current);
  if (mode === '--write') writeFileSync(OPTIONS_DOC, next);
  else if (next !== current) {
    console.error('docs/options.md is stale: run `npx tsx build/options-doc.ts --write`');
    process.exit(1);
  }
}
