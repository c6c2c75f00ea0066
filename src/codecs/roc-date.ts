/**
 * ROC (Minguo) dates and date-times ↔ ISO 8601 (docs/reference/abi.md (Dates, Big5)).
 *
 * The card and the DLL speak `yyyMMdd` / `yyyMMddHHmmss` with yyy = Gregorian year − 1911, in Taiwan local
 * time. Taiwan has used UTC+8 without daylight saving since 1980 and every date we handle (visits, card
 * issue, validity) is later than that, so a fixed +08:00 offset is exact for them. Birth dates are dates
 * only and never go through a time-zone conversion.
 */
import { fieldEnd, fieldStart, sliceAscii, trimPadding } from './fixed-width.ts';
import { InputError } from './input-error.ts';

const ROC_YEAR_OFFSET = 1911;
/** ROC year 1 (1912) is the first year the format can express; yyy has three digits. */
const FIRST_GREGORIAN_YEAR = ROC_YEAR_OFFSET + 1;
const LAST_GREGORIAN_YEAR = ROC_YEAR_OFFSET + 999;
const TAIWAN_OFFSET_MS = 8 * 60 * 60 * 1000;
const TAIWAN_OFFSET_SUFFIX = '+08:00';

interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

interface CalendarDateTime extends CalendarDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isRealDate({ year, month, day }: CalendarDate): boolean {
  return isRealDay(year, month, day);
}

function isRealDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function assertExpressibleYear(year: number, field: string): void {
  if (year < FIRST_GREGORIAN_YEAR) throw new InputError(field, 'years before 1912 cannot be expressed as an ROC date');
  if (year > LAST_GREGORIAN_YEAR) throw new InputError(field, 'years after 2910 cannot be expressed as an ROC date');
}

function assertRealTime(hour: number, minute: number, second: number, field: string): void {
  if (hour > 23) throw new InputError(field, 'hour must be 00-23');
  if (minute > 59) throw new InputError(field, 'minute must be 00-59');
  // No leap seconds: the reader clock never produces :60 and Date cannot represent it.
  if (second > 59) throw new InputError(field, 'second must be 00-59');
}

function parseRocDate(roc: string, field: string): CalendarDate {
  if (!/^\d{7}$/.test(roc)) throw new InputError(field, 'must be 7 digits (ROC yyyMMdd)');
  const rocYear = Number(roc.slice(0, 3));
  if (rocYear === 0) throw new InputError(field, 'ROC year must be 001 or later');
  const date = { year: rocYear + ROC_YEAR_OFFSET, month: Number(roc.slice(3, 5)), day: Number(roc.slice(5, 7)) };
  if (!isRealDate(date)) throw new InputError(field, 'must be a real calendar date');
  return date;
}

function parseRocDateTime(roc: string, field: string): CalendarDateTime {
  if (!/^\d{13}$/.test(roc)) throw new InputError(field, 'must be 13 digits (ROC yyyMMddHHmmss)');
  const date = parseRocDate(roc.slice(0, 7), field);
  const hour = Number(roc.slice(7, 9));
  const minute = Number(roc.slice(9, 11));
  const second = Number(roc.slice(11, 13));
  assertRealTime(hour, minute, second, field);
  return { ...date, hour, minute, second };
}

function formatIsoDate({ year, month, day }: CalendarDate): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function formatRocDate({ year, month, day }: CalendarDate): string {
  return `${pad(year - ROC_YEAR_OFFSET, 3)}${pad(month, 2)}${pad(day, 2)}`;
}

function formatRocDateTime(dt: CalendarDateTime): string {
  return `${formatRocDate(dt)}${pad(dt.hour, 2)}${pad(dt.minute, 2)}${pad(dt.second, 2)}`;
}

/**
 * The Taiwan calendar day of an instant, as a day count since 1970-01-01 (Taiwan time): a cheap key for
 * "has the date changed" where formatting a ROC date each time would be wasted.
 */
export function taiwanDayNumber(d: Date): number {
  return Math.floor((d.getTime() + TAIWAN_OFFSET_MS) / 86_400_000);
}

/** Taiwan wall-clock fields of an instant. */
function taiwanFieldsOf(epochMs: number): CalendarDateTime {
  const shifted = new Date(epochMs + TAIWAN_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
}

/** Date.UTC maps years 0–99 to 1900–1999; an ISO input like 0050-01-01 must stay in year 50. */
function utcEpochMs(dt: CalendarDateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(dt.year, dt.month - 1, dt.day);
  d.setUTCHours(dt.hour, dt.minute, dt.second, 0);
  return d.getTime();
}

function taiwanFieldsToEpochMs(dt: CalendarDateTime): number {
  return utcEpochMs(dt) - TAIWAN_OFFSET_MS;
}

/** `yyyMMdd` → `YYYY-MM-DD`. Rejects anything but 7 digits naming a real calendar date. */
export function rocDateToIso(roc: string, field: string): string {
  return formatIsoDate(parseRocDate(roc, field));
}

/** `YYYY-MM-DD` → `yyyMMdd`. */
export function isoDateToRoc(iso: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) throw new InputError(field, 'must be an ISO date YYYY-MM-DD');
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (!isRealDate(date)) throw new InputError(field, 'must be a real calendar date');
  assertExpressibleYear(date.year, field);
  return formatRocDate(date);
}

/** Checks a 7-digit ROC date (e.g. pPatientBirthDate, docs/reference/buffers.md (Write inputs)) and returns it unchanged. */
export function validateRocDate(roc: string, field: string): string {
  parseRocDate(roc, field);
  return roc;
}

/** `yyyMMddHHmmss` (Taiwan time) → `YYYY-MM-DDTHH:mm:ss+08:00`. */
export function rocDateTimeToIso(roc: string, field: string): string {
  const dt = parseRocDateTime(roc, field);
  return `${formatIsoDate(dt)}T${pad(dt.hour, 2)}:${pad(dt.minute, 2)}:${pad(dt.second, 2)}${TAIWAN_OFFSET_SUFFIX}`;
}

/** Checks a 13-digit ROC date-time (pDateTime, pUnTreatDate, docs/reference/buffers.md (Write inputs)) and returns it unchanged. */
export function validateRocDateTime13(roc: string, field: string): string {
  parseRocDateTime(roc, field);
  return roc;
}

/**
 * ISO date-time with `Z` or a `±HH:mm` / `±HHmm` offset → ROC `yyyMMddHHmmss` in Taiwan time. A date-time
 * without an offset is rejected rather than guessed: a client in another zone would otherwise write a visit
 * hours off. Fractional seconds are dropped (the card has second precision).
 */
export function isoDateTimeToRoc(iso: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  if (!match) throw new InputError(field, 'must be an ISO date-time YYYY-MM-DDTHH:mm:ss with Z or a UTC offset');
  const local = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6]),
  };
  if (!isRealDate(local)) throw new InputError(field, 'must be a real calendar date');
  assertRealTime(local.hour, local.minute, local.second, field);
  const offsetMinutes = parseOffsetMinutes(match[7] ?? 'Z', field);
  const epochMs = utcEpochMs(local) - offsetMinutes * 60_000;
  const taiwan = taiwanFieldsOf(epochMs);
  assertExpressibleYear(taiwan.year, field);
  return formatRocDateTime(taiwan);
}

function parseOffsetMinutes(offset: string, field: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  // Real zones lie within ±14:00; anything beyond is a typo, not a zone.
  if (hours > 14 || minutes > 59) throw new InputError(field, 'UTC offset must be between -14:00 and +14:00');
  return sign * (hours * 60 + minutes);
}

/** An instant → Taiwan-local `yyyMMddHHmmss` (the simulated reader clock, docs/reference/buffers.md (1.34)). */
export function dateToRocDateTime(d: Date): string {
  const epochMs = d.getTime();
  if (Number.isNaN(epochMs)) throw new InputError('date', 'must be a valid Date');
  const taiwan = taiwanFieldsOf(epochMs);
  assertExpressibleYear(taiwan.year, 'date');
  return formatRocDateTime(taiwan);
}

/** `yyyMMddHHmmss` (Taiwan time) → the instant it names. */
export function rocDateTimeToDate(roc: string, field: string): Date {
  return new Date(taiwanFieldsToEpochMs(parseRocDateTime(roc, field)));
}

/**
 * Rejects visit times later than `now` (plus a little slack for a reader clock running ahead of the host's).
 * The DLL would accept them and write a visit dated in the future onto the card.
 */
export function assertNotFuture(rocDateTime: string, now: Date, field: string, toleranceSeconds = 60): void {
  const at = rocDateTimeToDate(rocDateTime, field);
  if (at.getTime() > now.getTime() + toleranceSeconds * 1000) {
    throw new InputError(field, 'must not be in the future');
  }
}

/**
 * Lenient decoder for dates read from a card: blank, all-zero (the card's "no date") or invalid → null. Card data must never make
 * a read fail (docs/reference/abi.md (Dates, Big5)); validation belongs to what we write, not to what we read.
 */
export function decodeRocDateOrNull(raw: string): string | null {
  const trimmed = trimPadding(raw);
  if (trimmed === '' || /^0+$/.test(trimmed)) return null;
  try {
    return rocDateToIso(trimmed, 'cardDate');
  } catch {
    return null;
  }
}

/** "00" … "99", looked up instead of padded. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * {@link decodeRocDateOrNull} of a card's 7-byte date field (1-based start, as the layouts write it), read
 * in place: a field of exactly seven digits is turned into the ISO date by arithmetic, with no intermediate
 * strings; anything else (padding, a short buffer, other bytes) takes {@link decodeRocDateOrNull} itself.
 */
export function decodeRocDateField(bytes: Uint8Array, start1Based: number, length: number): string | null {
  const start = fieldStart(bytes, start1Based);
  if (length !== 7 || fieldEnd(bytes, start, length) - start !== 7) return decodeRocDateOrNull(sliceAscii(bytes, start1Based, length));
  let value = 0;
  for (let i = start; i < start + 7; i++) {
    const b = bytes[i]!;
    if (b < DIGIT_0 || b > DIGIT_9) return decodeRocDateOrNull(sliceAscii(bytes, start1Based, length));
    value = value * 10 + (b - DIGIT_0);
  }
  const rocYear = Math.floor(value / 10_000);
  const month = Math.floor(value / 100) % 100;
  const day = value % 100;
  // All zeros is the card's "no date"; year 000 cannot be expressed (parseRocDate refuses it).
  if (rocYear === 0) return null;
  const year = rocYear + ROC_YEAR_OFFSET;
  if (!isRealDay(year, month, day)) return null;
  // year is 1912–2910: always four digits.
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}

/** Lenient decoder for ROC date-times from the card or the DLL: blank, all-zero or invalid → null. */
export function decodeRocDateTimeOrNull(raw: string): string | null {
  const trimmed = trimPadding(raw);
  if (trimmed === '' || /^0+$/.test(trimmed)) return null;
  try {
    return rocDateTimeToIso(trimmed, 'cardDateTime');
  } catch {
    return null;
  }
}

/**
 * A date in either documented form (docs/api-conventions.md docs/reference/functions.md): ISO `YYYY-MM-DD` or 7-digit ROC `yyyMMdd` →
 * ISO `YYYY-MM-DD`.
 */
export function anyDateToIso(value: string, field: string): string {
  const trimmed = value.trim();
  if (/^\d{7}$/.test(trimmed)) return rocDateToIso(trimmed, field);
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    isoDateToRoc(trimmed, field);
    return trimmed;
  }
  throw new InputError(field, 'must be a date YYYY-MM-DD or a 7-digit ROC date yyyMMdd');
}

/**
 * A date-time in either documented form: ISO 8601 with `Z` or an offset, or 13-digit ROC `yyyMMddHHmmss`
 * (Taiwan time) → 13-digit ROC in Taiwan time.
 */
export function anyDateTimeToRoc(value: string, field: string): string {
  const trimmed = value.trim();
  if (/^\d{13}$/.test(trimmed)) return validateRocDateTime13(trimmed, field);
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return isoDateTimeToRoc(trimmed, field);
  throw new InputError(field, 'must be an ISO 8601 date-time with an offset (2026-03-01T09:30:00+08:00) or a 13-digit ROC date-time yyyMMddHHmmss');
}

/** An instant → ISO 8601 in Taiwan time, `YYYY-MM-DDTHH:mm:ss+08:00` (every output time, docs/api-conventions.md docs/reference/functions.md). */
export function dateToTaiwanIso(d: Date): string {
  return rocDateTimeToIso(dateToRocDateTime(d), 'date');
}
