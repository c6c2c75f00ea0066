import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/codecs/input-error.ts';
import {
  assertNotFuture,
  dateToRocDateTime,
  decodeRocDateOrNull,
  decodeRocDateTimeOrNull,
  isoDateTimeToRoc,
  isoDateToRoc,
  rocDateTimeToDate,
  rocDateTimeToIso,
  rocDateToIso,
  taiwanDayNumber,
  validateRocDate,
  validateRocDateTime13,
} from '../../../src/codecs/roc-date.ts';

/** Runs `fn`, asserts it threw an InputError for `field`, and returns the error for rule checks. */
function inputErrorOf(fn: () => unknown, field: string): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe(field);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('InputError', () => {
  it('carries field and rule and says both in its message', () => {
    const error = new InputError('birthDate', 'must be 7 digits');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InputError');
    expect(error.field).toBe('birthDate');
    expect(error.rule).toBe('must be 7 digits');
    expect(error.message).toBe('birthDate: must be 7 digits');
  });
});

describe('rocDateToIso', () => {
  it.each([
    ['1130229', '2024-02-29'], // 2024 leap year
    ['0890229', '2000-02-29'], // divisible by 400: leap
    ['1120228', '2023-02-28'],
    ['0010101', '1912-01-01'], // first expressible day
    ['0850315', '1996-03-15'],
    ['1131231', '2024-12-31'],
    ['9991231', '2910-12-31'], // last expressible day
  ])('%s → %s', (roc, iso) => {
    expect(rocDateToIso(roc, 'birthDate')).toBe(iso);
  });

  it.each([
    ['1120229', 'must be a real calendar date'], // 2023 is not a leap year
    ['1890229', 'must be a real calendar date'], // 2100: divisible by 100, not 400
    ['1130230', 'must be a real calendar date'],
    ['1130431', 'must be a real calendar date'],
    ['1131301', 'must be a real calendar date'],
    ['1130001', 'must be a real calendar date'],
    ['1130100', 'must be a real calendar date'],
    ['0000101', 'ROC year must be 001 or later'],
    ['113022', 'must be 7 digits (ROC yyyMMdd)'],
    ['11302290', 'must be 7 digits (ROC yyyMMdd)'],
    [' 113022', 'must be 7 digits (ROC yyyMMdd)'],
    ['113-2-9', 'must be 7 digits (ROC yyyMMdd)'],
    ['', 'must be 7 digits (ROC yyyMMdd)'],
    ['１１３０２２９', 'must be 7 digits (ROC yyyMMdd)'], // full-width digits are not \d-safe input
  ])('rejects %j (%s)', (roc, rule) => {
    expect(inputErrorOf(() => rocDateToIso(roc, 'birthDate'), 'birthDate').rule).toBe(rule);
  });

  it('validateRocDate returns the input unchanged or throws for the field', () => {
    expect(validateRocDate('1130229', 'birthDate')).toBe('1130229');
    inputErrorOf(() => validateRocDate('1130230', 'pPatientBirthDate'), 'pPatientBirthDate');
  });
});

describe('isoDateToRoc', () => {
  it.each([
    ['2024-02-29', '1130229'],
    ['2000-02-29', '0890229'],
    ['1912-01-01', '0010101'],
    ['2910-12-31', '9991231'],
  ])('%s → %s', (iso, roc) => {
    expect(isoDateToRoc(iso, 'birthDate')).toBe(roc);
  });

  it('round-trips with rocDateToIso', () => {
    for (const roc of ['0010101', '0450704', '0890229', '1130229', '1151231', '9991231']) {
      expect(isoDateToRoc(rocDateToIso(roc, 'd'), 'd')).toBe(roc);
    }
  });

  it.each([
    ['1911-12-31', 'years before 1912 cannot be expressed as an ROC date'],
    ['1900-01-01', 'years before 1912 cannot be expressed as an ROC date'],
    ['2911-01-01', 'years after 2910 cannot be expressed as an ROC date'],
    ['2023-02-29', 'must be a real calendar date'],
    ['2100-02-29', 'must be a real calendar date'],
    ['2024-13-01', 'must be a real calendar date'],
    ['2024-2-29', 'must be an ISO date YYYY-MM-DD'],
    ['20240229', 'must be an ISO date YYYY-MM-DD'],
    ['2024-02-29T00:00:00Z', 'must be an ISO date YYYY-MM-DD'],
    ['', 'must be an ISO date YYYY-MM-DD'],
  ])('rejects %j (%s)', (iso, rule) => {
    expect(inputErrorOf(() => isoDateToRoc(iso, 'birthDate'), 'birthDate').rule).toBe(rule);
  });
});

describe('rocDateTimeToIso', () => {
  it.each([
    ['1130229143005', '2024-02-29T14:30:05+08:00'],
    ['1130101000000', '2024-01-01T00:00:00+08:00'],
    ['1131231235959', '2024-12-31T23:59:59+08:00'],
  ])('%s → %s', (roc, iso) => {
    expect(rocDateTimeToIso(roc, 'visitTime')).toBe(iso);
  });

  it.each([
    ['1130229240000', 'hour must be 00-23'],
    ['1130229236000', 'minute must be 00-59'],
    ['1130229235960', 'second must be 00-59'],
    ['1120229120000', 'must be a real calendar date'],
    ['1130230120000', 'must be a real calendar date'],
    ['113022912000', 'must be 13 digits (ROC yyyMMddHHmmss)'],
    ['11302291200000', 'must be 13 digits (ROC yyyMMddHHmmss)'],
    ['1130229 12000', 'must be 13 digits (ROC yyyMMddHHmmss)'],
  ])('rejects %j (%s)', (roc, rule) => {
    expect(inputErrorOf(() => rocDateTimeToIso(roc, 'visitTime'), 'visitTime').rule).toBe(rule);
  });

  it('validateRocDateTime13 returns the input unchanged or throws for the field', () => {
    expect(validateRocDateTime13('1130229143005', 'pDateTime')).toBe('1130229143005');
    inputErrorOf(() => validateRocDateTime13('1130229143060', 'pDateTime'), 'pDateTime');
  });
});

describe('isoDateTimeToRoc', () => {
  it.each([
    ['2024-02-29T14:30:05+08:00', '1130229143005'],
    ['2024-02-29T06:30:05Z', '1130229143005'],
    ['2024-02-29T06:30:05.999Z', '1130229143005'], // fractions dropped, not rounded
    ['2024-02-29T14:30:05+0800', '1130229143005'],
    ['2024-02-28T22:30:05-08:00', '1130229143005'],
    ['2024-02-29T11:00:05+04:30', '1130229143005'],
    ['2023-12-31T16:00:00Z', '1130101000000'], // crosses the year in Taiwan
    ['2024-02-28T16:00:00Z', '1130229000000'], // lands on a leap day
    ['1911-12-31T16:00:00Z', '0010101000000'], // first expressible second in Taiwan time
  ])('%s → %s', (iso, roc) => {
    expect(isoDateTimeToRoc(iso, 'visitTime')).toBe(roc);
  });

  it.each([
    ['2024-02-29T14:30:05', 'must be an ISO date-time YYYY-MM-DDTHH:mm:ss with Z or a UTC offset'],
    ['2024-02-29 14:30:05+08:00', 'must be an ISO date-time YYYY-MM-DDTHH:mm:ss with Z or a UTC offset'],
    ['2024-02-29T14:30+08:00', 'must be an ISO date-time YYYY-MM-DDTHH:mm:ss with Z or a UTC offset'],
    ['1130229143005', 'must be an ISO date-time YYYY-MM-DDTHH:mm:ss with Z or a UTC offset'],
    ['2023-02-29T14:30:05+08:00', 'must be a real calendar date'],
    ['2024-02-29T24:00:00+08:00', 'hour must be 00-23'],
    ['2024-02-29T23:60:00+08:00', 'minute must be 00-59'],
    ['2024-02-29T23:59:60+08:00', 'second must be 00-59'],
    ['2024-02-29T14:30:05+15:00', 'UTC offset must be between -14:00 and +14:00'],
    ['2024-02-29T14:30:05+08:60', 'UTC offset must be between -14:00 and +14:00'],
    ['1911-12-31T15:59:59Z', 'years before 1912 cannot be expressed as an ROC date'],
  ])('rejects %j (%s)', (iso, rule) => {
    expect(inputErrorOf(() => isoDateTimeToRoc(iso, 'visitTime'), 'visitTime').rule).toBe(rule);
  });

  it('keeps years below 100 out of the 1900s (Date.UTC pitfall)', () => {
    inputErrorOf(() => isoDateTimeToRoc('0050-01-01T00:00:00Z', 'visitTime'), 'visitTime');
  });

  it('round-trips with rocDateTimeToIso', () => {
    for (const roc of ['1130229143005', '0890229000000', '1131231235959']) {
      expect(isoDateTimeToRoc(rocDateTimeToIso(roc, 'v'), 'v')).toBe(roc);
    }
  });
});

describe('dateToRocDateTime / rocDateTimeToDate', () => {
  it('formats an instant in Taiwan time', () => {
    expect(dateToRocDateTime(new Date('2024-02-29T06:30:05.999Z'))).toBe('1130229143005');
    expect(dateToRocDateTime(new Date('2023-12-31T16:00:00Z'))).toBe('1130101000000');
    expect(dateToRocDateTime(new Date('2023-12-31T15:59:59Z'))).toBe('1121231235959');
  });

  it('rejects an invalid Date and instants the format cannot express', () => {
    inputErrorOf(() => dateToRocDateTime(new Date(Number.NaN)), 'date');
    inputErrorOf(() => dateToRocDateTime(new Date('1900-01-01T00:00:00Z')), 'date');
  });

  it('parses Taiwan time back to the instant', () => {
    expect(rocDateTimeToDate('1130229143005', 'visitTime').toISOString()).toBe('2024-02-29T06:30:05.000Z');
    expect(rocDateTimeToDate('1130101000000', 'visitTime').toISOString()).toBe('2023-12-31T16:00:00.000Z');
  });

  it('round-trips', () => {
    const instant = new Date('2025-07-04T01:02:03Z');
    expect(rocDateTimeToDate(dateToRocDateTime(instant), 'v').getTime()).toBe(instant.getTime());
  });

  it('rejects a malformed ROC date-time', () => {
    inputErrorOf(() => rocDateTimeToDate('1130229246000', 'visitTime'), 'visitTime');
  });
});

describe('assertNotFuture', () => {
  const now = new Date('2024-02-29T06:30:00Z'); // 14:30:00 in Taiwan

  it('accepts the past, the present and up to the tolerance ahead', () => {
    expect(() => assertNotFuture('1130229143000', now, 'visitTime')).not.toThrow();
    expect(() => assertNotFuture('1130228093000', now, 'visitTime')).not.toThrow();
    expect(() => assertNotFuture('1130229143100', now, 'visitTime')).not.toThrow(); // exactly 60 s ahead
  });

  it('rejects a visit time beyond the tolerance', () => {
    const error = inputErrorOf(() => assertNotFuture('1130229143101', now, 'visitTime'), 'visitTime');
    expect(error.rule).toBe('must not be in the future');
    inputErrorOf(() => assertNotFuture('1130301000000', now, 'pDateTime'), 'pDateTime');
  });

  it('honours a custom tolerance', () => {
    expect(() => assertNotFuture('1130229143001', now, 'visitTime', 0)).toThrow(InputError);
    expect(() => assertNotFuture('1130229143500', now, 'visitTime', 300)).not.toThrow();
  });

  it('validates the format first', () => {
    expect(inputErrorOf(() => assertNotFuture('1130229', now, 'visitTime'), 'visitTime').rule).toBe(
      'must be 13 digits (ROC yyyMMddHHmmss)',
    );
  });
});

describe('lenient card decoders', () => {
  it.each([
    ['1130229', '2024-02-29'],
    ['1130229   ', '2024-02-29'],
    [' 1130229', '2024-02-29'],
    ['1130229\0', '2024-02-29'],
    ['', null],
    ['       ', null],
    ['\0\0\0\0\0\0\0', null],
    ['0000000', null],
    ['1130230', null],
    ['0000101', null],
    ['113022', null],
    ['ABCDEFG', null],
    ['\xff\xfe\xfd', null],
  ])('decodeRocDateOrNull(%j) → %j', (raw, expected) => {
    expect(decodeRocDateOrNull(raw)).toBe(expected);
  });

  it.each([
    ['1130229143005', '2024-02-29T14:30:05+08:00'],
    ['1130229143005 ', '2024-02-29T14:30:05+08:00'],
    ['', null],
    ['             ', null],
    ['0000000000000', null],
    ['1130229246000', null],
    ['1130229', null],
    ['garbage!!!!!!', null],
  ])('decodeRocDateTimeOrNull(%j) → %j', (raw, expected) => {
    expect(decodeRocDateTimeOrNull(raw)).toBe(expected);
  });
});

describe('taiwanDayNumber', () => {
  it('changes at midnight Taiwan time (16:00 UTC), together with the ROC date', () => {
    const before = new Date('2026-11-26T15:59:59.999Z');
    const after = new Date('2026-11-26T16:00:00.000Z');
    expect(taiwanDayNumber(after) - taiwanDayNumber(before)).toBe(1);
    expect(dateToRocDateTime(before).slice(0, 7)).toBe('1151126');
    expect(dateToRocDateTime(after).slice(0, 7)).toBe('1151127');
    expect(taiwanDayNumber(after)).toBe(taiwanDayNumber(new Date('2026-11-27T15:59:59.999Z')));
  });
});
