/**
 * `--pcsc-wake` (the cshis backend's lights, woken by PC/SC): the koffi CSHIS adapter over the native fixture for
 * the light levels, and a real pcscd + vpcd + virtual card for the wake-up. The light poller is set to 10 minutes,
 * so a light change seen within seconds of the card going in or out can only have come from the PC/SC event.
 * The watcher must only listen: the port is wrapped to count every call that would touch a card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type RunningServices } from '../../../src/services.ts';
import { createPcscWake, type PcscWake } from '../../../src/backends/pcsc.ts';
import { controlSoftwareBackend } from '../../../src/backends/cshis.ts';
import { createNativePcscPort } from '../../../src/adapters/pcsc/native.ts';
import { createCshisControlSoftware } from '../../../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../../src/adapters/cshis/native.ts';
import type { PcscPort } from '../../../src/ports/pcsc.ts';
import type { LightState } from '../../../src/ports/card-stack.ts';
import { ensureFixtureBuilt, FIXTURE_SO, insertSimulatedPatient } from '../cshis/helpers.ts';
import { acquireTestBed, pcscdMissing, type TestBed } from '../../pcsc/test-bed.ts';
import { nextWithin } from '../../helpers/next-within.ts';

const BED_WAIT_MS = 240_000;
/** Far longer than any test here: the poll must never be what delivers a change. */
const POLL_MS = 600_000;
/**
 * pcscd notices a vpcd card at its next presence poll, later still on a busy CI machine (the other PC/SC suite
 * allows 15 s); anything under the 10-minute poll proves the wake-up.
 */
const WAKE_MS = 20_000;

/** The next item, or a failure naming `what` (helpers/next-within.ts). */
const next = <T>(iterator: AsyncIterator<T>, what: string, ms = WAKE_MS): Promise<T> => nextWithin(iterator, what, ms);

/** The native port, with every call that would open or talk to a card counted (there must be none). */
function countingCardAccess(port: PcscPort): { port: PcscPort; cardCalls: () => number } {
  let calls = 0;
  const counted: PcscPort = Object.create(port) as PcscPort;
  counted.connect = (...args) => {
    calls++;
    return port.connect(...args);
  };
  counted.transmit = (...args) => {
    calls++;
    return port.transmit(...args);
  };
  return { port: counted, cardCalls: () => calls };
}

const missing = pcscdMissing();

describe.skipIf(missing !== null)(`--pcsc-wake: cshis lights woken by PC/SC${missing ? ` — PENDING: ${missing}` : ''}`, () => {
  let bed: TestBed;
  let fx: FixtureControls;
  let wake: PcscWake;
  let services: RunningServices;
  let cardCalls: () => number;

  beforeAll(async () => {
    ensureFixtureBuilt();
    fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
    fx.reset();
    bed = await acquireTestBed(BED_WAIT_MS);
    await bed.startPcscd();
    const counting = countingCardAccess(createNativePcscPort());
    cardCalls = counting.cardCalls;
    wake = createPcscWake({ port: counting.port });
    await wake.watcher.whenRunning(10_000);
    const cs = await createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 2000, readerPort: 0, openPolicy: 'keep-open' });
    services = createServices(controlSoftwareBackend(cs, { lightPollMs: POLL_MS, changeSignal: wake.changeSignal }), { strategy: 'N1' });
  }, BED_WAIT_MS + 30_000);

  afterAll(async () => {
    fx?.reset();
    await services?.[Symbol.asyncDispose]();
    await wake?.[Symbol.asyncDispose]();
    await bed?.dispose();
  });

  it('re-reads the control software the moment a card goes in or out, without touching the card', async () => {
    const lights = services.monitor.lightStates();
    try {
      expect((await next<LightState>(lights, 'the current lights')).healthCard.level).toBe(0);

      // The control software has the card (the fixture) and the reader reports it (vpcd): the event wakes the
      // poller, which reads the new state from the control software.
      insertSimulatedPatient(fx, 'STANDARD');
      const card = await bed.insertCard();
      const inserted = await next<LightState>(lights, 'the light after the card went in');
      expect(inserted.healthCard.level).toBeGreaterThanOrEqual(1);

      fx.removeHealthCard();
      await card.remove();
      const removed = await next<LightState>(lights, 'the light after the card came out');
      expect(removed.healthCard).toEqual({ level: 0, colour: 'WHITE' });
    } finally {
      await lights.return?.();
    }
    // Presence came from SCardGetStatusChange alone: no SCardConnect, no APDU.
    expect(cardCalls()).toBe(0);
  }, 60_000);
});
