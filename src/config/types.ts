/** What parseArgs returns: the resolved configuration (src/config/parse.ts). Option meanings: src/config/options.ts. */
import type { NoCardTreatmentIdPolicy, VisitStrategy as DomainVisitStrategy } from '../ports/card-stack.ts';
import type {
  Backend,
  BackendChoice,
  NoCardTreatmentIdChoice,
  ReaderOpenPolicy,
  VisitStrategy,
  WEBAPI_SERVICE_CODES,
} from './options.ts';

export interface GatewayConfig {
  /** TCP port, 1–65535: the one given, else the default 8737 (the first of the per-user range). */
  readonly port: number;
  /**
   * True when --port (or its variable/key) was given: listen there or fail. Otherwise the gateway takes the
   * first free port of the per-user range (src/per-user/port-choice.ts, docs/terminal-server.md).
   */
  readonly portGiven?: true | undefined;
  /** Address to bind; loopback by default. */
  readonly host: string;
  /** The backend to start, with `auto` already resolved. */
  readonly backend: Backend;
  /** What was asked for; `auto` means `backend` was chosen as `backendReason` says. */
  readonly backendChoice: BackendChoice;
  /**
   * Why `backend` was chosen, for the banner, /ready and `gateway { backend }`: e.g.
   * `auto: no CSHIS.dll at C:\NHI\LIB\CSHIS.dll`, `auto: --cshis-path given`, `--backend`.
   */
  readonly backendReason: string;
  /**
   * Path of CSHIS.dll. Defaults to `C:\NHI\LIB\CSHIS.dll` on Windows; `undefined` elsewhere unless given.
   * It need not exist: the cshis backend then serves and /ready explains.
   */
  readonly cshisPath: string | undefined;
  /** Path of csdll.ini (its CSTIMEOUT feeds the call timeout when `callTimeoutMs` is not set). */
  readonly csdllIni: string;
  /** Per-call timeout for the control software in ms; `undefined` = derive from csdll.ini later. */
  readonly callTimeoutMs: number | undefined;
  /** As spelled on the command line; `visitStrategyValue` is the domain value. */
  readonly visitStrategy: VisitStrategy;
  /** The domain's visit strategy (`N1`, `SEQ256_WEBAPI`, …): use this, never a second spelling table. */
  readonly visitStrategyValue: DomainVisitStrategy;
  /** cshis backend: when to open and close the reader port (APIs 1.31/1.32). */
  readonly readerOpenPolicy?: ReaderOpenPolicy;
  /**
   * cshis backend: also watch PC/SC readers (presence only, no card access) and re-read the lights as soon as a
   * card goes in or out, instead of at the next poll (--pcsc-wake).
   */
  readonly pcscWake?: true | undefined;
  /** Serve GraphiQL on GET /graphql (Accept: text/html). */
  readonly graphiql: boolean;
  /** The JSON config file that was read, if any. */
  readonly configFile: string | undefined;
  // ---- files (src/config/data-paths.ts resolves the defaults) ----
  /** The private data folder, when given (--data-dir / NHI_GATEWAY_DATA_DIR); else the per-user default. */
  readonly dataDir?: string | undefined;
  // ---- access (docs/security.md); undefined = the secure default, resolved by main.ts ----
  /** HIS page origins allowed to call, normalized (`scheme://host[:port]`); undefined = only the gateway's own. */
  readonly allowedOrigins?: readonly string[] | undefined;
  /** `true` when a non-loopback `host` was explicitly allowed (--allow-remote). */
  readonly allowRemote?: true | undefined;
  /** The access token file (real backends only: never given when `backend` is the simulator); undefined = `token` in the data folder. */
  readonly tokenFile?: string | undefined;
  /** The log folder; undefined = `logs` in the data folder. */
  readonly logDir?: string | undefined;
  /** Identity reads allowed per minute per origin; undefined = 60. */
  readonly identityReadsPerMinute?: number | undefined;
  // ---- NHI treatment-ID Web API (docs/webapi.md); undefined = not given ----
  /** https:// URL of the treatment-ID operation; undefined = DEFAULT_WEBAPI_URL where the Web API is used. */
  readonly webApiUrl?: string | undefined;
  /** NHI's CA chain (PEM or DER), trusted in addition to Node's roots. */
  readonly nhiCaFile?: string | undefined;
  /** Deadline of one Web API request in ms; undefined = 10000. */
  readonly webApiTimeoutMs?: number | undefined;
  /** VPNH_SignX service code; undefined = 11 on cshis, 12 (NHI test cards) on the simulator. */
  readonly webApiServiceCode?: (typeof WEBAPI_SERVICE_CODES)[number] | undefined;
  /** Re-sign this long before a signature's 8 hours are up; undefined = 15 minutes. */
  readonly signatureRefreshMarginMs?: number | undefined;
  /** Treatment IDs without a card, as spelled on the command line; undefined = not given. */
  readonly noCardTreatmentId?: NoCardTreatmentIdChoice | undefined;
  /** The domain policy of `noCardTreatmentId` (`WEB_API`, …); undefined = not given (webapi when the Web API is wanted, else 1.54). */
  readonly noCardTreatmentIdPolicy?: NoCardTreatmentIdPolicy | undefined;
  /**
   * The Web API was asked for: `--webapi-url`, `--visit-strategy seq256-webapi`, or a no-card policy that
   * names it. A backend that cannot build it must say so (/ready), never fall back to 1.54 silently.
   */
  readonly webApiWanted: boolean;
  /**
   * Single executable: ms after start when it gives back its start-up memory (src/memory-release.ts), or
   * `off`; undefined = DEFAULT_RELEASE_MEMORY_MS.
   */
  readonly releaseMemory?: number | 'off' | undefined;
  /** Options given for a backend they do not apply to (one line each); main.ts logs them at start. */
  readonly warnings?: readonly string[] | undefined;
}

export type ParseArgsResult =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly config: GatewayConfig }
  /**
   * Register the gateway to start at logon. `runArgs` are the options after `install`, as given (they are
   * what the logon entry passes); `config` is what they resolve to now, proving they are valid.
   */
  | { readonly kind: 'install'; readonly config: GatewayConfig; readonly runArgs: readonly string[] }
  | { readonly kind: 'uninstall' }
  /** Check the workstation (src/doctor): the gateway's options say what to check, plus the doctor's own. */
  | { readonly kind: 'doctor'; readonly config: GatewayConfig; readonly doctor: DoctorOptions }
  | { readonly kind: 'error'; readonly message: string };

/** Options of `nhi-gateway doctor` only. */
export interface DoctorOptions {
  /** Where the control software is installed (SAM\COMX<n>, BIN\csfsim.exe, LIB, INI). @default C:\NHI */
  readonly nhiRoot: string;
  /** Also check that NHI's Web API host answers (a TCP connect to medvpndti.nhi.gov.tw:443); off by default. */
  readonly network: boolean;
  /** Print the results as JSON instead of a table. */
  readonly json: boolean;
}

/** File-system and platform access, injectable for tests. */
export interface ConfigIo {
  readonly platform?: NodeJS.Platform;
  readonly fileExists?: (path: string) => boolean;
  readonly readFile?: (path: string) => string;
}
