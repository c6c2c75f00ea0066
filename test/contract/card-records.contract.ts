/**
 * The card-record functions (issue 14) in the one contract: the same tests over the embedded simulator
 * and over the koffi adapter with the native fixture. Values, natural codes (no card 4013, another person
 * 5020, no visit 5022, no professional card 4014/4042/5056, pharmacist card 9100, male card 5079, bad
 * ranges 6018, no mapping 9127), forced codes for every function, and write-then-read round trips.
 */
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { CARD_TYPE, OUTPUT_SIZE, type ControlSoftware } from '../../src/ports/control-software.ts';
import { decodeBasicData, decodeRegisterBasic, decodeRegisterBasic2, decodeSeqNumber256, decodeDocId } from '../../src/codecs/layouts.ts';
import {
  decodeAllergies,
  decodeCriticalIllnesses,
  decodeCumulativeData,
  decodeCumulativeFees,
  decodeEmergencyPhone,
  decodeIcd10CodecOutput,
  decodeImportantOrders,
  decodeLongTermPrescriptions,
  decodeOrganDonation,
  decodeOutpatientPrescriptions,
  decodePrenatalRecords,
  decodePrescriptionAreas,
  decodePreventiveCare,
  decodeReaderClock,
  decodeTreatmentDiagnoses,
  decodeTreatmentHistory,
  decodeVaccinations,
  splitSignatures,
} from '../../src/codecs/records.ts';
import {
  encodeAllergiesInput,
  encodeAllergySlotInput,
  encodePrescriptionsInput,
} from '../../src/codecs/record-inputs.ts';
import { encodeTreatmentDataInput } from '../../src/codecs/write-inputs.ts';
import { dateToRocDateTime } from '../../src/codecs/roc-date.ts';
import { SIMULATED_PATIENTS, SIMULATED_PROFESSIONALS } from '../../src/adapters/simulator/patients.ts';
import type { PrescriptionInput } from '../../src/domain/types.ts';
import type { ContractHarness } from './control-software.contract.ts';

const standard = SIMULATED_PATIENTS.find((p) => p.key === 'STANDARD')!;
const rare = SIMULATED_PATIENTS.find((p) => p.key === 'RARE_CHARACTER_NAME')!;
const physician = SIMULATED_PROFESSIONALS.find((p) => p.key === 'PHYSICIAN')!;
const today = () => dateToRocDateTime(new Date()).slice(0, 7);

const rx = (over: Partial<PrescriptionInput> = {}): PrescriptionInput => ({
  orderType: '1',
  itemCode: 'A012345100',
  usage: 'TID',
  days: 3,
  total: 9,
  dispensing: '01',
  ...over,
});

/** Every new function, called so that a forced code is what comes back. */
const CALLS: Record<string, (cs: ControlSoftware) => Promise<number>> = {
  hisGetRegisterPrevent: async (cs) => (await cs.hisGetRegisterPrevent()).rc,
  hisGetRegisterPregnant: async (cs) => (await cs.hisGetRegisterPregnant()).rc,
  hisGetTreatmentNoNeedHPC: async (cs) => (await cs.hisGetTreatmentNoNeedHPC()).rc,
  hisGetCumulativeData: async (cs) => (await cs.hisGetCumulativeData()).rc,
  hisGetCumulativeFee: async (cs) => (await cs.hisGetCumulativeFee()).rc,
  hisGetTreatmentNeedHPC: async (cs) => (await cs.hisGetTreatmentNeedHPC(true)).rc,
  hisReadPrescription: async (cs) => (await cs.hisReadPrescription()).rc,
  hisGetInoculateData: async (cs) => (await cs.hisGetInoculateData()).rc,
  hisGetOrganDonate: async (cs) => (await cs.hisGetOrganDonate()).rc,
  hisGetEmergentTel: async (cs) => (await cs.hisGetEmergentTel()).rc,
  hisGetCriticalIllness: async (cs) => (await cs.hisGetCriticalIllness(false)).rc,
  hisGetCriticalIllnessID: async (cs) => (await cs.hisGetCriticalIllnessID(standard.idNumber, standard.birthDateRoc, false)).rc,
  hisReadPrescriptMain: async (cs) => (await cs.hisReadPrescriptMain(1, 60)).rc,
  hisReadPrescriptLongTerm: async (cs) => (await cs.hisReadPrescriptLongTerm(1, 30)).rc,
  hisReadPrescriptHVE: async (cs) => (await cs.hisReadPrescriptHVE(1, 10)).rc,
  hisReadPrescriptAllergic: async (cs) => (await cs.hisReadPrescriptAllergic(1, 3)).rc,
  hisWritePrescription: (cs) => cs.hisWritePrescription('1000101000000', standard.idNumber, standard.birthDateRoc, 'x'),
  hisWriteMultiPrescript: (cs) => cs.hisWriteMultiPrescript('1000101000000', standard.idNumber, standard.birthDateRoc, 'x', 1),
  hisWritePrescriptionSign: async (cs) => (await cs.hisWritePrescriptionSign('1000101000000', standard.idNumber, standard.birthDateRoc, 'x')).rc,
  hisWriteMultiPrescriptSign: async (cs) =>
    (await cs.hisWriteMultiPrescriptSign('1000101000000', standard.idNumber, standard.birthDateRoc, 'x', 1)).rc,
  hisWriteNewBorn: (cs) => cs.hisWriteNewBorn(standard.idNumber, standard.birthDateRoc, '1130101', '1'),
  hisWriteAllergicMedicines: async (cs) =>
    (await cs.hisWriteAllergicMedicines(standard.idNumber, standard.birthDateRoc, encodeAllergiesInput(['X']))).rc,
  hisWriteAllergicNum: async (cs) =>
    (await cs.hisWriteAllergicNum(standard.idNumber, standard.birthDateRoc, encodeAllergySlotInput(1, 'X').data, 1)).rc,
  hisWriteOrganDonate: (cs) => cs.hisWriteOrganDonate(standard.idNumber, standard.birthDateRoc, 'Y'),
  hisWriteHealthInsurance: (cs) => cs.hisWriteHealthInsurance(standard.idNumber, standard.birthDateRoc, '03', '21'),
  hisWriteEmergentTel: (cs) => cs.hisWriteEmergentTel(standard.idNumber, standard.birthDateRoc, '0912345678'),
  hisWritePredeliveryCheckup: (cs) => cs.hisWritePredeliveryCheckup(standard.idNumber, standard.birthDateRoc, '41'),
  hisDeletePredeliveryData: (cs) => cs.hisDeletePredeliveryData(standard.idNumber, standard.birthDateRoc),
  hisWriteInoculateData: (cs) => cs.hisWriteInoculateData(standard.idNumber, standard.birthDateRoc, 'FLU', 'LOT1'),
  csVerifyHCPIN: (cs) => cs.csVerifyHCPIN(),
  csInputHCPIN: (cs) => cs.csInputHCPIN(),
  csDisableHCPIN: (cs) => cs.csDisableHCPIN(),
  hpcInputHPCPIN: (cs) => cs.hpcInputHPCPIN(),
  hpcUnlockHPC: (cs) => cs.hpcUnlockHPC(),
  csUpdateHCNoReset: (cs) => cs.csUpdateHCNoReset(),
  hisGetICD10EnC: async (cs) => (await cs.hisGetICD10EnC('J069')).rc,
  hisGetICD10DeC: async (cs) => (await cs.hisGetICD10DeC('!G442')).rc,
};

export function describeCardRecordsContract(name: string, createHarness: () => Promise<ContractHarness>) {
  describe(`card records contract: ${name}`, () => {
    let h: ContractHarness;
    let cs: ControlSoftware;
    beforeEach(async () => {
      h = await createHarness();
      cs = h.cs;
    });
    afterEach(async () => {
      await h.dispose();
    });

    const register = async () => decodeSeqNumber256((await cs.hisGetSeqNumber256('01', ' ', '1')).bytes);

    it('answers 4013 for every record read without a card', async () => {
      for (const out of [
        await cs.hisGetRegisterPrevent(),
        await cs.hisGetRegisterPregnant(),
        await cs.hisGetTreatmentNoNeedHPC(),
        await cs.hisGetCumulativeData(),
        await cs.hisGetCumulativeFee(),
        await cs.hisGetInoculateData(),
        await cs.hisGetOrganDonate(),
        await cs.hisGetEmergentTel(),
        await cs.hisGetCriticalIllness(false),
      ]) {
        expect(out.rc).toBe(4013);
        expect(out.bytes.length).toBe(0);
      }
      expect((await cs.hisReadPrescription()).rc).toBe(4013);
      expect((await cs.hisReadPrescriptMain(1, 60)).rc).toBe(4013);
      expect(await cs.csISSetPIN()).toBe(4013);
    });

    it('reads the seeded records at their full sizes: preventive care, vaccinations, allergies, phone, organ flag', async () => {
      await h.insertHealthCard('STANDARD');
      const prevent = await cs.hisGetRegisterPrevent();
      expect(prevent.bytes.length).toBe(126);
      expect(decodePreventiveCare(prevent.bytes)).toEqual([
        { serviceItem: '03', date: '2023-03-01', dateRoc: '1120301', hospitalId: '3501200000', itemCode: '21' },
      ]);
      const pregnant = await cs.hisGetRegisterPregnant();
      expect(pregnant.bytes.length).toBe(209);
      expect(decodePrenatalRecords(pregnant.bytes)).toEqual([]);
      const vacc = await cs.hisGetInoculateData();
      expect(vacc.bytes.length).toBe(1400);
      expect(decodeVaccinations(vacc.bytes)).toEqual([
        { vaccineType: 'FLU', date: '2024-10-15', dateRoc: '1131015', hospitalId: '3501200000', lotNumber: 'FLU2024A01' },
      ]);
      const organ = await cs.hisGetOrganDonate();
      expect(organ.bytes.length).toBe(1);
      expect(decodeOrganDonation(organ.bytes).raw).toBeNull();
      const tel = await cs.hisGetEmergentTel();
      expect(tel.bytes.length).toBe(14);
      expect(decodeEmergencyPhone(tel.bytes)).toBe(standard.emergencyPhone);
      const areas = await cs.hisReadPrescription();
      expect(areas.rc).toBe(0);
      expect([areas.outpatient.length, areas.longTerm.length, areas.importantOrders.length, areas.allergies.length]).toEqual([
        3660, 1320, 360, 120,
      ]);
      const decoded = decodePrescriptionAreas(areas);
      expect(decoded.outpatient).toEqual([]);
      expect(decoded.allergies.map((a) => [a.slot, a.name.text])).toEqual([[1, '盤尼西林']]);
      expect(await cs.csISSetPIN()).toBe(0);
      const clock = decodeReaderClock((await cs.csGetDateTime()).bytes);
      expect(clock.dateTimeRoc.slice(0, 7)).toBe(today());
      expect(clock.dateTime).toMatch(/\+08:00$/);
    });

    it('writes prescriptions (1.18, 1.45) for a visit on the card; types 2 and 5 fill their areas; 1.41–1.43 read ranges', async () => {
      await h.insertHealthCard('STANDARD');
      const visit = await register();
      const one = encodePrescriptionsInput(visit.visitTimeRoc, [rx()]);
      expect(await cs.hisWritePrescription(visit.visitTimeRoc, standard.idNumber, standard.birthDateRoc, one.data)).toBe(0);
      const two = encodePrescriptionsInput(visit.visitTimeRoc, [
        rx({ orderType: '2', itemCode: 'B023456100', days: 28, total: 56, usage: 'BID' }),
        rx({ orderType: '5', itemCode: '33072B', site: 'L', days: 0, total: 1, dispensing: '03', usage: '' }),
      ]);
      expect(await cs.hisWriteMultiPrescript(visit.visitTimeRoc, standard.idNumber, standard.birthDateRoc, two.data, two.count)).toBe(0);

      const areas = decodePrescriptionAreas(await cs.hisReadPrescription());
      expect(areas.outpatient.map((p) => [p.orderType, p.itemCode, p.days, p.total, p.visitTimeRoc])).toEqual([
        ['1', 'A012345100', 3, '9', visit.visitTimeRoc],
        ['2', 'B023456100', 28, '56', visit.visitTimeRoc],
        ['5', '33072B', 0, '1', visit.visitTimeRoc],
      ]);
      expect(areas.longTerm).toEqual([
        { issueDate: visit.visitTime.slice(0, 10), issueDateRoc: visit.visitTimeRoc.slice(0, 7), drugCode: 'B023456100', usage: 'BID', days: 28, total: '56' },
      ]);
      expect(areas.importantOrders.map((o) => [o.itemCode, o.site, o.total, o.hospitalId])).toEqual([['33072B', 'L', '1', '3501200000']]);

      const main = await cs.hisReadPrescriptMain(1, 60);
      expect([main.rc, main.count, main.bytes.length]).toEqual([0, 3, 183]);
      const second = await cs.hisReadPrescriptMain(2, 2);
      expect(second.count).toBe(1);
      expect(decodeOutpatientPrescriptions(second.bytes)[0]!.itemCode).toBe('B023456100');
      expect(decodeLongTermPrescriptions((await cs.hisReadPrescriptLongTerm(1, 30)).bytes)).toHaveLength(1);
      expect(decodeImportantOrders((await cs.hisReadPrescriptHVE(1, 10)).bytes)).toHaveLength(1);
      for (const [start, end] of [[0, 1], [1, 61], [3, 2]] as const) {
        const bad = await cs.hisReadPrescriptMain(start, end);
        expect([bad.rc, bad.count, bad.bytes.length]).toEqual([6018, 0, 0]);
      }
    });

    it('refuses prescription writes for another person (5020), an unknown visit (5022) and a record of another visit (6018)', async () => {
      await h.insertHealthCard('STANDARD');
      const visit = await register();
      const { data } = encodePrescriptionsInput(visit.visitTimeRoc, [rx()]);
      expect(await cs.hisWritePrescription(visit.visitTimeRoc, rare.idNumber, rare.birthDateRoc, data)).toBe(5020);
      const other = encodePrescriptionsInput('1000101000000', [rx()]);
      expect(await cs.hisWritePrescription('1000101000000', standard.idNumber, standard.birthDateRoc, other.data)).toBe(5022);
      expect(await cs.hisWritePrescription(visit.visitTimeRoc, standard.idNumber, standard.birthDateRoc, other.data)).toBe(6018);
      expect(decodePrescriptionAreas(await cs.hisReadPrescription()).outpatient).toEqual([]);
    });

    it('signs prescriptions: 1.48 one 40-character signature, 1.49 one per record', async () => {
      await h.insertHealthCard('STANDARD');
      const visit = await register();
      const one = encodePrescriptionsInput(visit.visitTimeRoc, [rx()]);
      const signed = await cs.hisWritePrescriptionSign(visit.visitTimeRoc, standard.idNumber, standard.birthDateRoc, one.data);
      expect(signed.rc).toBe(0);
      expect(signed.bytes.length).toBe(OUTPUT_SIZE.hisWritePrescriptionSign);
      expect(splitSignatures(signed.bytes)).toEqual([expect.stringMatching(/^[0-9A-F]{40}$/)]);
      const three = encodePrescriptionsInput(visit.visitTimeRoc, [rx(), rx({ itemCode: 'C1' }), rx({ itemCode: 'C2' })]);
      const multi = await cs.hisWriteMultiPrescriptSign(visit.visitTimeRoc, standard.idNumber, standard.birthDateRoc, three.data, 3);
      expect(multi.rc).toBe(0);
      const signatures = splitSignatures(multi.bytes);
      expect(signatures).toHaveLength(3);
      expect(new Set(signatures).size).toBe(3);
      expect(decodePrescriptionAreas(await cs.hisReadPrescription()).outpatient).toHaveLength(4);
      const unknown = await cs.hisWritePrescriptionSign('1000101000000', standard.idNumber, standard.birthDateRoc, one.data);
      expect([unknown.rc, unknown.bytes.length]).toEqual([5022, 0]);
    });

    it('writes allergies only with a verified professional card (5056, 4042), not a pharmacist’s (9100); 造字 survives; slots 1–3', async () => {
      await h.insertHealthCard('STANDARD');
      const names = encodeAllergiesInput(['阿莫西林', '磺胺\uE001']);
      expect((await cs.hisWriteAllergicMedicines(standard.idNumber, standard.birthDateRoc, names)).rc).toBe(5056);
      await h.insertProfessionalCard('PHARMACIST');
      expect((await cs.hisWriteAllergicMedicines(standard.idNumber, standard.birthDateRoc, names)).rc).toBe(4042);
      expect(await cs.hpcVerifyHPCPIN()).toBe(0);
      expect((await cs.hisWriteAllergicMedicines(standard.idNumber, standard.birthDateRoc, names)).rc).toBe(9100);
      await h.insertProfessionalCard('PHYSICIAN');
      expect((await cs.hisWriteAllergicMedicines(standard.idNumber, standard.birthDateRoc, names)).rc).toBe(4042);
      expect(await cs.hpcVerifyHPCPIN()).toBe(0);
      expect((await cs.hisWriteAllergicMedicines(rare.idNumber, rare.birthDateRoc, names)).rc).toBe(5020);
      const ok = await cs.hisWriteAllergicMedicines(standard.idNumber, standard.birthDateRoc, names);
      expect(ok.rc).toBe(0);
      expect(decodeDocId(ok.bytes)).toBe(physician.idNumber);
      const third = encodeAllergySlotInput(3, '碘');
      expect((await cs.hisWriteAllergicNum(standard.idNumber, standard.birthDateRoc, third.data, 3)).rc).toBe(0);
      expect((await cs.hisWriteAllergicNum(standard.idNumber, standard.birthDateRoc, third.data, 4)).rc).toBe(6018);
      const read = await cs.hisReadPrescriptAllergic(1, 3);
      expect([read.rc, read.count]).toEqual([0, 3]);
      const allergies = decodeAllergies(read.bytes);
      expect(allergies.map((a) => [a.slot, a.name.text, a.name.hasRareCharacters])).toEqual([
        [1, '阿莫西林', false],
        [2, '磺胺\uE001', true],
        [3, '碘', false],
      ]);
      expect(allergies[1]!.name.rawHex).toMatch(/FA41$/);
    });

    it('keeps the 6-visit ring with fees (1.5), diagnoses with a verified HPC (1.8: 4014, 4042), cumulative data (1.6, 1.7)', async () => {
      await h.insertHealthCard('STANDARD');
      const first = await register();
      const second = await register();
      const fees = { outpatientFee: 520, outpatientCopay: 50, inpatientFee: 0, inpatientCopayShortStay: 0, inpatientCopayLongStay: 0 };
      const data = encodeTreatmentDataInput({ lateCard: false, diagnoses: ['G44201', 'J069'], fees }, 'icd10');
      expect((await cs.hisWriteTreatmentData(first.visitTimeRoc, standard.idNumber, standard.birthDateRoc, data)).rc).toBe(0);

      const history = await cs.hisGetTreatmentNoNeedHPC();
      expect(history.bytes.length).toBe(498);
      const ring = decodeTreatmentHistory(history.bytes);
      expect(ring.visits.map((v) => [v.visitTimeRoc, v.category, v.seqNumber, v.lateCard, v.fees.outpatientFee])).toEqual([
        [first.visitTimeRoc, '01', first.seqNumber, false, 520],
        [second.visitTimeRoc, '01', second.seqNumber, false, null],
      ]);

      expect((await cs.hisGetTreatmentNeedHPC(false)).rc).toBe(4014);
      await h.insertProfessionalCard('PHYSICIAN');
      expect((await cs.hisGetTreatmentNeedHPC(false)).rc).toBe(4042);
      expect(await cs.hpcVerifyHPCPIN()).toBe(0);
      const icd10 = await cs.hisGetTreatmentNeedHPC(true);
      expect(icd10.bytes.length).toBe(540);
      expect(decodeTreatmentDiagnoses(icd10.bytes, true).visits).toEqual([
        { visitTime: first.visitTime, visitTimeRoc: first.visitTimeRoc, diagnoses: ['G44201', 'J069'] },
        { visitTime: second.visitTime, visitTimeRoc: second.visitTimeRoc, diagnoses: [] },
      ]);
      const plain = await cs.hisGetTreatmentNeedHPC(false);
      expect(plain.bytes.length).toBe(372);
      // G44201 does not fit 5 characters: the default width carries its 5.1 card form.
      expect(decodeTreatmentDiagnoses(plain.bytes, false).visits[0]!.diagnoses).toEqual(['!G442', 'J069']);

      const years = decodeCumulativeData((await cs.hisGetCumulativeData()).bytes);
      expect(years).toHaveLength(2);
      expect(years[0]).toMatchObject({ yearRoc: today().slice(0, 3), visitCount: 2, outpatientFees: 520, outpatientCopay: 50, totalCopay: 50 });
      expect(years[1]).toMatchObject({ visitCount: 0, outpatientFees: 0 });
      expect(decodeCumulativeFees((await cs.hisGetCumulativeFee()).bytes)).toEqual({ outpatientTotal: 520, inpatientTotal: 0 });

      expect(await cs.csUnGetSeqNumber(second.visitTimeRoc)).toBe(0);
      expect(decodeTreatmentHistory((await cs.hisGetTreatmentNoNeedHPC()).bytes).visits).toHaveLength(1);
    });

    it('reads critical illness: dates only without a verified HPC, codes with one, 9100 for a pharmacist, 5020 for 1.50', async () => {
      await h.insertHealthCard('RARE_CHARACTER_NAME');
      const datesOnly = decodeCriticalIllnesses((await cs.hisGetCriticalIllness(false)).bytes, false);
      expect(datesOnly).toEqual([
        { code: null, validFrom: '2021-01-01', validFromRoc: '1100101', validUntil: '2026-01-01', validUntilRoc: '1150101' },
      ]);
      expect(decodeTreatmentHistory((await cs.hisGetTreatmentNoNeedHPC()).bytes).criticalIllnessPeriods).toEqual(datesOnly);
      await h.insertProfessionalCard('PHARMACIST');
      expect((await cs.hisGetCriticalIllness(false)).rc).toBe(9100);
      await h.insertProfessionalCard('PHYSICIAN');
      expect(await cs.hpcVerifyHPCPIN()).toBe(0);
      const icd10 = await cs.hisGetCriticalIllness(true);
      expect(icd10.bytes.length).toBe(138);
      expect(decodeCriticalIllnesses(icd10.bytes, true).map((c) => c.code)).toEqual(['N185']);
      expect((await cs.hisGetCriticalIllnessID(standard.idNumber, standard.birthDateRoc, false)).rc).toBe(5020);
      const byId = await cs.hisGetCriticalIllnessID(rare.idNumber, rare.birthDateRoc, false);
      expect([byId.rc, byId.bytes.length]).toEqual([0, 114]);
      expect(decodeCriticalIllnesses(byId.bytes, false).map((c) => c.code)).toEqual(['N185']);
    });

    it('round-trips the small writes: newborn, organ flag, preventive care, phone, vaccination; 5020 for another person', async () => {
      await h.insertHealthCard('STANDARD');
      const id = standard.idNumber;
      const birth = standard.birthDateRoc;
      expect(await cs.hisWriteNewBorn(id, birth, '1131201', ' ')).toBe(5052);
      expect(await cs.hisWriteNewBorn(id, birth, '1131201', '2')).toBe(0);
      const reg = decodeRegisterBasic((await cs.hisGetRegisterBasic()).bytes);
      expect([reg.newbornBirthDate, reg.newbornBirthOrder]).toEqual(['2024-12-01', '2']);
      expect(await cs.hisWriteOrganDonate(id, birth, 'Y')).toBe(0);
      expect(decodeOrganDonation((await cs.hisGetOrganDonate()).bytes).raw).toBe('Y');
      expect(await cs.hisWriteHealthInsurance(id, birth, '04', '22')).toBe(0);
      expect(decodePreventiveCare((await cs.hisGetRegisterPrevent()).bytes).at(-1)).toEqual({
        serviceItem: '04', date: expect.any(String), dateRoc: today(), hospitalId: '3501200000', itemCode: '22',
      });
      expect(await cs.hisWriteEmergentTel(id, birth, '0912-345678')).toBe(0);
      expect(decodeEmergencyPhone((await cs.hisGetEmergentTel()).bytes)).toBe('0912-345678');
      expect(decodeBasicData((await cs.hisGetBasicData()).bytes).emergencyPhone).toBe('0912-345678');
      expect(await cs.hisWriteInoculateData(id, birth, 'COV19', 'MOD123')).toBe(0);
      expect(decodeVaccinations((await cs.hisGetInoculateData()).bytes).map((v) => [v.vaccineType, v.lotNumber, v.dateRoc])).toEqual([
        ['FLU', 'FLU2024A01', '1131015'],
        ['COV19', 'MOD123', today()],
      ]);
      for (const rc of [
        await cs.hisWriteNewBorn(rare.idNumber, rare.birthDateRoc, '1131201', '1'),
        await cs.hisWriteOrganDonate(rare.idNumber, rare.birthDateRoc, 'Y'),
        await cs.hisWriteHealthInsurance(rare.idNumber, rare.birthDateRoc, '04', '22'),
        await cs.hisWriteEmergentTel(rare.idNumber, rare.birthDateRoc, '0912345678'),
        await cs.hisWriteInoculateData(rare.idNumber, rare.birthDateRoc, 'FLU', 'L1'),
      ]) {
        expect(rc).toBe(5020);
      }
    });

    it('writes prenatal records for a female cardholder only (5079), and deletes them all (1.25)', async () => {
      await h.insertHealthCard('STANDARD');
      expect(await cs.hisWritePredeliveryCheckup(standard.idNumber, standard.birthDateRoc, '41')).toBe(5079);
      await h.removeHealthCard();
      await h.insertHealthCard('RARE_CHARACTER_NAME');
      expect(await cs.hisWritePredeliveryCheckup(rare.idNumber, rare.birthDateRoc, '42')).toBe(0);
      expect(decodePrenatalRecords((await cs.hisGetRegisterPregnant()).bytes).map((r) => [r.dateRoc, r.itemCode])).toEqual([
        ['1130601', '41'],
        [today(), '42'],
      ]);
      expect(await cs.hisDeletePredeliveryData(rare.idNumber, rare.birthDateRoc)).toBe(0);
      expect(decodePrenatalRecords((await cs.hisGetRegisterPregnant()).bytes)).toEqual([]);
    });

    it('walks the patient PIN (1.27–1.29, 1.36) and the professional-card PIN change and unlock (4.3, 4.4)', async () => {
      expect(await cs.csVerifyHCPIN()).toBe(4013);
      await h.insertHealthCard('STANDARD');
      expect(await cs.csISSetPIN()).toBe(0);
      expect(await cs.csInputHCPIN()).toBe(0);
      expect(await cs.csISSetPIN()).toBe(1);
      expect(await cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(4);
      expect(await cs.csSoftwareReset(3)).toBe(0);
      expect(await cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).not.toBe(4);
      expect(await cs.csVerifyHCPIN()).toBe(0);
      expect(await cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(4);
      expect(await cs.csDisableHCPIN()).toBe(0);
      expect(await cs.csISSetPIN()).toBe(0);
      expect(await cs.hpcInputHPCPIN()).toBe(4014);
      expect(await cs.hpcUnlockHPC()).toBe(4014);
      await h.insertProfessionalCard('PHYSICIAN');
      expect(await cs.hpcInputHPCPIN()).toBe(0);
      expect(await cs.hpcUnlockHPC()).toBe(0);
    });

    it('1.40 card update without reset: 9081 with visits left, refills a card with none', async () => {
      await h.insertHealthCard('STANDARD');
      expect(await cs.csUpdateHCNoReset()).toBe(9081);
      await h.removeHealthCard();
      await h.insertHealthCard('NO_VISITS_LEFT');
      expect(await cs.csUpdateHCNoReset()).toBe(0);
      expect(decodeRegisterBasic2((await cs.hisGetRegisterBasic2()).bytes).remainingVisits).toBe(6);
    });

    it('5.1 / 5.2 ICD-10 card forms: unchanged when short, mapped when long or E/V, 9127 without a mapping', async () => {
      const enc = async (code: string) => {
        const out = await cs.hisGetICD10EnC(code);
        return out.rc === 0 ? decodeIcd10CodecOutput(out.bytes) : out.rc;
      };
      const dec = async (form: string) => {
        const out = await cs.hisGetICD10DeC(form);
        return out.rc === 0 ? decodeIcd10CodecOutput(out.bytes) : out.rc;
      };
      expect(await enc('G44201')).toBe('!G442');
      expect(await enc('J069')).toBe('J069');
      expect(await enc('E119')).toBe('#E119');
      expect(await enc('E999')).toBe(9127);
      expect(await dec('!G442')).toBe('G44201');
      expect(await dec('~~~~~')).toBe(9127);
    });

    it('passes a forced code through for every record function', async () => {
      await h.insertHealthCard('STANDARD');
      for (const [fn, call] of Object.entries(CALLS)) {
        await h.forceReturnCode(fn, 9240);
        expect([fn, await call(cs)]).toEqual([fn, 9240]);
        await h.forceReturnCode(fn, null);
      }
    });
  });
}
