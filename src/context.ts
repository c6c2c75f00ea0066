/**
 * What every resolver gets: ports, never adapters. Built once per request from long-lived services.
 */
import type { CardStack } from './ports/card-stack.ts';
import type { LightMonitor } from './domain/light-monitor.ts';
import type { StreamCursor } from './domain/stream-cursor.ts';
import type { IdempotentWrites } from './domain/idempotent-writes.ts';
import type { SimulatorControls } from './ports/simulator.ts';
import type { ControlSoftwareAdmin } from './ports/control-software-admin.ts';
import type { LongOperations } from './ports/long-operations.ts';
import type { PairingRegistry } from './ports/pairings.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

export interface GatewayStatus {
  readonly version: string;
  /** The configured backend: 'simulator', 'cshis' or 'pcsc'. */
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
  readonly controlSoftware?: ControlSoftwareAdmin | null;
  /**
   * Long operations (card update, upload) with progress. Absent: the resolvers use one tracker per card stack
   * (src/domain/long-operations.ts).
   */
  readonly operations?: LongOperations;
  readonly status: GatewayStatus;
}

export interface GatewayContext extends GatewayServices {
  readonly request?: Request;
  /** Resume position of a subscription (src/plugins/use-resumable-streams.ts; docs/protocol.md). */
  readonly streamCursor?: StreamCursor;
  /** Pairings of HIS pages, when the gateway keeps them (docs/security.md, "Pairing"). */
  readonly pairings?: PairingRegistry | null;
}
