/**
 * Long operations with progress, through GraphQL: the card update (1.30) and the data upload (3.1) start with a
 * mutation that returns at once, and operationProgress(id) streams each stage (SSE in-process; graphql-ws on a
 * real port) until DONE or FAILED with a typed error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { startServer } from '../../src/server.ts';
import { collectSse } from '../helpers/sse.ts';
import { subscribeWs } from '../helpers/ws.ts';

let services: RunningServices;
let yoga: ReturnType<typeof createApp>;
let dir: string;
const TOKEN = 'operations-test-token-0123456789abcdefgh';
const AUTH = { authorization: `Bearer ${TOKEN}` };

beforeEach(() => {
  // a little IDC latency so a second operation really has to queue behind the first
  services = createSimulatorServices({ strategy: 'N1', simulator: { networkLatencyMs: 30 } });
  yoga = createApp(services, { graphiql: false, security: { token: TOKEN } });
  dir = mkdtempSync(join(tmpdir(), 'nhi-ops-'));
});
afterEach(async () => {
  await services[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

async function gql(query: string, variables?: Record<string, unknown>) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

const OPERATION_FIELDS = /* GraphQL */ `
  id kind stage message messageZh plannedStages steps { stage at } startedAt finishedAt
  result {
    __typename
    ... on CardUpdated { remainingVisits cardValidUntil }
    ... on DataUploaded { file recordCount samId hospitalId uploadedAt receivedAt }
  }
  error { __typename code message messageZh hint ... on VendorError { vendorCode } }
`;

const PROGRESS = `subscription ($id: ID!) { operationProgress(id: $id) { ${OPERATION_FIELDS} } }`;

async function progress(id: string) {
  const events = await collectSse<{ operationProgress: any }>('http://localhost/graphql', PROGRESS, { id }, { fetch: yoga.fetch, headers: AUTH });
  return events.map((e) => {
    expect(e.errors).toBeUndefined();
    return e.data!.operationProgress;
  });
}

describe('card update (API 1.30) with progress', () => {
  it('refills a card with no visits left: queued → reader → IDC → writing card → done, then a visit works', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: NO_VISITS_LEFT }) { __typename } }');
    const refused = await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ... on VendorError { vendorCode } } }');
    expect(refused.data.startVisit.vendorCode).toBe(5001);

    const started = await gql(`mutation { updateHealthCard { ${OPERATION_FIELDS} } }`);
    expect(started.errors).toBeUndefined();
    expect(started.data.updateHealthCard).toMatchObject({
      kind: 'CARD_UPDATE',
      stage: 'QUEUED',
      finishedAt: null,
      plannedStages: ['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'WRITING_CARD', 'DONE'],
    });

    const events = await progress(started.data.updateHealthCard.id);
    const final = events.at(-1);
    expect(final.stage).toBe('DONE');
    expect(final.finishedAt).toMatch(/\+08:00$/);
    expect(final.steps.map((s: { stage: string }) => s.stage)).toEqual(final.plannedStages);
    expect(final.result).toEqual({ __typename: 'CardUpdated', remainingVisits: 6, cardValidUntil: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(final.error).toBeNull();
    expect(final.messageZh).toBe('完成');
    // each event is a stage further than the one before
    const stages = events.map((e) => e.stage);
    expect(new Set(stages).size).toBe(stages.length);

    const visit = await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename ... on Visit { seqNumber } } }');
    expect(visit.data.startVisit.__typename).toBe('Visit');

    const polled = await gql(`query ($id: ID!) { operation(id: $id) { stage result { __typename } } }`, { id: final.id });
    expect(polled.data.operation).toEqual({ stage: 'DONE', result: { __typename: 'CardUpdated' } });
  });

  it('fails with the typed 9081 error when more than 3 visits are left', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    const { data } = await gql('mutation { updateHealthCard { id } }');
    const final = (await progress(data.updateHealthCard.id)).at(-1);
    expect(final.stage).toBe('FAILED');
    expect(final.steps.map((s: { stage: string }) => s.stage)).toEqual(['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'WRITING_CARD', 'FAILED']);
    expect(final.error).toMatchObject({ __typename: 'VendorError', code: 'CARD_UPDATE_NOT_NEEDED', vendorCode: 9081 });
    expect(final.messageZh).toContain('失敗');
    expect(final.result).toBeNull();
  });

  it('stops at the reader with 4013 when no card is inserted', async () => {
    const { data } = await gql('mutation { updateHealthCard { id } }');
    const final = (await progress(data.updateHealthCard.id)).at(-1);
    expect(final.steps.map((s: { stage: string }) => s.stage)).toEqual(['QUEUED', 'WAITING_FOR_READER', 'FAILED']);
    expect(final.error).toMatchObject({ code: 'HEALTH_CARD_NOT_INSERTED', vendorCode: 4013 });
  });

  it('runs one long operation at a time: the second stays QUEUED until the first is done', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: NO_VISITS_LEFT }) { __typename } }');
    const first = (await gql('mutation { updateHealthCard { id } }')).data.updateHealthCard.id;
    const second = (await gql('mutation { updateHealthCard { id stage } }')).data.updateHealthCard;
    expect(second.stage).toBe('QUEUED');
    const [a, b] = await Promise.all([progress(first), progress(second.id)]);
    const firstDone = Date.parse(a.at(-1).finishedAt);
    const secondReader = b.at(-1).steps.find((s: { stage: string }) => s.stage === 'WAITING_FOR_READER');
    expect(Date.parse(secondReader.at)).toBeGreaterThanOrEqual(firstDone);
    // the refilled card no longer needs an update
    expect(b.at(-1).error).toMatchObject({ vendorCode: 9081 });
  });

  it('returns the same operation for a repeated idempotency key', async () => {
    await gql('mutation { simulatorInsertHealthCard(input: { card: NO_VISITS_LEFT }) { __typename } }');
    const q = 'mutation { updateHealthCard(input: { idempotencyKey: "update-0001" }) { id } }';
    const one = (await gql(q)).data.updateHealthCard.id;
    const two = (await gql(q)).data.updateHealthCard.id;
    expect(two).toBe(one);
  });

  it('answers an unknown operation id with OPERATION_NOT_FOUND', async () => {
    const events = await collectSse('http://localhost/graphql', PROGRESS, { id: 'no-such-operation' }, { fetch: yoga.fetch, headers: AUTH });
    expect(events[0]?.errors?.[0]?.extensions?.['code']).toBe('OPERATION_NOT_FOUND');
    expect((await gql('{ operation(id: "no-such-operation") { id } }')).data.operation).toBeNull();
  });
});

describe('data upload (API 3.1) with progress', () => {
  it('uploads a file: reader → IDC → uploading → done, with the decoded 50-byte receipt', async () => {
    const file = join(dir, '1150301.xml');
    writeFileSync(file, '<?xml version="1.0" encoding="Big5"?><RECS><REC/><REC/></RECS>');
    const { data, errors } = await gql('mutation ($file: String!) { uploadData(input: { file: $file, recordCount: 2 }) { id kind plannedStages } }', { file });
    expect(errors).toBeUndefined();
    expect(data.uploadData.plannedStages).toEqual(['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'UPLOADING', 'DONE']);
    const final = (await progress(data.uploadData.id)).at(-1);
    expect(final.stage).toBe('DONE');
    expect(final.result).toMatchObject({
      __typename: 'DataUploaded',
      file,
      recordCount: 2,
      samId: '001000000103',
      hospitalId: '3501200000',
      uploadedAt: expect.stringMatching(/^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      receivedAt: expect.stringMatching(/\+08:00$/),
    });
  });

  it('fails with 6017 for a missing file', async () => {
    const { data } = await gql('mutation ($file: String!) { uploadData(input: { file: $file, recordCount: 1 }) { id } }', { file: join(dir, 'absent.xml') });
    const final = (await progress(data.uploadData.id)).at(-1);
    expect(final.stage).toBe('FAILED');
    expect(final.error).toMatchObject({ code: 'FILE_NOT_ACCESSIBLE', vendorCode: 6017 });
  });

  it('refuses bad input before queueing anything', async () => {
    const { errors } = await gql('mutation { uploadData(input: { file: "C:\\\\HIS\\\\a.xml", recordCount: 0 }) { id } }');
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.recordCount' });
    const relative = await gql('mutation { uploadData(input: { file: "upload/a.xml", recordCount: 1 }) { id } }');
    expect(relative.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.file' });
  });
});

describe('progress over graphql-ws on a real port', () => {
  it('streams the stages of a card update to a graphql-ws client', async () => {
    const server = await startServer({ yoga, host: '127.0.0.1', port: 0 });
    try {
      await gql('mutation { simulatorInsertHealthCard(input: { card: NO_VISITS_LEFT }) { __typename } }');
      const { data } = await gql('mutation { updateHealthCard { id } }');
      const payloads = await subscribeWs<{ operationProgress: { stage: string; steps: Array<{ stage: string }> } }>(
        `${server.url}/graphql`,
        'subscription ($id: ID!) { operationProgress(id: $id) { stage steps { stage } } }',
        { id: data.updateHealthCard.id },
      );
      const last = payloads.at(-1)?.data?.operationProgress;
      expect(last?.stage).toBe('DONE');
      // However far the operation got before the client subscribed, the stream ends with every stage it went through
      // (how many payloads arrive depends on that moment, so it is not asserted).
      expect(last?.steps.map((s) => s.stage)).toEqual(['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'WRITING_CARD', 'DONE']);
    } finally {
      await server.close(100);
    }
  });
});
