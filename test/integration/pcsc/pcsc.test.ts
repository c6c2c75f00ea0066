/**
 * The pcsc backend end to end (issue 4): a real pcscd with the vsmartcard vpcd driver, virtual NHI cards in
 * Python (test/pcsc/), the koffi adapter over the real libpcsclite, the gateway on a real port, and its events
 * watched by a real graphql-ws client and a real SSE client.
 *
 * The tests run in order against one test bed: pcscd's socket is fixed (/run/pcscd/pcscd.comm), so two beds
 * cannot run at once; test/pcsc/test-bed.ts takes a machine-wide lock that the other PC/SC files
 * (pcsc-swaps.test.ts, pcsc-wake.test.ts) and processes (the benchmark) wait for. Pending — with the reason in the suite's name — only when pcscd is not
 * installed; a bed with pcscd but without the rest fails, naming the missing packages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { createApp } from '../../../src/app.ts';
import { startServer, type RunningServer } from '../../../src/server.ts';
import { createPcscServices, type PcscRunningServices } from '../../helpers/pcsc-services.ts';
import { createNativePcscPort } from '../../../src/adapters/pcsc/native.ts';
import { createWsClient } from '../../helpers/ws.ts';
import { readSseEvents } from '../../helpers/sse.ts';
import { ATR, READERS, pcscdMissing, acquireTestBed, type TestBed } from '../../pcsc/test-bed.ts';
import { nextWithin } from '../../helpers/next-within.ts';

const TOKEN = 'pcsc-integration-test-token-0123456789abcdef';
const EVENT_MS = 15_000;
const BED_WAIT_MS = 240_000;

const EVENTS_QUERY = 'subscription { readerEvents { kind readerId readerName slot level atr cardKind at } }';
const LIGHTS_QUERY = 'subscription { lightStateChanged { healthCard { level colour } professionalCard { level colour } } }';
const BASIC_QUERY = `{ healthCard { basicData {
  __typename
  ... on BasicData { cardNumber idNumber birthDate sex issueDate cancelled emergencyPhone name { text rawHex hasRareCharacters } }
  ... on Error { code message messageZh retryable } ... on VendorError { vendorCode }
} } }`;

interface ReaderEventShape {
  kind: string;
  readerId: string;
  readerName: string;
  slot: string;
  level: number;
  atr: string | null;
  cardKind: string | null;
  at: string;
}

/** The next item, or a failure naming `what` (helpers/next-within.ts). */
const next = <T>(iterator: AsyncIterator<T>, what: string, ms = EVENT_MS): Promise<T> => nextWithin(iterator, what, ms);

const missing = pcscdMissing();

describe.skipIf(missing !== null)(
  `PC/SC end to end: pcscd + vpcd + virtual NHI cards${missing ? ` — PENDING: ${missing}` : ''}`,
  () => {
    let bed: TestBed;
    let services: PcscRunningServices;
    let server: RunningServer;
    let ws: Client;
    let wsEvents: AsyncIterator<{ data?: { readerEvents: ReaderEventShape } | null }>;
    let wsLights: AsyncIterator<{ data?: { lightStateChanged: { healthCard: { level: number; colour: string } } } | null }>;
    let sseFrames: AsyncIterator<{ event: string; data: string }>;
    const sseAbort = new AbortController();

    /** The next reader event from graphql-ws and from SSE: they must be the same event. */
    async function nextEvent(what: string): Promise<ReaderEventShape> {
      const viaWs = (await next(wsEvents, `${what} (graphql-ws)`)).data?.readerEvents;
      let viaSse: ReaderEventShape | undefined;
      while (!viaSse) {
        const frame = await next(sseFrames, `${what} (SSE)`);
        if (frame.event === 'next') viaSse = (JSON.parse(frame.data) as { data: { readerEvents: ReaderEventShape } }).data.readerEvents;
      }
      expect(viaSse, `${what}: SSE and graphql-ws disagree`).toEqual(viaWs);
      return viaWs!;
    }

    async function events(n: number, what: string): Promise<Array<[string, string, number, string | null, string | null]>> {
      const out: Array<[string, string, number, string | null, string | null]> = [];
      for (let i = 0; i < n; i++) {
        const e = await nextEvent(`${what} #${i + 1}`);
        out.push([e.kind, e.readerName, e.level, e.atr, e.cardKind]);
      }
      return out;
    }

    async function nextLight(what: string): Promise<[number, string]> {
      const light = (await next(wsLights, what)).data!.lightStateChanged.healthCard;
      return [light.level, light.colour];
    }

    async function gql(query: string): Promise<any> {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { data?: any; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      return body.data;
    }

    async function ready(): Promise<{ status: number; body: { ready: boolean; reasons: string[] } }> {
      const response = await fetch(`${server.url}/ready`);
      return { status: response.status, body: (await response.json()) as { ready: boolean; reasons: string[] } };
    }

    beforeAll(async () => {
      // One bed per machine: other PC/SC suites (the doctor's, the status page's) may hold it for a while.
      bed = await acquireTestBed(BED_WAIT_MS);
      // The gateway starts before pcscd: the first test is "no pcscd at start".
      services = createPcscServices({ watcher: { backoff: { initialMs: 50, maxMs: 250 } } });
      server = await startServer({
        yoga: createApp(services, { graphiql: false, security: { token: TOKEN } }),
        host: '127.0.0.1',
        port: 0,
      });
    }, BED_WAIT_MS + 30_000);

    afterAll(async () => {
      sseAbort.abort();
      await wsEvents?.return?.();
      await wsLights?.return?.();
      await ws?.dispose();
      await server?.close(100);
      await services?.[Symbol.asyncDispose]();
      await bed?.dispose();
    });

    it('without pcscd: the gateway is up, /ready says why, and it attaches once pcscd starts', async () => {
      // The real library, no service.
      await expect(createNativePcscPort().establishContext()).rejects.toMatchObject({ code: 'SCARD_E_NO_SERVICE' });

      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      await expect.poll(async () => (await ready()).status, { timeout: 5000 }).toBe(503);
      const notReady = await ready();
      expect(notReady.body.ready).toBe(false);
      expect(notReady.body.reasons[0]).toMatch(/^PC\/SC service not running \(SCARD_E_NO_SERVICE\); start pcscd/);
      const status = await gql('{ gateway { backend ready readinessReasons } readers { id } }');
      expect(status).toMatchObject({ gateway: { backend: 'PCSC', ready: false }, readers: [] });
      const basic = await gql(BASIC_QUERY);
      expect(basic.healthCard.basicData).toMatchObject({ __typename: 'GatewayError', code: 'PCSC_UNAVAILABLE', retryable: true });

      // Subscribers from now on, for the rest of the file: one graphql-ws connection, one SSE stream.
      ws = createWsClient(`${server.url}/graphql`, { connectionParams: { authorization: `Bearer ${TOKEN}` } });
      wsEvents = ws.iterate<{ readerEvents: ReaderEventShape }>({ query: EVENTS_QUERY })[Symbol.asyncIterator]();
      wsLights = ws.iterate<{ lightStateChanged: { healthCard: { level: number; colour: string } } }>({ query: LIGHTS_QUERY })[
        Symbol.asyncIterator
      ]();
      expect(await nextLight('the initial lights')).toEqual([0, 'WHITE']);
      const sse = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: EVENTS_QUERY }),
        signal: sseAbort.signal,
      });
      expect(sse.headers.get('content-type')).toContain('text/event-stream');
      sseFrames = readSseEvents(sse.body!)[Symbol.asyncIterator]();

      await bed.startPcscd();
      expect(await events(2, 'readers attached')).toEqual([
        ['READER_ATTACHED', READERS[0], 0, null, null],
        ['READER_ATTACHED', READERS[1], 0, null, null],
      ]);
      await expect.poll(async () => (await ready()).body, { timeout: 5000 }).toMatchObject({ ready: true, reasons: [] });
    });

    it('card inserted → CARD_INSERTED with the ATR and "NHI card" at once, light 1; removed → CARD_REMOVED, light 0', async () => {
      const card = await bed.insertCard();
      const inserted = await nextEvent('CARD_INSERTED');
      expect(inserted).toMatchObject({
        kind: 'CARD_INSERTED',
        readerId: `pcsc:${READERS[0]}`,
        readerName: READERS[0],
        slot: 'HEALTH_CARD',
        level: 1,
        atr: ATR.T1,
        cardKind: 'NHI_CARD',
      });
      expect(Date.parse(inserted.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(await nextLight('light 1')).toEqual([1, 'BROWN']);

      const readers = await gql('{ readers { id name slot cardPresent atr cardKind light { ... on CardLight { level colour } } } }');
      expect(readers.readers).toEqual([
        { id: `pcsc:${READERS[0]}`, name: READERS[0], slot: 'HEALTH_CARD', cardPresent: true, atr: ATR.T1, cardKind: 'NHI_CARD', light: { level: 1, colour: 'BROWN' } },
        { id: `pcsc:${READERS[1]}`, name: READERS[1], slot: 'HEALTH_CARD', cardPresent: false, atr: null, cardKind: null, light: { level: 0, colour: 'WHITE' } },
      ]);

      // docs/reference/pcsc.md basic data through the pcsc backend: the 造字 (Big5 0xFA40) arrives as U+E000 with its raw bytes.
      const basic = await gql(BASIC_QUERY);
      expect(basic.healthCard.basicData).toEqual({
        __typename: 'BasicData',
        cardNumber: '000012345678',
        idNumber: 'A123456789',
        birthDate: '1980-05-12',
        sex: 'MALE',
        issueDate: '2025-01-01',
        cancelled: false,
        emergencyPhone: null,
        name: { text: '王\uE000明', rawHex: 'A4FDFA40A9FA', hasRareCharacters: true },
      });
      const other = await gql('{ healthCard { registerData { __typename ... on Error { code } } } sam { __typename ... on Error { code } } }');
      expect(other.healthCard.registerData).toEqual({ __typename: 'GatewayError', code: 'NOT_SUPPORTED_BY_BACKEND' });
      expect(other.sam).toEqual({ __typename: 'GatewayError', code: 'NOT_SUPPORTED_BY_BACKEND' });

      await card.remove();
      expect(await events(1, 'CARD_REMOVED')).toEqual([['CARD_REMOVED', READERS[0], 0, ATR.T1, 'NHI_CARD']]);
      expect(await nextLight('light 0')).toEqual([0, 'WHITE']);
      const gone = await gql(BASIC_QUERY);
      expect(gone.healthCard.basicData).toMatchObject({ __typename: 'GatewayError', code: 'HEALTH_CARD_NOT_INSERTED' });
    });

    it('reads a T=0 card through GET RESPONSE (61 xx)', async () => {
      const card = await bed.insertCard({ slot: 1, t0: true });
      expect(await events(1, 'T=0 CARD_INSERTED')).toEqual([['CARD_INSERTED', READERS[1], 1, ATR.T0, 'NHI_CARD']]);
      expect(await nextLight('light 1')).toEqual([1, 'BROWN']);
      const basic = await gql(BASIC_QUERY);
      expect(basic.healthCard.basicData).toMatchObject({ __typename: 'BasicData', idNumber: 'A123456789', name: { rawHex: 'A4FDFA40A9FA' } });
      await card.remove();
      expect(await events(1, 'T=0 CARD_REMOVED')).toEqual([['CARD_REMOVED', READERS[1], 0, ATR.T0, 'NHI_CARD']]);
      expect(await nextLight('light 0')).toEqual([0, 'WHITE']);
    });

    it('an unknown card is "not an NHI card": kind OTHER, no light, NOT_AN_NHI_CARD instead of garbage', async () => {
      const card = await bed.insertCard({ unknown: true });
      expect(await events(1, 'OTHER CARD_INSERTED')).toEqual([['CARD_INSERTED', READERS[0], 0, ATR.OTHER, 'OTHER']]);
      const basic = await gql(BASIC_QUERY);
      expect(basic.healthCard.basicData).toMatchObject({
        __typename: 'GatewayError',
        code: 'NOT_AN_NHI_CARD',
        message: 'The inserted card is not an NHI health card',
      });
      const state = await gql('{ healthCard { state { ... on HealthCardState { status inserted } } } lightState { ... on LightState { healthCard { level } } } }');
      expect(state).toEqual({ healthCard: { state: { status: 'NOT_A_HEALTH_CARD', inserted: false } }, lightState: { healthCard: { level: 0 } } });
      await card.remove();
      expect(await events(1, 'OTHER CARD_REMOVED')).toEqual([['CARD_REMOVED', READERS[0], 0, ATR.OTHER, 'OTHER']]);
    });

    it('a card pulled out mid-read gives CARD_REMOVED, and the stream goes on', async () => {
      const card = await bed.insertCard({ exitOnRead: true });
      expect(await events(1, 'CARD_INSERTED')).toEqual([['CARD_INSERTED', READERS[0], 1, ATR.T1, 'NHI_CARD']]);
      expect(await nextLight('light 1')).toEqual([1, 'BROWN']);
      const basic = await gql(BASIC_QUERY);
      expect(basic.healthCard.basicData).toMatchObject({ __typename: 'GatewayError', code: 'CARD_REMOVED', retryable: true });
      expect(await card.exited).toBe(0);
      expect(await events(1, 'CARD_REMOVED')).toEqual([['CARD_REMOVED', READERS[0], 0, ATR.T1, 'NHI_CARD']]);
      expect(await nextLight('light 0')).toEqual([0, 'WHITE']);

      // Same subscriptions, next card.
      const again = await bed.insertCard();
      expect(await events(1, 'the next CARD_INSERTED')).toEqual([['CARD_INSERTED', READERS[0], 1, ATR.T1, 'NHI_CARD']]);
      expect(await nextLight('light 1 again')).toEqual([1, 'BROWN']);
      expect((await gql(BASIC_QUERY)).healthCard.basicData.__typename).toBe('BasicData');
      await again.remove();
      expect(await events(1, 'CARD_REMOVED')).toEqual([['CARD_REMOVED', READERS[0], 0, ATR.T1, 'NHI_CARD']]);
      expect(await nextLight('light 0 again')).toEqual([0, 'WHITE']);
    });

    it('pcscd killed and restarted: every reader detached, the context re-established, readers and cards seen again', async () => {
      const card = await bed.insertCard();
      expect(await events(1, 'CARD_INSERTED')).toEqual([['CARD_INSERTED', READERS[0], 1, ATR.T1, 'NHI_CARD']]);
      expect(await nextLight('light 1')).toEqual([1, 'BROWN']);
      const contextsBefore = services.watcher.status().contexts;

      await bed.stopPcscd('SIGKILL'); // a crash: the card process loses vpcd and exits too
      await card.exited;
      expect(await events(3, 'everything detached')).toEqual([
        ['CARD_REMOVED', READERS[0], 0, ATR.T1, 'NHI_CARD'],
        ['READER_DETACHED', READERS[0], 0, null, null],
        ['READER_DETACHED', READERS[1], 0, null, null],
      ]);
      expect(await nextLight('light 0')).toEqual([0, 'WHITE']);
      await expect.poll(async () => (await ready()).body.reasons[0] ?? '', { timeout: 5000 }).toMatch(/PC\/SC service not running/);
      expect((await ready()).status).toBe(503);

      await bed.startPcscd(); // over the stale socket and pid file SIGKILL left
      expect(await events(2, 'readers attached again')).toEqual([
        ['READER_ATTACHED', READERS[0], 0, null, null],
        ['READER_ATTACHED', READERS[1], 0, null, null],
      ]);
      // RUNNING once the new context's first pass (reader states) is done, just after the attach events.
      await expect.poll(() => services.watcher.status(), { timeout: 5000 }).toMatchObject({ state: 'RUNNING', contexts: contextsBefore + 1 });
      await expect.poll(async () => (await ready()).status, { timeout: 5000 }).toBe(200);

      const again = await bed.insertCard();
      expect(await events(1, 'CARD_INSERTED after the restart')).toEqual([['CARD_INSERTED', READERS[0], 1, ATR.T1, 'NHI_CARD']]);
      expect(await nextLight('light 1 after the restart')).toEqual([1, 'BROWN']);
      // The card context died with pcscd too; the read re-establishes it.
      expect((await gql(BASIC_QUERY)).healthCard.basicData).toMatchObject({ __typename: 'BasicData', cardNumber: '000012345678' });
      // Stays in for the next test.
      expect(again.reader).toBe(READERS[0]);
    });

    it('a gateway started while readers and a card are already there sees them at once', async () => {
      const late = createPcscServices();
      try {
        await late.watcher.whenRunning(5000);
        const session = late.watcher.readers()[0]?.card?.session;
        expect(session).toMatch(/^cs_/);
        expect(late.monitor.readers).toEqual([
          {
            id: `pcsc:${READERS[0]}`,
            name: READERS[0],
            slot: 'HEALTH_CARD',
            cardPresent: true,
            atr: ATR.T1,
            cardKind: 'NHI_CARD',
            cardSession: session,
          },
          { id: `pcsc:${READERS[1]}`, name: READERS[1], slot: 'HEALTH_CARD', cardPresent: false, atr: null, cardKind: null },
        ]);
        expect((await late.monitor.current()).healthCard).toEqual({ level: 1, colour: 'BROWN' });
        expect((await late.cards.basicData()).name.text).toBe('王\uE000明');
      } finally {
        await late[Symbol.asyncDispose]();
      }
      expect(late.watcher.status().state).toBe('STOPPED');
    });
  },
);
