/**
 * Visit history, critical illness, cumulative data and the other card records over GraphQL (schema/records/history.ts,
 * schema/records/health-records.ts) on the simulator: reads, writes read back, bad input, forced vendor codes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERR, STANDARD, startRecordsGateway, startVisit, type RecordsGateway } from './helpers.ts';

const HOLDER = `idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}"`;

describe('visit history and critical illness', () => {
  let gw: RecordsGateway;
  beforeEach(async () => {
    gw = await startRecordsGateway();
  });
  afterEach(async () => gw.close());

  it('lists the visit ring with fees (1.5) and diagnoses with a verified professional card (1.8)', async () => {
    const visitTime = await startVisit(gw);
    const written = await gw.gql(
      `mutation { writeTreatment(input: { visitTime: "${visitTime}", ${HOLDER}, diagnoses: ["J069", "E1165"], fees: { outpatientFee: 350, outpatientCopay: 50 } }) { ${ERR} } }`,
    );
    expect(written.data.writeTreatment.__typename).toBe('TreatmentWritten');
    const { data, errors } = await gw.gql(`{ healthCard {
      visits { ${ERR} ... on VisitHistory { visits { treatmentCategory visitTimeRoc seqNumber fees { outpatientFee outpatientCopay } } criticalIllnessPeriods { validFrom } } }
      visitDiagnoses { ${ERR} ... on VisitDiagnoses { layout visits { visitTimeRoc diagnoses } } }
      cumulativeData { ${ERR} ... on CumulativeData { years { year visitCount } } }
      cumulativeFees { ${ERR} ... on CumulativeFees { outpatientTotal inpatientTotal } }
    } }`);
    expect(errors).toBeUndefined();
    const ours = data.healthCard.visits.visits.find((v: any) => v.visitTimeRoc === visitTime);
    expect(ours).toMatchObject({ treatmentCategory: 'WESTERN_MEDICINE_OUTPATIENT', fees: { outpatientFee: 350, outpatientCopay: 50 } });
    expect(data.healthCard.visitDiagnoses.layout).toBe('ICD10');
    expect(data.healthCard.visitDiagnoses.visits.find((v: any) => v.visitTimeRoc === visitTime)?.diagnoses).toEqual(['J069', 'E1165']);
    expect(data.healthCard.cumulativeData.__typename).toBe('CumulativeData');
    expect(data.healthCard.cumulativeFees.__typename).toBe('CumulativeFees');
  });

  it('answers 1.8 without a verified professional card with the typed error, not a call', async () => {
    await gw.gql('mutation { simulatorRemoveProfessionalCard { __typename } }');
    const { data } = await gw.gql(`{ healthCard { visitDiagnoses { ${ERR} } } }`);
    expect(data.healthCard.visitDiagnoses).toMatchObject({ __typename: 'VendorError', vendorCode: 4014 });
  });

  it('reads critical illness by 1.33 and by 1.50 (cardholder checked: 5020 on a mismatch)', async () => {
    const plain = await gw.gql(`{ healthCard { criticalIllness { ${ERR} ... on CriticalIllnessList { criticalIllnesses { code validFrom } } } } }`);
    expect(plain.data.healthCard.criticalIllness.__typename).toBe('CriticalIllnessList');
    const named = await gw.gql(`{ healthCard { criticalIllness(cardholder: { ${HOLDER} }) { ${ERR} ... on CriticalIllnessList { criticalIllnesses { code } } } } }`);
    expect(named.data.healthCard.criticalIllness.__typename).toBe('CriticalIllnessList');
    const wrong = await gw.gql(`{ healthCard { criticalIllness(cardholder: { idNumber: "B223456782", birthDate: "1986-08-30" }) { ${ERR} } } }`);
    expect(wrong.data.healthCard.criticalIllness).toMatchObject({ __typename: 'VendorError', vendorCode: 5020 });
  });

  it('passes a forced vendor code through each new read as VendorError', async () => {
    const reads: [string, string][] = [
      ['hisGetTreatmentNoNeedHPC', 'visits'],
      ['hisReadPrescription', 'prescriptions'],
      ['hisGetCumulativeData', 'cumulativeData'],
      ['hisGetCumulativeFee', 'cumulativeFees'],
      ['hisGetInoculateData', 'vaccinations'],
      ['hisGetOrganDonate', 'organDonation'],
      ['hisGetEmergentTel', 'emergencyPhone'],
      ['hisGetRegisterPrevent', 'preventiveCare'],
      ['hisGetRegisterPregnant', 'prenatalRecords'],
      ['csISSetPIN', 'pin'],
    ];
    for (const [fn, field] of reads) {
      await gw.gql(`mutation { simulatorForceReturnCode(input: { function: "${fn}", vendorCode: 9240 }) { __typename } }`);
      const { data, errors } = await gw.gql(`{ healthCard { ${field} { ${ERR} } } }`);
      expect(errors, field).toBeUndefined();
      expect(data.healthCard[field], field).toMatchObject({ __typename: 'VendorError', vendorCode: 9240 });
    }
  });
});

describe('other card records', () => {
  let gw: RecordsGateway;
  afterEach(async () => gw.close());

  it('writes and reads vaccinations, emergency phone, organ donation and preventive care', async () => {
    gw = await startRecordsGateway();
    const writes = [
      `writeVaccination(input: { ${HOLDER}, vaccineType: "FLU", lotNumber: "LOT-2026A", idempotencyKey: "vacc-0001-abcd" })`,
      `writeEmergencyPhone(input: { ${HOLDER}, emergencyPhone: "0912345678" })`,
      `writeOrganDonation(input: { ${HOLDER}, flag: "Y" })`,
      `writePreventiveCare(input: { ${HOLDER}, serviceItem: "01", itemCode: "21" })`,
    ];
    for (const w of writes) {
      const { data, errors } = await gw.gql(`mutation { result: ${w} { ${ERR} ... on CardRecordWritten { record writtenAt writtenAtRoc } } }`);
      expect(errors, w).toBeUndefined();
      expect(data.result.__typename, `${w}: ${JSON.stringify(data.result)}`).toBe('CardRecordWritten');
    }
    const { data, errors } = await gw.gql(`{ healthCard {
      vaccinations { ${ERR} ... on VaccinationList { vaccinations { vaccineType lotNumber date } } }
      emergencyPhone { ${ERR} ... on EmergencyPhone { emergencyPhone } }
      organDonation { ${ERR} ... on OrganDonation { flag } }
      preventiveCare { ${ERR} ... on PreventiveCareList { preventiveCare { serviceItem itemCode } } }
    } }`);
    expect(errors).toBeUndefined();
    expect(data.healthCard.vaccinations.vaccinations).toContainEqual(expect.objectContaining({ vaccineType: 'FLU', lotNumber: 'LOT-2026A' }));
    expect(data.healthCard.emergencyPhone.emergencyPhone).toBe('0912345678');
    expect(data.healthCard.organDonation.flag).toBe('Y');
    expect(data.healthCard.preventiveCare.preventiveCare).toContainEqual({ serviceItem: '01', itemCode: '21' });
  });

  it('refuses bad record input naming the field', async () => {
    gw = await startRecordsGateway();
    const cases: [string, string][] = [
      [`writeVaccination(input: { ${HOLDER}, vaccineType: "FLU VACCINE", lotNumber: "L1" })`, 'input.vaccineType'],
      [`writeEmergencyPhone(input: { ${HOLDER}, emergencyPhone: "call me" })`, 'input.emergencyPhone'],
      [`writeOrganDonation(input: { ${HOLDER}, flag: "yes" })`, 'input.flag'],
      [`writeNewbornAttachment(input: { ${HOLDER}, newborn: { birthDate: "2026-03-01", birthOrder: "0" } })`, 'input.newborn.birthOrder'],
      [`writePreventiveCare(input: { ${HOLDER}, serviceItem: "1", itemCode: "21" })`, 'input.serviceItem'],
    ];
    for (const [w, field] of cases) {
      const { errors } = await gw.gql(`mutation { ${w} { __typename } }`);
      expect(errors?.[0]?.extensions, w).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('writes prenatal records on a female card and refuses them on a male card (5079)', async () => {
    gw = await startRecordsGateway({ card: 'RARE_CHARACTER_NAME' });
    const holder = 'idNumber: "B223456782", birthDate: "1986-08-30"';
    const w = await gw.gql(`mutation { writePrenatalRecord(input: { ${holder}, itemCode: "41" }) { ${ERR} ... on CardRecordWritten { record } } }`);
    expect(w.data.writePrenatalRecord).toEqual({ __typename: 'CardRecordWritten', record: 'PRENATAL_CHECKUP' });
    const read = await gw.gql(`{ healthCard { prenatalRecords { ${ERR} ... on PrenatalRecordList { prenatalRecords { itemCode } } } } }`);
    expect(read.data.healthCard.prenatalRecords.prenatalRecords).toContainEqual({ itemCode: '41' });
    const del = await gw.gql(`mutation { deletePrenatalRecords(input: { ${holder} }) { ${ERR} ... on CardRecordWritten { record } } }`);
    expect(del.data.deletePrenatalRecords.record).toBe('PRENATAL_RECORDS_DELETED');
    await gw.close();

    gw = await startRecordsGateway();
    const male = await gw.gql(`mutation { writePrenatalRecord(input: { ${HOLDER}, itemCode: "41" }) { ${ERR} } }`);
    expect(male.data.writePrenatalRecord).toMatchObject({ __typename: 'VendorError', vendorCode: 5079 });
  });

  it('attaches a newborn (1.19)', async () => {
    gw = await startRecordsGateway({ card: 'RARE_CHARACTER_NAME' });
    const { data, errors } = await gw.gql(
      `mutation { writeNewbornAttachment(input: { idNumber: "B223456782", birthDate: "1986-08-30", newborn: { birthDate: "2026-01-02", birthOrder: "1" } }) { ${ERR} ... on CardRecordWritten { record } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.writeNewbornAttachment).toEqual({ __typename: 'CardRecordWritten', record: 'NEWBORN_ATTACHMENT' });
  });
});
