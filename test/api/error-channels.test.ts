/**
 * One rule for which channel carries what (docs/api-conventions.md docs/reference/abi.md (Installed files)), one test per channel: domain failures in
 * the field's union; validation, parse, request, input, access and unknown-id errors in errors[] with the same
 * catalogue extensions (code, category, messageZh, hint, retryable, action), over HTTP and graphql-ws alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { startServer } from '../../src/server.ts';
import { catalogueEntry } from '../../src/errors/catalogue.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../helpers/auth.ts';
import { subscribeWs, WsSubscriptionError } from '../helpers/ws.ts';

let services: RunningServices;
let yoga: ReturnType<typeof createApp>;

beforeAll(() => {
  services = createSimulatorServices({ strategy: 'N1' });
  yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
});
afterAll(async () => {
  await services[Symbol.asyncDispose]();
});

async function post(body: string, headers: Record<string, string> = AUTH_HEADERS) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions: Record<string, unknown> }> } };
}
const gql = (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) =>
  post(JSON.stringify({ query, variables }), headers);

/** The catalogue's extensions for a code: what every top-level error must carry. */
function expectCatalogueExtensions(extensions: Record<string, unknown> | undefined, code: string) {
  const entry = catalogueEntry(code)!;
  expect(entry, code).toBeDefined();
  expect(extensions).toMatchObject({ code, category: entry.category, messageZh: expect.stringMatching(/[\u4e00-\u9fff]/), retryable: entry.retryable });
  expect(typeof extensions?.['hint']).toBe('string');
  if (entry.action) expect(extensions?.['action']).toBe(entry.action);
}

describe('channel 1: domain failures are members of the field’s union', () => {
  it('startVisit without a card answers VendorError in data, with no errors[]', async () => {
    await gql('mutation { simulatorRemoveHealthCard { __typename } }');
    const { body } = await gql(
      'mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename ... on Visit { treatmentCategory } ... on Error { code category messageZh hint action } ... on VendorError { vendorCode } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.startVisit).toMatchObject({ __typename: 'VendorError', code: 'HEALTH_CARD_NOT_INSERTED', category: 'CARD', vendorCode: 4013 });
  });

  it('an expired card carries the action UPDATE_CARD (5003)', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: EXPIRED }) { __typename } }');
    const { body } = await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ... on Error { code action } } }');
    expect(body.data.startVisit).toEqual({ code: 'HEALTH_CARD_EXPIRED', action: 'UPDATE_CARD' });
  });
});

describe('channel 2: errors[] with the catalogue’s extensions', () => {
  it('validation: GRAPHQL_VALIDATION_FAILED', async () => {
    const { body } = await gql('{ gateway { versionn } }');
    expectCatalogueExtensions(body.errors?.[0]?.extensions, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('parse: GRAPHQL_PARSE_FAILED', async () => {
    const { body } = await gql('{ gateway { version ');
    expectCatalogueExtensions(body.errors?.[0]?.extensions, 'GRAPHQL_PARSE_FAILED');
  });

  it('request: BAD_REQUEST for a body that is not a GraphQL request', async () => {
    const { status, body } = await post('{"nothing": true}');
    expect(status).toBe(400);
    expectCatalogueExtensions(body.errors?.[0]?.extensions, 'BAD_REQUEST');
  });

  it('input: BAD_USER_INPUT names the field and the rule, from a variable, a literal and a resolver check, without echoing the value', async () => {
    const variable = await gql('mutation($t: DateTime!) { cancelVisit(input: { visitTime: $t }) { __typename } }', { t: '2026-03-01T09:30:00' });
    expectCatalogueExtensions(variable.body.errors?.[0]?.extensions, 'BAD_USER_INPUT');
    expect(variable.body.errors?.[0]?.extensions).toMatchObject({ field: 't', rule: expect.stringContaining('offset') });
    const literal = await gql('mutation { writeTreatment(input: { visitTime: "1150301093000", idNumber: "A123456789", birthDate: "1980-02-30", diagnoses: ["J069"] }) { __typename } }');
    expect(literal.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.birthDate', rule: 'must be a real calendar date' });
    expect(JSON.stringify(literal.body)).not.toContain('1980-02-30');
    const checked = await gql('mutation { treatmentIdWithoutCard(input: { idNumber: "A123456788" }) { __typename } }');
    expect(checked.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idNumber', rule: 'check digit does not match' });
    const leaky = await gql('mutation($i: WriteTreatmentInput!) { writeTreatment(input: $i) { __typename } }', { i: { visitTime: 'x', idNumber: 'A123456789', birthDate: '1980-05-12', diagnoses: [] } });
    expect(JSON.stringify(leaky.body)).not.toMatch(/A123456789|1980-05-12/);
  });

  it('access: TOKEN_REQUIRED with the same extensions', async () => {
    const { status, body } = await gql('mutation { verifySam { __typename } }', undefined, {});
    expect(status).toBe(401);
    expectCatalogueExtensions(body.errors?.[0]?.extensions, 'TOKEN_REQUIRED');
  });

  it('the Visit/Error category clash is gone: both fragments validate together', async () => {
    const { body } = await gql('mutation { startVisit(input: { treatmentCategory: DENTAL_OUTPATIENT }) { ... on Visit { treatmentCategory } ... on Error { category } } }');
    expect(body.errors).toBeUndefined();
  });
});

describe('channel 2 over graphql-ws', () => {
  it('validation errors and OPERATION_NOT_FOUND carry the same extensions', async () => {
    const server = await startServer({ yoga, host: '127.0.0.1', port: 0 });
    try {
      const url = `${server.url}/graphql`;
      const invalid = await subscribeWs(url, 'subscription { lightStateChangedd { healthCard { level } } }').catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(WsSubscriptionError);
      expectCatalogueExtensions((invalid as WsSubscriptionError).graphqlErrors?.[0]?.extensions, 'GRAPHQL_VALIDATION_FAILED');
      const unknown = await subscribeWs(url, 'subscription { operationProgress(id: "nope") { stage } }').catch((e: unknown) => e);
      const errors = unknown instanceof WsSubscriptionError ? unknown.graphqlErrors : (unknown as Array<{ errors?: any[] }>)[0]?.errors;
      expectCatalogueExtensions(errors?.[0]?.extensions, 'OPERATION_NOT_FOUND');
    } finally {
      await server.close(100);
    }
  });
});
