/**
 * Lights never starve: with a long line of slow card calls in the control-software queue, a card pulled from the
 * reader reaches light subscribers long before the line is through (native fixture through koffi, 50 ms a call).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCshisControlSoftware } from '../../../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../../src/adapters/cshis/native.ts';
import { controlSoftwareBackend } from '../../../src/backends/cshis.ts';
import { createServices, type RunningServices } from '../../../src/services.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient } from './helpers.ts';

let fx: FixtureControls;
let services: RunningServices | null = null;

beforeAll(() => {
  ensureFixtureBuilt();
  fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
});
afterEach(async () => {
  fx.reset();
  await services?.[Symbol.asyncDispose]();
  services = null;
});

describe('the light poller under a long queue', () => {
  it('announces a removed card while 100 slow calls are still waiting', async () => {
    fx.reset();
    insertSimulatedPatient(fx, 'STANDARD');
    const cs = await createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 30_000, readerPort: 0, openPolicy: 'keep-open' });
    services = createServices(controlSoftwareBackend(cs, { lightPollMs: 200 }), { strategy: 'N1' });
    const lights = services.monitor.lightStates();
    expect((await lights.next()).value.healthCard.level).toBeGreaterThan(0);

    fx.setDelayMs('*', 50);
    let completed = 0;
    // Insurance checks: never coalesced, so each one is a call of its own in the queue.
    const reads = Array.from({ length: 100 }, () => cs.hisQuickInsurence('01').then(() => undefined, () => undefined).finally(() => completed++));
    fx.removeHealthCard();
    let state = (await lights.next()).value;
    while (state.healthCard.level !== 0) state = (await lights.next()).value;
    // Without the priority turn the poll would queue behind all 100 reads (5 s of calls).
    expect(completed).toBeLessThan(20);
    await lights.return?.();
    fx.setDelayMs('*', 0);
    await Promise.all(reads);
  });
});
