/**
 * Card swaps and the edges of card presence on the pcsc backend (issue 15), end to end: a real pcscd with the
 * vsmartcard vpcd driver, virtual NHI cards (test/pcsc/nhi_card.py) that report every power-up and APDU they
 * receive, the koffi adapter over the real libpcsclite, the gateway on a real port and a real graphql-ws client
 * on `readerEvents`.
 *
 * - a swap of two cards with different card numbers in one reader, seen live and seen only after both happened
 *   (the watcher held between two looks): CARD_REMOVED(s1), CARD_INSERTED(s2), basic data of the new card with
 *   s2, a write for s1 refused with CARD_CHANGED with no APDU sent; the same card put back is a new session too;
 * - a swap PC/SC did not see at all (the virtual card changes its card number in place): found by the card
 *   number at the next read, which fails with CARD_REMOVED, and announced like any swap;
 * - a frozen card in reader 00 00 (never answers an APDU) while an NHI card goes into 00 01: labelled OTHER when
 *   identification times out, identified again (same session, light 1, basic data) once the reader frees up;
 * - two readers with a card each: every Reader.cardSession names its own reader's card;
 * - a card pulled out while the reader powers it up for a read, 8 times: always CARD_REMOVED.
 *
 * One test bed per machine (test/pcsc/test-bed.ts takes the lock); pending only without pcscd, like the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { createApp } from '../../../src/app.ts';
import { startServer, type RunningServer } from '../../../src/server.ts';
import { createNativePcscPort } from '../../../src/adapters/pcsc/native.ts';
import { PNP_NOTIFICATION, STATE } from '../../../src/adapters/pcsc/codes.ts';
import type { PcscContext, PcscPort } from '../../../src/ports/pcsc.ts';
import { createPcscServices, type PcscRunningServices } from '../../helpers/pcsc-services.ts';
import { createWsClient } from '../../helpers/ws.ts';
import { nextWithin } from '../../helpers/next-within.ts';
import { ATR, READERS, RARE_NAME_PATIENT, acquireTestBed, pcscdMissing, type Patient, type TestBed, type VirtualCard } from '../../pcsc/test-bed.ts';

const TOKEN = 'pcsc-swap-test-token-0123456789abcdef0123';
const EVENT_MS = 15_000;
const BED_WAIT_MS = 240_000;
/** Short, so the frozen-card test does not wait 3 s per identification; the mechanism is the same. */
const CLASSIFY_TIMEOUT_MS = 1000;

const PATIENT_A: Patient = RARE_NAME_PATIENT;
const PATIENT_B: Patient = {
  cardNumber: '000087654321',
  nameBig5Hex: 'B3AFA470ACFC', // 陳小美
  idNumber: 'B234567890',
  birthDate: '0851224',
  sex: 'F',
  issueDate: '1130615',
};

const EVENTS_QUERY = 'subscription { readerEvents { kind readerName level atr cardKind cardSession } }';
const LIGHTS_QUERY = 'subscription { lightStateChanged { healthCard { level } } }';
const READ_QUERY = `{ healthCard { cardSession basicData {
  __typename ... on BasicData { cardNumber } ... on Error { code }
} } }`;
const cancelWith = (session: string) =>
  `mutation { cancelVisit(input: { visitTime: "1140301093000", expectedCardSession: "${session}" }) { __typename ... on Error { code } } }`;

interface EventShape {
  kind: string;
  readerName: string;
  level: number;
  atr: string | null;
  cardKind: string | null;
  cardSession: string | null;
}

/**
 * The native port, with the reader watcher's view held on request: while closed, the watcher's next look at the
 * readers waits, so a removal and an insertion both happen between two of its looks (as between two polls).
 * Every APDU transmitted is counted.
 */
function holdableWatcherPort(port: PcscPort) {
  let watcherContext: PcscContext | null = null;
  let held: Promise<void> | null = null;
  let release: () => void = () => undefined;
  let inWait = 0;
  let transmitted = 0;
  const wrapped = Object.create(port) as PcscPort;
  const gate = async (context: PcscContext) => {
    while (context === watcherContext && held) await held;
  };
  wrapped.getStatusChange = async (context, timeout, states) => {
    // Only the watcher asks about the PnP pseudo-reader: that is how its context is told from the card stack's.
    if (states.some((s) => s.reader === PNP_NOTIFICATION)) watcherContext = context;
    await gate(context);
    const mine = context === watcherContext;
    if (mine) inWait++;
    try {
      return await port.getStatusChange(context, timeout, states);
    } finally {
      if (mine) inWait--;
    }
  };
  wrapped.listReaders = async (context) => {
    await gate(context);
    return port.listReaders(context);
  };
  wrapped.transmit = (...args) => {
    transmitted++;
    return port.transmit(...args);
  };
  return {
    port: wrapped,
    transmitted: () => transmitted,
    /** Holds the watcher: ends its current wait (SCardCancel, repeated until it has ended) and keeps it from the next. */
    async hold(): Promise<void> {
      held = new Promise((resolve) => (release = resolve));
      while (inWait > 0) {
        if (watcherContext !== null) port.cancel(watcherContext);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    release(): void {
      held = null;
      release();
    },
  };
}

/** `promise`, or a failure naming `what` after EVENT_MS instead of the test's own timeout. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${EVENT_MS} ms waiting for ${what}`)), EVENT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const missing = pcscdMissing();

describe.skipIf(missing !== null)(`PC/SC swaps and presence edges: pcscd + vpcd + virtual cards${missing ? ` — PENDING: ${missing}` : ''}`, () => {
  let bed: TestBed;
  let services: PcscRunningServices;
  let server: RunningServer;
  let ws: Client;
  let events: AsyncIterator<{ data?: { readerEvents: EventShape } | null }>;
  let lights: AsyncIterator<{ data?: { lightStateChanged: { healthCard: { level: number } } } | null }>;
  let watcherPort: ReturnType<typeof holdableWatcherPort>;
  /** The test's own view of the readers, straight from pcscd. */
  const direct = createNativePcscPort();
  let directContext: PcscContext;

  const nextEvent = async (what: string): Promise<EventShape> => (await nextWithin(events, what, EVENT_MS)).data!.readerEvents;
  const nextLight = async (what: string): Promise<number> => (await nextWithin(lights, what, EVENT_MS)).data!.lightStateChanged.healthCard.level;
  async function expectLights(levels: readonly number[], what: string): Promise<void> {
    const seen: number[] = [];
    for (let i = 0; i < levels.length; i++) seen.push(await nextLight(`${what} (${i + 1} of ${levels.length})`));
    expect(seen, what).toEqual(levels);
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

  /** Waits until pcscd itself reports a card in `reader` whose event counter moved by at least `moves` since `since`. */
  async function pcscdSeesCard(reader: string, since: number, moves: number): Promise<void> {
    let known = 0;
    const deadline = Date.now() + EVENT_MS;
    for (;;) {
      const [state] = await direct.getStatusChange(directContext, Math.max(1, deadline - Date.now()), [{ reader, currentState: known }]).catch(
        (error: { code?: string }) => {
          if (error.code === 'SCARD_E_TIMEOUT') throw new Error(`pcscd did not report the new card in ${reader} within ${EVENT_MS} ms`);
          throw error;
        },
      );
      known = state!.eventState & ~STATE.CHANGED;
      if (state!.present && (state!.eventState >>> 16) - since >= moves) return;
    }
  }

  async function counterOf(reader: string): Promise<number> {
    const [state] = await direct.getStatusChange(directContext, 0, [{ reader, currentState: 0 }]);
    return state!.eventState >>> 16;
  }

  beforeAll(async () => {
    bed = await acquireTestBed(BED_WAIT_MS);
    await bed.startPcscd();
    directContext = await direct.establishContext();
    watcherPort = holdableWatcherPort(createNativePcscPort());
    services = createPcscServices({ port: watcherPort.port, watcher: { classifyTimeoutMs: CLASSIFY_TIMEOUT_MS }, readTimeoutMs: 3000 });
    await services.watcher.whenRunning(10_000);
    server = await startServer({ yoga: createApp(services, { graphiql: false, security: { token: TOKEN } }), host: '127.0.0.1', port: 0 });
    ws = createWsClient(`${server.url}/graphql`, { connectionParams: { authorization: `Bearer ${TOKEN}` } });
    events = ws.iterate<{ readerEvents: EventShape }>({ query: EVENTS_QUERY })[Symbol.asyncIterator]();
    lights = ws.iterate<{ lightStateChanged: { healthCard: { level: number } } }>({ query: LIGHTS_QUERY })[Symbol.asyncIterator]();
    expect(await nextLight('the initial lights')).toBe(0);
  }, BED_WAIT_MS + 30_000);

  /** Every card a test put in, so a failed test cannot leave a frozen card blocking the teardown. */
  const live = new Set<VirtualCard>();
  async function insert(options: Parameters<TestBed['insertCard']>[0]): Promise<VirtualCard> {
    const card = await bed.insertCard(options);
    live.add(card);
    return card;
  }

  afterAll(async () => {
    // Cards out first: a frozen card keeps a transmit (and so the card stack's dispose) waiting until it goes.
    await Promise.all([...live].map((card) => card.remove()));
    watcherPort?.release();
    await events?.return?.();
    await lights?.return?.();
    await ws?.dispose();
    await server?.close(100);
    await services?.[Symbol.asyncDispose]();
    if (directContext !== undefined) await direct.releaseContext(directContext).catch(() => undefined);
    await bed?.dispose();
  }, 60_000);

  /** Card A's insertion, read, and the sessions that prove which card a write is for. */
  async function insertAndRead(patient: Patient): Promise<{ card: VirtualCard; session: string }> {
    const card = await insert({ patient });
    const inserted = await nextEvent('CARD_INSERTED');
    expect(inserted).toMatchObject({ kind: 'CARD_INSERTED', readerName: READERS[0], level: 1, atr: ATR.T1, cardKind: 'NHI_CARD' });
    expect(inserted.cardSession).toMatch(/^cs_/);
    const read = (await gql(READ_QUERY)).healthCard;
    expect(read).toEqual({ cardSession: inserted.cardSession, basicData: { __typename: 'BasicData', cardNumber: patient.cardNumber } });
    return { card, session: inserted.cardSession! };
  }

  /** After a swap from `before`: CARD_REMOVED(before), CARD_INSERTED(new), and the new card's data with the new session. */
  async function expectSwap(before: string, patient: Patient): Promise<string> {
    const removed = await nextEvent('CARD_REMOVED of the first card');
    expect(removed).toMatchObject({ kind: 'CARD_REMOVED', readerName: READERS[0], cardKind: 'NHI_CARD', cardSession: before });
    const inserted = await nextEvent('CARD_INSERTED of the second card');
    expect(inserted).toMatchObject({ kind: 'CARD_INSERTED', readerName: READERS[0], level: 1, cardKind: 'NHI_CARD' });
    expect(inserted.cardSession).toMatch(/^cs_/);
    expect(inserted.cardSession).not.toBe(before);
    const read = (await gql(READ_QUERY)).healthCard;
    expect(read).toEqual({ cardSession: inserted.cardSession, basicData: { __typename: 'BasicData', cardNumber: patient.cardNumber } });
    return inserted.cardSession!;
  }

  let inReader: VirtualCard | null = null;

  it('a swap of two cards in one reader: CARD_REMOVED then CARD_INSERTED with a new session; a write for the old one is refused without an APDU', async () => {
    const a = await insertAndRead(PATIENT_A);
    await a.card.remove();
    const b = await insert({ patient: PATIENT_B }); // no pause: the next patient's card goes straight in
    const s2 = await expectSwap(a.session, PATIENT_B);

    // The desk still shows patient A and writes for A's session: refused before anything reaches the card.
    const apdusBefore = b.apdus();
    const transmittedBefore = watcherPort.transmitted();
    expect((await gql(cancelWith(a.session))).cancelVisit).toEqual({ __typename: 'GatewayError', code: 'CARD_CHANGED' });
    // With the right session the guard lets it through to the backend, which cannot write over PC/SC.
    expect((await gql(cancelWith(s2))).cancelVisit).toEqual({ __typename: 'GatewayError', code: 'NOT_SUPPORTED_BY_BACKEND' });
    expect(b.apdus()).toBe(apdusBefore);
    expect(watcherPort.transmitted()).toBe(transmittedBefore);

    // The same card out and back in is a new insertion, so a new session.
    await b.remove();
    const again = await insert({ patient: PATIENT_B });
    const s3 = await expectSwap(s2, PATIENT_B);
    expect(s3).not.toBe(a.session);
    // Each removal turned the light off, each insertion on: a HIS watching lights only sees the swaps too.
    await expectLights([1, 0, 1, 0, 1], 'lights through both swaps');
    inReader = again;
  }, 60_000);

  it('a swap that happens entirely between two looks of the watcher is still CARD_REMOVED then CARD_INSERTED', async () => {
    const card = inReader!;
    const before = (await gql(READ_QUERY)).healthCard.cardSession as string;
    const counter = await counterOf(READERS[0]);
    await watcherPort.hold();
    await card.remove();
    const next = await insert({ patient: PATIENT_A });
    // pcscd saw the card go and the next one come (its event counter moved twice); the watcher has not looked yet.
    await pcscdSeesCard(READERS[0], counter, 2);
    expect(services.watcher.readers()[0]?.card?.session, 'the watcher has not looked yet').toBe(before);
    watcherPort.release();
    const session = await expectSwap(before, PATIENT_A);
    expect((await gql(cancelWith(before))).cancelVisit).toEqual({ __typename: 'GatewayError', code: 'CARD_CHANGED' });
    expect(session).not.toBe(before);
    await next.remove();
    expect(await nextEvent('CARD_REMOVED')).toMatchObject({ kind: 'CARD_REMOVED', cardSession: session });
    await expectLights([0, 1, 0], 'lights through the held swap and the removal');
  }, 60_000);

  it('a swap PC/SC did not see (same ATR, no removal, counter unchanged) is found by the card number at the next read', async () => {
    const card = await insert({ patient: PATIENT_A, nextPatient: PATIENT_B });
    const inserted = await nextEvent('CARD_INSERTED');
    expect(inserted).toMatchObject({ kind: 'CARD_INSERTED', readerName: READERS[0], cardKind: 'NHI_CARD' });
    const s1 = inserted.cardSession!;
    expect((await gql(READ_QUERY)).healthCard).toEqual({ cardSession: s1, basicData: { __typename: 'BasicData', cardNumber: PATIENT_A.cardNumber } });
    const counter = await counterOf(READERS[0]);

    await card.switchPatient();
    // The read finds another card number under s1: it fails (its data never goes out under s1) and the swap is announced.
    expect((await gql(READ_QUERY)).healthCard.basicData).toEqual({ __typename: 'GatewayError', code: 'CARD_REMOVED' });
    expect(await counterOf(READERS[0]), 'PC/SC itself saw no change').toBe(counter);
    const s2 = await expectSwap(s1, PATIENT_B);
    expect((await gql(cancelWith(s1))).cancelVisit).toEqual({ __typename: 'GatewayError', code: 'CARD_CHANGED' });

    await card.remove();
    expect(await nextEvent('CARD_REMOVED')).toMatchObject({ kind: 'CARD_REMOVED', cardSession: s2 });
    await expectLights([1, 0, 1, 0], 'lights: in, swapped out and in, out');
  }, 60_000);

  it('a frozen card in reader 00 00: the NHI card in 00 01 is OTHER while identification is stuck, then identified (same session, light 1, basic data)', async () => {
    const frozen = await insert({ frozen: true, slot: 0 });
    // Its identification (the SELECT) never gets an answer: OTHER after the timeout.
    expect(await nextEvent('the frozen card inserted')).toMatchObject({ kind: 'CARD_INSERTED', readerName: READERS[0], level: 0, cardKind: 'OTHER' });
    await frozen.whenReported('APDU A4');
    // A desk reads meanwhile: the read waits behind the stuck SELECT and gives up.
    const stuckRead = gql(READ_QUERY);

    const nhi = await insert({ slot: 1, patient: PATIENT_B });
    const labelled = await nextEvent('the NHI card inserted while the reader stack is stuck');
    expect(labelled).toMatchObject({ kind: 'CARD_INSERTED', readerName: READERS[1], level: 0, cardKind: 'OTHER' });
    expect(nhi.apdus()).toBe(0); // its identification never got through
    expect((await stuckRead).healthCard.basicData).toEqual({ __typename: 'GatewayError', code: 'HEALTH_CARD_IO_ERROR' });
    expect((await gql('{ lightState { ... on LightState { healthCard { level } } } }')).lightState.healthCard.level).toBe(0);

    // The frozen card comes out: the stuck SELECT ends, and the waiting identification goes through.
    await frozen.remove();
    const after = [await nextEvent('after the frozen card left (1)'), await nextEvent('after the frozen card left (2)')];
    expect(after).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'CARD_REMOVED', readerName: READERS[0], cardKind: 'OTHER' }),
        // Identified again: the same card, so the same session.
        expect.objectContaining({ kind: 'CARD_INSERTED', readerName: READERS[1], level: 1, cardKind: 'NHI_CARD', cardSession: labelled.cardSession }),
      ]),
    );
    expect(await nextLight('light 1 for the identified card')).toBe(1);
    const state = await gql(`{ readers { name cardKind light { ... on CardLight { level } } } healthCard { state { ... on HealthCardState { status } } } }`);
    expect(state.readers).toEqual([
      { name: READERS[0], cardKind: null, light: { level: 0 } },
      { name: READERS[1], cardKind: 'NHI_CARD', light: { level: 1 } },
    ]);
    expect(state.healthCard.state.status).toBe('NOT_SAM_AUTHENTICATED');
    expect((await gql(READ_QUERY)).healthCard).toEqual({
      cardSession: labelled.cardSession,
      basicData: { __typename: 'BasicData', cardNumber: PATIENT_B.cardNumber },
    });
    await nhi.remove();
    expect(await nextEvent('CARD_REMOVED')).toMatchObject({ kind: 'CARD_REMOVED', readerName: READERS[1], cardSession: labelled.cardSession });
    expect(await nextLight('light 0')).toBe(0);
  }, 60_000);

  it('two readers, a card in each: each Reader.cardSession is its own card\'s session, as its CARD_INSERTED gave it', async () => {
    const readersQuery = '{ readers { name cardSession } healthCard { cardSession } }';
    const first = await insert({ slot: 0, patient: PATIENT_A });
    const inFirst = await nextEvent('CARD_INSERTED in reader 00 00');
    expect(inFirst).toMatchObject({ kind: 'CARD_INSERTED', readerName: READERS[0], cardKind: 'NHI_CARD' });
    const second = await insert({ slot: 1, patient: PATIENT_B });
    const inSecond = await nextEvent('CARD_INSERTED in reader 00 01');
    expect(inSecond).toMatchObject({ kind: 'CARD_INSERTED', readerName: READERS[1], cardKind: 'NHI_CARD' });
    expect(inSecond.cardSession).not.toBe(inFirst.cardSession);

    expect(await gql(readersQuery)).toEqual({
      readers: [
        { name: READERS[0], cardSession: inFirst.cardSession },
        { name: READERS[1], cardSession: inSecond.cardSession },
      ],
      // Reads use the first reader by name holding an NHI card.
      healthCard: { cardSession: inFirst.cardSession },
    });

    await first.remove();
    expect(await nextEvent('CARD_REMOVED from reader 00 00')).toMatchObject({ kind: 'CARD_REMOVED', readerName: READERS[0], cardSession: inFirst.cardSession });
    expect(await gql(readersQuery)).toEqual({
      readers: [
        { name: READERS[0], cardSession: null },
        { name: READERS[1], cardSession: inSecond.cardSession },
      ],
      healthCard: { cardSession: inSecond.cardSession },
    });
    await second.remove();
    expect(await nextEvent('CARD_REMOVED from reader 00 01')).toMatchObject({ kind: 'CARD_REMOVED', readerName: READERS[1], cardSession: inSecond.cardSession });
    // The slot's light stayed on while either card was in.
    await expectLights([1, 0], 'lights: on with the first card, off when the last one left');
  }, 60_000);

  it('a card pulled out while the reader powers it up for a read is CARD_REMOVED, every time (8 tries)', async () => {
    const codes: string[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      // Powered at insertion, identified (its SELECT answered), then powered down by pcscd when idle; the read
      // powers it up again, and the card vanishes right then.
      const card = await insert({ vanishWhenPoweredAgain: true });
      expect(await nextEvent(`try ${attempt}: CARD_INSERTED`)).toMatchObject({ kind: 'CARD_INSERTED', readerName: READERS[0], cardKind: 'NHI_CARD' });
      expect(await nextLight(`try ${attempt}: light 1`)).toBe(1);
      // pcscd powers an idle card down (the reader may also have been powered down before this card came in).
      await card.whenReported('POWER_DOWN', { after: 'APDU A4' });
      codes.push((await gql(READ_QUERY)).healthCard.basicData.code);
      expect(await within(card.exited, `try ${attempt}: the card process to exit`)).toBe(0);
      expect(card.reports().at(-1)).toBe('POWER_UP');
      expect(card.apdus()).toBe(1); // the identification's SELECT; the read never got to send one
      expect(await nextEvent(`try ${attempt}: CARD_REMOVED`)).toMatchObject({ kind: 'CARD_REMOVED', readerName: READERS[0] });
      expect(await nextLight(`try ${attempt}: light 0`)).toBe(0);
    }
    expect(codes).toEqual(Array(8).fill('CARD_REMOVED'));
  }, 120_000);
});
