/**
 * CshisCardRecords (the CardRecords port over the CSHIS API) on the simulator: decoded records, typed errors
 * with the vendor code, professional-card pre-checks before any DLL call, and bad input refused with field
 * and rule before anything reaches the card (nothing written).
 */
import { describe, expect, it } from 'vitest';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { CshisCardStack } from '../../../src/domain/cshis-card-stack.ts';
import { SIMULATED_PATIENTS } from '../../../src/adapters/simulator/patients.ts';
import { rocDateToIso } from '../../../src/codecs/roc-date.ts';
import type { PrescriptionInput } from '../../../src/domain/types.ts';

const standard = SIMULATED_PATIENTS.find((p) => p.key === 'STANDARD')!;
const cardholder = { patientId: standard.idNumber, birthDate: rocDateToIso(standard.birthDateRoc, 'birthDate') };
const line: PrescriptionInput = { orderType: '1', itemCode: 'A012345100', usage: 'TID', days: 3, total: 9, dispensing: '01' };

function setup(patient = 'STANDARD') {
  const sim = new SimulatedWorkstation({ networkLatencyMs: 0 });
  sim.insertHealthCard(patient);
  const stack = new CshisCardStack(sim, { strategy: 'N1' });
  return { sim, stack, records: stack.records };
}

/** Resolves with what a call rejected with (name, code, vendorCode, field, rule), failing if it resolved. */
async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (error) {
    const e = error as { name: string; code?: string; vendorCode?: number | null; field?: string; rule?: string };
    return { name: e.name, code: e.code, vendorCode: e.vendorCode, field: e.field, rule: e.rule };
  }
  throw new Error('expected a rejection');
}

describe('CshisCardRecords over the simulator', () => {
  it('a visit with medication: history, allergies, signed prescriptions, a new allergy, the visit ring', async () => {
    const { sim, stack, records } = setup();
    const visit = await stack.startVisit({ category: '01', newborn: false, lateCard: false });
    expect((await records.prescriptions()).allergies.map((a) => a.name.text)).toEqual(['盤尼西林']);
    const signed = await records.writePrescriptions({
      ...cardholder,
      visitTimeRoc: visit.visitTimeRoc,
      prescriptions: [line, { ...line, orderType: '2', itemCode: 'B023456100', days: 28, total: 56 }],
      signed: true,
    });
    expect(signed.api).toBe('hisWriteMultiPrescriptSign');
    expect(signed.signatures!.map((s) => [s.record.itemCode, s.signature.length])).toEqual([
      ['A012345100', 40],
      ['B023456100', 40],
    ]);
    expect(JSON.parse(JSON.stringify(signed))).toEqual(signed); // journal-ready
    const single = await records.writePrescriptions({ ...cardholder, visitTimeRoc: visit.visitTimeRoc, prescriptions: [line], signed: false });
    expect([single.api, single.signatures]).toEqual(['hisWritePrescription', null]);
    const areas = await records.prescriptions();
    expect(areas.outpatient).toHaveLength(3);
    expect(areas.longTerm.map((l) => l.drugCode)).toEqual(['B023456100']);
    expect((await records.prescriptionRange('OUTPATIENT', 2, 3)).outpatient.map((p) => p.itemCode)).toEqual(['B023456100', 'A012345100']);

    expect(await rejection(records.writeAllergySlot({ ...cardholder, slot: 2, name: '碘' }))).toMatchObject({ vendorCode: 4014 });
    sim.insertProfessionalCard('PHYSICIAN');
    // Allergy writes and 1.8 need the professional card's PIN verified (4042 before).
    expect(await rejection(records.writeAllergySlot({ ...cardholder, slot: 2, name: '碘' }))).toMatchObject({ vendorCode: 4042 });
    expect(await rejection(records.treatmentDiagnoses('ICD10'))).toMatchObject({ vendorCode: 4042 });
    await stack.verifyProfessionalPin();
    const written = await records.writeAllergySlot({ ...cardholder, slot: 2, name: '碘' });
    expect(written.doctorIdNumber).toMatch(/^[A-Z]\d{9}$/);
    expect((await records.prescriptionRange('ALLERGIES', 1, 3)).allergies.map((a) => [a.slot, a.name.text])).toEqual([
      [1, '盤尼西林'],
      [2, '碘'],
    ]);

    expect((await records.treatmentDiagnoses('ICD10')).visits.map((v) => v.visitTimeRoc)).toEqual([visit.visitTimeRoc]);
    const history = await records.treatmentHistory();
    expect(history.visits.map((v) => v.seqNumber)).toEqual([visit.seqNumber]);
  });

  it('refuses bad input with field and rule before any card call, and writes nothing', async () => {
    const { sim, stack, records } = setup();
    const visit = await stack.startVisit({ category: '01', newborn: false, lateCard: false });
    const write = (prescriptions: PrescriptionInput[]) =>
      rejection(records.writePrescriptions({ ...cardholder, visitTimeRoc: visit.visitTimeRoc, prescriptions, signed: true }));
    expect(await write([{ ...line, itemCode: 'a-1' }])).toMatchObject({ name: 'InputError', field: 'prescriptions[0].itemCode' });
    expect(await write([{ ...line, days: -1 }])).toMatchObject({ field: 'prescriptions[0].days' });
    expect(await write([{ ...line, total: Number.NaN }])).toMatchObject({ field: 'prescriptions[0].total' });
    expect(await write(Array(61).fill(line))).toMatchObject({ field: 'prescriptions', rule: expect.stringMatching(/holds 60/) });
    expect(await rejection(records.writePrescriptions({ ...cardholder, patientId: 'A123456788', visitTimeRoc: visit.visitTimeRoc, prescriptions: [line], signed: false }))).toMatchObject({ field: 'patientId' });
    expect(await rejection(records.writeAllergies({ ...cardholder, names: ['😀'] }))).toMatchObject({ field: 'allergies[0]', rule: expect.stringMatching(/Big5/) });
    expect(await rejection(records.writeAllergySlot({ ...cardholder, slot: 4, name: '碘' }))).toMatchObject({ field: 'slot' });
    expect(await rejection(records.prescriptionRange('OUTPATIENT', 0, 1))).toMatchObject({ field: 'start' });
    expect(await rejection(records.icd10ToCardForm('G44.201'))).toMatchObject({ field: 'code' });
    expect((await records.prescriptions()).outpatient).toEqual([]);
    expect((await records.prescriptions()).allergies).toHaveLength(1);
    expect(sim.writeCount(visit.visitTimeRoc)).toBe(0);
  });

  it('a prescription for a visit not on the card is bad input (nothing sent); 5022 when 1.5 cannot tell; 5020; 5079', async () => {
    const { sim, records } = setup();
    const write = () => records.writePrescriptions({ ...cardholder, visitTimeRoc: '1130101000000', prescriptions: [line], signed: false });
    expect(await rejection(write())).toMatchObject({ name: 'InputError', field: 'visitTimeRoc' });
    sim.forceReturnCode('hisGetTreatmentNoNeedHPC', 4043);
    expect(await rejection(write())).toMatchObject({ vendorCode: 5022 });
    sim.forceReturnCode('hisGetTreatmentNoNeedHPC', null);
    expect(await rejection(records.writeEmergencyPhone({ patientId: 'B223456782', birthDate: '1986-08-30', emergencyPhone: '0912345678' }))).toMatchObject({
      vendorCode: 5020,
    });
    expect(await rejection(records.writePrenatalCheckup({ ...cardholder, itemCode: '41' }))).toMatchObject({ vendorCode: 5079 });
  });

  it('small writes and reads, PIN flows, the update without reset, the ICD-10 codec', async () => {
    const { records } = setup();
    await records.writeEmergencyPhone({ ...cardholder, emergencyPhone: '0912-345678' });
    expect(await records.emergencyPhone()).toBe('0912-345678');
    await records.writeVaccination({ ...cardholder, vaccination: { vaccineType: 'COV19', lotNumber: 'MOD123' } });
    expect((await records.vaccinations()).map((v) => v.vaccineType)).toEqual(['FLU', 'COV19']);
    await records.writePreventiveCare({ ...cardholder, record: { serviceItem: '04', itemCode: '22' } });
    expect(await records.preventiveCare()).toHaveLength(2);
    await records.writeOrganDonation({ ...cardholder, flag: 'Y' });
    expect((await records.organDonation()).raw).toBe('Y');
    await records.writeNewborn({ ...cardholder, newborn: { birthDate: '2024-12-01', birthOrder: '1' } });
    expect((await records.cumulativeData())).toHaveLength(2);
    expect(await records.cumulativeFees()).toEqual({ outpatientTotal: 0, inpatientTotal: 0 });
    expect((await records.readerClock()).dateTime).toMatch(/\+08:00$/);
    expect(await records.patientPinSet()).toBe(false);
    await records.setPatientPin();
    expect(await records.patientPinSet()).toBe(true);
    await records.verifyPatientPin();
    await records.disablePatientPin();
    expect(await rejection(records.changeProfessionalPin())).toMatchObject({ vendorCode: 4014 });
    expect(await rejection(records.updateCardWithoutReset())).toMatchObject({ vendorCode: 9081 });
    expect(await records.icd10ToCardForm('G44201')).toBe('!G442');
    expect(await records.icd10FromCardForm('!G442')).toBe('G44201');
    expect(await rejection(records.icd10FromCardForm('~~~~~'))).toMatchObject({ vendorCode: 9127 });
    expect(await records.criticalIllnesses('DEFAULT')).toEqual([]);
  });

  it('1.40 on a card with no visits left: stages in order, counters read back', async () => {
    const { records } = setup('NO_VISITS_LEFT');
    const stages: string[] = [];
    expect(await records.updateCardWithoutReset((s) => stages.push(s))).toMatchObject({ remainingVisits: 6 });
    expect(stages).toEqual(['WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'WRITING_CARD']);
  });
});
