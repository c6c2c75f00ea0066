/**
 * The simulator rehearses what the real control software does (issue 15, item 4), proved through GraphQL
 * against the real schema (docs/simulator.md lists the rules):
 * 1. professional-card requirements where the DLL has them (1.20 / 1.46: 4014 before the call, 4042, then the
 *    doctor's ID); 1.16 / 1.47 write without one and return no doctor, as docs/reference/buffers.md documents;
 * 2. visit times from the clock: distinct, increasing, never ahead of it, even two visits within one second;
 * 3. the insurance check (1.55) answers what the visit would for the expired, no-visits-left, cancelled and
 *    uninsured cards;
 * 4. `retryable` and `action` from the one catalogue: an expired or used-up card is not retryable, UPDATE_CARD;
 * 5. every gateway-side code a card call can end with can be forced, and arrives typed as in a real failure.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { catalogueEntry } from '../../src/errors/catalogue.ts';
import { FORCIBLE_GATEWAY_CODES } from '../../src/ports/simulator.ts';
import { SIMULATED_PROFESSIONALS } from '../../src/adapters/simulator/patients.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../helpers/auth.ts';
import { collectSse } from '../helpers/sse.ts';

const STANDARD = { idNumber: 'A123456789', birthDate: '1980-05-12' } as const;
const HOLDER = `idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}"`;
const PHYSICIAN_ID = SIMULATED_PROFESSIONALS.find((p) => p.key === 'PHYSICIAN')!.idNumber;
const ERR = '__typename ... on Error { code retryable action } ... on VendorError { vendorCode }';

let services: RunningServices;
let yoga: ReturnType<typeof createApp>;

async function gql(query: string): Promise<{ data?: any; errors?: any[] }> {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH_HEADERS },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

async function insert(card: string): Promise<void> {
  await gql('mutation { simulatorReset { __typename } }');
  await gql(`mutation { simulatorInsertHealthCard(input: { card: ${card} }) { __typename } }`);
}

async function startVisit(): Promise<any> {
  const { data, errors } = await gql(
    `mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERR} ... on Visit { visitTime visitTimeRoc seqNumber } } }`,
  );
  expect(errors).toBeUndefined();
  return data.startVisit;
}

const writeTreatment = (visitTimeRoc: string, combined: boolean) =>
  gql(
    `mutation { writeTreatment(input: { visitTime: "${visitTimeRoc}", ${HOLDER}, diagnoses: ["J069"], combined: ${combined}, fees: { outpatientFee: 350, outpatientCopay: 50 } }) { ${ERR} ... on TreatmentWritten { apis doctor { idNumber } } } }`,
  );
const writeAllergy = () => gql(`mutation { writeAllergy(input: { ${HOLDER}, slot: 2, name: "Aspirin" }) { ${ERR} ... on AllergiesWritten { slots doctor { idNumber } } } }`);

beforeEach(() => {
  services = createSimulatorServices({ strategy: 'N1', simulator: { networkLatencyMs: 0 } });
  yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
});
afterEach(async () => {
  await services[Symbol.asyncDispose]();
});

describe('1. professional-card requirements as the control software has them', () => {
  it('allergy writes (1.20 / 1.46): 4014 without a professional card, 4042 before its PIN, then the doctor’s ID', async () => {
    await insert('STANDARD');
    expect((await writeAllergy()).data.writeAllergy).toEqual({ __typename: 'VendorError', code: 'PROFESSIONAL_CARD_NOT_INSERTED', retryable: true, action: null, vendorCode: 4014 });
    await gql('mutation { simulatorInsertProfessionalCard { __typename } }');
    const unverified = (await writeAllergy()).data.writeAllergy;
    expect(unverified).toMatchObject({ __typename: 'VendorError', code: 'PROFESSIONAL_CARD_PIN_NOT_VERIFIED', vendorCode: 4042 });
    // Nothing was written by the refused calls.
    const slots = async () =>
      (await gql('{ healthCard { allergies { ... on AllergyList { allergies { slot name { text } } } } } }')).data.healthCard.allergies.allergies.map(
        (a: { slot: number; name: { text: string } }) => [a.slot, a.name.text],
      );
    expect(await slots()).toEqual([[1, '盤尼西林']]);
    await gql('mutation { verifyProfessionalCardPin { __typename } }');
    expect((await writeAllergy()).data.writeAllergy).toEqual({ __typename: 'AllergiesWritten', slots: [2], doctor: { idNumber: PHYSICIAN_ID } });
    expect(await slots()).toEqual([[1, '盤尼西林'], [2, 'Aspirin']]);
  });

  it('diagnoses (1.16, 1.47) are written without a professional card and name no doctor; with a verified one, the doctor', async () => {
    await insert('STANDARD');
    const first = await startVisit();
    for (const combined of [false, true]) {
      const out = (await writeTreatment(first.visitTimeRoc, combined)).data.writeTreatment;
      expect(out).toEqual({ __typename: 'TreatmentWritten', apis: combined ? ['1.47'] : ['1.16', '1.17'], doctor: null });
    }
    await gql('mutation { simulatorInsertProfessionalCard { __typename } }');
    expect((await writeTreatment(first.visitTimeRoc, true)).data.writeTreatment.doctor).toBeNull();
    await gql('mutation { verifyProfessionalCardPin { __typename } }');
    expect((await writeTreatment(first.visitTimeRoc, true)).data.writeTreatment.doctor).toEqual({ idNumber: PHYSICIAN_ID });
  });
});

describe('2. visit times come from the clock', () => {
  it('three visits in a row: distinct, increasing by whole seconds, never ahead of the clock', async () => {
    await insert('STANDARD');
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const asked = Math.floor(Date.now() / 1000) * 1000;
      const visit = await startVisit();
      const answered = Date.now();
      expect(visit.__typename).toBe('Visit');
      const at = Date.parse(visit.visitTime);
      expect(at % 1000).toBe(0);
      expect(at).toBeGreaterThanOrEqual(asked);
      expect(at).toBeLessThanOrEqual(answered);
      times.push(at);
    }
    expect(times[1]).toBeGreaterThan(times[0]!);
    expect(times[2]).toBeGreaterThan(times[1]!);
    // The card finds each visit by its time (1.56): all three are there, one each.
    const visits = await gql('{ healthCard { visits { ... on VisitHistory { visits { visitTime } } } } }');
    const listed = visits.data.healthCard.visits.visits.map((v: { visitTime: string }) => Date.parse(v.visitTime));
    for (const at of times) expect(listed.filter((t: number) => t === at)).toHaveLength(1);
  });
});

describe('3 + 4. the insurance check agrees with the visit; retryable and action from the catalogue', () => {
  const cards: [string, string, number, boolean, string | null][] = [
    ['EXPIRED', 'HEALTH_CARD_EXPIRED', 5003, false, 'UPDATE_CARD'],
    ['NO_VISITS_LEFT', 'NO_REMAINING_VISITS', 5001, false, 'UPDATE_CARD'],
    ['CANCELLED', 'HEALTH_CARD_CANCELLED', 5002, false, 'USE_ANOTHER_CARD'],
    ['NOT_INSURED', 'COVERAGE_SUSPENDED_OR_WITHDRAWN', 9094, false, 'CHECK_COVERAGE'],
  ];
  it.each(cards)('%s: quickInsuranceCheck and startVisit both say %s (%i), retryable %s, action %s', async (card, code, vendorCode, retryable, action) => {
    await insert(card);
    const check = await gql(`mutation { quickInsuranceCheck(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERR} } }`);
    const expected = { __typename: 'VendorError', code, vendorCode, retryable, action };
    expect(check.data.quickInsuranceCheck).toEqual(expected);
    expect(await startVisit()).toEqual(expected);
    const entry = catalogueEntry(code)!;
    expect([entry.retryable, entry.action]).toEqual([retryable, action]);
  });

  it.each(['EXPIRED', 'NO_VISITS_LEFT'])('%s: the action helps where a retry cannot — after the card update (1.30) the visit registers', async (card) => {
    await insert(card);
    const started = await gql('mutation { updateHealthCard { id } }');
    const events = await collectSse<{ operationProgress: { stage: string } }>(
      'http://localhost/graphql',
      'subscription ($id: ID!) { operationProgress(id: $id) { stage } }',
      { id: started.data.updateHealthCard.id },
      { fetch: yoga.fetch, headers: AUTH_HEADERS },
    );
    expect(events.at(-1)?.data?.operationProgress.stage).toBe('DONE');
    expect((await gql(`mutation { quickInsuranceCheck(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename } }`)).data.quickInsuranceCheck.__typename).toBe('InsuranceCheck');
    expect((await startVisit()).__typename).toBe('Visit');
  });

  it('an insured card passes the check and registers', async () => {
    await insert('STANDARD');
    const check = await gql(`mutation { quickInsuranceCheck(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERR} ... on InsuranceCheck { treatmentCategory } } }`);
    expect(check.data.quickInsuranceCheck).toEqual({ __typename: 'InsuranceCheck', treatmentCategory: 'WESTERN_MEDICINE_OUTPATIENT' });
    expect((await startVisit()).__typename).toBe('Visit');
  });
});

describe('5. gateway-side codes can be forced for rehearsal', () => {
  const force = (fn: string, code: string | null) =>
    gql(`mutation { simulatorForceGatewayCode(input: { function: "${fn}", code: ${code ?? 'null'} }) { __typename } }`);

  it.each(FORCIBLE_GATEWAY_CODES)('%s arrives as the GatewayError a real backend gives, with the catalogue’s retryable and action', async (code) => {
    await insert('STANDARD');
    expect((await force('hisGetBasicData', code)).data.simulatorForceGatewayCode.__typename).toBe('LightState');
    const { data } = await gql(`{ healthCard { basicData { ${ERR} } } }`);
    const entry = catalogueEntry(code)!;
    expect(data.healthCard.basicData).toEqual({ __typename: 'GatewayError', code, retryable: entry.retryable, action: entry.action });
    await force('hisGetBasicData', null);
    expect((await gql('{ healthCard { basicData { __typename } } }')).data.healthCard.basicData.__typename).toBe('BasicData');
  });

  it('CALL_TIMEOUT on the visit call consumes no visit; CARD_REMOVED on a read; simulatorReset clears them', async () => {
    await insert('STANDARD');
    const remaining = async () => (await gql('{ healthCard { validity { ... on CardValidity { remainingVisits } } } }')).data.healthCard.validity.remainingVisits;
    const before = await remaining();
    await force('hisGetSeqNumber256N1', 'CALL_TIMEOUT');
    // A write whose call timed out may still reach the card: it is answered as an open outcome, to be settled.
    expect(await startVisit()).toMatchObject({ __typename: 'GatewayError', code: 'OUTCOME_UNKNOWN', retryable: false });
    expect(await remaining()).toBe(before);
    await force('hisGetRegisterBasic', 'CARD_REMOVED');
    const read = await gql(`{ healthCard { registerData { ${ERR} } } }`);
    expect(read.data.healthCard.registerData).toMatchObject({ __typename: 'GatewayError', code: 'CARD_REMOVED' });
    await gql('mutation { simulatorReset { __typename } }');
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    expect((await startVisit()).__typename).toBe('Visit');
    expect((await gql('{ healthCard { registerData { __typename } } }')).data.healthCard.registerData.__typename).toBe('RegisterData');
  });

  it('refuses a code that is not a card call’s own, and a function that is not an export, naming the field', async () => {
    const wrongCode = await force('hisGetBasicData', 'HEALTH_CARD_EXPIRED');
    expect(wrongCode.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.code' });
    const wrongFunction = await force('rm -rf', 'CALL_TIMEOUT');
    expect(wrongFunction.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.function' });
  });
});
