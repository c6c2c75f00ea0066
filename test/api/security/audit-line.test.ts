/**
 * The audit log's direct line writer (src/logger.ts `auditLine`): for every AuditEntry it writes what the
 * generic pino + redactDeep path wrote, and it declines any other shape so that path still redacts it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditLine, maskIdentifiers, redactDeep } from '../../../src/logger.ts';
import type { AuditEntry } from '../../../src/security/audit.ts';
import { referenceAuditLine } from '../../support/reference-audit-line.ts';

const TIME = new Date('2026-12-02T06:00:00.000Z');
const now = (): Date => TIME;

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  // Any UTF-16 code unit, lone surrogates and control characters included (JSON.stringify escapes those).
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom('A123456789', 'Read_A123456789', 'x"\\\n\u2028', '王小明', '\ud800', 'a\udfffb', '😀', '\u001f', '\u007f'),
);
const entry: fc.Arbitrary<AuditEntry> = fc.record(
  {
    event: fc.constantFrom('operation', 'refused'),
    transport: fc.constantFrom('http', 'ws'),
    origin: fc.option(text),
    remoteAddress: fc.option(text),
    auth: fc.constantFrom('token', 'pairing', 'origin', 'none'),
    operationType: fc.constantFrom('query', 'mutation', 'subscription', undefined),
    operationName: fc.option(text),
    fields: fc.array(fc.record({ field: text, outcome: text }), { maxLength: 4 }),
    outcome: text,
  },
  { requiredKeys: ['event', 'transport', 'origin', 'remoteAddress', 'auth', 'outcome'] },
) as fc.Arbitrary<AuditEntry>;

/** What the generic path writes: pino's level and time, the redacted entry, the message; the stream masks it. */
function generic(value: AuditEntry): unknown {
  const defined = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
  return { level: 'info', time: TIME.toISOString(), ...(redactDeep(defined) as object), msg: 'audit' };
}

describe('audit line', () => {
  it('writes every AuditEntry as the redacting path does, once masked', () => {
    fc.assert(
      fc.property(entry, (value) => {
        const line = auditLine(value, now);
        expect(line).not.toBeNull();
        expect(line!.endsWith('}\n')).toBe(true);
        expect(line!.slice(0, -1)).not.toContain('\n');
        expect(JSON.parse(maskIdentifiers(line!))).toEqual(generic(value));
      }),
      { numRuns: 300 },
    );
  });

  it('is byte for byte the line the round-6 writer built (test/support/reference-audit-line.ts)', () => {
    const oddShape = fc.oneof(
      entry.map((value) => ({ ...value, idNumber: 'A123456789' })),
      entry.map((value) => ({ ...value, operationName: 12 })),
      entry.map((value) => ({ ...value, fields: [{ field: 'HealthCard.basicData' }] })),
      entry.map((value) => ({ ...value, fields: [{ field: 'HealthCard.basicData', outcome: 'OK', name: '王小明' }] })),
      entry.map((value) => ({ ...value, fields: [{ field: 1, outcome: 'OK' }] })),
    ) as fc.Arbitrary<AuditEntry>;
    fc.assert(
      fc.property(fc.oneof(entry, entry, oddShape), (value) => {
        expect(auditLine(value, now)).toBe(referenceAuditLine(value, now));
      }),
      { numRuns: 1000 },
    );
    // A declined entry leaves nothing behind for the next line.
    expect(auditLine({ event: 'operation', transport: 'http', origin: 'x', remoteAddress: null, auth: 'none', outcome: 'OK', idNumber: 1 } as unknown as AuditEntry, now)).toBeNull();
    const usual: AuditEntry = { event: 'refused', transport: 'ws', origin: null, remoteAddress: null, auth: 'none', outcome: 'TOKEN_INVALID' };
    expect(auditLine(usual, now)).toBe(referenceAuditLine(usual, now));
  });

  it('writes the time as toISOString does, line after line, whatever the clock says', () => {
    const usual: AuditEntry = { event: 'operation', transport: 'http', origin: null, remoteAddress: '127.0.0.1', auth: 'token', outcome: 'OK' };
    const instant = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: 1_700_000_000_000, max: 1_700_000_003_000 }), // many in the same few seconds
      fc.integer({ min: -3_000, max: 3_000 }), // around 1970
      fc.constantFrom(Number.NaN, 253402300799999, 253402300800000, -62167219200001, -1, 0, 999, 1000),
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 30 }), (instants) => {
        for (const ms of instants) {
          const clock = (): Date => new Date(ms);
          let expected: string | null | Error;
          try {
            expected = referenceAuditLine(usual, clock);
          } catch (error) {
            expected = error as Error;
          }
          if (expected instanceof Error) expect(() => auditLine(usual, clock)).toThrow(expected.constructor as new () => Error);
          else expect(auditLine(usual, clock)).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('declines entries with other keys, values or field shapes (they take the redacting path)', () => {
    const base: AuditEntry = { event: 'operation', transport: 'http', origin: null, remoteAddress: '127.0.0.1', auth: 'token', outcome: 'OK' };
    const odd: unknown[] = [
      { ...base, idNumber: 'A123456789' },
      { ...base, origin: { name: '王小明' } },
      { ...base, operationName: 12 },
      { ...base, fields: [{ field: 'HealthCard.basicData', outcome: 'OK', name: '王小明' }] },
      { ...base, fields: [{ field: 'HealthCard.basicData' }] },
      { ...base, fields: 'HealthCard.basicData' },
      { ...base, fields: [null] },
    ];
    for (const value of odd) expect(auditLine(value as AuditEntry, now)).toBeNull();
    expect(auditLine(base, now)).toBe(
      '{"level":"info","time":"2026-12-02T06:00:00.000Z","event":"operation","transport":"http","origin":null,"remoteAddress":"127.0.0.1","auth":"token","outcome":"OK","msg":"audit"}\n',
    );
  });
});
