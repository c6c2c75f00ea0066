/**
 * The HIS client kit (client/): generated types and the error catalogue never drift from the schema and the
 * code table, and the typed client runs a whole registration-desk visit against the gateway on a real port,
 * with subscriptions over both graphql-ws and SSE.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { VENDOR_CODES } from '../../src/errors/vendor-codes.ts';
import { GATEWAY_CODES } from '../../src/errors/gateway-codes.ts';
import { WEB_API_CODES } from '../../src/errors/webapi-codes.ts';
import { GENERATED_FILE, generateClientTypes, readOperationSources } from '../../client/codegen.ts';
import { ERRORS_JSON, ERRORS_TS, renderErrorsJson, renderErrorsTs } from '../../client/build-errors.ts';
import {
  CancelVisitDocument,
  createGatewayClient,
  describeError,
  errorCatalogue,
  errorForVendorCode,
  errorForWebApiRtnCode,
  GatewayRequestError,
  isGatewayError,
  LightsChangedDocument,
  OperationProgressDocument,
  ReadCardDocument,
  SimulatorInsertHealthCardDocument,
  StartVisitDocument,
  TreatmentIdForVisitDocument,
  WriteTreatmentDocument,
  type GatewayClient,
  type StartVisitMutation,
} from '../../client/index.ts';

describe('client kit: generated files', () => {
  it('client/generated/graphql.ts matches schema/schema.graphql and client/operations (run `npx tsx client/codegen.ts`)', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(await generateClientTypes());
  });

  it('client/errors.json and the typed catalogue match the code table (run `npx tsx client/build-errors.ts`)', () => {
    expect(readFileSync(ERRORS_JSON, 'utf8')).toBe(renderErrorsJson());
    expect(readFileSync(ERRORS_TS, 'utf8')).toBe(renderErrorsTs());
  });

  it('lists every control-software, Web API and gateway code in both languages', () => {
    for (const entry of VENDOR_CODES) {
      expect(errorForVendorCode(entry.vendorCode)?.code).toBe(entry.code);
    }
    for (const entry of WEB_API_CODES) expect(errorForWebApiRtnCode(entry.vendorCode)?.code).toBe(entry.code);
    for (const entry of GATEWAY_CODES) expect(errorCatalogue).toHaveProperty(entry.code);
    for (const entry of Object.values(errorCatalogue)) {
      expect(entry.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(entry.en).toMatch(/[a-z]/);
    }
    expect(describeError('HEALTH_CARD_NOT_INSERTED', 'zh').message).toBe(errorCatalogue.HEALTH_CARD_NOT_INSERTED.zh);
    expect(describeError('HEALTH_CARD_NOT_INSERTED', 'en').hint).toMatch(/Insert the patient/);
    expect(describeError('NO_SUCH_CODE', 'en').message).toBe('Unknown error code NO_SUCH_CODE');
  });

  it('refuses to generate types for an operation the schema does not accept', async () => {
    const bad = [...readOperationSources(), { file: 'zz-bad.graphql', text: 'query Bad { healthCard { noSuchField } }' }];
    await expect(generateClientTypes(bad)).rejects.toThrow(/do not validate[\s\S]*noSuchField/);
  });

  it('types each union member, so a typed error and a result cannot be confused', () => {
    type Result = StartVisitMutation['startVisit'];
    expectTypeOf<Extract<Result, { __typename: 'Visit' }>['seqNumber']>().toEqualTypeOf<string>();
    expectTypeOf<Extract<Result, { __typename: 'VendorError' }>['vendorCode']>().toEqualTypeOf<number>();
    expect(errorCatalogue.HEALTH_CARD_NOT_INSERTED.vendorCode).toBe(4013);
  });
});

describe('client kit against the gateway on a real port', () => {
  const TOKEN = 'client-kit-test-token-0123456789abcdef';
  let services: RunningServices;
  let server: RunningServer;

  beforeAll(async () => {
    services = createSimulatorServices({ strategy: 'SEQ256_TREATNUM', simulator: { networkLatencyMs: 0 } });
    server = await startServer({ yoga: createApp(services, { graphiql: false, security: { token: TOKEN } }), host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close(100);
    await services?.[Symbol.asyncDispose]();
  });

  async function visit(client: GatewayClient) {
    await client.request(SimulatorInsertHealthCardDocument, { card: 'STANDARD' });
    const card = await client.request(ReadCardDocument);
    const basic = card.healthCard.basicData;
    if (isGatewayError(basic)) throw new Error(`unexpected ${basic.code}`);
    expect(basic.__typename).toBe('BasicData');
    expect(basic.idNumber).toMatch(/^[A-Z]\d{9}$/);

    const started = await client.request(StartVisitDocument, {
      category: 'WESTERN_MEDICINE_OUTPATIENT',
      idempotencyKey: crypto.randomUUID(),
    });
    const v = started.startVisit;
    if (v.__typename !== 'Visit') throw new Error(`startVisit failed: ${v.__typename}`);
    expect(v.seqNumber).toMatch(/^\d{4}$/);
    expect(v.treatmentIdSource).toBe('CONTROL_SOFTWARE_1_56');

    const id = await client.request(TreatmentIdForVisitDocument, { visitTime: v.visitTimeRoc });
    expect(id.treatmentIdForVisit).toMatchObject({ __typename: 'TreatmentId', treatmentId: v.treatmentId });

    const written = await client.request(WriteTreatmentDocument, {
      input: {
        visitTime: v.visitTimeRoc,
        idNumber: basic.idNumber,
        birthDate: basic.birthDate ?? '',
        diagnoses: ['J069'],
        fees: { outpatientFee: 350, outpatientCopay: 50 },
      },
      idempotencyKey: crypto.randomUUID(),
    });
    expect(written.writeTreatment).toMatchObject({ __typename: 'TreatmentWritten', apis: ['1.16', '1.17'] });

    const cancelled = await client.request(CancelVisitDocument, { visitTime: v.visitTimeRoc });
    expect(cancelled.cancelVisit).toMatchObject({ __typename: 'CancelledVisit', cancelledAt: expect.stringMatching(/\+08:00$/) });
  }

  for (const transport of ['ws', 'sse'] as const) {
    it(`runs a visit and watches the lights over ${transport}`, async () => {
      await services.simulator!.reset();
      const client = createGatewayClient({ url: `${server.url}/graphql`, transport, token: TOKEN, webSocketImpl: WebSocket });
      try {
        const lights = client.subscribe(LightsChangedDocument);
        const first = await lights.next();
        expect(first.value?.data?.lightStateChanged.healthCard).toEqual({ level: 0, colour: 'WHITE' });
        await visit(client);
        const seen: number[] = [];
        for (;;) {
          const { value } = await lights.next();
          const level = value?.data?.lightStateChanged.healthCard.level;
          if (level !== undefined) seen.push(level);
          if (level === 2) break;
        }
        expect(seen).toContain(2);
        await lights.return?.();
      } finally {
        await client.dispose();
      }
    });
  }

  for (const transport of ['ws', 'sse'] as const) {
    it(`surfaces a refused subscription over ${transport} as a GatewayRequestError with the code, once`, async () => {
      const states: string[] = [];
      const client = createGatewayClient({
        url: `${server.url}/graphql`,
        transport,
        token: TOKEN,
        webSocketImpl: WebSocket,
        onStateChange: ({ state }) => states.push(state),
      });
      try {
        // Without endOnComplete: a refusal must end the stream, not look like a restart to ride out.
        const progress = client.subscribe(OperationProgressDocument, { id: 'nope' });
        const refused = await progress.next().catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(GatewayRequestError);
        expect((refused as GatewayRequestError).code).toBe('OPERATION_NOT_FOUND');
        expect((refused as GatewayRequestError).errors[0]?.extensions).toMatchObject({ messageZh: expect.any(String), hint: expect.any(String), retryable: false });
        expect(states.filter((s) => s === 'reconnecting')).toEqual([]);
      } finally {
        await client.dispose();
      }
    });
  }

  it('reports typed errors in the union and GraphQL errors as GatewayRequestError', async () => {
    await services.simulator!.reset();
    const client = createGatewayClient({ url: `${server.url}/graphql`, transport: 'sse', token: TOKEN });
    const card = await client.request(ReadCardDocument);
    const basic = card.healthCard.basicData;
    expect(isGatewayError(basic)).toBe(true);
    if (isGatewayError(basic)) {
      expect(basic).toMatchObject({ code: 'HEALTH_CARD_NOT_INSERTED', vendorCode: 4013 });
      expect(describeError(basic.code).message).toBe(basic.messageZh);
    }
    const bad = await client
      .request(WriteTreatmentDocument, { input: { visitTime: 'soon', idNumber: 'A123456789', birthDate: '1980-01-01', diagnoses: ['J069'] } })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(GatewayRequestError);
    expect((bad as GatewayRequestError).code).toBe('BAD_USER_INPUT');
    // without the token the gateway refuses card writes, and the client says so
    const anonymous = createGatewayClient({ url: `${server.url}/graphql`, transport: 'sse' });
    const refused = await anonymous.request(StartVisitDocument, { category: 'WESTERN_MEDICINE_OUTPATIENT' }).catch((e: unknown) => e);
    expect((refused as GatewayRequestError).code).toBe('TOKEN_REQUIRED');
    const down = await createGatewayClient({ url: 'http://127.0.0.1:9/graphql' }).request(ReadCardDocument).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(GatewayRequestError);
    await client.dispose();
  });
});
