/**
 * Prescriptions and allergies over GraphQL (schema/records/prescriptions.ts) on the simulator: reads, unsigned and
 * signed writes (each record with its own signature), allergy writes, idempotency, bad input refused before any call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERR, STANDARD, startRecordsGateway, startVisit, type RecordsGateway } from './helpers.ts';

const RX = `outpatient { visitTimeRoc orderType itemCode usage days total dispensing } longTerm { drugCode days } importantOrders { itemCode } allergies { slot name { text } }`;

const WRITE = /* GraphQL */ `
  mutation W($input: WritePrescriptionsInput!) {
    writePrescriptions(input: $input) {
      ${ERR}
      ... on PrescriptionsWritten { visitTimeRoc api prescriptions { signature record { itemCode orderType days total visitTimeRoc } } }
    }
  }
`;

const line = (itemCode: string, orderType = 'DRUG', days = 3) => ({ orderType, itemCode, usage: 'TID', days, total: 9, dispensing: 'SELF_DISPENSED' });

describe('prescriptions and allergies', () => {
  let gw: RecordsGateway;
  beforeEach(async () => {
    gw = await startRecordsGateway();
  });
  afterEach(async () => gw.close());

  it('writes unsigned, then signed single and multiple prescriptions, and reads them back (1.10, 1.41)', async () => {
    const visitTime = await startVisit(gw);
    const base = { visitTime, ...STANDARD };
    const one = await gw.gql(WRITE, { input: { ...base, prescriptions: [line('AC00001100')], idempotencyKey: 'rx-unsigned-1' } });
    expect(one.errors).toBeUndefined();
    expect(one.data.writePrescriptions).toMatchObject({ __typename: 'PrescriptionsWritten', api: 'hisWritePrescription', visitTimeRoc: visitTime });
    expect(one.data.writePrescriptions.prescriptions).toEqual([
      { signature: null, record: { itemCode: 'AC00001100', orderType: 'DRUG', days: 3, total: '9', visitTimeRoc: visitTime } },
    ]);

    const signedOne = await gw.gql(WRITE, { input: { ...base, signed: true, prescriptions: [line('AC00002100')] } });
    expect(signedOne.data.writePrescriptions.api).toBe('hisWritePrescriptionSign');
    expect(signedOne.data.writePrescriptions.prescriptions[0].signature).toMatch(/^.{40}$/);

    const signedMany = await gw.gql(WRITE, {
      input: { ...base, signed: true, prescriptions: [line('AC00003100'), line('BC00004100', 'LONG_TERM_DRUG', 28), line('AC00005100')] },
    });
    const written = signedMany.data.writePrescriptions;
    expect(written.api).toBe('hisWriteMultiPrescriptSign');
    expect(written.prescriptions.map((p: any) => p.record.itemCode)).toEqual(['AC00003100', 'BC00004100', 'AC00005100']);
    const signatures = written.prescriptions.map((p: any) => p.signature);
    for (const s of signatures) expect(s).toMatch(/^.{40}$/);
    expect(new Set(signatures).size).toBe(3);

    const read = await gw.gql(`{ healthCard { prescriptions { ${ERR} ... on Prescriptions { ${RX} } } } }`);
    expect(read.errors).toBeUndefined();
    const areas = read.data.healthCard.prescriptions;
    expect(areas.outpatient.map((r: any) => r.itemCode)).toEqual(
      expect.arrayContaining(['AC00001100', 'AC00002100', 'AC00003100', 'BC00004100', 'AC00005100']),
    );
    expect(areas.longTerm.map((r: any) => r.drugCode)).toContain('BC00004100');

    const range = await gw.gql(`{ healthCard { prescriptionRange(area: OUTPATIENT, first: 1, last: 2) { ${ERR} ... on Prescriptions { outpatient { itemCode } longTerm { drugCode } } } } }`);
    expect(range.data.healthCard.prescriptionRange.outpatient).toHaveLength(2);
    expect(range.data.healthCard.prescriptionRange.longTerm).toEqual([]);
  });

  it('returns the first result for a repeated idempotency key without writing again', async () => {
    const visitTime = await startVisit(gw);
    const input = { visitTime, ...STANDARD, signed: true, prescriptions: [line('AC00001100')], idempotencyKey: 'rx-repeat-0001' };
    const first = await gw.gql(WRITE, { input });
    const again = await gw.gql(WRITE, { input });
    expect(again.data).toEqual(first.data);
    const read = await gw.gql(`{ healthCard { prescriptions { ... on Prescriptions { outpatient { itemCode } } } } }`);
    expect(read.data.healthCard.prescriptions.outpatient.filter((r: any) => r.itemCode === 'AC00001100')).toHaveLength(1);
  });

  it('refuses bad lines, too many records and a visit not on the card with BAD_USER_INPUT naming field and rule', async () => {
    const visitTime = await startVisit(gw);
    const base = { visitTime, ...STANDARD };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, prescriptions: [line('ac-1')] }, 'input.prescriptions[0].itemCode'],
      [{ ...base, prescriptions: [line('AC00001100', 'DRUG', 100)] }, 'input.prescriptions[0].days'],
      [{ ...base, prescriptions: [{ ...line('AC00001100'), total: 123456789 }] }, 'input.prescriptions[0].total'],
      [{ ...base, prescriptions: Array.from({ length: 61 }, () => line('AC00001100')) }, 'input.prescriptions'],
      [{ ...base, visitTime: '1140101080000', prescriptions: [line('AC00001100')] }, 'input.visitTime'],
    ];
    for (const [input, field] of cases) {
      const { data, errors } = await gw.gql(WRITE, { input });
      expect(data?.writePrescriptions ?? null, field).toBeNull();
      expect(errors?.[0]?.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(errors![0].extensions.rule, field).toEqual(expect.any(String));
    }
    const read = await gw.gql(`{ healthCard { prescriptions { ... on Prescriptions { outpatient { itemCode } } } } }`);
    expect(read.data.healthCard.prescriptions.outpatient).toEqual([]);
  });

  it('writes allergies (1.20, 1.46) and reads them (1.44), Big5 names kept', async () => {
    const all = await gw.gql(
      `mutation { writeAllergies(input: { idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}", allergies: ["盤尼西林", "Aspirin"] }) { ${ERR} ... on AllergiesWritten { slots doctor { idNumber } writtenAt } } }`,
    );
    expect(all.errors).toBeUndefined();
    expect(all.data.writeAllergies).toMatchObject({ __typename: 'AllergiesWritten', slots: [1, 2] });
    const one = await gw.gql(
      `mutation { writeAllergy(input: { idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}", slot: 3, name: "磺胺類" }) { ${ERR} ... on AllergiesWritten { slots } } }`,
    );
    expect(one.data.writeAllergy).toMatchObject({ __typename: 'AllergiesWritten', slots: [3] });
    const read = await gw.gql(`{ healthCard { allergies { ${ERR} ... on AllergyList { allergies { slot name { text rawHex } } } } } }`);
    expect(read.data.healthCard.allergies.allergies.map((a: any) => [a.slot, a.name.text])).toEqual([
      [1, '盤尼西林'],
      [2, 'Aspirin'],
      [3, '磺胺類'],
    ]);
    const bad = await gw.gql(
      `mutation { writeAllergy(input: { idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}", slot: 4, name: "x" }) { __typename } }`,
    );
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.slot' });
  });

  it('refuses an allergy write without a professional card as a typed error before the call', async () => {
    await gw.gql('mutation { simulatorRemoveProfessionalCard { __typename } }');
    const { data, errors } = await gw.gql(
      `mutation { writeAllergy(input: { idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}", slot: 1, name: "Aspirin" }) { ${ERR} } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.writeAllergy).toMatchObject({ __typename: 'VendorError', vendorCode: 4014 });
  });
});
