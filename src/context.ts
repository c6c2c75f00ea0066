/**
 * What every resolver gets: ports, never adapters. Built once per request from long-lived services.
 */
import type { CardStack } from './ports/card-stack.ts';
import type { LightMonitor } from './domain/light-monitor.ts';
import type { IdempotentWrites } from './domain/idempotent-writes.ts';
import type { SimulatorControls } from './adapters/simulator/workstation.ts';
import type { ControlSoftwareService } from './adapters/cshis/control-software-service.ts';
import type { PairingRegistry } from './ports/pairings.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

export interface GatewayStatus {
  readonly version: string;
  /** The configured backend: 'simulator' or 'cshis'. */
  readonly backend: string;
  readiness(): Promise<Readiness>;
}

export interface GatewayServices {
  readonly cards: CardStack;
  readonly monitor: LightMonitor;
  /** Card writes and visit-consuming calls go through here: journaled, idempotent by key. */
  readonly writes: IdempotentWrites;
  /** Present only when the backend is the embedded simulator. */
  readonly simulator: SimulatorControls | null;
  /**
   * The CSHIS backend's load state, call queue and csdll.ini (schema/control-software.ts). Null or absent for
   * the simulator, whose fields then answer null.
   */
  readonly controlSoftware?: ControlSoftwareService | null;
  readonly status: GatewayStatus;
}

export interface GatewayContext extends GatewayServices {
  readonly request?: Request;
  /** Pairings of HIS pages, when the gateway keeps them (docs/security.md, "Pairing"). */
  readonly pairings?: PairingRegistry | null;
}
