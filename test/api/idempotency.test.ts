/**
 * Idempotency keys through GraphQL: a repeated startVisit/writeTreatment returns the first result and the
 * card is written once.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices } from '../../src/services.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../helpers/auth.ts';

describe('idempotency keys over GraphQL', () => {
  it('registers one visit and writes once, however often the HIS retries', async () => {
    const services = createSimulatorServices({ strategy: 'N1' });
    const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: any; errors?: any[] };
    };
    services.simulator!.insertHealthCard('STANDARD');
    const visitQuery = `mutation($k: String) { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT, idempotencyKey: $k }) { __typename ... on Visit { seqNumber visitTimeRoc } ... on Error { code } } }`;
    const first = (await gql(visitQuery, { k: 'desk1-visit-000001' })).data.startVisit;
    const retry = (await gql(visitQuery, { k: 'desk1-visit-000001' })).data.startVisit;
    expect(retry).toEqual(first);
    const validity = (await gql('{ healthCard { validity { ... on CardValidity { remainingVisits } } } }')).data.healthCard.validity;
    expect(validity.remainingVisits).toBe(5);

    const write = `mutation($k: String, $t: DateTime!) { writeTreatment(input: { visitTime: $t, idNumber: "A123456789", birthDate: "1980-05-12", diagnoses: ["J069"], idempotencyKey: $k }) { __typename ... on TreatmentWritten { apis } ... on Error { code } } }`;
    await gql(write, { k: 'desk1-write-000001', t: first.visitTimeRoc });
    await gql(write, { k: 'desk1-write-000001', t: first.visitTimeRoc });
    expect(services.simulator!.writeCount(first.visitTimeRoc)).toBe(1);

    const misuse = (await gql(write.replace('J069', 'R05'), { k: 'desk1-write-000001', t: first.visitTimeRoc })).data.writeTreatment;
    expect(misuse).toEqual({ __typename: 'GatewayError', code: 'IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT' });
    expect((await gql('{ unresolvedCardWrites { id } }')).data.unresolvedCardWrites).toEqual([]);
    await services[Symbol.asyncDispose]();
  });
});
