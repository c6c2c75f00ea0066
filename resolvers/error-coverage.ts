/**
 * Which codes of the catalogue a client can actually meet, derived from the field declarations
 * (resolvers/field-errors.ts) and the catalogue (src/errors/catalogue.ts): a control-software or Web API code
 * when some field calls that table's source, a gateway code when some field's source raises it, access and
 * request codes on any request. What no field and no request produces must say why it is listed
 * (src/errors/listed-because.ts). docs/error-codes.md shows the answer for every code (build/error-table.ts);
 * test/unit/errors/error-table-honesty.test.ts keeps both honest.
 */
import { catalogueEntries, type CatalogueEntry } from '../src/errors/catalogue.ts';
import { LISTED_BECAUSE } from '../src/errors/listed-because.ts';
import { CONTROL_SOFTWARE_CODES_BY_FIELD, FIELD_ERRORS, SOURCES, type ErrorSource, type FieldCoordinate, type SourceName } from './field-errors.ts';

export interface CodeOrigin {
  readonly code: string;
  readonly producible: boolean;
  /** Where a client meets it, or why it is listed although nothing produces it (English, for the table). */
  readonly where: string;
  /** The fields that can return it (empty for request codes and unproduced ones). */
  readonly fields: readonly FieldCoordinate[];
}

/** Short names of the sources for the table (a list of 40 fields would say less). */
const SOURCE_LABELS: Record<SourceName, string> = {
  CARD_STACK: 'card reads and writes',
  WEB_API: 'treatment-ID Web API',
  JOURNAL: 'idempotency keys and the card-write journal',
  CARD_SESSION: 'card writes with expectedCardSession',
  SIMULATOR: 'simulator controls',
  CSDLL_INI: 'csdll.ini',
};

const FIELDS = Object.keys(FIELD_ERRORS) as FieldCoordinate[];

function fieldsWithSource(test: (source: ErrorSource, name: SourceName) => boolean): FieldCoordinate[] {
  return FIELDS.filter((field) => FIELD_ERRORS[field].sources.some((name) => test(SOURCES[name] as ErrorSource, name)));
}

function listFields(fields: readonly FieldCoordinate[], label: string): string {
  return fields.length <= 4 ? fields.map((f) => `\`${f}\``).join(', ') : `${fields.length} fields (${label})`;
}

function origin(entry: CatalogueEntry): CodeOrigin {
  const unproduced = (): CodeOrigin => ({
    code: entry.code,
    producible: false,
    where: LISTED_BECAUSE[entry.code]?.en ?? 'no field or request produces it, and no reason is given',
    fields: [],
  });
  if (entry.source === 'CONTROL_SOFTWARE' || entry.source === 'WEB_API') {
    const reaching = fieldsWithSource((s) => s.vendorTable === entry.source);
    if (reaching.length === 0) return unproduced();
    const named = entry.source === 'CONTROL_SOFTWARE' ? CONTROL_SOFTWARE_CODES_BY_FIELD[entry.code] : undefined;
    if (named) {
      const fields = named.filter((f) => reaching.includes(f));
      if (fields.length === 0) return unproduced();
      return { code: entry.code, producible: true, where: `returned by ${listFields(fields, '')}`, fields };
    }
    const where =
      entry.source === 'CONTROL_SOFTWARE'
        ? `any control-software call (${reaching.length} fields)`
        : `the treatment-ID Web API: ${listFields(reaching, SOURCE_LABELS.WEB_API)}`;
    return { code: entry.code, producible: true, where, fields: reaching };
  }
  if (entry.category === 'ACCESS' || entry.category === 'REQUEST') {
    return { code: entry.code, producible: true, where: 'any request (`errors[].extensions.code`)', fields: [] };
  }
  const sources = (Object.keys(SOURCES) as SourceName[]).filter((name) => (SOURCES[name] as ErrorSource).codes.includes(entry.code));
  const fields = fieldsWithSource((_s, name) => sources.includes(name));
  if (fields.length === 0) return unproduced();
  return { code: entry.code, producible: true, where: listFields(fields, sources.map((s) => SOURCE_LABELS[s]).join(', ')), fields };
}

/** Every catalogue code with where it comes from. */
export function codeOrigins(): ReadonlyMap<string, CodeOrigin> {
  return new Map(catalogueEntries().map((entry) => [entry.code, origin(entry)]));
}
