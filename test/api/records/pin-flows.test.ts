/**
 * PIN flows (1.27–1.29, 1.36, 4.3, 4.4) and the card update without reset (1.40) as long operations over GraphQL
 * (schema/records/pin-flows.ts), on the simulator: the mutation returns the QUEUED snapshot, the operation reaches
 * WAITING_FOR_PIN then DONE (or FAILED with the typed error); the ICD-10 codec and the reader clock as queries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERR, startRecordsGateway, type RecordsGateway } from './helpers.ts';

const OP = 'id kind stage plannedStages steps { stage } result { __typename ... on PinFlowCompleted { completedAt } ... on CardUpdated { remainingVisits } } error { code ... on VendorError { vendorCode } }';

describe('PIN flows and 1.40 as long operations', () => {
  let gw: RecordsGateway;
  beforeEach(async () => {
    gw = await startRecordsGateway();
  });
  afterEach(async () => gw.close());

  /** The last snapshot the progress stream sends, checked against a poll of operation(id). */
  const finished = async (id: string) => {
    const events = await gw.progress(id, OP);
    const last = events.at(-1);
    const { data } = await gw.gql(`query O($id: ID!) { operation(id: $id) { ${OP} } }`, { id });
    expect(data.operation).toEqual(last);
    return last;
  };

  it('sets, verifies and disables the health-card PIN, and 1.36 follows', async () => {
    const pinSet = async () => (await gw.gql(`{ healthCard { pin { ${ERR} ... on HealthCardPin { pinSet } } } }`)).data.healthCard.pin.pinSet;
    expect(await pinSet()).toBe(false);
    for (const [mutation, kind] of [
      ['setHealthCardPin', 'HEALTH_CARD_PIN_SET'],
      ['verifyHealthCardPin', 'HEALTH_CARD_PIN_VERIFY'],
    ] as const) {
      const started = await gw.gql(`mutation { ${mutation} { ${OP} } }`);
      expect(started.errors).toBeUndefined();
      expect(started.data[mutation]).toMatchObject({ kind, stage: 'QUEUED', plannedStages: ['QUEUED', 'WAITING_FOR_PIN', 'DONE'] });
      const done = await finished(started.data[mutation].id);
      expect(done).toMatchObject({ stage: 'DONE', steps: [{ stage: 'QUEUED' }, { stage: 'WAITING_FOR_PIN' }, { stage: 'DONE' }], result: { __typename: 'PinFlowCompleted' } });
    }
    expect(await pinSet()).toBe(true);
    const disabled = await gw.gql(`mutation { disableHealthCardPin { id } }`);
    expect((await finished(disabled.data.disableHealthCardPin.id)).stage).toBe('DONE');
    expect(await pinSet()).toBe(false);
  });

  it('reports a wrong PIN (forced 5102) as a FAILED operation with the typed error', async () => {
    await gw.gql('mutation { simulatorForceReturnCode(input: { function: "csVerifyHCPIN", vendorCode: 5102 }) { __typename } }');
    const started = await gw.gql(`mutation { verifyHealthCardPin { id } }`);
    expect(await finished(started.data.verifyHealthCardPin.id)).toMatchObject({ stage: 'FAILED', error: { vendorCode: 5102 } });
  });

  it('changes and unlocks the professional card PIN (4.3, 4.4)', async () => {
    for (const mutation of ['changeProfessionalCardPin', 'unlockProfessionalCard']) {
      const started = await gw.gql(`mutation { ${mutation} { id } }`);
      expect(started.errors).toBeUndefined();
      expect((await finished(started.data[mutation].id)).stage, mutation).toBe('DONE');
    }
  });

  it('runs 1.40 and refuses it while more than 3 visits are left (9081)', async () => {
    const refused = await gw.gql(`mutation { updateHealthCardWithoutReset { id kind } }`);
    expect(refused.data.updateHealthCardWithoutReset.kind).toBe('CARD_UPDATE_WITHOUT_RESET');
    expect(await finished(refused.data.updateHealthCardWithoutReset.id)).toMatchObject({ stage: 'FAILED', error: { vendorCode: 9081 } });
    await gw.close();
    gw = await startRecordsGateway({ card: 'NO_VISITS_LEFT' });
    const run = await gw.gql(`mutation { updateHealthCardWithoutReset(input: { idempotencyKey: "upd-nr-0001" }) { id } }`);
    const done = await finished(run.data.updateHealthCardWithoutReset.id);
    expect(done).toMatchObject({ stage: 'DONE', result: { __typename: 'CardUpdated', remainingVisits: 6 } });
    expect(done.steps.map((s: any) => s.stage)).toContain('WRITING_CARD');
  });
});

describe('ICD-10 codec and reader clock', () => {
  let gw: RecordsGateway;
  beforeEach(async () => {
    gw = await startRecordsGateway();
  });
  afterEach(async () => gw.close());

  it('encodes and decodes through 5.1 / 5.2, with 9127 for an unmapped code and BAD_USER_INPUT for a malformed one', async () => {
    const { data, errors } = await gw.gql(`{ icd10 {
      e: encode(code: "E11.65") { ${ERR} ... on Icd10Mapping { icd10Code cardForm } }
      d: decode(cardForm: "%E116") { ${ERR} ... on Icd10Mapping { icd10Code cardForm } }
      short: encode(code: "J069") { ${ERR} ... on Icd10Mapping { cardForm } }
    } }`);
    expect(errors).toBeUndefined();
    expect(data.icd10.e).toEqual({ __typename: 'Icd10Mapping', icd10Code: 'E1165', cardForm: '%E116' });
    expect(data.icd10.d).toEqual({ __typename: 'Icd10Mapping', icd10Code: 'E1165', cardForm: '%E116' });
    expect(data.icd10.short.cardForm).toBe('J069');
    const unmapped = await gw.gql(`{ icd10 { encode(code: "Z9999XX") { ${ERR} } } }`);
    expect(unmapped.data.icd10.encode).toMatchObject({ __typename: 'VendorError', vendorCode: 9127 });
    const bad = await gw.gql(`{ icd10 { decode(cardForm: "x") { __typename } } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cardForm' });
  });

  it('reads the reader clock (1.34) in both forms', async () => {
    const { data } = await gw.gql(`{ readerClock { ${ERR} ... on ReaderClock { dateTime dateTimeRoc } } }`);
    expect(data.readerClock.dateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(data.readerClock.dateTimeRoc).toMatch(/^\d{13}$/);
  });
});
