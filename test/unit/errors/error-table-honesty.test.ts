/**
 * The error table has no code that nothing can produce, or it says why it lists it (issue 14). What can be
 * produced is derived from the field declarations and the catalogue (resolvers/error-coverage.ts); the
 * declarations themselves are checked against the code: a gateway code a field declares must be raised
 * somewhere outside the tables (src/errors/), the declarations and the generated schema.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE_FILE } from '../../../build/error-table.ts';
import { codeOrigins } from '../../../resolvers/error-coverage.ts';
import { CONTROL_SOFTWARE_CODES_BY_FIELD, FIELD_ERRORS, SOURCES, fieldErrors, type FieldCoordinate } from '../../../resolvers/field-errors.ts';
import { LISTED_BECAUSE } from '../../../src/errors/listed-because.ts';
import { GATEWAY_CODES } from '../../../src/errors/gateway-codes.ts';
import { catalogueEntry } from '../../../src/errors/catalogue.ts';
import { VENDOR_CODES } from '../../../src/errors/vendor-codes.ts';
import { WEB_API_CODES } from '../../../src/errors/webapi-codes.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The rows of docs/error-codes.md's table: code → its "where it comes from" cell. */
function tableRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(ROOT, ERROR_TABLE_FILE), 'utf8').split('\n')) {
    const match = /^\| `([A-Z0-9_]+)` \|/.exec(line);
    if (!match) continue;
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    rows.set(match[1]!, cells.at(-2) ?? '');
  }
  return rows;
}

/** TypeScript sources that can raise a code: not the tables, the declarations or generated files. */
function raisingSources(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) out.push(path);
    }
  };
  for (const dir of ['src', 'schema', 'resolvers']) walk(join(ROOT, dir));
  const excluded = (path: string) => {
    const rel = relative(ROOT, path).split('\\').join('/');
    return rel.startsWith('src/errors/') || rel === 'resolvers/field-errors.ts' || rel === 'resolvers/error-coverage.ts';
  };
  // Comments do not raise anything: a code named only in a comment does not count.
  const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  return out.filter((p) => !excluded(p)).map((p) => withoutComments(readFileSync(p, 'utf8'))).join('\n');
}

describe('the error table lists only codes a client can meet, or says why', () => {
  const origins = codeOrigins();
  const rows = tableRows();

  it('has a row for every code of the tables it is generated from', () => {
    expect(rows.size).toBe(VENDOR_CODES.length + WEB_API_CODES.length + GATEWAY_CODES.length);
  });

  it('every listed code is producible by a field or any request, or carries its written reason in the doc', () => {
    const unexplained: string[] = [];
    for (const [code, where] of rows) {
      const origin = origins.get(code);
      expect(origin, code).toBeDefined();
      if (origin!.producible) continue;
      const reason = LISTED_BECAUSE[code];
      if (!reason) unexplained.push(code);
      else expect(where, code).toContain(reason.en);
    }
    expect(unexplained, 'listed although nothing produces them: give a field, remove them, or say why (src/errors/listed-because.ts)').toEqual([]);
  });

  it('gives reasons only for codes nothing produces (a producible code with a reason is stale)', () => {
    for (const code of Object.keys(LISTED_BECAUSE)) {
      expect(catalogueEntry(code), code).toBeDefined();
      expect(origins.get(code)?.producible, code).toBe(false);
    }
  });

  it('names, for the codes of particular functions, fields that call the control software', () => {
    for (const [code, fields] of Object.entries(CONTROL_SOFTWARE_CODES_BY_FIELD)) {
      expect(catalogueEntry(code)?.source, code).toBe('CONTROL_SOFTWARE');
      for (const field of fields) {
        expect(FIELD_ERRORS[field], `${code}: ${field}`).toBeDefined();
        expect(fieldErrors(field).sources, `${code}: ${field}`).toContain('CARD_STACK');
      }
      expect(origins.get(code)?.fields, code).toEqual(fields);
      expect(rows.get(code), code).toContain(`\`${fields[0]}\``);
    }
  });

  it('declares no gateway code for a field that no code raises', () => {
    const code = raisingSources();
    const declared = new Set((Object.keys(FIELD_ERRORS) as FieldCoordinate[]).flatMap((f) => [...fieldErrors(f).codes]));
    // Raised by name, through a helper of src/errors/gateway-codes.ts (`actionPendingError()`), or, for the
    // control-software codes the PC/SC backend reports without a number, by their table number (`tableError(4013)`).
    const helpers = new Map<string, string>();
    for (const m of readFileSync(join(ROOT, 'src/errors/gateway-codes.ts'), 'utf8').matchAll(/export const (\w+) = [^;]*?gatewayError\('([A-Z_]+)'\)/g)) {
      helpers.set(m[2]!, m[1]!);
    }
    const raised = (c: string) => {
      const helper = helpers.get(c);
      const vendorCode = VENDOR_CODES.find((e) => e.code === c)?.vendorCode;
      return (
        new RegExp(`\\b${c}\\b`).test(code) ||
        (helper !== undefined && new RegExp(`\\b${helper}\\(`).test(code)) ||
        (vendorCode !== undefined && new RegExp(`Error\\(${vendorCode}\\)`).test(code))
      );
    };
    const neverRaised = [...declared].filter((c) => !raised(c));
    expect(neverRaised, 'declared in resolvers/field-errors.ts but raised nowhere').toEqual([]);
    // and the sources' codes are catalogue codes
    for (const source of Object.values(SOURCES)) for (const c of source.codes) expect(catalogueEntry(c), c).toBeDefined();
  });

  it('says in the doc where the control-software codes come from', () => {
    expect(rows.get('CARD_PERMISSION_DENIED')).toMatch(/^any control-software call \(\d+ fields\)$/);
    expect(rows.get('BAD_USER_INPUT')).toContain('any request');
    expect(rows.get('READER_NOT_FOUND')).toMatch(/^\*\*Not produced\.\*\*/);
  });
});
