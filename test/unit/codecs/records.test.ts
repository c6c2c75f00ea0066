/** Record-area decoders and encoders (src/codecs/records.ts): exact sizes, blank handling, lenient reads. */
import { describe, expect, it } from 'vitest';
import {
  CUMULATIVE_YEAR_LAYOUT,
  OUTPATIENT_RX_LAYOUT,
  VISIT_LAYOUT,
  decodeAllergies,
  decodeCriticalIllnesses,
  decodeCumulativeData,
  decodeCumulativeFees,
  decodeIcd10CodecOutput,
  decodeOrganDonation,
  decodeOutpatientPrescriptions,
  decodeReaderClock,
  decodeTreatmentDiagnoses,
  decodeTreatmentHistory,
  encodeAllergySlots,
  encodeArea,
  encodeCriticalIllnessBlock,
  encodeTreatmentDiagnoses,
  encodeTreatmentHistory,
  icd10MarkerBuffer,
  splitSignatures,
} from '../../../src/codecs/records.ts';
import { InputError } from '../../../src/codecs/input-error.ts';

const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const rxRecord = {
  visitTimeRoc: '1131201093000',
  orderType: '1',
  itemCode: 'A012345100',
  site: '',
  usage: 'TID',
  days: '03',
  total: '9',
  dispensing: '01',
};

describe('record areas', () => {
  it('lays an outpatient area out at 60 × 61 bytes and reads back only the filled records', () => {
    const bytes = encodeArea([rxRecord], OUTPATIENT_RX_LAYOUT, 60);
    expect(bytes.length).toBe(3660);
    expect(decodeOutpatientPrescriptions(bytes)).toEqual([
      {
        visitTime: '2024-12-01T09:30:00+08:00',
        visitTimeRoc: '1131201093000',
        orderType: '1',
        itemCode: 'A012345100',
        site: '',
        usage: 'TID',
        days: 3,
        total: '9',
        dispensing: '01',
      },
    ]);
  });

  it('refuses more records than the area holds, and a field wider than its slot, naming the field', () => {
    expect(() => encodeArea(Array(61).fill(rxRecord), OUTPATIENT_RX_LAYOUT, 60)).toThrow(InputError);
    const wide = { ...rxRecord, usage: 'X'.repeat(19) };
    expect(() => encodeArea([wide], OUTPATIENT_RX_LAYOUT, 60)).toThrow(/records\[0\]\.usage: must be at most 18/);
  });

  it('reads a short or garbled buffer without throwing: bad dates are null, bad numbers null', () => {
    const garbled = ascii('1139999999999' + '1' + 'X'.repeat(12) + ' '.repeat(24) + 'ab' + '9      ' + '01');
    const [p] = decodeOutpatientPrescriptions(garbled);
    expect(p!.visitTime).toBeNull();
    expect(p!.days).toBeNull();
    expect(decodeOutpatientPrescriptions(garbled.subarray(0, 20))[0]!.itemCode).toBe('XXXXXX'); // cut short: a short field
    expect(decodeOutpatientPrescriptions(new Uint8Array(0))).toEqual([]);
  });

  it('keeps 造字 in allergy names as PUA plus raw hex, and numbers the slots', () => {
    const bytes = encodeAllergySlots(['', '磺胺\uE001']);
    expect(bytes.length).toBe(120);
    const [a] = decodeAllergies(bytes);
    expect(a!.slot).toBe(2);
    expect(a!.name.text).toBe('磺胺\uE001');
    expect(a!.name.hasRareCharacters).toBe(true);
    expect(a!.name.rawHex.endsWith('FA41')).toBe(true);
    expect(() => encodeAllergySlots(['a', 'b', 'c', 'd'])).toThrow(InputError);
  });

  it('1.5: critical-illness dates then the visit ring (498 bytes), fees as numbers', () => {
    const visit = {
      category: '01', newborn: ' ', visitTimeRoc: '1131201093000', lateCard: '2', seqNumber: '0042', hospitalId: '3501200000',
      outpatientFee: '00000520', outpatientCopay: '00000050', inpatientFee: '', inpatientCopayShortStay: '', inpatientCopayLongStay: '',
    };
    const bytes = encodeTreatmentHistory([{ code: 'N185', validFromRoc: '1100101', validUntilRoc: '1150101' }], [visit]);
    expect(bytes.length).toBe(498);
    const h = decodeTreatmentHistory(bytes);
    expect(h.criticalIllnessPeriods).toEqual([
      { code: null, validFrom: '2021-01-01', validFromRoc: '1100101', validUntil: '2026-01-01', validUntilRoc: '1150101' },
    ]);
    expect(h.visits[0]).toMatchObject({ category: '01', newborn: false, lateCard: true, seqNumber: '0042' });
    expect(h.visits[0]!.fees).toEqual({
      outpatientFee: 520, outpatientCopay: 50, inpatientFee: null, inpatientCopayShortStay: null, inpatientCopayLongStay: null,
    });
    expect(VISIT_LAYOUT.reduce((n, [, w]) => n + w, 0)).toBe(69);
  });

  it('ICD-10 mode: the marker pre-fill is 138 / 540 bytes; untouched markers read as no code', () => {
    expect(icd10MarkerBuffer(false).length).toBe(138);
    expect(icd10MarkerBuffer(true).length).toBe(540);
    expect(decodeCriticalIllnesses(icd10MarkerBuffer(false), true)).toEqual([]);
    expect(decodeTreatmentDiagnoses(icd10MarkerBuffer(true), true).visits).toEqual([]);
  });

  it('1.8 / 1.33 both widths round-trip; codes hidden when the caller may not see them', () => {
    const ci = [{ code: 'C50911', validFromRoc: '1100101', validUntilRoc: '1150101' }];
    const visits = [{ visitTimeRoc: '1131201093000', diagnoses: ['G44201', 'J069'] }];
    const wide = encodeTreatmentDiagnoses(ci, visits, true);
    expect(wide.length).toBe(540);
    const decoded = decodeTreatmentDiagnoses(wide, true);
    expect(decoded.criticalIllnesses.map((c) => c.code)).toEqual(['C50911']);
    expect(decoded.visits).toEqual([{ visitTime: '2024-12-01T09:30:00+08:00', visitTimeRoc: '1131201093000', diagnoses: ['G44201', 'J069'] }]);
    const narrow = encodeTreatmentDiagnoses([{ ...ci[0]!, code: '!C509' }], [{ ...visits[0]!, diagnoses: ['!G442', 'J069'] }], false);
    expect(narrow.length).toBe(372);
    expect(decodeTreatmentDiagnoses(narrow, false).visits[0]!.diagnoses).toEqual(['!G442', 'J069']);
    const hidden = encodeCriticalIllnessBlock(ci, true, false);
    expect(hidden.length).toBe(138);
    expect(decodeCriticalIllnesses(hidden, true)[0]!.code).toBeNull();
    expect(() => encodeCriticalIllnessBlock(ci, false, true)).toThrow(/must be at most 5/);
  });

  it('1.6 / 1.7 accumulators; 1.12 flag; 1.34 clock; signatures; 5.1 output up to the NUL', () => {
    const year = {
      yearRoc: '113', visitCount: '0012', outpatientFees: '0000012000', inpatientFees: '0000000000', outpatientCopay: '00001200',
      inpatientCopayShortStay: '00000000', inpatientCopayLongStay: '00000000', totalCopay: '00001200', totalCopayShortStay: '00001200',
    };
    const years = decodeCumulativeData(encodeArea([year], CUMULATIVE_YEAR_LAYOUT, 2));
    expect(years).toEqual([{
      yearRoc: '113', year: 2024, visitCount: 12, outpatientFees: 12000, inpatientFees: 0, outpatientCopay: 1200,
      inpatientCopayShortStay: 0, inpatientCopayLongStay: 0, totalCopay: 1200, totalCopayShortStay: 1200,
    }]);
    expect(decodeCumulativeFees(ascii('00000005200000000000'))).toEqual({ outpatientTotal: 520, inpatientTotal: 0 });
    expect(decodeCumulativeFees(new Uint8Array(0))).toEqual({ outpatientTotal: null, inpatientTotal: null });
    expect(decodeOrganDonation(ascii(' ')).raw).toBeNull();
    expect(decodeReaderClock(ascii('1131201093000'))).toEqual({ dateTime: '2024-12-01T09:30:00+08:00', dateTimeRoc: '1131201093000' });
    expect(splitSignatures(ascii('A'.repeat(40) + 'B'.repeat(40) + 'C'))).toEqual(['A'.repeat(40), 'B'.repeat(40)]);
    expect(decodeIcd10CodecOutput(Uint8Array.from([0x21, 0x47, 0x34, 0x34, 0x32, 0, 0x58, 0x58]))).toBe('!G442');
  });
});
