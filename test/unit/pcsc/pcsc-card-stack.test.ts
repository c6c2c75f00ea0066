/**
 * The pcsc backend's CardStack against the in-memory PC/SC service: the §8 exchange (SELECT, READ, T=0 GET
 * RESPONSE, 6C xx), decoding with the DLL path's codecs (造字 → PUA, never a rejection), and the typed errors.
 */
import { describe, expect, it } from 'vitest';
import { PcscCardStack, exchange, READ_BASIC_DATA, SELECT_NHI_AID } from '../../../src/adapters/pcsc/card-stack.ts';
import { ReaderWatcher } from '../../../src/adapters/pcsc/reader-watcher.ts';
import { PcscError, RETURN_CODES } from '../../../src/adapters/pcsc/codes.ts';
import { GatewayError } from '../../../src/errors/gateway-errors.ts';
import { FakePcsc, nhiCard, type FakeCard } from './fake-pcsc.ts';

const R0 = 'Generic Smart Card Reader 00 00';
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

async function setup(card: FakeCard | null, options: { removalGraceMs?: number } = {}) {
  const fake = new FakePcsc([R0]);
  if (card) fake.insert(R0, card);
  let stack: PcscCardStack | null = null;
  const watcher = new ReaderWatcher(fake, { classify: (reader) => stack!.classify(reader), backoff: { initialMs: 5, maxMs: 10 } });
  stack = new PcscCardStack(fake, { presence: watcher, libraryPath: 'fake-pcsc', removalGraceMs: options.removalGraceMs ?? 50 });
  watcher.start();
  await watcher.whenRunning(1000);
  const dispose = async () => {
    await watcher.dispose();
    await stack![Symbol.asyncDispose]();
  };
  return { fake, watcher, stack, dispose };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return (error as GatewayError).code;
  }
  throw new Error('expected a rejection');
}

const EXPECTED_BASIC = {
  cardNumber: '000012345678',
  name: { text: '王\uE000明', rawHex: 'A4FDFA40A9FA', hasRareCharacters: true },
  idNumber: 'A123456789',
  birthDate: '1980-05-12',
  sex: 'M',
  issueDate: '2025-01-01',
  cancelled: false,
  emergencyPhone: null,
};

describe('§8 APDU exchange', () => {
  it('sends the canonical SELECT and READ', () => {
    // cshis-api.md §8, byte for byte (the canonical 16-byte AID padding).
    expect(SELECT_NHI_AID).toEqual(hex('00 A4 04 00 10  D1 58 00 00 01 00 00 00 00 00 00 00 00 00 11 00'));
    expect(READ_BASIC_DATA).toEqual(hex('00 CA 11 00 02 00 00'));
  });

  it('follows 61 xx with GET RESPONSE and 6C xx with the right Le', async () => {
    const sent: string[] = [];
    const answers = [hex('61 03'), hex('AA BB CC 61 02'), hex('DD EE 90 00')];
    const result = await exchange(async (c) => {
      sent.push(Buffer.from(c).toString('hex').toUpperCase());
      return answers.shift()!;
    }, hex('00 CA 11 00 02 00 00'));
    expect(sent).toEqual(['00CA1100020000', '00C0000003', '00C0000002']);
    expect(result).toEqual({ data: hex('AA BB CC DD EE'), sw: 0x9000 });

    const sent6c: string[] = [];
    const answers6c = [hex('6C 39'), hex('01 02 90 00')];
    const r6c = await exchange(async (c) => {
      sent6c.push(Buffer.from(c).toString('hex').toUpperCase());
      return answers6c.shift()!;
    }, hex('00 CA 11 00 02 00 00'));
    expect(sent6c).toEqual(['00CA1100020000', '00CA1100020039']);
    expect(r6c).toEqual({ data: hex('01 02'), sw: 0x9000 });
  });

  it('stops a card that answers 61 xx forever', async () => {
    let calls = 0;
    const result = await exchange(async () => {
      calls++;
      return hex('61 01');
    }, READ_BASIC_DATA);
    expect(calls).toBe(16);
    expect(result.sw).toBe(0);
  });
});

describe('PcscCardStack', () => {
  it('reads basic data over T=1 and decodes the rare character to the PUA with its raw bytes', async () => {
    const { stack, fake, dispose } = await setup(nhiCard());
    expect(await stack.basicData()).toEqual(EXPECTED_BASIC);
    // SHARED connect, one transaction, two APDUs (plus the classification's SELECT at insertion), card left as is.
    expect(fake.calls.filter((c) => c === 'transmit')).toHaveLength(3);
    expect(fake.calls.filter((c) => c === 'endTransaction')).toHaveLength(1); // the classifying SELECT needs none
    expect(fake.calls.filter((c) => c === 'disconnect')).toHaveLength(2);
    expect(await stack.healthCardStatus()).toBe('NOT_SAM_AUTHENTICATED');
    expect(await stack.lightState()).toEqual({ healthCard: { level: 1, colour: 'BROWN' }, professionalCard: { level: 0, colour: 'WHITE' } });
    await dispose();
  });

  it('reads basic data from a T=0 card through GET RESPONSE, and after a 6C xx', async () => {
    const t0 = await setup(nhiCard({ t0: true }));
    expect(await t0.stack.basicData()).toEqual(EXPECTED_BASIC);
    await t0.dispose();
    const wrongLength = await setup(nhiCard({ wrongLengthFirst: true }));
    expect(await wrongLength.stack.basicData()).toEqual(EXPECTED_BASIC);
    await wrongLength.dispose();
  });

  it('answers NOT_AN_NHI_CARD when SELECT is not 90 00, never decoding garbage', async () => {
    const { stack, watcher, dispose } = await setup(nhiCard({ unknown: true }));
    expect(watcher.readers()[0]?.card?.kind).toBe('OTHER');
    expect(await codeOf(stack.basicData())).toBe('NOT_AN_NHI_CARD');
    expect(await stack.healthCardStatus()).toBe('NOT_A_HEALTH_CARD');
    expect((await stack.lightState()).healthCard.level).toBe(0);
    await dispose();
  });

  it('answers HEALTH_CARD_NOT_INSERTED without a card, with no vendor code', async () => {
    const { stack, dispose } = await setup(null);
    const error = await stack.basicData().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HEALTH_CARD_NOT_INSERTED', vendorCode: null, category: 'CARD' });
    expect(await stack.healthCardStatus()).toBe('NOT_INSERTED');
    await dispose();
  });

  it('answers CARD_REMOVED when the card goes away mid-read, and reads the next card', async () => {
    let fake!: FakePcsc;
    const pulled = nhiCard({
      onRead: () => {
        fake.remove(R0); // the card leaves between SELECT and READ
        throw new PcscError('SCardTransmit', RETURN_CODES.SCARD_W_REMOVED_CARD);
      },
    });
    const s = await setup(pulled);
    fake = s.fake;
    expect(await codeOf(s.stack.basicData())).toBe('CARD_REMOVED');
    fake.insert(R0, nhiCard());
    await new Promise((r) => setTimeout(r, 20));
    expect((await s.stack.basicData()).idNumber).toBe('A123456789');
    await s.dispose();
  });

  it('tells a broken transmission on a vanished card (CARD_REMOVED) from one on a card still there (I/O error)', async () => {
    let fake!: FakePcsc;
    const vanishing = nhiCard({
      onRead: () => {
        // vpcd: the exchange fails first, the reader notices the card gone a moment later
        setTimeout(() => fake.remove(R0), 10);
        throw new PcscError('SCardTransmit', RETURN_CODES.SCARD_E_NOT_TRANSACTED);
      },
    });
    const a = await setup(vanishing, { removalGraceMs: 500 });
    fake = a.fake;
    expect(await codeOf(a.stack.basicData())).toBe('CARD_REMOVED');
    await a.dispose();

    const flaky = nhiCard({
      onRead: () => {
        throw new PcscError('SCardTransmit', RETURN_CODES.SCARD_E_NOT_TRANSACTED);
      },
    });
    const b = await setup(flaky, { removalGraceMs: 30 });
    const error = await b.stack.basicData().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HEALTH_CARD_IO_ERROR', vendorCode: null });
    await b.dispose();
  });

  it('answers CARD_REMOVED when the exchange breaks without a status word and the card is gone (vpcd)', async () => {
    let fake!: FakePcsc;
    const silent = nhiCard({ onRead: () => setTimeout(() => fake.remove(R0), 10) });
    const card: FakeCard = {
      ...silent,
      respond: (command) => (command[1] === 0xca ? (silent.respond(command), new Uint8Array(0)) : silent.respond(command)),
    };
    const s = await setup(card, { removalGraceMs: 500 });
    fake = s.fake;
    expect(await codeOf(s.stack.basicData())).toBe('CARD_REMOVED');
    await s.dispose();
  });

  it('answers CARD_IN_USE when another application holds the card exclusively', async () => {
    const { stack, fake, dispose } = await setup(nhiCard());
    fake.failNext.set('connect', 'SCARD_E_SHARING_VIOLATION');
    expect(await codeOf(stack.basicData())).toBe('CARD_IN_USE');
    await dispose();
  });

  it('retries once on a new context when its context died with the service', async () => {
    const { stack, fake, dispose } = await setup(nhiCard());
    await stack.basicData(); // establishes the card context
    fake.failNext.set('connect', 'SCARD_E_INVALID_HANDLE');
    expect((await stack.basicData()).cardNumber).toBe('000012345678');
    expect(fake.calls.filter((c) => c === 'establishContext').length).toBeGreaterThanOrEqual(3); // watcher + 2 card contexts
    await dispose();
  });

  it('answers PCSC_UNAVAILABLE while the service is down', async () => {
    const { stack, fake, watcher, dispose } = await setup(nhiCard());
    fake.stopService();
    await new Promise((r) => setTimeout(r, 30));
    expect(watcher.status().state).toBe('UNAVAILABLE');
    expect(await codeOf(stack.basicData())).toBe('PCSC_UNAVAILABLE');
    expect(await codeOf(stack.healthCardStatus())).toBe('PCSC_UNAVAILABLE');
    await dispose();
  });

  it('rejects what the public APDUs cannot do with NOT_SUPPORTED_BY_BACKEND', async () => {
    const { stack, dispose } = await setup(nhiCard());
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['registerData', () => stack.registerData()],
      ['cardValidity', () => stack.cardValidity()],
      ['lastSeqNumber', () => stack.lastSeqNumber()],
      ['professionalCard', () => stack.professionalCard()],
      ['professionalIdentity', () => stack.professionalIdentity()],
      ['sam', () => stack.sam()],
      ['startVisit', () => stack.startVisit()],
      ['quickInsuranceCheck', () => stack.quickInsuranceCheck()],
      ['treatmentIdForVisit', () => stack.treatmentIdForVisit()],
      ['treatmentIdWithoutCard', () => stack.treatmentIdWithoutCard()],
      ['cancelVisit', () => stack.cancelVisit()],
      ['writeTreatment', () => stack.writeTreatment()],
      ['verifySam', () => stack.verifySam()],
      ['verifyProfessionalPin', () => stack.verifyProfessionalPin()],
      ['reset', () => stack.reset()],
      ['updateCard', () => stack.updateCard()],
      ['uploadData', () => stack.uploadData()],
    ];
    for (const [name, call] of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error, name).toMatchObject({ code: 'NOT_SUPPORTED_BY_BACKEND', category: 'CONTROL_SOFTWARE', retryable: false });
    }
    expect(await stack.describe()).toEqual({ backend: 'pcsc', version: null, libraryPath: 'fake-pcsc' });
    await dispose();
  });
});
