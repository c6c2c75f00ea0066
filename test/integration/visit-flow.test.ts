/**
 * A whole clinic visit against the real server on a real port, watched by a real graphql-ws client
 * (lights) and a real SSE client (reader events): insert card → light event → basic data → startVisit →
 * treatment ID → writeTreatment → cancelVisit → remove card → light event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createWsClient, toWsUrl } from '../helpers/ws.ts';
import { readSseEvents } from '../helpers/sse.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../helpers/auth.ts';
import { nextWithin } from '../helpers/next-within.ts';

let services: RunningServices;
let server: RunningServer;

beforeAll(async () => {
  services = createSimulatorServices({ strategy: 'SEQ256_TREATNUM' });
  server = await startServer({ yoga: createApp(services, { graphiql: false, security: { token: TEST_TOKEN } }), host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close(100);
  await services?.[Symbol.asyncDispose]();
});

async function gql(query: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

/** The next item, or a failure naming `what` (helpers/next-within.ts). */
const next = <T>(iterator: AsyncIterator<T>, what: string, ms = 5000): Promise<T> => nextWithin(iterator, what, ms);

describe('a whole visit over HTTP, graphql-ws and SSE', () => {
  it('streams lights and reader events around a full visit', async () => {
    const ws = createWsClient(toWsUrl(`${server.url}/graphql`));
    const lights = ws.iterate<{ lightStateChanged: { healthCard: { level: number; colour: string }; professionalCard: { level: number } } }>({
      query: 'subscription { lightStateChanged { healthCard { level colour } professionalCard { level } } }',
    });
    const level = async (what: string) => {
      const result = await next(lights, what);
      return [result.data!.lightStateChanged.healthCard.level, result.data!.lightStateChanged.healthCard.colour];
    };
    expect(await level('initial lights')).toEqual([0, 'WHITE']);

    const controller = new AbortController();
    const sse = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { readerEvents { kind slot level readerId } }' }),
      signal: controller.signal,
    });
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const frames = readSseEvents(sse.body!);
    const nextEvent = async (what: string) => {
      for (;;) {
        const frame = await next(frames, what);
        if (frame.event === 'next') return JSON.parse(frame.data).data.readerEvents;
      }
    };

    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    expect(await level('card inserted')).toEqual([1, 'BROWN']);
    expect(await nextEvent('CARD_INSERTED')).toMatchObject({ kind: 'CARD_INSERTED', slot: 'HEALTH_CARD', level: 1 });

    const basic = await gql('{ healthCard { basicData { ... on BasicData { idNumber name { text } } } } }');
    expect(basic.healthCard.basicData).toEqual({ idNumber: 'A123456789', name: { text: '王小明' } });

    const visit = (
      await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename ... on Visit { visitTimeRoc seqNumber treatmentId treatmentIdSource } } }')
    ).startVisit;
    expect(visit).toMatchObject({ __typename: 'Visit', seqNumber: '0042', treatmentIdSource: 'CONTROL_SOFTWARE_1_56' });
    // The read authenticated the card with the SAM: the light went green.
    expect(await level('card authenticated')).toEqual([2, 'GREEN']);
    expect(await nextEvent('CARD_AUTHENTICATED')).toMatchObject({ kind: 'CARD_AUTHENTICATED', level: 2 });

    const treatment = await gql('mutation($t: DateTime!) { treatmentIdForVisit(input: { visitTime: $t }) { ... on TreatmentId { treatmentId } } }', { t: visit.visitTimeRoc });
    expect(treatment.treatmentIdForVisit.treatmentId).toBe(visit.treatmentId);

    const written = await gql(
      'mutation($i: WriteTreatmentInput!) { writeTreatment(input: $i) { __typename ... on TreatmentWritten { apis } } }',
      { i: { visitTime: visit.visitTimeRoc, idNumber: 'A123456789', birthDate: '1980-05-12', diagnoses: ['J069'], fees: { outpatientFee: 420, outpatientCopay: 50 }, combined: true } },
    );
    expect(written.writeTreatment).toEqual({ __typename: 'TreatmentWritten', apis: ['1.47'] });

    const cancelled = await gql('mutation($t: DateTime!) { cancelVisit(input: { visitTime: $t }) { __typename } }', { t: visit.visitTimeRoc });
    expect(cancelled.cancelVisit.__typename).toBe('CancelledVisit');

    await gql('mutation { simulatorRemoveHealthCard { __typename } }');
    expect(await level('card removed')).toEqual([0, 'WHITE']);
    expect(await nextEvent('CARD_REMOVED')).toMatchObject({ kind: 'CARD_REMOVED', level: 0 });

    await lights.return?.();
    controller.abort();
    await ws.dispose();
  });

  it('answers /health and /ready', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
  });
});
