/**
 * docs/error-codes.md's table, generated from the one code table so it is never written twice.
 *   npx tsx build/error-table.ts --write [docs/error-codes.md]   replace the text between the markers (npm run docs)
 *   npx tsx build/error-table.ts --check [docs/error-codes.md]   exit 1 when the file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { VENDOR_CODES } from '../src/errors/vendor-codes.ts';
import { GATEWAY_CODES } from '../src/errors/gateway-codes.ts';
import { WEB_API_CODES } from '../src/errors/webapi-codes.ts';
import { codeOrigins } from '../resolvers/error-coverage.ts';

export const START_MARKER = '<!-- error-table:start -->';
export const END_MARKER = '<!-- error-table:end -->';
/** Where the table lives, relative to the repository root. */
export const ERROR_TABLE_FILE = 'docs/error-codes.md';

const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderErrorTableMarkdown(): string {
  const origins = codeOrigins();
  // Where a client meets the code (resolvers/error-coverage.ts), or why it is listed although nothing produces it.
  const where = (code: string) => {
    const origin = origins.get(code);
    if (!origin) throw new Error(`${code} is not in the catalogue`);
    return origin.producible ? origin.where : `**Not produced.** ${origin.where}`;
  };
  const rows = [
    ...[...VENDOR_CODES].sort((a, b) => a.vendorCode - b.vendorCode).map((e) => ({ ...e, vendor: String(e.vendorCode) })),
    // NHI Web API RtnCodes: their numbers overlap the control software's, so the column says which they are.
    ...WEB_API_CODES.map((e) => ({ ...e, vendor: `RtnCode ${String(e.vendorCode).padStart(4, '0')}` })),
    ...GATEWAY_CODES.map((e) => ({ ...e, vendor: '—' })),
  ];
  const lines = [
    '| code | vendor code | category | retryable | 中文 | English | what to do | where it comes from |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (e) =>
        `| \`${e.code}\` | ${e.vendor} | ${e.category} | ${e.retryable ? 'yes' : 'no'} | ${cell(e.text.zh)} | ${cell(e.text.en)} | ${cell(e.hint?.en)} | ${cell(where(e.code))} |`,
    ),
  ];
  const whereNote =
    '"Where it comes from" is derived from the field declarations (resolvers/error-coverage.ts over resolvers/field-errors.ts): ' +
    '"any control-software call" means the control software may answer any of its functions with that code — which function ' +
    'returns which is documented only for the codes whose row names fields; "any request" codes come in `errors[].extensions.code`; ' +
    'a **Not produced** row says why it is still listed (src/errors/listed-because.ts). test/unit/errors/error-table-honesty.test.ts ' +
    'fails when a code is listed that nothing produces without a reason.';
  return `${lines.join('\n')}\n\n${whereNote}\n\nAny other vendor code comes back as \`VendorError\` with \`code: VENDOR_CODE_UNKNOWN\` and its number in \`vendorCode\`; any other Web API RtnCode as \`VendorError\` with \`code: WEB_API_CODE_UNKNOWN\` and its value (docs/webapi.md).`;
}

/** The document with the table between the markers replaced; throws when the markers are missing. */
export function withErrorTable(document: string): string {
  const start = document.indexOf(START_MARKER);
  const end = document.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`markers ${START_MARKER} … ${END_MARKER} not found`);
  return `${document.slice(0, start + START_MARKER.length)}\n${renderErrorTableMarkdown()}\n${document.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, file = ERROR_TABLE_FILE] = process.argv.slice(2);
  if (mode !== '--write' && mode !== '--check') {
    console.error(`usage: error-table.ts --write|--check [${ERROR_TABLE_FILE}]`);
    process.exit(2);
  }
  const current = readFileSync(file, 'utf8');
  let next: string;
  try {
    next = withErrorTable(current);
  } catch (error) {
    console.error(`${file}: ${(error as Error).message}`);
    process.exit(1);
  }
  if (mode === '--write') writeFileSync(file, next);
  else if (next !== current) {
    console.error(`${file}: the error table is stale: run \`npm run docs\``);
    process.exit(1);
  }
}
