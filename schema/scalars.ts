/**
 * The four time scalars (docs/api-conventions.md docs/reference/functions.md). Inputs of each accept both documented forms of its kind;
 * outputs are always in the scalar's own form, in Taiwan time (+08:00). All parsing is src/codecs/roc-date.ts.
 *
 * Inside the gateway a parsed `Date`/`RocDate` is an ISO date (`YYYY-MM-DD`) and a parsed
 * `DateTime`/`RocDateTime` is a 13-digit ROC date-time (what the card takes). For output a resolver may hand
 * either scalar a JS `Date`, an ISO string (any offset) or the ROC string: the scalar converts.
 */
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.ts';
import { InputError } from '../src/codecs/input-error.ts';
import {
  anyDateTimeToRoc,
  anyDateToIso,
  dateToRocDateTime,
  isoDateToRoc,
  rocDateTimeToIso,
} from '../src/codecs/roc-date.ts';

/**
 * A scalar's input failure: BAD_USER_INPUT with the rule; the field is added from the variable path or the
 * literal's place in the document (src/errors/client-errors.ts). For a variable it is a GraphQLError (graphql-js
 * keeps it as the original error, so yoga does not mask it); for a literal a plain Error, which validation wraps
 * with the value's location, keeping these extensions.
 */
function badInput(error: unknown, scalar: string, literal: boolean): never {
  const rule = error instanceof InputError ? error.rule : `must be a ${scalar}`;
  const extensions = { code: 'BAD_USER_INPUT', rule };
  if (literal) throw Object.assign(new Error(rule), { extensions });
  throw new GraphQLError(rule, { extensions });
}

function parseWith<T>(scalar: string, parse: (value: string) => T) {
  const parseAs = (value: unknown, literal: boolean): T => {
    if (typeof value !== 'string') return badInput(null, `${scalar} string`, literal);
    try {
      return parse(value);
    } catch (error) {
      return badInput(error, scalar, literal);
    }
  };
  return {
    parseValue: (value: unknown): T => parseAs(value, false),
    parseLiteral: (node: ValueNode): T => parseAs(node.kind === Kind.STRING ? node.value : null, true),
  };
}

/** Output: any of Date, ISO date-time (any offset), ISO date, ROC 7 or ROC 13 → a ROC 13 date-time, or ROC 7 for dates. */
function toRocDateTime(value: unknown): string {
  if (value instanceof Date) return dateToRocDateTime(value);
  if (typeof value === 'string') return anyDateTimeToRoc(value, 'output');
  throw new TypeError('not a date-time');
}

function toIsoDate(value: unknown): string {
  if (value instanceof Date) return rocDateTimeToIso(dateToRocDateTime(value), 'output').slice(0, 10);
  if (typeof value === 'string') {
    if (/^\d{13}$/.test(value) || value.includes('T')) return rocDateTimeToIso(anyDateTimeToRoc(value, 'output'), 'output').slice(0, 10);
    return anyDateToIso(value, 'output');
  }
  throw new TypeError('not a date');
}

export const DateScalar = builder.scalarType('Date', {
  description: 'A calendar date, YYYY-MM-DD. Input also accepts the 7-digit ROC form (yyyMMdd, e.g. 1150301).',
  serialize: (value) => toIsoDate(value),
  ...parseWith('Date', (v) => anyDateToIso(v, 'Date')),
});

export const RocDateScalar = builder.scalarType('RocDate', {
  description: 'A calendar date in the ROC (民國) form the card uses: 7 digits yyyMMdd (1150301 = 2026-03-01). Input also accepts YYYY-MM-DD.',
  serialize: (value) => isoDateToRoc(toIsoDate(value), 'output'),
  ...parseWith('RocDate', (v) => anyDateToIso(v, 'RocDate')),
});

export const DateTimeScalar = builder.scalarType('DateTime', {
  description:
    'An instant, ISO 8601 with an offset. Output is always Taiwan time (2026-03-01T09:30:00+08:00). Input accepts any offset ' +
    '(Z, +08:00 …; a time without an offset is refused) or the 13-digit ROC form yyyMMddHHmmss (Taiwan time).',
  serialize: (value) => rocDateTimeToIso(toRocDateTime(value), 'output'),
  ...parseWith('DateTime', (v) => anyDateTimeToRoc(v, 'DateTime')),
});

export const RocDateTimeScalar = builder.scalarType('RocDateTime', {
  description:
    'An instant in the ROC form the card uses, Taiwan time: 13 digits yyyMMddHHmmss (1150301093000 = 2026-03-01T09:30:00+08:00). ' +
    'Input also accepts ISO 8601 with an offset.',
  serialize: (value) => toRocDateTime(value),
  ...parseWith('RocDateTime', (v) => anyDateTimeToRoc(v, 'RocDateTime')),
});
