/**
 * The composition root for long-lived services: picks the ControlSoftware adapter, puts the domain layer
 * on top, and returns everything as one disposable. No HTTP here (that is src/yoga.ts and src/server.ts).
 */
import type { ControlSoftware } from './ports/control-software.ts';
import type { VisitStrategy } from './ports/card-stack.ts';
import type { GatewayServices, Readiness } from './context.ts';
import { CshisCardStack } from './domain/cshis-card-stack.ts';
import { LightMonitor } from './domain/light-monitor.ts';
import { CardWriteJournal } from './domain/card-write-journal.ts';
import { IdempotentWrites } from './domain/idempotent-writes.ts';
import { SimulatedWorkstation, type SimulatorOptions } from './adapters/simulator/workstation.ts';
import { GatewayError } from './errors/gateway-errors.ts';

export const GATEWAY_VERSION = '0.1.0';

export interface ServicesOptions {
  readonly strategy: VisitStrategy;
  /** How often the light monitor polls while somebody subscribes, in ms. */
  readonly lightPollMs?: number;
  readonly simulator?: SimulatorOptions;
  /** The card-write journal file; omitted keeps it in memory (tests). */
  readonly journalPath?: string;
}

export interface RunningServices extends GatewayServices, AsyncDisposable {}

/** Services over the embedded simulator: what `npm start` runs when there is no hardware. */
export function createSimulatorServices(options: ServicesOptions): RunningServices {
  const workstation = new SimulatedWorkstation(options.simulator);
  return createServices(workstation, options, workstation);
}

/** Services over any ControlSoftware (the koffi/CSHIS.dll adapter, or the simulator in tests). */
export function createServices(
  cs: ControlSoftware,
  options: ServicesOptions,
  simulator: SimulatedWorkstation | null = null,
): RunningServices {
  const cards = new CshisCardStack(cs, { strategy: options.strategy });
  const writes = new IdempotentWrites(CardWriteJournal.open({ path: options.journalPath ?? null }));
  const backend = cs.info.backend;
  const monitor = new LightMonitor({
    read: () => cards.lightState(),
    // The control software has no reader list: its two logical slots are what the console's lights show.
    readers: {
      HEALTH_CARD: { id: `${backend}:health-card`, name: simulator ? '模擬健保卡讀卡機 (simulator)' : '健保卡 (control software)', slot: 'HEALTH_CARD' },
      PROFESSIONAL_CARD: {
        id: `${backend}:professional-card`,
        name: simulator ? '模擬醫事人員卡讀卡機 (simulator)' : '醫事人員卡 (control software)',
        slot: 'PROFESSIONAL_CARD',
      },
    },
    intervalMs: options.lightPollMs ?? (simulator ? 1000 : 500),
    ...(simulator ? { changeSignal: (wake: () => void) => simulator.onChange(wake) } : {}),
  });

  const readiness = async (): Promise<Readiness> => {
    try {
      const description = await cards.describe();
      if (description.version === null) return { ready: false, reasons: ['control software version unknown'] };
      return { ready: true, reasons: [] };
    } catch (error) {
      const reason = error instanceof GatewayError ? `${error.code}: ${error.messageEn}` : 'control software unreachable';
      return { ready: false, reasons: [reason] };
    }
  };

  return {
    cards,
    monitor,
    writes,
    simulator,
    status: { version: GATEWAY_VERSION, backend, readiness },
    async [Symbol.asyncDispose]() {
      await monitor[Symbol.asyncDispose]();
      await cards[Symbol.asyncDispose]();
    },
  };
}
