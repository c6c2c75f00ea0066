/**
 * Lights never starve (issue 15): with a long line of slow card calls in the control-software queue, the light
 * poll waits for at most the call in flight, runs its reads back to back, and its change reaches subscribers long
 * before the line is through (native fixture through koffi; every call sleeps inside the fixture).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCshisControlSoftware, type CshisControlSoftware } from '../../../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../../src/adapters/cshis/native.ts';
import { controlSoftwareBackend } from '../../../src/backends/cshis.ts';
import { createServices, type RunningServices } from '../../../src/services.ts';
import { CshisCardStack } from '../../../src/domain/cshis-card-stack.ts';
import { LightMonitor } from '../../../src/domain/light-monitor.ts';
import { createApp } from '../../../src/app.ts';
import { startServer, type RunningServer } from '../../../src/server.ts';
import { SIMULATED_PROFESSIONALS } from '../../../src/adapters/simulator/patients.ts';
import { encodeBig5 } from '../../../src/codecs/big5.ts';
import { AUTH_HEADERS, TEST_TOKEN, WS_AUTH } from '../../helpers/auth.ts';
import { createWsClient } from '../../helpers/ws.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient } from './helpers.ts';

let fx: FixtureControls;
const cleanup: (() => unknown)[] = [];

beforeAll(() => {
  ensureFixtureBuilt();
  fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
});
afterEach(async () => {
  fx.hang('hisQuickInsurence', false); // a failed test must not leave a call inside the library for the cleanup to wait on
  fx.setDelayMs('*', 0);
  for (const step of cleanup.splice(0).reverse()) await step();
  fx.reset();
});

const openAdapter = (): Promise<CshisControlSoftware> =>
  createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 30_000, readerPort: 0, openPolicy: 'keep-open' });

const insertDoctorCard = (): void => {
  const physician = SIMULATED_PROFESSIONALS[0]!;
  fx.insertProfessionalCard({ serial: physician.serialNumber, id: physician.idNumber, nameBig5: encodeBig5(physician.name), englishName: physician.englishName });
};

/** N insurance checks (never coalesced: each one is a call of its own in the queue); resolves when all are through. */
const queueInsuranceChecks = (cs: CshisControlSoftware, n: number): Promise<void[]> =>
  Promise.all(Array.from({ length: n }, () => cs.hisQuickInsurence('01').then(() => undefined, () => undefined)));

describe('the light poller under a long queue', () => {
  it('runs a poll after at most the call in flight: no ordinary call starts while the poll reads (counted in the fixture)', async () => {
    insertSimulatedPatient(fx, 'STANDARD');
    insertDoctorCard();
    const cs = await openAdapter();
    cleanup.push(() => cs[Symbol.asyncDispose]());
    const stack = new CshisCardStack(cs, { strategy: 'N1' });
    await cs.hisGetBasicData(); // the first read authenticates the card in the fixture (light 2)
    // The poll the gateway runs (createServices: read = cards.lightState()), with the fixture's call counts around it.
    const polls: { ordinaryStarted: number; reads: number; waitingAtStart: number }[] = [];
    const monitor = new LightMonitor({
      ...controlSoftwareBackend(cs).lights,
      intervalMs: 60_000, // polls only when asked: every poll below is one this test started
      read: async () => {
        const waitingAtStart = cs.queueStats().depth;
        const ordinaryBefore = fx.callCount('hisQuickInsurence');
        const readsBefore = fx.callCount('hisGetCardStatus') + fx.callCount('csGetCardNo');
        const state = await stack.lightState();
        polls.push({
          waitingAtStart,
          ordinaryStarted: fx.callCount('hisQuickInsurence') - ordinaryBefore,
          reads: fx.callCount('hisGetCardStatus') + fx.callCount('csGetCardNo') - readsBefore,
        });
        return state;
      },
    });
    cleanup.push(() => monitor[Symbol.asyncDispose]());
    const lights = monitor.lightStates();
    const first = (await lights.next()).value;
    // An authenticated health card: the poll reads both statuses and then the card number (swap detection), three reads.
    expect(first.healthCard.level).toBeGreaterThanOrEqual(2);
    expect(first.professionalCard.level).toBeGreaterThan(0);

    fx.setDelayMs('*', 20);
    const checks = queueInsuranceChecks(cs, 30);
    for (let i = 0; i < 3; i++) await monitor.refresh();
    fx.removeProfessionalCard();
    await monitor.refresh();
    const after = monitor.watchedState;
    const stillWaiting = cs.queueStats().depth;
    await checks;
    await lights.return?.();

    expect(after?.professionalCard.level).toBe(0);
    // Each poll started with a line of ordinary calls waiting, and let through at most the one already in flight
    // (queued by the adapter just before the poll, possibly not yet inside the library when the poll started).
    expect(polls.slice(1)).toHaveLength(4);
    for (const poll of polls.slice(1)) {
      expect(poll.reads).toBe(3);
      expect(poll.waitingAtStart).toBeGreaterThan(1);
      expect(poll.ordinaryStarted).toBeLessThanOrEqual(1);
    }
    // Four polls (12 reads) cost at most four insurance checks: the line was nowhere near through.
    expect(stillWaiting).toBeGreaterThan(30 - 4 - 2);
  });

  it('announces a removed card while 100 slow calls are still waiting', async () => {
    insertSimulatedPatient(fx, 'STANDARD');
    const cs = await openAdapter();
    const services: RunningServices = createServices(controlSoftwareBackend(cs, { lightPollMs: 200 }), { strategy: 'N1' });
    cleanup.push(() => services[Symbol.asyncDispose]());
    const lights = services.monitor.lightStates();
    expect((await lights.next()).value.healthCard.level).toBeGreaterThan(0);

    fx.setDelayMs('*', 50);
    let completed = 0;
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

  it('delivers a light change to a graphql-ws subscriber while 200 HTTP requests wait in the queue', async () => {
    insertSimulatedPatient(fx, 'STANDARD');
    insertDoctorCard();
    const cs = await openAdapter();
    const services = createServices(controlSoftwareBackend(cs), { strategy: 'N1' });
    cleanup.push(() => services[Symbol.asyncDispose]());
    const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN, identityRate: false } });
    const server: RunningServer = await startServer({ yoga, host: '127.0.0.1', port: 0 });
    cleanup.push(() => server.close(100));
    const url = `${server.url}/graphql`;

    const client = createWsClient(url, { connectionParams: { ...WS_AUTH } });
    cleanup.push(() => client.dispose());
    const levels: number[] = [];
    let onLevel: () => void = () => undefined;
    let removedSeen: { checksThrough: number; responses: number; waiting: number } | null = null;
    let responses = 0;
    let failures = 0;
    const removed = new Promise<void>((resolve) => {
      client.subscribe(
        { query: 'subscription { lightStateChanged { professionalCard { level } } }' },
        {
          next: (value) => {
            const level = (value.data as { lightStateChanged: { professionalCard: { level: number } } }).lightStateChanged.professionalCard.level;
            levels.push(level);
            onLevel();
            if (level === 0 && removedSeen === null) {
              removedSeen = { checksThrough: fx.callCount('hisQuickInsurence'), responses, waiting: cs.queueStats().depth };
              resolve();
            }
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
    });
    await new Promise<void>((resolve) => (onLevel = () => levels.length > 0 && resolve()));
    expect(levels[0]).toBeGreaterThan(0);

    fx.setDelayMs('*', 20);
    // The first check stays inside the library until all 200 are queued (the server takes them in at its own pace).
    fx.hang('hisQuickInsurence', true);
    const mutation = JSON.stringify({ query: 'mutation { quickInsuranceCheck(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename } }' });
    const headers = { ...AUTH_HEADERS, 'content-type': 'application/json', 'x-nhi-gateway': '1' };
    const requests = Array.from({ length: 200 }, () =>
      fetch(url, { method: 'POST', headers, body: mutation }).then(async (r) => {
        await r.text();
        responses++;
        return r.status;
      }, (error: unknown) => {
        failures++;
        return String(error);
      }),
    );
    // (A request answered early — refused, or failed — counts too, so a fault fails the assertions below, not the timeout.)
    while (cs.queueStats().depth + responses + failures < 199) await new Promise((r) => setTimeout(r, 20));
    fx.removeProfessionalCard();
    fx.hang('hisQuickInsurence', false);
    await removed;
    fx.setDelayMs('*', 0); // the rest of the line may go fast now
    const statuses = await Promise.all(requests);

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(fx.callCount('hisQuickInsurence')).toBe(200);
    // The event came while most of the 200 checks were still waiting for their turn.
    expect(removedSeen).not.toBeNull();
    expect(removedSeen!.checksThrough).toBeLessThan(150);
    expect(removedSeen!.waiting).toBeGreaterThan(50);
    expect(removedSeen!.responses).toBeLessThan(150);
  }, 180_000); // a budget, not a measurement: taking in 200 requests is slow on a busy machine
});
