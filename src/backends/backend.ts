/**
 * The one shape every backend has (docs/architecture.md). A backend is where cards are reached: the embedded
 * simulator, NHI's control software (CSHIS.dll through koffi), or PC/SC readers alone. Each of
 * src/backends/{simulator,cshis,pcsc}.ts exports one `open(config, deps) → Backend`; src/services.ts composes
 * what is common (visit strategy, Web API, signer use, journal, idempotency, lights) on top of any of them.
 *
 * A future backend (NHI control software 6.0's local REST service, a 32-bit host process for an x64 gateway)
 * is one more file here that returns this shape: the schema and resolvers never see which one runs.
 */
import type { GatewayConfig } from '../config.ts';
import type { CardStack } from '../ports/card-stack.ts';
import type { ControlSoftware } from '../ports/control-software.ts';
import type { Signer, SignerServiceCode } from '../ports/signer.ts';
import type { LightMonitorOptions } from '../domain/light-monitor.ts';
import type { SimulatorControls } from '../adapters/simulator/workstation.ts';
import type { ControlSoftwareService } from '../adapters/cshis/control-software-service.ts';
import type { GatewayLogger } from '../yoga.ts';

export type BackendName = 'simulator' | 'cshis' | 'pcsc';

/** Where the light monitor gets its state: a poller, pushed presence, or both (src/domain/light-monitor.ts). */
export type LightSource = Omit<LightMonitorOptions, 'now' | 'onError'>;

export interface Backend extends AsyncDisposable {
  readonly name: BackendName;
  /** One line for the banner and /status: what runs and, for `auto`, why it was chosen. */
  readonly description: string;
  /**
   * Backends that can register visits hand over the control-software port; the visit strategies and the Web
   * API are built on it by createServices. Null for backends that bring their own card stack.
   */
  readonly controlSoftware: ControlSoftware | null;
  /** A backend without visits (pcsc) brings its own card stack; null when `controlSoftware` is given. */
  readonly cards: CardStack | null;
  readonly lights: LightSource;
  /**
   * The SAM signer the treatment-ID Web API signs with (CsHisX COM for the control software, the simulator's own
   * SAM for the simulator); created only when the Web API is used. Null when the backend has no SAM.
   */
  readonly signer: (() => Signer) | null;
  /** VPNH_SignX service code the Web API asks for: '12' (NHI test cards) on the simulator, '11' otherwise. */
  readonly webApiServiceCode: SignerServiceCode;
  /** Simulator controls (insert/remove test cards, force codes); null on real backends. */
  readonly simulator: SimulatorControls | null;
  /** The control software's load state, call queue and csdll.ini; null where there is no control software. */
  readonly diagnostics: ControlSoftwareService | null;
  /** Why the backend is not ready (empty when it is). Never makes a card call that could queue behind a PIN dialog. */
  readiness(): Promise<readonly string[]>;
}

/** What opening a backend may use besides the configuration. Tests inject the rest through each backend's own options. */
export interface BackendDeps {
  readonly logger: GatewayLogger;
  /** The private data folder (0700), where a backend may keep state across restarts (the simulator does). */
  readonly dataDir?: string;
}

export type OpenBackend = (config: GatewayConfig, deps: BackendDeps) => Promise<Backend>;
