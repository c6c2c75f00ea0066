/**
 * The time scalars (docs/api-conventions.md docs/reference/functions.md): each input form, each output form, and bad forms refused as
 * BAD_USER_INPUT naming the rule (the field is added by the error extensions, test/api/error-channels.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { Kind } from 'graphql';
import { buildSchema } from '../../../schema/index.ts';

const schema = buildSchema();
const scalar = (name: string) => {
  const type = schema.getType(name);
  if (!type || !('parseValue' in type) || !('serialize' in type)) throw new Error(`no scalar ${name}`);
  return type as import('graphql').GraphQLScalarType;
};

function refusal(run: () => unknown): { code: unknown; rule: unknown } {
  try {
    run();
  } catch (error) {
    const ext = (error as { extensions?: Record<string, unknown> }).extensions ?? {};
    return { code: ext['code'], rule: ext['rule'] };
  }
  throw new Error('accepted');
}

describe('Date / RocDate', () => {
  it.each(['Date', 'RocDate'])('%s parses YYYY-MM-DD and 7-digit ROC to the ISO date', (name) => {
    expect(scalar(name).parseValue('2026-03-01')).toBe('2026-03-01');
    expect(scalar(name).parseValue('1150301')).toBe('2026-03-01');
    expect(scalar(name).parseLiteral({ kind: Kind.STRING, value: '1150301' })).toBe('2026-03-01');
  });

  it('serialises each in its own form', () => {
    expect(scalar('Date').serialize('1150301')).toBe('2026-03-01');
    expect(scalar('Date').serialize('2026-03-01')).toBe('2026-03-01');
    expect(scalar('RocDate').serialize('2026-03-01')).toBe('1150301');
    expect(scalar('RocDate').serialize(new Date('2026-02-28T16:30:00Z'))).toBe('1150301'); // Taiwan's 1 March
  });

  it.each([
    ['2026-02-30', 'must be a real calendar date'],
    ['115030', 'must be a date YYYY-MM-DD or a 7-digit ROC date yyyMMdd'],
    ['01/03/2026', 'must be a date YYYY-MM-DD or a 7-digit ROC date yyyMMdd'],
    ['0000301', 'ROC year must be 001 or later'],
  ])('refuses %s: %s', (value, rule) => {
    expect(refusal(() => scalar('Date').parseValue(value))).toEqual({ code: 'BAD_USER_INPUT', rule });
  });

  it('refuses a non-string literal', () => {
    expect(refusal(() => scalar('Date').parseLiteral({ kind: Kind.INT, value: '1150301' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('DateTime / RocDateTime', () => {
  it.each(['DateTime', 'RocDateTime'])('%s parses ISO with an offset, Z, and 13-digit ROC to the ROC form', (name) => {
    expect(scalar(name).parseValue('2026-03-01T09:30:00+08:00')).toBe('1150301093000');
    expect(scalar(name).parseValue('2026-03-01T01:30:00Z')).toBe('1150301093000');
    expect(scalar(name).parseValue('2026-02-28T20:30:00-05:00')).toBe('1150301093000');
    expect(scalar(name).parseValue('1150301093000')).toBe('1150301093000');
  });

  it('serialises DateTime as ISO in Taiwan time and RocDateTime as 13 digits, from any form', () => {
    for (const value of ['1150301093000', '2026-03-01T01:30:00Z', '2026-03-01T01:30:00.000Z', new Date('2026-03-01T01:30:00Z')]) {
      expect(scalar('DateTime').serialize(value)).toBe('2026-03-01T09:30:00+08:00');
      expect(scalar('RocDateTime').serialize(value)).toBe('1150301093000');
    }
  });

  it.each([
    ['2026-03-01T09:30:00', 'must be an ISO date-time YYYY-MM-DDTHH:mm:ss with Z or a UTC offset'],
    ['2026-03-01 09:30:00+08:00', 'must be an ISO 8601 date-time with an offset (2026-03-01T09:30:00+08:00) or a 13-digit ROC date-time yyyMMddHHmmss'],
    ['1150301253000', 'hour must be 00-23'],
    ['115030109300', 'must be an ISO 8601 date-time with an offset (2026-03-01T09:30:00+08:00) or a 13-digit ROC date-time yyyMMddHHmmss'],
    ['2026-03-01T09:30:00+15:00', 'UTC offset must be between -14:00 and +14:00'],
  ])('refuses %s: %s', (value, rule) => {
    expect(refusal(() => scalar('DateTime').parseValue(value))).toEqual({ code: 'BAD_USER_INPUT', rule });
  });
});
