/**
 * Every new field that calls the control software passes a forced return code through as the VendorError member
 * of its union (or, for long operations, as Operation.error), on the simulator: a known code (9240, console not
 * running) and one the catalogue does not know (8765).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERR, STANDARD, startRecordsGateway, startVisit, type RecordsGateway } from './helpers.ts';

const HOLDER = `idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}"`;

describe('forced return codes reach the new fields', () => {
  let gw: RecordsGateway;
  let visitTime: string;
  beforeEach(async () => {
    gw = await startRecordsGateway();
    visitTime = await startVisit(gw);
  });
  afterEach(async () => gw.close());

  const force = (fn: string, code: number) =>
    gw.gql(`mutation { simulatorForceReturnCode(input: { function: "${fn}", vendorCode: ${code} }) { __typename } }`);

  // [export, document, path to the result]
  const cases = (): [string, string, (d: any) => any][] => [
    ['hisGetTreatmentNeedHPC', `{ healthCard { visitDiagnoses { ${ERR} } } }`, (d) => d.healthCard.visitDiagnoses],
    ['hisGetCriticalIllness', `{ healthCard { criticalIllness { ${ERR} } } }`, (d) => d.healthCard.criticalIllness],
    ['hisGetCriticalIllnessID', `{ healthCard { criticalIllness(cardholder: { ${HOLDER} }) { ${ERR} } } }`, (d) => d.healthCard.criticalIllness],
    ['hisReadPrescriptMain', `{ healthCard { prescriptionRange(area: OUTPATIENT, first: 1, last: 60) { ${ERR} } } }`, (d) => d.healthCard.prescriptionRange],
    ['hisReadPrescriptLongTerm', `{ healthCard { prescriptionRange(area: LONG_TERM, first: 1, last: 30) { ${ERR} } } }`, (d) => d.healthCard.prescriptionRange],
    ['hisReadPrescriptHVE', `{ healthCard { prescriptionRange(area: IMPORTANT_ORDERS, first: 1, last: 10) { ${ERR} } } }`, (d) => d.healthCard.prescriptionRange],
    ['hisReadPrescriptAllergic', `{ healthCard { allergies { ${ERR} } } }`, (d) => d.healthCard.allergies],
    ['csGetDateTime', `{ readerClock { ${ERR} } }`, (d) => d.readerClock],
    ['hisGetICD10EnC', `{ icd10 { encode(code: "E1165") { ${ERR} } } }`, (d) => d.icd10.encode],
    ['hisGetICD10DeC', `{ icd10 { decode(cardForm: "%E116") { ${ERR} } } }`, (d) => d.icd10.decode],
    ['hisGetTreatmentNoNeedHPC', `{ cardVisits { ${ERR} } }`, (d) => d.cardVisits],
    ['hisWritePrescription', `mutation { writePrescriptions(input: { visitTime: "${visitTime}", ${HOLDER}, prescriptions: [{ orderType: DRUG, itemCode: "A1", days: 1, total: 1, dispensing: SELF_DISPENSED }] }) { ${ERR} } }`, (d) => d.writePrescriptions],
    ['hisWriteMultiPrescriptSign', `mutation { writePrescriptions(input: { visitTime: "${visitTime}", ${HOLDER}, signed: true, prescriptions: [{ orderType: DRUG, itemCode: "A1", days: 1, total: 1, dispensing: SELF_DISPENSED }, { orderType: DRUG, itemCode: "A2", days: 1, total: 1, dispensing: SELF_DISPENSED }] }) { ${ERR} } }`, (d) => d.writePrescriptions],
    ['hisWriteAllergicMedicines', `mutation { writeAllergies(input: { ${HOLDER}, allergies: ["Aspirin"] }) { ${ERR} } }`, (d) => d.writeAllergies],
    ['hisWriteAllergicNum', `mutation { writeAllergy(input: { ${HOLDER}, slot: 2, name: "Aspirin" }) { ${ERR} } }`, (d) => d.writeAllergy],
    ['hisWriteNewBorn', `mutation { writeNewbornAttachment(input: { ${HOLDER}, newborn: { birthDate: "2026-01-02", birthOrder: "1" } }) { ${ERR} } }`, (d) => d.writeNewbornAttachment],
    ['hisWriteOrganDonate', `mutation { writeOrganDonation(input: { ${HOLDER}, flag: "Y" }) { ${ERR} } }`, (d) => d.writeOrganDonation],
    ['hisWriteHealthInsurance', `mutation { writePreventiveCare(input: { ${HOLDER}, serviceItem: "01", itemCode: "21" }) { ${ERR} } }`, (d) => d.writePreventiveCare],
    ['hisWriteEmergentTel', `mutation { writeEmergencyPhone(input: { ${HOLDER}, emergencyPhone: "0912345678" }) { ${ERR} } }`, (d) => d.writeEmergencyPhone],
    ['hisWritePredeliveryCheckup', `mutation { writePrenatalRecord(input: { ${HOLDER}, itemCode: "41" }) { ${ERR} } }`, (d) => d.writePrenatalRecord],
    ['hisDeletePredeliveryData', `mutation { deletePrenatalRecords(input: { ${HOLDER} }) { ${ERR} } }`, (d) => d.deletePrenatalRecords],
    ['hisWriteInoculateData', `mutation { writeVaccination(input: { ${HOLDER}, vaccineType: "FLU", lotNumber: "L1" }) { ${ERR} } }`, (d) => d.writeVaccination],
  ];

  it('as VendorError on every union', async () => {
    for (const [fn, query, pick] of cases()) {
      for (const vendorCode of [9240, 8765]) {
        await force(fn, vendorCode);
        const { data, errors } = await gw.gql(query);
        expect(errors, `${fn}: ${JSON.stringify(errors)}`).toBeUndefined();
        expect(pick(data), fn).toMatchObject({ __typename: 'VendorError', vendorCode });
        await force(fn, 0);
      }
    }
  });

  it('as Operation.error on the PIN flows and 1.40', async () => {
    const flows: [string, string][] = [
      ['csVerifyHCPIN', 'verifyHealthCardPin'],
      ['csInputHCPIN', 'setHealthCardPin'],
      ['csDisableHCPIN', 'disableHealthCardPin'],
      ['hpcInputHPCPIN', 'changeProfessionalCardPin'],
      ['hpcUnlockHPC', 'unlockProfessionalCard'],
      ['csUpdateHCNoReset', 'updateHealthCardWithoutReset'],
    ];
    for (const [fn, mutation] of flows) {
      await force(fn, 8765);
      const { data } = await gw.gql(`mutation { ${mutation} { id } }`);
      const last = (await gw.progress(data[mutation].id, 'stage error { code ... on VendorError { vendorCode } }')).at(-1);
      expect(last, fn).toEqual({ stage: 'FAILED', error: { code: 'VENDOR_CODE_UNKNOWN', vendorCode: 8765 } });
      await force(fn, 0);
    }
  });
});
