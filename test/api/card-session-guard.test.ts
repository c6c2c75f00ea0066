/**
 * Card sessions over GraphQL: healthCard { cardSession } and readerEvents { cardSession }, and the write guard —
 * a write whose expectedCardSession is not the card in the reader now is refused with CARD_CHANGED before any
 * control-software call (the simulator counts the writes). Also over the native fixture through koffi.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../helpers/auth.ts';
import { BEDS, startGateway, type TestGateway } from '../integration/webapi/helpers.ts';
import { loadCshisLibrary, loadFixtureControls } from '../../src/adapters/cshis/native.ts';
import { FIXTURE_SO } from '../integration/cshis/helpers.ts';

let gateway: TestGateway | null = null;
afterEach(async () => {
  await gateway?.close();
  gateway = null;
});

const SESSION = '{ healthCard { cardSession } }';
const START = /* GraphQL */ `
  mutation ($s: ID) {
    startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT, expectedCardSession: $s }) {
      __typename
      ... on Visit { visitTime visitTimeRoc seqNumber }
      ... on Error { code action }
    }
  }
`;
const WRITE = /* GraphQL */ `
  mutation ($s: ID, $t: DateTime!) {
    writeTreatment(input: { visitTime: $t, idNumber: "A123456789", birthDate: "1980-05-12", diagnoses: ["J069"], expectedCardSession: $s }) {
      __typename
      ... on Error { code }
    }
  }
`;

describe.each(BEDS)('card sessions over GraphQL on the %s', (bed) => {
  it('a write for the previous card is refused with CARD_CHANGED and nothing reaches the card', async () => {
    gateway = await startGateway({ bed, strategy: 'N1' });
    await gateway.insertCard('STANDARD');
    const first = (await gateway.gql(SESSION)).data.healthCard.cardSession;
    expect(first).toMatch(/^cs_/);
    const visit = (await gateway.gql(START, { s: first })).data.startVisit;
    expect(visit.__typename).toBe('Visit');
    expect((await gateway.gql(SESSION)).data.healthCard.cardSession).toBe(first);

    // Another patient's card goes in (on the fixture: out and in between any polls).
    await gateway.insertCard('RARE_CHARACTER_NAME');
    const second = (await gateway.gql(SESSION)).data.healthCard.cardSession;
    expect(second).toMatch(/^cs_/);
    expect(second).not.toBe(first);

    const refused = (await gateway.gql(WRITE, { s: first, t: visit.visitTime })).data.writeTreatment;
    expect(refused).toEqual({ __typename: 'GatewayError', code: 'CARD_CHANGED' });
    // Nothing reached the card: the simulator's and the fixture's own write counters.
    if (bed === 'simulator') expect(gateway.services.simulator!.writeCount(visit.visitTimeRoc)).toBe(0);
    else expect(loadFixtureControls(loadCshisLibrary(FIXTURE_SO)).callCount('hisWriteTreatmentCode')).toBe(0);
    const refusedVisit = (await gateway.gql(START, { s: first })).data.startVisit;
    expect(refusedVisit).toMatchObject({ __typename: 'GatewayError', code: 'CARD_CHANGED', action: 'USE_ANOTHER_CARD' });
  });
});

describe('without expectedCardSession', () => {
  let services: RunningServices;
  afterEach(async () => services?.[Symbol.asyncDispose]());

  it('writes as before, and healthCard { cardSession } is null without a card', async () => {
    services = createSimulatorServices({ strategy: 'N1' });
    const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
    const gql = async (query: string) =>
      (await (await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query }) })).json()) as any;
    expect((await gql(SESSION)).data.healthCard.cardSession).toBeNull();
    services.simulator!.insertHealthCard('STANDARD');
    const visit = (await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename } }')).data.startVisit;
    expect(visit.__typename).toBe('Visit');
  });
});
