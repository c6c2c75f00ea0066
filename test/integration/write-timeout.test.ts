/**
 * A card write whose control-software call times out is never made twice. The call is still inside the library
 * and may yet write the card, so the journal keeps the write open: the caller gets OUTCOME_UNKNOWN (not the
 * retryable CALL_TIMEOUT a read gets), the write is listed in unresolvedCardWrites, a retry under the same key gets OUTCOME_UNKNOWN without a second call, and
 * checkCardWrite settles it from the card. On the simulator (a forced CALL_TIMEOUT: nothing reached the card)
 * and on the native fixture through koffi (a hung call that completes after the timeout: the visit is on the card).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServices, createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { controlSoftwareBackend } from '../../src/backends/cshis.ts';
import { createCshisControlSoftware } from '../../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls } from '../../src/adapters/cshis/native.ts';
import * as visits from '../../resolvers/visits.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient, sleep } from './cshis/helpers.ts';

const OUTPATIENT = { category: '01', newborn: false, lateCard: false } as const;

let services: RunningServices | undefined;
afterEach(async () => {
  await services?.[Symbol.asyncDispose]();
  services = undefined;
});

/** checkCardWrite once the control-software queue has recovered from the timed-out call. */
async function settle(s: RunningServices, id: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await visits.checkCardWrite(s, id);
    } catch (error) {
      if (attempt >= 50 || (error as { code?: string }).code !== 'CALL_TIMEOUT') throw error;
      await sleep(100);
    }
  }
}

describe('a card write that times out (simulator, forced CALL_TIMEOUT)', () => {
  it('stays unresolved, is not repeated under its key, and checks as not applied', async () => {
    services = createSimulatorServices({ strategy: 'N1' });
    const sim = services.simulator!;
    sim.insertHealthCard('STANDARD');
    const before = await services.cards.lastSeqNumber();
    sim.forceGatewayCode('hisGetSeqNumber256N1', 'CALL_TIMEOUT');
    // Not CALL_TIMEOUT (retryable, as a read's answer): a keyless repeat would reach the card again.
    await expect(visits.startVisit(services, OUTPATIENT, 'timeout-key-sim-1')).rejects.toMatchObject({
      code: 'OUTCOME_UNKNOWN',
      retryable: false,
      hintEn: expect.stringContaining('unresolvedCardWrites'),
    });
    sim.forceGatewayCode('hisGetSeqNumber256N1', null);

    const open = visits.unresolvedCardWrites(services);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ operation: 'startVisit', idempotencyKey: 'timeout-key-sim-1', checkable: true });
    await expect(visits.startVisit(services, OUTPATIENT, 'timeout-key-sim-1')).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(await services.cards.lastSeqNumber()).toEqual(before);

    const settled = await settle(services, open[0]!.id);
    expect(settled).toMatchObject({ resolution: 'NOT_APPLIED', how: 'CHECKED' });
    expect(visits.unresolvedCardWrites(services)).toEqual([]);
  });
});

describe('a card write that times out (native fixture through koffi)', () => {
  it('is never called twice: the late-completing call is found on the card', async () => {
    ensureFixtureBuilt();
    const fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
    fx.reset();
    const cs = await createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 300, slowCallTimeoutMs: 300, readerPort: 0, openPolicy: 'keep-open' });
    services = createServices(controlSoftwareBackend(cs), { strategy: 'N1' });
    try {
      insertSimulatedPatient(fx, 'STANDARD');
      fx.hang('hisGetSeqNumber256N1', true);
      await expect(visits.startVisit(services, OUTPATIENT, 'timeout-key-fx-1')).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN', retryable: false });
      expect(fx.callCount('hisGetSeqNumber256N1')).toBe(1);
      // The call comes out of the library after its caller was answered: the visit is on the card now.
      fx.hang('hisGetSeqNumber256N1', false);

      const open = visits.unresolvedCardWrites(services);
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ operation: 'startVisit', idempotencyKey: 'timeout-key-fx-1', checkable: true });
      await expect(visits.startVisit(services, OUTPATIENT, 'timeout-key-fx-1')).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
      expect(fx.callCount('hisGetSeqNumber256N1')).toBe(1);

      const settled = await settle(services, open[0]!.id);
      expect(settled).toMatchObject({ resolution: 'APPLIED', how: 'CHECKED' });
      expect(visits.unresolvedCardWrites(services)).toEqual([]);
      expect(fx.callCount('hisGetSeqNumber256N1')).toBe(1);
    } finally {
      fx.hang('hisGetSeqNumber256N1', false);
    }
  });
});
