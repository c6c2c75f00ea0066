/**
 * Fault injection through the whole stack: any vendor return code from any control-software function comes
 * back typed (never INTERNAL_SERVER_ERROR), the gateway keeps serving and /ready tells the truth, and it
 * recovers once the fault is gone, without a restart. Runs on the simulator and, through the real koffi
 * adapter, on the native fixture library.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createApp } from '../../src/app.ts';
import { createServices, createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { controlSoftwareBackend } from '../../src/backends/cshis.ts';
import { VENDOR_CODES } from '../../src/errors/vendor-codes.ts';
import { TEST_TOKEN } from '../helpers/auth.ts';
import { createCshisControlSoftware } from '../../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls } from '../../src/adapters/cshis/native.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient, sleep } from './cshis/helpers.ts';

// The identity-read rate limit has its own tests; here it would only throttle the fuzzing.
const testSecurity = () => ({ token: TEST_TOKEN, identityRate: false as const });

const FUNCTIONS = [
  'hisGetBasicData',
  'hisGetRegisterBasic',
  'hisGetRegisterBasic2',
  'hisGetLastSeqNum',
  'hisGetSeqNumber256N1',
  'hisGetTreatNumICCard',
  'csGetHospID',
  'csGetCardNo',
  'hisGetCardStatus',
] as const;

const OPERATION = /* GraphQL */ `
  mutation Visit {
    startVisit(input: { category: WESTERN_MEDICINE_OUTPATIENT }) { __typename ... on Error { code vendorCode message messageZh } }
  }
`;
const READS = /* GraphQL */ `
  {
    healthCard {
      basicData { __typename ... on Error { code vendorCode } }
      registerData { __typename ... on Error { code vendorCode } }
      validity { __typename ... on Error { code vendorCode } }
      lastSeqNumber { __typename ... on Error { code vendorCode } }
    }
    sam { __typename ... on Error { code vendorCode } }
  }
`;

let services: RunningServices | undefined;
afterEach(async () => {
  await services?.[Symbol.asyncDispose]();
  services = undefined;
});

function client(s: RunningServices) {
  const yoga = createApp(s, { graphiql: false, security: testSecurity() });
  return async (query: string) => {
    const response = await yoga.fetch('http://127.0.0.1/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
  };
}

/** Every union member in a response is a concrete type, and no top-level error is an untyped crash. */
function assertTyped(body: { data?: any; errors?: any[] }) {
  for (const error of body.errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  const walk = (value: unknown) => {
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if ('__typename' in record && /Error$/.test(String(record['__typename']))) {
        expect(record['code']).toEqual(expect.any(String));
      }
      Object.values(record).forEach(walk);
    }
  };
  walk(body.data);
}

describe('fault injection: random vendor codes from random functions (simulator)', () => {
  it('answers typed errors, stays ready-aware, and recovers when the fault clears', async () => {
    services = createSimulatorServices({ strategy: 'N1' });
    const sim = services.simulator!;
    sim.insertHealthCard('STANDARD');
    const gql = client(services);
    const known = VENDOR_CODES.map((e) => e.vendorCode);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FUNCTIONS),
        fc.oneof(fc.constantFrom(...known), fc.integer({ min: -5, max: 99_999 }).filter((n) => n !== 0)),
        async (fn, code) => {
          sim.forceReturnCode(fn, code);
          const reads = await gql(READS);
          expect(reads.status).toBe(200);
          assertTyped(reads.body);
          const visit = await gql(OPERATION);
          assertTyped(visit.body);
          sim.forceReturnCode(fn, null);
        },
      ),
      { numRuns: 150 },
    );
    // The fault is gone: the same gateway serves normally again.
    const healthy = await gql(READS);
    expect(healthy.body.data.healthCard.basicData.__typename).toBe('BasicData');
    const ready = await createApp(services, { graphiql: false, security: testSecurity() }).fetch('http://127.0.0.1/ready');
    expect(ready.status).toBe(200);
  });
});

describe('fault injection through koffi on the native fixture', () => {
  it('maps forced codes, survives a hang, and recovers without a restart', async () => {
    ensureFixtureBuilt();
    const fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
    fx.reset();
    const cs = await createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 300, readerPort: 0, openPolicy: 'keep-open' });
    services = createServices(controlSoftwareBackend(cs), { strategy: 'N1' });
    insertSimulatedPatient(fx, 'STANDARD');
    const gql = client(services);
    for (const code of [9240, 4061, 12345, -1, 5003]) {
      fx.setForcedRc('hisGetBasicData', code);
      const result = await gql(READS);
      assertTyped(result.body);
      expect(result.body.data.healthCard.basicData.vendorCode).toBe(code);
    }
    fx.setForcedRc('hisGetBasicData', 0);
    fx.hang('hisGetBasicData', true);
    // Only the hung read: other fields would wait in the queue behind it (one native call at a time) until release.
    const hung = await gql('{ healthCard { basicData { __typename ... on Error { code } } } }');
    expect(hung.body.data.healthCard.basicData.code).toBe('CALL_TIMEOUT');
    const stuck = await createApp(services, { graphiql: false, security: testSecurity() }).fetch('http://127.0.0.1/ready');
    expect(stuck.status).toBe(503);
    fx.hang('hisGetBasicData', false);
    let recovered = await gql(READS);
    for (let i = 0; i < 20 && recovered.body.data.healthCard.basicData.__typename !== 'BasicData'; i++) {
      await sleep(100);
      recovered = await gql(READS);
    }
    expect(recovered.body.data.healthCard.basicData.__typename).toBe('BasicData');
    expect(fx.overlapCount()).toBe(0);
  });
});
