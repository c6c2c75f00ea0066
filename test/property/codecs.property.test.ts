/**
 * Property tests (fast-check) for every codec and validator: random buffers and inputs never crash, never
 * read out of bounds, and round-trip where the format allows.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeBasicData,
  decodeRegisterBasic,
  decodeRegisterBasic2,
  decodeLastSeqNum,
  decodeSeqNumber256,
  decodeSeqNumber256N1,
  decodeTreatNumNoICCard,
  decodeTreatNumICCard,
  decodeDocId,
  decodeReaderDateTime,
  decodeHpcChineseName,
  encodeBasicData,
  encodeRegisterBasic,
  encodeSeqNumber256N1,
  samStatusFromCode,
  healthCardStatusFromCode,
  professionalCardStatusFromCode,
} from '../../src/codecs/layouts.ts';
import { decodeBig5Field, encodeBig5, codePointToEudc, eudcToCodePoint } from '../../src/codecs/big5.ts';
import {
  rocDateToIso,
  isoDateToRoc,
  rocDateTimeToIso,
  isoDateTimeToRoc,
  dateToRocDateTime,
  rocDateTimeToDate,
} from '../../src/codecs/roc-date.ts';
import {
  encodeTreatmentCodeInput,
  decodeTreatmentCodeInput,
  encodeTreatmentDataInput,
  decodeTreatmentDataInput,
  encodeFeeInput,
  decodeFeeInput,
  validateTaiwanId,
  validateDiagnosisCode,
} from '../../src/codecs/write-inputs.ts';
import { InputError } from '../../src/codecs/input-error.ts';
import { lightStateFromStatusCodes } from '../../src/domain/cshis-card-stack.ts';

const RUNS = { numRuns: 500 };
const anyBytes = fc.uint8Array({ minLength: 0, maxLength: 400 });

/** A codec may refuse input only with an InputError naming a field; anything else is a bug. */
function onlyInputErrors(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).not.toBe('');
  }
}

describe('buffer decoders never throw on any bytes', () => {
  const decoders = {
    decodeBasicData,
    decodeRegisterBasic,
    decodeRegisterBasic2,
    decodeLastSeqNum,
    decodeSeqNumber256,
    decodeSeqNumber256N1,
    decodeTreatNumNoICCard,
    decodeTreatNumICCard,
    decodeDocId,
    decodeReaderDateTime,
    decodeHpcChineseName,
    decodeBig5Field,
  };
  for (const [name, decode] of Object.entries(decoders)) {
    it(name, () => {
      fc.assert(
        fc.property(anyBytes, (bytes) => {
          const copy = bytes.slice();
          decode(bytes);
          // Decoders are pure: they never write into the caller's buffer.
          expect(bytes).toEqual(copy);
        }),
        RUNS,
      );
    });
  }

  it('reads only inside the buffer (a proxy throws on any index past the end)', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const guarded = new Proxy(bytes, {
          get(target, property) {
            if (typeof property === 'string' && /^\d+$/.test(property) && Number(property) >= target.length) {
              throw new RangeError(`read past the end at ${property}`);
            }
            const value = Reflect.get(target, property, target);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        decodeBasicData(guarded);
        decodeSeqNumber256N1(guarded);
      }),
      RUNS,
    );
  });
});

describe('status codes map to a known state for every integer', () => {
  it('never throws and never invents a level outside 0–3', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: -100_000, max: 100_000 }), (hc, hpc) => {
        expect(typeof samStatusFromCode(hc)).toBe('string');
        expect(typeof healthCardStatusFromCode(hc)).toBe('string');
        expect(typeof professionalCardStatusFromCode(hpc)).toBe('string');
        const light = lightStateFromStatusCodes(hc, hpc);
        expect([0, 1, 2, 3]).toContain(light.healthCard.level);
        expect([0, 1, 2, 3]).toContain(light.professionalCard.level);
      }),
      RUNS,
    );
  });
});

describe('Big5 / CP950', () => {
  it('every EUDC code point round-trips through its bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0xe000, max: 0xf848 }), (cp) => {
        const bytes = codePointToEudc(cp);
        expect(bytes).not.toBeNull();
        expect(eudcToCodePoint(bytes![0], bytes![1])).toBe(cp);
      }),
      RUNS,
    );
  });

  it('text made of encodable characters round-trips, including rare ones', () => {
    const han = fc.constantFrom(...'王小明林華張美玲陳志強黃淑芬劉建宏吳家豪李醫師'.split(''));
    const rare = fc.integer({ min: 0xe000, max: 0xf848 }).map((cp) => String.fromCodePoint(cp));
    fc.assert(
      fc.property(fc.array(fc.oneof(han, rare), { minLength: 1, maxLength: 10 }), (chars) => {
        const text = chars.join('');
        const decoded = decodeBig5Field(encodeBig5(text));
        expect(decoded.text).toBe(text);
        expect(decoded.hasRareCharacters).toBe(chars.some((c) => c.codePointAt(0)! >= 0xe000));
      }),
      RUNS,
    );
  });
});

describe('ROC dates', () => {
  const instant = fc.date({ min: new Date('1912-01-02T00:00:00Z'), max: new Date('2800-12-31T00:00:00Z'), noInvalidDate: true });

  it('date-times round-trip through ROC and ISO', () => {
    fc.assert(
      fc.property(instant, (d) => {
        const roc = dateToRocDateTime(d);
        expect(roc).toMatch(/^\d{13}$/);
        expect(isoDateTimeToRoc(rocDateTimeToIso(roc, 'f'), 'f')).toBe(roc);
        expect(Math.floor(rocDateTimeToDate(roc, 'f').getTime() / 1000)).toBe(Math.floor(d.getTime() / 1000));
        const day = roc.slice(0, 7);
        expect(isoDateToRoc(rocDateToIso(day, 'f'), 'f')).toBe(day);
      }),
      RUNS,
    );
  });

  it('any string is either a valid ROC date or an InputError naming the field', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        onlyInputErrors(() => rocDateToIso(s, 'birthDate'));
        onlyInputErrors(() => rocDateTimeToIso(s, 'visitTime'));
        onlyInputErrors(() => isoDateTimeToRoc(s, 'visitTime'));
      }),
      RUNS,
    );
  });
});

describe('write inputs (docs/reference/buffers.md (Write inputs))', () => {
  const code = fc.stringMatching(/^[A-Z]\d[0-9A-Z]{1,5}$/);
  const fee = (max: number) => fc.integer({ min: 0, max });
  const fees = fc.record({
    outpatientFee: fee(99_999_999),
    outpatientCopay: fee(99_999_999),
    inpatientFee: fee(99_999_999),
    inpatientCopayShortStay: fee(9_999_999),
    inpatientCopayLongStay: fee(9_999_999),
  });

  it('ICD-10 diagnoses and fees round-trip through 1.16 / 1.17 / 1.47 layouts', () => {
    fc.assert(
      fc.property(fc.array(code, { minLength: 1, maxLength: 6 }), fc.boolean(), fees, (diagnoses, lateCard, f) => {
        const write = { lateCard, diagnoses, fees: f };
        const codes = decodeTreatmentCodeInput(encodeTreatmentCodeInput(write, 'icd10'));
        expect(codes.diagnoses).toEqual(diagnoses);
        expect(codes.lateCard).toBe(lateCard);
        expect(decodeFeeInput(encodeFeeInput(f))).toEqual(f);
        const combined = decodeTreatmentDataInput(encodeTreatmentDataInput(write, 'icd10'));
        expect(combined.fees).toEqual(f);
      }),
      RUNS,
    );
  });

  it('random strings are either valid codes/IDs or InputErrors naming the field', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        onlyInputErrors(() => validateDiagnosisCode(s, 'diagnoses[0]'));
        onlyInputErrors(() => validateTaiwanId(s, 'patientId'));
      }),
      RUNS,
    );
  });

  // Only digits whose checksum weight is coprime with 10 (7, 3, 1, 1) are always caught: the weighted
  // mod-10 sum cannot see e.g. +2 at a weight-5 position. That is the scheme's limit, not ours.
  it('a Taiwan ID with a digit changed at a weight-7/3/1 position fails its checksum', () => {
    const letters = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
    const id = fc
      .tuple(fc.constantFrom(...letters.split('')), fc.constantFrom('1', '2'), fc.stringMatching(/^\d{7}$/))
      .map(([l, s, d]) => {
        const map: Record<string, number> = { A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21, N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33 };
        const n = map[l]!;
        const digits = `${s}${d}`;
        let sum = Math.floor(n / 10) + (n % 10) * 9;
        for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (8 - i);
        return `${l}${digits}${(10 - (sum % 10)) % 10}`;
      });
    fc.assert(
      fc.property(id, fc.constantFrom(2, 6, 8, 9), fc.integer({ min: 1, max: 9 }), (valid, position, delta) => {
        expect(validateTaiwanId(valid, 'patientId')).toBe(valid);
        const changed = valid.slice(0, position) + String((Number(valid[position]) + delta) % 10) + valid.slice(position + 1);
        expect(() => validateTaiwanId(changed, 'patientId')).toThrow(InputError);
      }),
      RUNS,
    );
  });
});

describe('encoders round-trip through decoders', () => {
  it('basic and registration data', () => {
    const record = fc.record({
      cardNumber: fc.stringMatching(/^\d{12}$/),
      name: fc.constantFrom('王小明', '林\uE000華', '張美玲', 'AB'),
      idNumber: fc.constantFrom('A123456789', 'B223456782'),
      birthDateRoc: fc.constantFrom('0690512', '1130229', '0010101'),
      sex: fc.constantFrom('M' as const, 'F' as const),
      issueDateRoc: fc.constantFrom('1050301', '0991231'),
      cancelled: fc.boolean(),
      emergencyPhone: fc.stringMatching(/^\d{0,14}$/),
      insurerCode: fc.stringMatching(/^\d{2}$/),
      beneficiaryCategory: fc.constantFrom(null, '1', '8'),
      cardValidUntilRoc: fc.constantFrom('1151231', '1200101'),
      remainingVisits: fc.integer({ min: 0, max: 99 }),
      newbornBirthDateRoc: fc.constantFrom(null, '1150101'),
      newbornBirthOrder: fc.constantFrom(null, '1', '2'),
    });
    fc.assert(
      fc.property(record, (r) => {
        const basic = decodeBasicData(encodeBasicData(r));
        expect([basic.cardNumber, basic.name.text, basic.idNumber, basic.sex, basic.cancelled]).toEqual([r.cardNumber, r.name, r.idNumber, r.sex, r.cancelled]);
        const reg = decodeRegisterBasic(encodeRegisterBasic(r));
        expect(reg.remainingVisits).toBe(r.remainingVisits);
        expect(reg.newbornBirthOrder).toBe(r.newbornBirthOrder);
      }),
      RUNS,
    );
  });

  it('1.53 sequence-number buffers', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 9999 }),
        fc.stringMatching(/^[0-9A-F]{256}$/),
        fc.boolean(),
        fc.stringMatching(/^[0-9A-Z]{20}$/),
        (d, seq, signature, sameDayVisit, treatmentId) => {
          const visitTimeRoc = dateToRocDateTime(d);
          const bytes = encodeSeqNumber256N1({ visitTimeRoc, seqNumber: String(seq).padStart(4, '0'), hospitalId: '3501200000', signature, samId: '001000000103', sameDayVisit, treatmentId });
          expect(bytes.length).toBe(316);
          const decoded = decodeSeqNumber256N1(bytes);
          expect(decoded).toMatchObject({ visitTimeRoc, signature, sameDayVisit, treatmentId, seqNumber: String(seq).padStart(4, '0') });
        },
      ),
      RUNS,
    );
  });
});
