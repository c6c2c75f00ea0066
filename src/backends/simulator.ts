/**
 * The embedded simulator as a backend: a workstation with test cards, its own SAM and signer, so a HIS
 * developer can rehearse whole visits without hardware. Never touches koffi.
 */
import type { GatewayConfig } from '../config.ts';
import { SimulatedWorkstation, type SimulatorOptions } from '../adapters/simulator/workstation.ts';
import { SimulatorSigner } from '../adapters/signer/simulator-signer.ts';
import { SIMULATED_HOSPITAL } from '../adapters/simulator/patients.ts';
import type { Backend, BackendDeps } from './backend.ts';

/**
 * The simulator backend over a new simulated workstation, or over `workstation` (tests that restart the
 * gateway's services keep the same cards).
 */
export function openSimulator(
  options: SimulatorOptions = {},
  description = 'simulator (no card reader needed)',
  workstation: SimulatedWorkstation = new SimulatedWorkstation(options),
): Backend {
  return {
    name: 'simulator',
    description,
    controlSoftware: workstation,
    cards: null,
    lights: {
      readers: {
        HEALTH_CARD: { id: 'simulator:health-card', name: '模擬健保卡讀卡機 (simulator)', slot: 'HEALTH_CARD' },
        PROFESSIONAL_CARD: { id: 'simulator:professional-card', name: '模擬醫事人員卡讀卡機 (simulator)', slot: 'PROFESSIONAL_CARD' },
      },
      intervalMs: 1000,
      // The simulator knows the moment a test card goes in or out: no waiting for the next poll.
      changeSignal: (wake) => workstation.onChange(wake),
    },
    signer: () => new SimulatorSigner({ samId: SIMULATED_HOSPITAL.samId }),
    // The simulator's cards are NHI test cards (docs/reference/webapi.md: service code 12).
    webApiServiceCode: '12',
    simulator: workstation,
    diagnostics: null,
    async readiness() {
      return [];
    },
    async [Symbol.asyncDispose]() {
      await workstation[Symbol.asyncDispose]();
    },
  };
}

export async function open(config: GatewayConfig, _deps: BackendDeps): Promise<Backend> {
  return openSimulator({}, simulatorDescription(config));
}

function simulatorDescription(config: GatewayConfig): string {
  return `simulator (${config.backendReason}; no card reader needed)`;
}
