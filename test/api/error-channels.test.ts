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
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AUTH_HEADERS, TEST_TOKEN, WS_AUTH } from '../helpers/auth.ts';

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

/** What arrived on the wire for one operation over graphql-ws, in order (the real graphql-ws client). */
type WireMessage = { type: 'next' | 'error' | 'complete'; payload?: any };

describe('channel 2 over graphql-ws: request-level errors are the protocol’s `error` message', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let wsYoga: ReturnType<typeof createApp>;
  beforeAll(async () => {
    // One identity read a minute, so the second one is RATE_LIMITED.
    wsYoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN, identityRate: { perMinute: 1, burst: 1 } } });
    server = await startServer({ yoga: wsYoga, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close(100);
  });

  async function overWs(query: string, variables?: Record<string, unknown>, connectionParams: Record<string, unknown> = WS_AUTH): Promise<WireMessage[]> {
    const messages: WireMessage[] = [];
    const client = createClient({
      url: `${server.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams,
      on: {
        message: (message) => {
          if (message.type === 'next' || message.type === 'error') messages.push({ type: message.type, payload: message.payload });
          else if (message.type === 'complete') messages.push({ type: 'complete' });
        },
      },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe(
          { query, ...(variables ? { variables } : {}) },
          { next: () => undefined, error: (error) => (Array.isArray(error) ? resolve() : reject(error)), complete: resolve },
        );
      });
    } finally {
      await client.dispose();
    }
    return messages;
  }

  /** The same request over HTTP: its first top-level error's extensions. */
  async function overHttp(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = AUTH_HEADERS) {
    const response = await wsYoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: Array<{ extensions: Record<string, unknown> }> };
    return body.errors?.[0]?.extensions;
  }

  /** Exactly one `error` message (no `next`, no `complete`) whose first error has the catalogue's extensions. */
  function expectErrorMessage(messages: WireMessage[], code: string): Record<string, unknown> {
    expect(messages.map((m) => m.type)).toEqual(['error']);
    const extensions = messages[0]!.payload[0].extensions as Record<string, unknown>;
    expectCatalogueExtensions(extensions, code);
    expect(extensions).not.toHaveProperty('http');
    return extensions;
  }

  async function expectSameAsHttp(query: string, code: string, variables?: Record<string, unknown>, withToken = true) {
    const extensions = expectErrorMessage(await overWs(query, variables, withToken ? WS_AUTH : {}), code);
    expect(extensions).toEqual(await overHttp(query, variables, withToken ? AUTH_HEADERS : {}));
    return extensions;
  }

  it('parse: GRAPHQL_PARSE_FAILED', async () => {
    await expectSameAsHttp('{ gateway { version ', 'GRAPHQL_PARSE_FAILED');
  });

  it('validation: GRAPHQL_VALIDATION_FAILED', async () => {
    await expectSameAsHttp('subscription { lightStateChangedd { healthCard { level } } }', 'GRAPHQL_VALIDATION_FAILED');
  });

  it('input from a variable: BAD_USER_INPUT naming the variable (was `next` + `complete`)', async () => {
    const extensions = await expectSameAsHttp('mutation($t: DateTime!) { cancelVisit(input: { visitTime: $t }) { __typename } }', 'BAD_USER_INPUT', { t: '2026-03-01T09:30:00' });
    expect(extensions).toMatchObject({ field: 't', rule: expect.stringContaining('offset') });
  });

  it('input in a literal: BAD_USER_INPUT naming the field', async () => {
    const query = 'mutation { writeTreatment(input: { visitTime: "1150301093000", idNumber: "A123456789", birthDate: "1980-02-30", diagnoses: ["J069"] }) { __typename } }';
    const extensions = await expectSameAsHttp(query, 'BAD_USER_INPUT');
    expect(extensions).toMatchObject({ field: 'input.birthDate', rule: 'must be a real calendar date' });
  });

  it('input checked by a resolver: BAD_USER_INPUT, data null, so `error` (was `next` + `complete`)', async () => {
    const extensions = await expectSameAsHttp('mutation { treatmentIdWithoutCard(input: { idNumber: "A123456788" }) { __typename } }', 'BAD_USER_INPUT');
    expect(extensions).toMatchObject({ field: 'input.idNumber', rule: 'check digit does not match' });
  });

  it('access: TOKEN_REQUIRED without a token, TOKEN_INVALID with a wrong one (was `next` + `complete`)', async () => {
    await expectSameAsHttp('mutation { verifySam { __typename } }', 'TOKEN_REQUIRED', undefined, false);
    const wrong = await overWs('mutation { verifySam { __typename } }', undefined, { authorization: 'Bearer nope' });
    expectErrorMessage(wrong, 'TOKEN_INVALID');
  });

  it('limits: TOO_MANY_ALIASES and TOO_MANY_TOKENS', async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: gateway { version }`).join(' ')} }`;
    expect(await expectSameAsHttp(aliases, 'TOO_MANY_ALIASES')).toMatchObject({ limit: 15 });
    await expectSameAsHttp(`{ gateway { ${'version '.repeat(2100)}} }`, 'TOO_MANY_TOKENS');
  });

  it('unknown operation id: OPERATION_NOT_FOUND (was `next` + `complete`)', async () => {
    await expectSameAsHttp('subscription { operationProgress(id: "nope") { stage } }', 'OPERATION_NOT_FOUND');
  });

  it('rate: RATE_LIMITED with retryAfter (was `next` + `complete`)', async () => {
    const read = '{ healthCard { basicData { __typename } } }';
    const first = await overWs(read);
    expect(first.map((m) => m.type)).toEqual(['next', 'complete']);
    const extensions = expectErrorMessage(await overWs(read), 'RATE_LIMITED');
    expect(extensions['retryAfter']).toEqual(expect.any(Number));
  });

  it('no operation to run (several, none named): the same code as over HTTP, not INTERNAL_SERVER_ERROR', async () => {
    const query = 'query A { gateway { version } } query B { gateway { version } }';
    const messages = await overWs(query);
    expect(messages.map((m) => m.type)).toEqual(['error']);
    expect(messages[0]!.payload[0].extensions).toEqual(await overHttp(query));
    expectCatalogueExtensions(messages[0]!.payload[0].extensions, 'OPERATION_RESOLUTION_FAILURE');
  });

  it('domain failure: the union member in `next`, then `complete`, no errors[]', async () => {
    await gql('mutation { simulatorRemoveHealthCard { __typename } }');
    const messages = await overWs('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename ... on Error { code messageZh hint retryable } ... on VendorError { vendorCode } } }');
    expect(messages.map((m) => m.type)).toEqual(['next', 'complete']);
    expect(messages[0]!.payload.errors).toBeUndefined();
    expect(messages[0]!.payload.data.startVisit).toMatchObject({ __typename: 'VendorError', code: 'HEALTH_CARD_NOT_INSERTED', vendorCode: 4013, retryable: expect.any(Boolean) });
  });
});
