/**
 * The fake CsHisX COM object answering as the simulated SAM would (the HTTPS stand-in verifies signatures against
 * that SAM), so the whole COM call path runs through koffi and NHI's side still checks. In-process tests call
 * `samBehindFakeCom()`; a gateway process loads this module through NHI_GATEWAY_TEST_ONLY_COM_RUNTIME and calls
 * `createRuntime()` (src/backends/cshis.ts).
 */
import { createFakeCom, type FakeCom } from './fake-com.ts';
import { simulatorClientRandom, simulatorSignature } from '../../src/adapters/signer/simulator-signer.ts';
import { SIMULATED_HOSPITAL } from '../../src/adapters/simulator/patients.ts';
import type { OleRuntime } from '../../src/adapters/signer/ole.ts';

export function samBehindFakeCom(): FakeCom {
  return createFakeCom({
    methods: {
      VPNGetRandomX: () => simulatorClientRandom(new Date()),
      VPNH_SignX: ([clientRandom = '', cardType = '', serviceCode = '']) =>
        simulatorSignature({ samId: SIMULATED_HOSPITAL.samId, clientRandom, cardType, serviceCode }),
    },
  });
}

export function createRuntime(): OleRuntime {
  return samBehindFakeCom().runtime;
}
