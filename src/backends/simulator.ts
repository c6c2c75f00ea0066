/**
 * The embedded simulator as a backend: a workstation with test cards, its own SAM and signer, so a HIS
 * developer can rehearse whole visits without hardware. Never touches koffi.
 */
import type { GatewayConfig } from '../config.ts';
import { SimulatedWorkstation, type SimulatorOptions } from '../adapters/simulator/workstation.ts';
import { SimulatorSigner } from '../adapters/signer/simulator-signer.ts';
import { SIMULATED_HOSPITAL } from '../adapters/simulator/patients.ts';
import { join } from 'node:path';
import type { Backend, BackendDeps } from './backend.ts';

/** The simulated workstation kept across restarts (src/adapters/simulator/saved-state.ts, docs/simulator.md). */
export const SIMULATOR_STATE_FILE = 'simulator-state.json';

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

export async function open(config: GatewayConfig, deps: BackendDeps): Promise<Backend> {
  const kept =
    deps.dataDir === undefined
      ? {}
      : {
          stateFile: join(deps.dataDir, SIMULATOR_STATE_FILE),
          onStateProblem: (message: string) => deps.logger.warn(message),
        };
  return openSimulator(kept, simulatorDescription(config));
}

function simulatorDescription(config: GatewayConfig): string {
  return `simulator (${config.backendReason}; no card reader needed)`;
}
