/** Write inputs of the record functions (src/codecs/record-inputs.ts): every rule names its field. */
import { describe, expect, it } from 'vitest';
import {
  decodePrescriptionsInput,
  encodeAllergiesInput,
  encodeAllergySlotInput,
  encodeNewbornInput,
  encodePrescriptionsInput,
  encodePreventiveCareInput,
  encodeVaccinationInput,
  validateEmergencyPhone,
  validateIcd10CardForm,
  validateIcd10EncodeInput,
  validateOrganDonationFlag,
  validatePrenatalItemCode,
} from '../../../src/codecs/record-inputs.ts';
import type { PrescriptionInput } from '../../../src/domain/types.ts';

const visit = '1131201093000';
const line: PrescriptionInput = { orderType: '1', itemCode: 'A012345100', usage: 'TID', days: 3, total: 9, dispensing: '01' };

function rejects(fn: () => unknown, field: string, rule: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toMatchObject({ name: 'InputError', field });
    expect((error as { rule: string }).rule).toMatch(rule);
    return;
  }
  throw new Error(`expected ${field} to be refused`);
}

describe('prescription inputs', () => {
  it('lays one record out at 61 characters with the visit time, zero-padded days, total as written', () => {
    const { data, count } = encodePrescriptionsInput(visit, [line]);
    expect(count).toBe(1);
    expect(data).toBe(`${visit}1A012345100  ${' '.repeat(6)}TID${' '.repeat(15)}039      01`);
    expect(decodePrescriptionsInput(data, 1)[0]).toMatchObject({ itemCode: 'A012345100', days: '03', total: '9' });
  });

  it('refuses malformed drug codes, days, totals, order types, dispensing codes, usage and too many records', () => {
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, itemCode: 'a01' }]), 'prescriptions[0].itemCode', /upper-case/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, itemCode: 'A'.repeat(13) }]), 'prescriptions[0].itemCode', /1-12/);
    rejects(() => encodePrescriptionsInput(visit, [line, { ...line, days: 100 }]), 'prescriptions[1].days', /0 to 99/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, days: 1.5 }]), 'prescriptions[0].days', /whole number/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, total: 0 }]), 'prescriptions[0].total', /positive/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, total: 12345678 }]), 'prescriptions[0].total', /7 characters/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, total: 1e-7 }]), 'prescriptions[0].total', /7 characters/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, orderType: '9' as never }]), 'prescriptions[0].orderType', /one of/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, dispensing: '09' as never }]), 'prescriptions[0].dispensing', /one of/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, usage: 'X'.repeat(19) }]), 'prescriptions[0].usage', /at most 18/);
    rejects(() => encodePrescriptionsInput(visit, [{ ...line, site: '左手' }]), 'prescriptions[0].site', /ASCII/);
    rejects(() => encodePrescriptionsInput(visit, Array(61).fill(line)), 'prescriptions', /the card holds 60/);
    rejects(() => encodePrescriptionsInput(visit, []), 'prescriptions', /1 to 60/);
    rejects(() => encodePrescriptionsInput('1131301093000', [line]), 'visitTimeRoc', /./);
  });

  it('the simulator refuses a wrong length or count as the DLL would (6018)', () => {
    const { data } = encodePrescriptionsInput(visit, [line]);
    rejects(() => decodePrescriptionsInput(data, 2), 'pDataWrite', /2 × 61/);
    rejects(() => decodePrescriptionsInput(data, 0), 'count', /1 to 60/);
  });
});

describe('other record inputs', () => {
  it('allergies: Big5 with 造字, 40 bytes a slot, at most 3, slot 1–3, nothing Big5 cannot hold', () => {
    const bytes = encodeAllergiesInput(['盤尼西林', '磺胺\uE001']);
    expect(bytes.length).toBe(120);
    expect(Buffer.from(bytes.subarray(44, 46)).toString('hex').toUpperCase()).toBe('FA41'); // 造字 after two ordinary Big5 characters
    rejects(() => encodeAllergiesInput(['a', 'b', 'c', 'd']), 'allergies', /card holds 3/);
    rejects(() => encodeAllergiesInput(['😀']), 'allergies[0]', /Big5/);
    rejects(() => encodeAllergiesInput(['藥'.repeat(21)]), 'allergies[0]', /40 bytes/);
    rejects(() => encodeAllergiesInput(['  ']), 'allergies[0]', /blank/);
    rejects(() => encodeAllergySlotInput(4, '碘'), 'slot', /1 to 3/);
    rejects(() => encodeAllergySlotInput(0, '碘'), 'slot', /1 to 3/);
    expect(encodeAllergySlotInput(3, '碘').data.length).toBe(40);
  });

  it('newborn, organ flag, preventive care, phone, prenatal, vaccination, ICD-10 codec inputs', () => {
    const now = new Date('2024-12-02T00:00:00+08:00');
    expect(encodeNewbornInput({ birthDate: '2024-12-01', birthOrder: '1' }, now)).toEqual({ birthDateRoc: '1131201', birthOrder: '1' });
    rejects(() => encodeNewbornInput({ birthDate: '2024-12-03', birthOrder: '1' }, now), 'birthDate', /future/);
    rejects(() => encodeNewbornInput({ birthDate: '2024-12-01', birthOrder: '0' }, now), 'birthOrder', /1-9/);
    rejects(() => validateOrganDonationFlag('yes'), 'flag', /one/);
    expect(encodePreventiveCareInput({ serviceItem: '03', itemCode: '21' })).toEqual({ serviceItem: '03', itemCode: '21' });
    rejects(() => encodePreventiveCareInput({ serviceItem: '3', itemCode: '21' }), 'serviceItem', /2 upper-case/);
    expect(validateEmergencyPhone('(02)2345-6789')).toBe('(02)2345-6789');
    rejects(() => validateEmergencyPhone('0'.repeat(15)), 'emergencyPhone', /2-14/);
    rejects(() => validateEmergencyPhone('call me'), 'emergencyPhone', /digits/);
    rejects(() => validatePrenatalItemCode('4'), 'itemCode', /2 upper-case/);
    rejects(() => encodeVaccinationInput({ vaccineType: 'INFLUENZA', lotNumber: 'L1' }), 'vaccineType', /1-6/);
    rejects(() => encodeVaccinationInput({ vaccineType: 'FLU', lotNumber: 'L 1' }), 'lotNumber', /without spaces/);
    expect(validateIcd10EncodeInput('G44201')).toBe('G44201');
    rejects(() => validateIcd10EncodeInput('G44.201'), 'code', /without the dot/);
    expect(validateIcd10CardForm('!G442')).toBe('!G442');
    rejects(() => validateIcd10CardForm('AG442'), 'cardForm', /starting with/);
  });
});
