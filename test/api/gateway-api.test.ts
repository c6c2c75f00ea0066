/**
 * The whole GraphQL API in-process (yoga.fetch, no socket) over the embedded simulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import type { VisitStrategy } from '../../src/ports/card-stack.ts';
import { createConsoleLogger } from '../../src/logger.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../helpers/auth.ts';

let services: RunningServices;
let yoga: ReturnType<typeof createApp>;

async function gql(query: string, variables?: Record<string, unknown>) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH_HEADERS },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

function start(strategy: VisitStrategy = 'N1') {
  services = createSimulatorServices({ strategy });
  yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
}

beforeEach(() => start());
afterEach(async () => {
  await services[Symbol.asyncDispose]();
});

const VISIT = /* GraphQL */ `
  mutation Visit($category: TreatmentCategory!) {
    startVisit(input: { treatmentCategory: $category }) {
      __typename
      ... on Visit { visitTime visitTimeRoc seqNumber hospitalId signature samId sameDayVisit treatmentId treatmentIdSource treatmentIdPending strategy warnings { vendorCode } }
      ... on Error { code message messageZh retryable hint } ... on VendorError { vendorCode }
    }
  }
`;

describe('gateway API (simulator, in-process)', () => {
  it('describes the gateway and its backend', async () => {
    const { data } = await gql('{ gateway { version backend ready readinessReasons controlSoftware { ... on ControlSoftware { version versionCode libraryPath } } } }');
    expect(data.gateway).toMatchObject({ backend: 'SIMULATOR', ready: true, readinessReasons: [] });
    expect(data.gateway.controlSoftware).toMatchObject({ version: '5.1.5.8', versionCode: 5158 });
  });

  it('answers a missing card with a typed error in the union, in both languages', async () => {
    const { data, errors } = await gql('{ healthCard { basicData { __typename ... on Error { code category retryable message messageZh hint hintZh } ... on VendorError { vendorCode } } } }');
    expect(errors).toBeUndefined();
    expect(data.healthCard.basicData).toMatchObject({ __typename: 'VendorError', vendorCode: 4013, category: 'CARD', retryable: true });
    expect(data.healthCard.basicData.messageZh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('reads a rare-character name without rejecting the card', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: RARE_CHARACTER_NAME }) { __typename } }');
    const { data } = await gql('{ healthCard { state { ... on HealthCardState { status inserted } } basicData { ... on BasicData { idNumber sex birthDate name { text rawHex hasRareCharacters } } } } }');
    expect(data.healthCard.basicData.name).toEqual({ text: '林\uE000華', rawHex: expect.stringContaining('FA40'), hasRareCharacters: true });
    expect(data.healthCard.basicData.sex).toBe('FEMALE');
    // Fields run in order: the state was read before basicData authenticated the card with the SAM.
    expect(data.healthCard.state).toEqual({ status: 'NOT_SAM_AUTHENTICATED', inserted: true });
    const after = await gql('{ healthCard { state { ... on HealthCardState { status } } } }');
    expect(after.data.healthCard.state.status).toBe('SAM_AUTHENTICATED');
  });

  it('runs a whole visit: card, visit, treatment ID, write, cancel', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    const reg = await gql('{ healthCard { registerData { ... on RegisterData { remainingVisits cardValidUntil } } lastSeqNumber { ... on LastSeqNumber { seqNumber } } } }');
    expect(reg.data.healthCard.registerData.remainingVisits).toBe(6);
    expect(reg.data.healthCard.lastSeqNumber.seqNumber).toBe('0041');

    const visit = (await gql(VISIT, { category: 'WESTERN_MEDICINE_OUTPATIENT' })).data.startVisit;
    expect(visit).toMatchObject({ __typename: 'Visit', seqNumber: '0042', hospitalId: '3501200000', samId: '001000000103', sameDayVisit: false, treatmentIdSource: 'CONTROL_SOFTWARE_1_53', strategy: 'N1' });
    expect(visit.signature).toHaveLength(256);
    expect(visit.treatmentId).toHaveLength(20);

    const byVisit = await gql('mutation($t: DateTime!) { treatmentIdForVisit(input: { visitTime: $t }) { ... on TreatmentId { treatmentId source } } }', { t: visit.visitTime });
    expect(byVisit.data.treatmentIdForVisit).toEqual({ treatmentId: visit.treatmentId, source: 'CONTROL_SOFTWARE_1_56' });

    const write = await gql(
      `mutation($input: WriteTreatmentInput!) { writeTreatment(input: $input) { __typename ... on TreatmentWritten { apis visitTimeRoc } ... on Error { code } } }`,
      { input: { visitTime: visit.visitTimeRoc, idNumber: 'A123456789', birthDate: '1980-05-12', diagnoses: ['J069', 'R05'], fees: { outpatientFee: 350, outpatientCopay: 50 } } },
    );
    expect(write.data.writeTreatment).toEqual({ __typename: 'TreatmentWritten', apis: ['1.16', '1.17'], visitTimeRoc: visit.visitTimeRoc });
    expect(services.simulator!.writeCount(visit.visitTimeRoc)).toBe(2);

    const cancel = await gql('mutation($t: DateTime!) { cancelVisit(input: { visitTime: $t }) { __typename ... on CancelledVisit { cancelledAt } ... on VendorError { vendorCode } } }', { t: visit.visitTimeRoc });
    expect(cancel.data.cancelVisit).toEqual({ __typename: 'CancelledVisit', cancelledAt: expect.stringMatching(/\+08:00$/) });
    const again = await gql('mutation($t: DateTime!) { cancelVisit(input: { visitTime: $t }) { __typename ... on Error { code } ... on VendorError { vendorCode } } }', { t: visit.visitTimeRoc });
    expect(again.data.cancelVisit).toMatchObject({ __typename: 'VendorError', vendorCode: 5153 });
  });

  it.each([
    ['SEQ256_TREATNUM', 'CONTROL_SOFTWARE_1_56'],
    ['SEQ256_QUICK_TREATNUM', 'CONTROL_SOFTWARE_1_56'],
    ['N1', 'CONTROL_SOFTWARE_1_53'],
  ] as const)('strategy %s takes the treatment ID from %s', async (strategy, source) => {
    await services[Symbol.asyncDispose]();
    start(strategy);
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    const visit = (await gql(VISIT, { category: 'DENTAL_OUTPATIENT' })).data.startVisit;
    expect(visit).toMatchObject({ __typename: 'Visit', strategy, treatmentIdSource: source, treatmentIdPending: false });
  });

  it('maps each edge card to its typed error', async () => {
    const cases: [string, string, number][] = [
      ['EXPIRED', 'VendorError', 5003],
      ['CANCELLED', 'VendorError', 5002],
      ['NO_VISITS_LEFT', 'VendorError', 5001],
      ['NOT_INSURED', 'VendorError', 9094],
    ];
    for (const [card, type, code] of cases) {
      await gql(`mutation { simulatorInsertHealthCard(input: { card: ${card} }) { __typename } }`);
      const { data } = await gql(VISIT, { category: 'WESTERN_MEDICINE_OUTPATIENT' });
      expect([card, data.startVisit.__typename, data.startVisit.vendorCode]).toEqual([card, type, code]);
    }
  });

  it('returns an unknown vendor code typed, with its number', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    await gql('mutation { simulatorForceReturnCode(input: { function: "hisGetBasicData", vendorCode: 8765 }) { __typename } }');
    const { data } = await gql('{ healthCard { basicData { __typename ... on Error { code } ... on VendorError { vendorCode } } } }');
    expect(data.healthCard.basicData).toEqual({ __typename: 'VendorError', code: 'VENDOR_CODE_UNKNOWN', vendorCode: 8765 });
  });

  it('refuses bad input with BAD_USER_INPUT naming the field and the rule', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    const future = await gql('mutation { treatmentIdForVisit(input: { visitTime: "2991231235959" }) { __typename } }');
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.visitTime', rule: 'must not be in the future' });
    const badDate = await gql('mutation { cancelVisit(input: { visitTime: "1130230101010" }) { __typename } }');
    expect(badDate.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.visitTime' });
    const badId = await gql('mutation { treatmentIdWithoutCard(input: { idNumber: "A123456788" }) { __typename } }');
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idNumber' });
    const badDx = await gql(
      `mutation($input: WriteTreatmentInput!) { writeTreatment(input: $input) { __typename } }`,
      { input: { visitTime: '1130101090000', idNumber: 'A123456789', birthDate: '1980-05-12', diagnoses: ['J06.9'] } },
    );
    expect(badDx.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.diagnoses[0]' });
    const badFee = await gql(
      `mutation($input: WriteTreatmentInput!) { writeTreatment(input: $input) { __typename } }`,
      { input: { visitTime: '1130101090000', idNumber: 'A123456789', birthDate: '1980-05-12', diagnoses: ['J069'], fees: { outpatientFee: -1, outpatientCopay: 0 } } },
    );
    expect(badFee.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.fees.outpatientFee' });
  });

  it('gets a treatment ID without a card (1.54)', async () => {
    const { data } = await gql('mutation { treatmentIdWithoutCard(input: { idNumber: "A123456789" }) { ... on TreatmentId { treatmentId source hospitalId } } }');
    expect(data.treatmentIdWithoutCard).toMatchObject({ source: 'CONTROL_SOFTWARE_1_54', hospitalId: '3501200000' });
    expect(data.treatmentIdWithoutCard.treatmentId).toHaveLength(20);
  });

  it('reports the SAM, verifies it, and resets the control software', async () => {
    const before = await gql('{ sam { ... on Sam { hospitalId samId authenticated status testModule } } }');
    expect(before.data.sam).toMatchObject({ hospitalId: '3501200000', samId: '001000000103', authenticated: false, testModule: true });
    const verified = await gql('mutation { verifySam { ... on Sam { authenticated status } } }');
    expect(verified.data.verifySam).toEqual({ authenticated: true, status: 'AUTHENTICATED' });
    const reset = await gql('mutation { resetControlSoftware(input: { target: SAM }) { ... on ControlSoftwareReset { target resetAt } } }');
    expect(reset.data.resetControlSoftware).toEqual({ target: 'SAM', resetAt: expect.stringMatching(/\+08:00$/) });
    const after = await gql('{ sam { ... on Sam { authenticated } } }');
    expect(after.data.sam.authenticated).toBe(false);
  });

  it('shows both lights and the professional card walking to PIN verified', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    await gql('mutation { simulatorInsertProfessionalCard { __typename } }');
    await gql('{ healthCard { basicData { __typename } } }');
    const pin = await gql('mutation { verifyProfessionalCardPin { ... on ProfessionalCard { status pinVerified identity { ... on ProfessionalCardIdentity { name { text } serialNumber } } } } }');
    expect(pin.data.verifyProfessionalCardPin).toMatchObject({ status: 'PIN_VERIFIED', pinVerified: true, identity: { name: { text: '李醫師' } } });
    const { data } = await gql('{ lightState { ... on LightState { healthCard { level colour } professionalCard { level colour } } } readers { id slot light { ... on CardLight { level } } } }');
    expect(data.lightState).toEqual({ healthCard: { level: 3, colour: 'PURPLE' }, professionalCard: { level: 3, colour: 'PURPLE' } });
    expect(data.readers).toHaveLength(2);
  });

  it('masks crashes instead of leaking them, to the client and in the log', async () => {
    const lines: string[] = [];
    const broken = createApp(
      { ...services, cards: { ...services.cards, basicData: () => Promise.reject(new Error('secret A123456789')) } } as unknown as RunningServices,
      { graphiql: false, logger: createConsoleLogger({ write: (line) => lines.push(line) }), security: { token: TEST_TOKEN } },
    );
    const response = await broken.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
      body: JSON.stringify({ query: '{ healthCard { basicData { __typename } } }' }),
    });
    const body = await response.text();
    expect(body).not.toContain('A123456789');
    expect(JSON.parse(body).errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(lines.join('\n')).toContain('A1******89');
    expect(lines.join('\n')).not.toContain('A123456789');
  });
});

describe('GraphiQL on the simulator', () => {
  it('starts with the simulator token in its Headers tab, so mutations can be rehearsed at once', async () => {
    const sim = createSimulatorServices({ strategy: 'N1' });
    const app = createApp(sim, { security: { token: 'simulator-token-0123456789abcdefghij' } });
    const page = await (await app.fetch('http://127.0.0.1/graphql', { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('Bearer simulator-token-0123456789abcdefghij');
    await sim[Symbol.asyncDispose]();
  });

  it('never carries a token for a real backend', async () => {
    const sim = createSimulatorServices({ strategy: 'N1' });
    const real = createApp({ ...sim, simulator: null }, { security: { token: 'real-token-0123456789abcdefghijklmn' } });
    const page = await (await real.fetch('http://127.0.0.1/graphql', { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('NHI Card Gateway');
    expect(page).not.toContain('real-token-0123456789abcdefghijklmn');
    await sim[Symbol.asyncDispose]();
  });
});
