/** Property tests for the record codecs: fixed widths, round trips, Big5 with 造字, garbage never throws. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  IMPORTANT_ORDER_LAYOUT,
  LONG_TERM_RX_LAYOUT,
  OUTPATIENT_RX_LAYOUT,
  PRENATAL_LAYOUT,
  PREVENTIVE_CARE_LAYOUT,
  VACCINATION_LAYOUT,
  decodeAllergies,
  decodeCriticalIllnesses,
  decodeCumulativeData,
  decodeOutpatientPrescriptions,
  decodePrescriptionAreas,
  decodeTreatmentDiagnoses,
  decodeTreatmentHistory,
  decodeVaccinations,
  encodeAllergySlots,
  encodeArea,
  readRecords,
  type Layout,
} from '../../src/codecs/records.ts';
import { decodeAllergiesInput, decodePrescriptionsInput, encodeAllergiesInput, encodePrescriptionsInput } from '../../src/codecs/record-inputs.ts';
import { DISPENSING_CODES, ORDER_TYPES, type PrescriptionInput } from '../../src/domain/types.ts';
import { dateToRocDateTime } from '../../src/codecs/roc-date.ts';

const printable = (max: number) =>
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.'.split('')), minLength: 1, maxLength: max });
const visitTime = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map(dateToRocDateTime);

const prescription: fc.Arbitrary<PrescriptionInput> = fc.record({
  orderType: fc.constantFrom(...(Object.keys(ORDER_TYPES) as (keyof typeof ORDER_TYPES)[])),
  itemCode: fc.string({ unit: fc.constantFrom(...'ABCXYZ0123456789'.split('')), minLength: 1, maxLength: 12 }),
  site: fc.option(printable(6), { nil: undefined }),
  usage: fc.option(printable(18), { nil: undefined }),
  days: fc.integer({ min: 0, max: 99 }),
  total: fc.oneof(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 1, max: 99_999 }).map((n) => n / 10)),
  dispensing: fc.constantFrom(...(Object.keys(DISPENSING_CODES) as (keyof typeof DISPENSING_CODES)[])),
});

/** Big5-encodable text: common Han characters, ASCII letters and EUDC (造字) PUA code points. */
const big5Name = fc
  .array(fc.oneof(fc.constantFrom('盤', '尼', '西', '林', '磺', '胺', '阿', '斯', '匹', '靈', 'A', 'b'), fc.integer({ min: 0xe000, max: 0xe0ff }).map((c) => String.fromCodePoint(c))), {
    minLength: 1,
    maxLength: 20,
  })
  .map((chars) => chars.join(''))
  .filter((s) => Buffer.byteLength(s.replace(/[^\x00-\x7f]/g, 'xx'), 'latin1') <= 40);

describe('record codecs (property)', () => {
  it('prescriptions: n × 61 characters that the simulator reads back and the card decoder returns unchanged', () => {
    fc.assert(
      fc.property(visitTime, fc.array(prescription, { minLength: 1, maxLength: 60 }), (time, lines) => {
        const { data, count } = encodePrescriptionsInput(time, lines);
        expect(data.length).toBe(61 * count);
        const stored = decodePrescriptionsInput(data, count);
        const area = encodeArea(stored, OUTPATIENT_RX_LAYOUT, 60);
        expect(area.length).toBe(3660);
        const decoded = decodeOutpatientPrescriptions(area);
        expect(decoded.map((p) => [p.visitTimeRoc, p.orderType, p.itemCode, p.days, Number(p.total), p.dispensing])).toEqual(
          lines.map((l) => [time, l.orderType, l.itemCode, l.days, l.total, l.dispensing]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('allergy names with 造字 round-trip through 40-byte Big5 slots', () => {
    fc.assert(
      fc.property(fc.array(big5Name, { minLength: 1, maxLength: 3 }), (names) => {
        const bytes = encodeAllergiesInput(names);
        expect(bytes.length).toBe(120);
        expect(decodeAllergiesInput(bytes).slice(0, names.length)).toEqual(names.map((n) => n.trim()));
        expect(decodeAllergies(encodeAllergySlots(names.map((n) => n.trim()))).map((a) => a.name.text)).toEqual(names.map((n) => n.trim()));
      }),
    );
  });

  it('every area keeps its fixed width and reads its records back', () => {
    const layouts: [Layout, number][] = [
      [LONG_TERM_RX_LAYOUT, 30],
      [IMPORTANT_ORDER_LAYOUT, 10],
      [VACCINATION_LAYOUT, 40],
      [PREVENTIVE_CARE_LAYOUT, 6],
      [PRENATAL_LAYOUT, 11],
    ];
    for (const [layout, capacity] of layouts) {
      const record = fc.record(Object.fromEntries(layout.map(([name, width]) => [name, printable(width)])));
      fc.assert(
        fc.property(fc.array(record, { minLength: 0, maxLength: capacity }), (records) => {
          const bytes = encodeArea(records as never, layout, capacity);
          expect(bytes.length).toBe(capacity * layout.reduce((n, [, w]) => n + w, 0));
          expect(readRecords(bytes, layout)).toEqual(records);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('decoders never throw on arbitrary bytes of any length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.boolean(), (bytes, icd10) => {
        decodeOutpatientPrescriptions(bytes);
        decodeVaccinations(bytes);
        decodeTreatmentHistory(bytes);
        decodeTreatmentDiagnoses(bytes, icd10);
        decodeCriticalIllnesses(bytes, icd10);
        decodeCumulativeData(bytes);
        decodeAllergies(bytes);
        decodePrescriptionAreas({ outpatient: bytes, longTerm: bytes, importantOrders: bytes, allergies: bytes });
      }),
    );
  });
});
