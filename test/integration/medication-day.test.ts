/**
 * A day with medication, end to end over GraphQL, on the simulator AND on the native fixture through the real koffi
 * adapter (the cshis backend as `--backend cshis` composes it: test/integration/webapi/helpers.ts): register two
 * visits, read history and allergies, write diagnoses and fees, write signed prescriptions (single and multiple),
 * add an allergy, upload the day's file built from the signatures, cancel one visit, list the card's visits
 * joined with the card-write journal, and list them again after a gateway restart (fresh services over the same
 * reader and journal file; on the fixture the library also forgets the old process: TestGateway.restart).
 * Then a visit whose treatment ID is fetched later (treatmentIdForVisit) shows as completed in cardVisits,
 * before and after a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BEDS, startGateway, type Bed, type TestGateway } from './webapi/helpers.ts';
import { FIXTURE_SO, ensureFixtureBuilt } from './cshis/helpers.ts';
import { loadCshisLibrary, loadFixtureControls } from '../../src/adapters/cshis/native.ts';
import { SIMULATED_PROFESSIONALS } from '../../src/adapters/simulator/patients.ts';
import { encodeBig5 } from '../../src/codecs/big5.ts';
import { collectSse } from '../helpers/sse.ts';
import { AUTH_HEADERS } from '../helpers/auth.ts';

const STANDARD = { idNumber: 'A123456789', birthDate: '1980-05-12' } as const;
const HOLDER = `idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}"`;
const ERR = '__typename ... on Error { code message } ... on VendorError { vendorCode }';

/** Puts the STANDARD card and a physician's card in the bed's reader. */
async function insertCards(bed: Bed, gw: TestGateway): Promise<void> {
  if (bed === 'simulator') {
    await gw.gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    await gw.gql('mutation { simulatorInsertProfessionalCard { __typename } }');
    return;
  }
  await gw.insertCard('STANDARD');
  const physician = SIMULATED_PROFESSIONALS.find((p) => p.key === 'PHYSICIAN')!;
  // The same library image the gateway loaded (dlopen hands back the loaded one), so its card state is shared.
  loadFixtureControls(loadCshisLibrary(FIXTURE_SO)).insertProfessionalCard({
    serial: physician.serialNumber,
    id: physician.idNumber,
    nameBig5: encodeBig5(physician.name),
    englishName: physician.englishName,
  });
}

describe.each(BEDS)('a day with medication (%s)', (bed) => {
  let gw: TestGateway;
  let dir: string;
  beforeEach(async () => {
    if (bed === 'fixture') ensureFixtureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'medication-day-'));
    gw = await startGateway({ strategy: 'N1', bed, journalPath: join(dir, 'card-writes.jsonl') });
    await insertCards(bed, gw);
  });
  afterEach(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers, reads, writes signed prescriptions and an allergy, uploads, cancels one visit and lists the card visits', async () => {
    const pin = await gw.gql(`mutation { verifyProfessionalCardPin { ${ERR} ... on ProfessionalCard { pinVerified } } }`);
    expect(pin.data.verifyProfessionalCardPin, JSON.stringify(pin)).toMatchObject({ pinVerified: true });

    // register two visits
    const visit = async (key: string) => {
      const { data, errors } = await gw.gql(
        `mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT, idempotencyKey: "${key}" }) { ${ERR} ... on Visit { visitTimeRoc treatmentId treatmentIdPending } } }`,
      );
      expect(errors).toBeUndefined();
      expect(data.startVisit.__typename, JSON.stringify(data)).toBe('Visit');
      return data.startVisit as { visitTimeRoc: string; treatmentIdPending: boolean };
    };
    const morning = await visit('day-visit-morning');
    const second = await visit('day-visit-second');
    expect(second.visitTimeRoc).not.toBe(morning.visitTimeRoc);

    // read history and allergies
    const history = await gw.gql(`{ healthCard {
      visits { ${ERR} ... on VisitHistory { visits { visitTimeRoc } } }
      allergies { ${ERR} ... on AllergyList { allergies { slot name { text } } } }
    } }`);
    expect(history.errors).toBeUndefined();
    expect(history.data.healthCard.visits.visits.map((v: any) => v.visitTimeRoc)).toEqual(
      expect.arrayContaining([morning.visitTimeRoc, second.visitTimeRoc]),
    );
    expect(history.data.healthCard.allergies.__typename).toBe('AllergyList');

    // diagnoses and fees
    const treatment = await gw.gql(
      `mutation { writeTreatment(input: { visitTime: "${morning.visitTimeRoc}", ${HOLDER}, diagnoses: ["J069"], fees: { outpatientFee: 420, outpatientCopay: 50 }, idempotencyKey: "day-treat-morning" }) { ${ERR} } }`,
    );
    expect(treatment.data.writeTreatment.__typename, JSON.stringify(treatment)).toBe('TreatmentWritten');

    // signed prescriptions: single, then multiple
    const WRITE = `mutation W($input: WritePrescriptionsInput!) { writePrescriptions(input: $input) { ${ERR}
      ... on PrescriptionsWritten { api prescriptions { signature record { itemCode visitTimeRoc } } } } }`;
    const rx = (itemCode: string) => ({ orderType: 'DRUG', itemCode, usage: 'TID', days: 3, total: 9, dispensing: 'SELF_DISPENSED' });
    const base = { visitTime: morning.visitTimeRoc, ...STANDARD, signed: true };
    const single = await gw.gql(WRITE, { input: { ...base, prescriptions: [rx('AC00001100')], idempotencyKey: 'day-rx-single' } });
    expect(single.data.writePrescriptions.api, JSON.stringify(single)).toBe('hisWritePrescriptionSign');
    const multiple = await gw.gql(WRITE, { input: { ...base, prescriptions: [rx('AC00002100'), rx('AC00003100'), rx('AC00004100')], idempotencyKey: 'day-rx-multiple' } });
    expect(multiple.data.writePrescriptions.api).toBe('hisWriteMultiPrescriptSign');
    const signed = [...single.data.writePrescriptions.prescriptions, ...multiple.data.writePrescriptions.prescriptions];
    expect(signed.map((p: any) => p.record.itemCode)).toEqual(['AC00001100', 'AC00002100', 'AC00003100', 'AC00004100']);
    for (const p of signed) {
      expect(p.signature).toMatch(/^.{40}$/);
      expect(p.record.visitTimeRoc).toBe(morning.visitTimeRoc);
    }

    // add an allergy
    const allergy = await gw.gql(`mutation { writeAllergy(input: { ${HOLDER}, slot: 1, name: "盤尼西林", idempotencyKey: "day-allergy-1" }) { ${ERR} ... on AllergiesWritten { slots } } }`);
    expect(allergy.data.writeAllergy, JSON.stringify(allergy)).toMatchObject({ __typename: 'AllergiesWritten', slots: [1] });
    const allergies = await gw.gql(`{ healthCard { allergies { ... on AllergyList { allergies { slot name { text } } } } } }`);
    expect(allergies.data.healthCard.allergies.allergies).toContainEqual({ slot: 1, name: { text: '盤尼西林' } });

    // upload a file the HIS built from the signed records (its real layout is NHI's; this one only carries them)
    const file = join(dir, 'upload.xml');
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="Big5"?><RECS>${signed.map((p: any) => `<REC><ITEM>${p.record.itemCode}</ITEM><SIGN>${p.signature}</SIGN></REC>`).join('')}</RECS>`,
      'latin1',
    );
    const upload = await gw.gql(`mutation U($file: String!) { uploadData(input: { file: $file, recordCount: ${signed.length} }) { id } }`, { file });
    expect(upload.errors).toBeUndefined();
    const events = await collectSse<{ operationProgress: any }>(
      'http://localhost/graphql',
      `subscription ($id: ID!) { operationProgress(id: $id) { stage result { ... on DataUploaded { recordCount } } error { code } } }`,
      { id: upload.data.uploadData.id },
      { fetch: gw.fetch, headers: AUTH_HEADERS },
    );
    expect(events.at(-1)?.data?.operationProgress).toMatchObject({ stage: 'DONE', result: { recordCount: 4 } });

    // cancel the second visit
    const cancel = await gw.gql(`mutation { cancelVisit(input: { visitTime: "${second.visitTimeRoc}", idempotencyKey: "day-cancel-second" }) { ${ERR} } }`);
    expect(cancel.data.cancelVisit.__typename, JSON.stringify(cancel)).toBe('CancelledVisit');

    // what a HIS asks after its own crash
    const listed = await gw.gql(LIST_VISITS);
    expect(listed.errors).toBeUndefined();
    const visits = listed.data.cardVisits.visits;
    const morningOnCard = visits.find((v: any) => v.card.visitTimeRoc === morning.visitTimeRoc);
    expect(morningOnCard.card.fees.outpatientFee).toBe(420);
    expect(morningOnCard.journal).toMatchObject({
      registeredByGateway: true,
      treatmentIdPending: morning.treatmentIdPending,
      diagnosesWrittenAt: expect.stringMatching(/\+08:00$/),
      prescriptionsWritten: 4,
      cancelledAt: null,
    });
    // A cancelled visit either leaves the ring or stays marked cancelled by the journal.
    const secondOnCard = visits.find((v: any) => v.card.visitTimeRoc === second.visitTimeRoc);
    if (secondOnCard) expect(secondOnCard.journal.cancelledAt).toMatch(/\+08:00$/);

    // the gateway restarts: the card keeps its data, the services start fresh, the journal file stays
    gw = await gw.restart();
    const recovered = await gw.gql(LIST_VISITS);
    expect(recovered.errors, JSON.stringify(recovered.errors)).toBeUndefined();
    expect(recovered.data.cardVisits.__typename, JSON.stringify(recovered)).toBe('CardVisits');
    expect(recovered.data.cardVisits.visits).toEqual(visits);
    // what the card itself holds came back from the card, not from memory: the prescriptions read again
    const reread = await gw.gql(`{ healthCard { prescriptions { ${ERR} ... on Prescriptions { outpatient { itemCode } } } } }`);
    expect(reread.data.healthCard.prescriptions.outpatient.map((p: any) => p.itemCode), JSON.stringify(reread)).toEqual(
      expect.arrayContaining(['AC00001100', 'AC00002100', 'AC00003100', 'AC00004100']),
    );
  });

  it('a treatment ID fetched later shows in cardVisits, and still does after a restart', async () => {
    await gw.close();
    // 1.56 after the visit (SEQ256_TREATNUM): failing it leaves the visit on the card with its ID pending.
    gw = await startGateway({ strategy: 'SEQ256_TREATNUM', bed, journalPath: join(dir, 'pending.jsonl') });
    await insertCards(bed, gw);
    await forceReturnCode(bed, gw, 'hisGetTreatNumICCard', 4061);
    const started = await gw.gql(
      `mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT, idempotencyKey: "day-pending-visit" }) { ${ERR} ... on Visit { visitTimeRoc treatmentId treatmentIdPending } } }`,
    );
    const visit = started.data.startVisit;
    expect(visit, JSON.stringify(started)).toMatchObject({ __typename: 'Visit', treatmentId: null, treatmentIdPending: true });
    const journalOf = async (g: TestGateway) => {
      const listed = await g.gql(LIST_VISITS);
      expect(listed.data?.cardVisits?.__typename, JSON.stringify(listed)).toBe('CardVisits');
      return listed.data.cardVisits.visits.find((v: any) => v.card.visitTimeRoc === visit.visitTimeRoc)?.journal;
    };
    expect(await journalOf(gw)).toMatchObject({ registeredByGateway: true, treatmentId: null, treatmentIdPending: true });

    await forceReturnCode(bed, gw, 'hisGetTreatNumICCard', 0);
    const fetched = await gw.gql(
      `mutation { treatmentIdForVisit(input: { visitTime: "${visit.visitTimeRoc}" }) { ${ERR} ... on TreatmentId { treatmentId source } } }`,
    );
    const treatmentId = fetched.data.treatmentIdForVisit.treatmentId;
    expect(fetched.data.treatmentIdForVisit, JSON.stringify(fetched)).toMatchObject({ __typename: 'TreatmentId', source: 'CONTROL_SOFTWARE_1_56' });
    expect(treatmentId).toMatch(/\S/);
    const completed = { registeredByGateway: true, treatmentId, treatmentIdPending: false };
    expect(await journalOf(gw)).toMatchObject(completed);

    gw = await gw.restart();
    expect(await journalOf(gw)).toMatchObject(completed);
  });
});

const LIST_VISITS = `{ cardVisits { ${ERR} ... on CardVisits { visits {
  card { visitTimeRoc seqNumber fees { outpatientFee } }
  journal { registeredByGateway treatmentId treatmentIdPending diagnosesWrittenAt prescriptionsWritten cancelledAt }
} } } }`;

/** Makes `fn` return `code` from now on (0 clears), through the bed's own control. */
async function forceReturnCode(bed: Bed, gw: TestGateway, fn: 'hisGetTreatNumICCard', code: number): Promise<void> {
  if (bed === 'simulator') {
    const forced = await gw.gql(`mutation { simulatorForceReturnCode(input: { function: "${fn}", vendorCode: ${code === 0 ? 'null' : code} }) { __typename } }`);
    expect(forced.errors).toBeUndefined();
    return;
  }
  loadFixtureControls(loadCshisLibrary(FIXTURE_SO)).setForcedRc(fn, code);
}
