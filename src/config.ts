/**
 * Gateway configuration: the only module that reads command-line arguments and environment variables.
 *
 * Precedence, per key: command line > environment > `--config` JSON file > built-in default.
 * `parseArgs` never throws and never exits: it returns what the caller should do (`help`, `version`,
 * `run`, `install`, `uninstall` or `error`), so `main.ts` owns printing and exit codes.
 *
 * Commands: with no command the gateway runs. `install [options]` registers the gateway to start at logon
 * with those options (validated here exactly as for a run); `uninstall` removes that registration.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs as parseNodeArgs } from 'node:util';
import { isLoopbackHostname, normalizeOrigin } from './security/origins.ts';

// `pcsc` (issue 4, docs/pcsc.md): any PC/SC reader, basic data only; never chosen by `auto`, which stays
// simulator/cshis because a PC/SC reader alone cannot do a visit.
export const BACKEND_CHOICES = ['simulator', 'cshis', 'pcsc', 'auto'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** The backend actually used once `auto` is resolved. */
export type Backend = Exclude<BackendChoice, 'auto'>;

export const VISIT_STRATEGIES = ['n1', 'seq256-treatnum', 'seq256-quick-treatnum', 'seq256-webapi'] as const;
/** csOpenCom/csCloseCom around every call (what existing wrappers do), or open once and reopen after a failure. */
export const READER_OPEN_POLICIES = ['keep-open', 'per-operation'] as const;
export type ReaderOpenPolicy = (typeof READER_OPEN_POLICIES)[number];
export type VisitStrategy = (typeof VISIT_STRATEGIES)[number];

export const DEFAULT_PORT = 8737;
export const DEFAULT_HOST = '127.0.0.1';
/** Where the NHI control software installs CSHIS.dll. Used as the default on Windows only. */
export const DEFAULT_CSHIS_PATH = 'C:\\NHI\\LIB\\CSHIS.dll';
export const DEFAULT_CSDLL_INI = 'C:\\NHI\\INI\\csdll.ini';
/**
 * NHI's treatment-ID Web API. The host is public (docs/reference/webapi.md (Treatment-ID Web API): medvpndti.nhi.gov.tw:443); the operation's path
 * is NOT (docs/reference/webapi.md (Treatment-ID Web API)). This default is an assumption by analogy with NHI's documented
 * /V1000/VNHI_Upload and /V1000/VNHI_Download (docs/reference/webapi.md (Upload and download)): set --webapi-url from NHI's 介接說明書.
 */
export const DEFAULT_WEBAPI_URL = 'https://medvpndti.nhi.gov.tw/V1000/VNHI_TreatNum';
export const NO_CARD_TREATMENT_ID_CHOICES = ['webapi', '1.54', 'webapi-then-1.54'] as const;
export type NoCardTreatmentIdChoice = (typeof NO_CARD_TREATMENT_ID_CHOICES)[number];
export const WEBAPI_SERVICE_CODES = ['11', '12'] as const;

export interface GatewayConfig {
  /** TCP port, 1–65535. */
  readonly port: number;
  /** Address to bind; loopback by default. */
  readonly host: string;
  /** The backend to start, with `auto` already resolved. */
  readonly backend: Backend;
  /** What was asked for; `auto` means `backend` was chosen by whether `cshisPath` exists. */
  readonly backendChoice: BackendChoice;
  /**
   * Path of CSHIS.dll. Defaults to `C:\NHI\LIB\CSHIS.dll` on Windows; `undefined` elsewhere unless given
   * (so `auto` picks the simulator off Windows).
   */
  readonly cshisPath: string | undefined;
  /** Path of csdll.ini (its CSTIMEOUT feeds the call timeout when `callTimeoutMs` is not set). */
  readonly csdllIni: string;
  /** Per-call timeout for the control software in ms; `undefined` = derive from csdll.ini later. */
  readonly callTimeoutMs: number | undefined;
  readonly visitStrategy: VisitStrategy;
  /** cshis backend: when to open and close the reader port (docs/reference/functions.md (1.31/1.32)). */
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
  // ---- access (docs/security.md); undefined = the secure default, resolved by main.ts ----
  /** HIS page origins allowed to call, normalized (`scheme://host[:port]`); undefined = only the gateway's own. */
  readonly allowedOrigins?: readonly string[] | undefined;
  /** `true` when a non-loopback `host` was explicitly allowed (--allow-remote). */
  readonly allowRemote?: true | undefined;
  /** The access token file; undefined = %LOCALAPPDATA%\nhi-gateway\token (Windows) or $XDG_STATE_HOME/nhi-gateway/token. */
  readonly tokenFile?: string | undefined;
  /** The log folder; undefined = the `logs` folder beside the token. */
  readonly logDir?: string | undefined;
  /** Identity reads allowed per minute per origin; undefined = 60. */
  readonly identityReadsPerMinute?: number | undefined;
  // ---- NHI treatment-ID Web API (docs/webapi.md); undefined = not given, resolved by src/services.ts ----
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
  /** Treatment IDs without a card; undefined = webapi when the Web API is configured, else 1.54. */
  readonly noCardTreatmentId?: NoCardTreatmentIdChoice | undefined;
}

export const COMMANDS = ['install', 'uninstall', 'doctor'] as const;
export type Command = (typeof COMMANDS)[number];

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

export const DEFAULT_NHI_ROOT = 'C:\\NHI';

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

export const ENV = {
  port: 'NHI_GATEWAY_PORT',
  host: 'NHI_GATEWAY_HOST',
  backend: 'NHI_GATEWAY_BACKEND',
  config: 'NHI_GATEWAY_CONFIG',
  cshisPath: 'NHI_CSHIS_PATH',
  csdllIni: 'NHI_CSDLL_INI',
  callTimeoutMs: 'NHI_CALL_TIMEOUT_MS',
  visitStrategy: 'NHI_VISIT_STRATEGY',
  readerOpenPolicy: 'NHI_READER_OPEN_POLICY',
  pcscWake: 'NHI_GATEWAY_PCSC_WAKE',
  graphiql: 'NHI_GATEWAY_GRAPHIQL',
  allowedOrigins: 'NHI_GATEWAY_ALLOWED_ORIGINS',
  allowRemote: 'NHI_GATEWAY_ALLOW_REMOTE',
  tokenFile: 'NHI_GATEWAY_TOKEN_FILE',
  logDir: 'NHI_GATEWAY_LOG_DIR',
  identityReadsPerMinute: 'NHI_GATEWAY_IDENTITY_READS_PER_MINUTE',
  webApiUrl: 'NHI_WEBAPI_URL',
  nhiCaFile: 'NHI_CA_FILE',
  webApiTimeoutMs: 'NHI_WEBAPI_TIMEOUT_MS',
  webApiServiceCode: 'NHI_WEBAPI_SERVICE_CODE',
  signatureRefreshMarginMs: 'NHI_SIGNATURE_REFRESH_MARGIN_MS',
  noCardTreatmentId: 'NHI_NO_CARD_TREATMENT_ID',
} as const;

export const HELP_TEXT = `NHI Card Gateway: a local GraphQL gateway over the NHI card reader stack.

Usage:
  nhi-gateway [options]             run the gateway
  nhi-gateway install [options]     start it at logon (Windows, this user), with these options
  nhi-gateway uninstall             stop starting it at logon
  nhi-gateway doctor [options]      check this workstation (control software, SAM file, csdll.ini,
                                    csfsim.exe, Reader.dll, smart-card service, readers, port …);
                                    exits 1 when a check fails

Commands:
  install     registers the executable under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run,
              so it starts in your session at logon (never as a service: CSHIS.dll shows PIN
              dialogs on the desktop). Run it again to change the options.
  uninstall   removes that registration (a running gateway keeps running until closed).

Options:
  -p, --port <n>             TCP port, 1-65535 (default ${DEFAULT_PORT})
      --host <addr>          address to listen on (default ${DEFAULT_HOST}; keep it on loopback)
      --backend <kind>       simulator | cshis | pcsc | auto (default auto: cshis when CSHIS.dll
                             exists, otherwise the built-in simulator; pcsc: any PC/SC reader,
                             basic data and live card events only, no control software)
      --config <path>        JSON file with any of the keys below in camelCase, e.g.
                             {"port": 8738, "backend": "cshis", "visitStrategy": "seq256-webapi"}
      --cshis-path <path>    CSHIS.dll location (default ${DEFAULT_CSHIS_PATH} on Windows)
      --csdll-ini <path>     csdll.ini location (default ${DEFAULT_CSDLL_INI})
      --call-timeout-ms <n>  timeout for one control-software call in ms
                             (default: CSTIMEOUT from csdll.ini)
      --visit-strategy <s>   n1 | seq256-treatnum | seq256-quick-treatnum | seq256-webapi (default n1)
      --reader-open-policy <p>
                             keep-open | per-operation: open the reader once (default), or
                             csOpenCom/csCloseCom around every call like older HIS wrappers
      --pcsc-wake            cshis backend: watch the PC/SC readers too (presence only, the card is never
                             opened) and update the lights the moment a card goes in or out
      --no-graphiql          do not serve the GraphiQL page (the GraphQL API stays on)
      --allowed-origin <o>   a HIS web page origin allowed to call, e.g. https://his.example
                             (repeatable; the gateway's own http://127.0.0.1:<port> always is)
      --allow-remote         allow a --host that is not loopback (other computers could call)
      --token-file <path>    access token file (default: token in the data folder, see
                             docs/security.md); created at first start, readable by you only
      --log-dir <path>       folder for gateway.log and audit.log (default: logs in the data folder)
      --identity-reads-per-minute <n>
                             identity reads allowed per minute per origin (default 60)
      --webapi-url <url>     NHI's treatment-ID Web API (方式4, no-card visits); https only.
                             Default ${DEFAULT_WEBAPI_URL}
                             (the path is NOT public: an assumption, see docs/webapi.md)
      --nhi-ca-file <path>   NHI's CA certificate(s), PEM or DER, trusted in addition to the
                             system roots (TLS verification is never turned off)
      --webapi-timeout-ms <n>
                             deadline of one Web API request in ms (default 10000)
      --webapi-service-code <c>
                             VPNH_SignX service code: 11 (production cards) or 12 (NHI test
                             cards); default 11, 12 on the simulator
      --signature-refresh-margin-ms <n>
                             re-sign this long before a signature's 8 hours are up
                             (default 900000 = 15 minutes)
      --no-card-treatment-id <w>
                             webapi | 1.54 | webapi-then-1.54: treatment IDs without a card
                             (default webapi when the Web API is configured, else 1.54)
      --nhi-root <path>      doctor: the control software's folder (default ${DEFAULT_NHI_ROOT})
      --network              doctor: also check that NHI's Web API host answers (off by default)
      --json                 doctor: print the results as JSON
  -h, --help                 show this text
  -v, --version              print the version

Precedence: command line > environment > --config file > defaults.

Environment:
  ${ENV.port}  ${ENV.host}  ${ENV.backend}  ${ENV.config}
  ${ENV.cshisPath}  ${ENV.csdllIni}  ${ENV.callTimeoutMs}  ${ENV.visitStrategy}  ${ENV.readerOpenPolicy}
  ${ENV.pcscWake} (true/false)  ${ENV.graphiql} (true/false)
  ${ENV.allowedOrigins} (comma-separated)  ${ENV.allowRemote} (true/false)
  ${ENV.tokenFile}  ${ENV.logDir}  ${ENV.identityReadsPerMinute}
  ${ENV.webApiUrl}  ${ENV.nhiCaFile}  ${ENV.webApiTimeoutMs}  ${ENV.webApiServiceCode}
  ${ENV.signatureRefreshMarginMs}  ${ENV.noCardTreatmentId}

Endpoints (defaults):
  GraphQL + GraphiQL  http://${DEFAULT_HOST}:${DEFAULT_PORT}/graphql   (open it in a browser)
  WebSocket           ws://${DEFAULT_HOST}:${DEFAULT_PORT}/graphql     (graphql-ws protocol)
  Health / readiness  http://${DEFAULT_HOST}:${DEFAULT_PORT}/health  and  /ready

Examples:
  nhi-gateway                                  auto-detect the backend, port ${DEFAULT_PORT}
  nhi-gateway --backend simulator --port 9000  try it without a card reader
  nhi-gateway --config C:\\NHI\\gateway.json
  nhi-gateway install --backend cshis --port 8737
  set ${ENV.port}=8738 && nhi-gateway          (Windows cmd)
`;

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  backend: { type: 'string' },
  config: { type: 'string' },
  'cshis-path': { type: 'string' },
  'csdll-ini': { type: 'string' },
  'call-timeout-ms': { type: 'string' },
  'visit-strategy': { type: 'string' },
  'reader-open-policy': { type: 'string' },
  'pcsc-wake': { type: 'boolean' },
  graphiql: { type: 'boolean' },
  'allowed-origin': { type: 'string', multiple: true },
  'allow-remote': { type: 'boolean' },
  'token-file': { type: 'string' },
  'log-dir': { type: 'string' },
  'identity-reads-per-minute': { type: 'string' },
  'webapi-url': { type: 'string' },
  'nhi-ca-file': { type: 'string' },
  'webapi-timeout-ms': { type: 'string' },
  'webapi-service-code': { type: 'string' },
  'signature-refresh-margin-ms': { type: 'string' },
  'no-card-treatment-id': { type: 'string' },
  'nhi-root': { type: 'string' },
  network: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Options only `doctor` understands. */
const DOCTOR_ONLY = ['nhi-root', 'network', 'json'] as const;

/** Keys accepted in the JSON config file, with their command-line spelling. */
const FILE_KEYS = {
  port: '--port',
  host: '--host',
  backend: '--backend',
  cshisPath: '--cshis-path',
  csdllIni: '--csdll-ini',
  callTimeoutMs: '--call-timeout-ms',
  visitStrategy: '--visit-strategy',
  readerOpenPolicy: '--reader-open-policy',
  pcscWake: '--pcsc-wake',
  graphiql: '--no-graphiql',
  allowedOrigins: '--allowed-origin',
  allowRemote: '--allow-remote',
  tokenFile: '--token-file',
  logDir: '--log-dir',
  identityReadsPerMinute: '--identity-reads-per-minute',
  webApiUrl: '--webapi-url',
  nhiCaFile: '--nhi-ca-file',
  webApiTimeoutMs: '--webapi-timeout-ms',
  webApiServiceCode: '--webapi-service-code',
  signatureRefreshMarginMs: '--signature-refresh-margin-ms',
  noCardTreatmentId: '--no-card-treatment-id',
} as const;
type FileKey = keyof typeof FILE_KEYS;

class ConfigError extends Error {}

/** A raw value and where it came from, e.g. `--port`, `NHI_GATEWAY_PORT` or `"port" in gateway.json`. */
interface Sourced {
  readonly value: unknown;
  readonly source: string;
}

export function parseArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: ConfigIo = {},
): ParseArgsResult {
  try {
    return parseOrThrow(argv, env, io);
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'error', message: error.message };
    throw error;
  }
}

function parseOrThrow(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: ConfigIo,
): ParseArgsResult {
  const platform = io.platform ?? process.platform;
  const fileExists = io.fileExists ?? existsSync;
  const readFile = io.readFile ?? ((path: string) => readFileSync(path, 'utf8'));

  const command = COMMANDS.find((name) => name === argv[0]);
  const options = command === undefined ? argv : argv.slice(1);
  const cli = parseCommandLine(options);
  if (cli.help) return { kind: 'help' };
  if (cli.version) return { kind: 'version' };
  if (command !== 'doctor') {
    const misplaced = DOCTOR_ONLY.find((name) => cli[name] !== undefined);
    if (misplaced) throw new ConfigError(`--${misplaced} is an option of the doctor command (nhi-gateway doctor --${misplaced}); see --help`);
  }
  if (command === 'uninstall') {
    if (options.length > 0) throw new ConfigError(`uninstall takes no options (got ${options.join(' ')}); see --help`);
    return { kind: 'uninstall' };
  }

  const configFile = pick(cli.config, '--config', envValue(env, ENV.config), undefined);
  const file = configFile === undefined ? {} : readConfigFile(asString(configFile), readFile);

  const pickKey = (key: FileKey, cliValue: string | boolean | undefined, cliName: string): Sourced | undefined =>
    pick(cliValue, cliName, envValue(env, ENV[key]), file[key]);

  const port = toPort(pickKey('port', cli.port, '--port'));
  const host = toHost(pickKey('host', cli.host, '--host'));
  const backendChoice = toEnum(pickKey('backend', cli.backend, '--backend'), BACKEND_CHOICES) ?? 'auto';
  const cshisPath =
    toPath(pickKey('cshisPath', cli['cshis-path'], '--cshis-path')) ??
    (platform === 'win32' ? DEFAULT_CSHIS_PATH : undefined);
  const csdllIni = toPath(pickKey('csdllIni', cli['csdll-ini'], '--csdll-ini')) ?? DEFAULT_CSDLL_INI;
  const callTimeoutMs = toTimeout(pickKey('callTimeoutMs', cli['call-timeout-ms'], '--call-timeout-ms'));
  const visitStrategy =
    toEnum(pickKey('visitStrategy', cli['visit-strategy'], '--visit-strategy'), VISIT_STRATEGIES) ?? 'n1';
  const readerOpenPolicy = toEnum(
    pickKey('readerOpenPolicy', cli['reader-open-policy'], '--reader-open-policy'),
    READER_OPEN_POLICIES,
  );
  const graphiql = toBoolean(pickKey('graphiql', cli.graphiql, cli.graphiql === false ? '--no-graphiql' : '--graphiql'));
  const allowedOrigins = toOrigins(
    cli['allowed-origin']?.length
      ? { value: cli['allowed-origin'], source: '--allowed-origin' }
      : (envValue(env, ENV.allowedOrigins) ?? file.allowedOrigins),
  );
  const allowRemote = toBoolean(pickKey('allowRemote', cli['allow-remote'], '--allow-remote'));
  const pcscWake = toBoolean(pickKey('pcscWake', cli['pcsc-wake'], '--pcsc-wake'));
  const tokenFile = toPath(pickKey('tokenFile', cli['token-file'], '--token-file'));
  const logDir = toPath(pickKey('logDir', cli['log-dir'], '--log-dir'));
  const identityReadsPerMinute = toRate(pickKey('identityReadsPerMinute', cli['identity-reads-per-minute'], '--identity-reads-per-minute'));
  const webApiUrl = toHttpsUrl(pickKey('webApiUrl', cli['webapi-url'], '--webapi-url'));
  const nhiCaFile = toPath(pickKey('nhiCaFile', cli['nhi-ca-file'], '--nhi-ca-file'));
  if (nhiCaFile !== undefined && !fileExists(nhiCaFile)) {
    throw new ConfigError(`--nhi-ca-file: ${nhiCaFile} not found (NHI's CA certificate file, PEM or DER; see docs/webapi.md)`);
  }
  const webApiTimeoutMs = toWebApiTimeout(pickKey('webApiTimeoutMs', cli['webapi-timeout-ms'], '--webapi-timeout-ms'));
  const webApiServiceCode = toEnum(pickKey('webApiServiceCode', cli['webapi-service-code'], '--webapi-service-code'), WEBAPI_SERVICE_CODES);
  const signatureRefreshMarginMs = toRefreshMargin(
    pickKey('signatureRefreshMarginMs', cli['signature-refresh-margin-ms'], '--signature-refresh-margin-ms'),
  );
  const noCardTreatmentId = toEnum(
    pickKey('noCardTreatmentId', cli['no-card-treatment-id'], '--no-card-treatment-id'),
    NO_CARD_TREATMENT_ID_CHOICES,
  );
  if (!allowRemote && !isLoopbackHostname(host ?? DEFAULT_HOST)) {
    throw new ConfigError(
      `--host ${host} is not a loopback address: other computers could read ID numbers and write cards. ` +
        'Keep the default 127.0.0.1, or add --allow-remote (and --allowed-origin) if that is really wanted',
    );
  }

  let backend: Backend;
  if (backendChoice === 'auto') {
    backend = cshisPath !== undefined && fileExists(cshisPath) ? 'cshis' : 'simulator';
  } else {
    backend = backendChoice;
    if (backend === 'cshis') {
      if (cshisPath === undefined) {
        throw new ConfigError(
          `--backend cshis needs --cshis-path (the default ${DEFAULT_CSHIS_PATH} applies on Windows only)`,
        );
      }
      // The doctor reports a missing DLL as a failed check instead.
      if (command !== 'doctor' && /[\\/]/.test(cshisPath) && !fileExists(cshisPath)) {
        throw new ConfigError(
          `--backend cshis: CSHIS.dll not found at ${cshisPath}. Install the NHI control software, ` +
            `point --cshis-path at the DLL, or use --backend simulator`,
        );
      }
    }
  }

  const config: GatewayConfig = {
    port: port ?? DEFAULT_PORT,
    host: host ?? DEFAULT_HOST,
    backend,
    backendChoice,
    cshisPath,
    csdllIni,
    callTimeoutMs,
    visitStrategy,
    graphiql: graphiql ?? true,
    configFile: configFile === undefined ? undefined : asString(configFile),
    // Only when given, so a config without them stays the same object as before (and equal in tests).
    ...(readerOpenPolicy ? { readerOpenPolicy } : {}),
    ...(pcscWake ? { pcscWake: true as const } : {}),
    ...(allowedOrigins ? { allowedOrigins } : {}),
    ...(allowRemote ? { allowRemote: true as const } : {}),
    ...(tokenFile ? { tokenFile } : {}),
    ...(logDir ? { logDir } : {}),
    ...(identityReadsPerMinute ? { identityReadsPerMinute } : {}),
    ...(webApiUrl ? { webApiUrl } : {}),
    ...(nhiCaFile ? { nhiCaFile } : {}),
    ...(webApiTimeoutMs ? { webApiTimeoutMs } : {}),
    ...(webApiServiceCode ? { webApiServiceCode } : {}),
    ...(signatureRefreshMarginMs !== undefined ? { signatureRefreshMarginMs } : {}),
    ...(noCardTreatmentId ? { noCardTreatmentId } : {}),
  };
  if (command === 'install') return { kind: 'install', config, runArgs: options };
  if (command === 'doctor') {
    const nhiRoot = cli['nhi-root'] === undefined ? DEFAULT_NHI_ROOT : asString({ value: cli['nhi-root'], source: '--nhi-root' }).trim();
    return { kind: 'doctor', config, doctor: { nhiRoot, network: cli.network === true, json: cli.json === true } };
  }
  return { kind: 'run', config };
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseNodeArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false, allowNegative: true })
      .values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']+)'/.exec(message)?.[1] ?? '';
      const hint = closestOption(option);
      throw new ConfigError(`unknown option ${option}${hint ? ` (did you mean ${hint}?)` : ''}; see --help`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const commands = COMMANDS.join(', ');
      throw new ConfigError(`${message.replace(/\.$/, '')} (commands go first: ${commands}); see --help`);
    }
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new ConfigError(`${message}; see --help`);
    }
    throw error;
  }
}

function closestOption(option: string): string | undefined {
  const name = option.replace(/^-+/, '').split('=')[0] ?? '';
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...Object.keys(OPTIONS), 'no-graphiql']) {
    const distance = editDistance(name, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best && `--${best.name}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function envValue(env: Readonly<Record<string, string | undefined>>, name: string): Sourced | undefined {
  const value = env[name];
  // `set VAR=` on Windows unsets; on POSIX an empty value is treated the same way.
  return value === undefined || value.trim() === '' ? undefined : { value: value.trim(), source: name };
}

function pick(
  cliValue: string | boolean | undefined,
  cliName: string,
  fromEnv: Sourced | undefined,
  fromFile: Sourced | undefined,
): Sourced | undefined {
  if (cliValue !== undefined) return { value: cliValue, source: cliName };
  return fromEnv ?? fromFile;
}

function readConfigFile(path: string, readFile: (path: string) => string): Partial<Record<FileKey, Sourced>> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'file not found' : error instanceof Error ? error.message : String(error);
    throw new ConfigError(`--config: cannot read ${path} (${reason})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad writes a BOM
  } catch (error) {
    throw new ConfigError(`--config: ${path} is not valid JSON (${error instanceof Error ? error.message : ''})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`--config: ${path} must contain a JSON object`);
  }
  const result: Partial<Record<FileKey, Sourced>> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!Object.hasOwn(FILE_KEYS, key)) {
      throw new ConfigError(
        `--config: unknown key "${key}" in ${path}; allowed keys: ${Object.keys(FILE_KEYS).join(', ')}`,
      );
    }
    if (value !== null) result[key as FileKey] = { value, source: `"${key}" in ${path}` };
  }
  return result;
}

function asString(sourced: Sourced): string {
  if (typeof sourced.value !== 'string' || sourced.value.trim() === '') {
    throw new ConfigError(`${sourced.source} must be a non-empty string`);
  }
  return sourced.value;
}

function toInteger(sourced: Sourced, min: number, max: number, what: string): number {
  const { value } = sourced;
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(`${sourced.source} must be ${what} (got ${JSON.stringify(value)})`);
  }
  return number;
}

function toPort(sourced: Sourced | undefined): number | undefined {
  return sourced && toInteger(sourced, 1, 65535, 'an integer from 1 to 65535');
}

/** An https:// URL: the Web API is only ever called over verified TLS. */
function toHttpsUrl(sourced: Sourced | undefined): string | undefined {
  if (!sourced) return undefined;
  const text = asString(sourced).trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${sourced.source} must be a URL, e.g. ${DEFAULT_WEBAPI_URL} (got ${JSON.stringify(sourced.value)})`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(`${sourced.source} must be an https:// URL: the Web API is only called over TLS (got ${JSON.stringify(sourced.value)})`);
  }
  return url.href;
}

function toWebApiTimeout(sourced: Sourced | undefined): number | undefined {
  return sourced && toInteger(sourced, 100, 120_000, 'a whole number of milliseconds from 100 to 120000');
}

/** Less than the 8-hour lifetime (docs/reference/webapi.md (Treatment-ID Web API)), else every request would re-sign. */
function toRefreshMargin(sourced: Sourced | undefined): number | undefined {
  return sourced && toInteger(sourced, 0, 7 * 60 * 60 * 1000, 'a whole number of milliseconds from 0 to 25200000 (7 hours)');
}

function toTimeout(sourced: Sourced | undefined): number | undefined {
  return sourced && toInteger(sourced, 1, 3_600_000, 'a whole number of milliseconds from 1 to 3600000');
}

function toHost(sourced: Sourced | undefined): string | undefined {
  if (!sourced) return undefined;
  const host = asString(sourced).trim();
  const unbracketed = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(unbracketed) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) {
    throw new ConfigError(
      `${sourced.source} must be an IP address or host name, e.g. 127.0.0.1 (got ${JSON.stringify(sourced.value)})`,
    );
  }
  return unbracketed;
}

function toRate(sourced: Sourced | undefined): number | undefined {
  return sourced && toInteger(sourced, 1, 100_000, 'a whole number of reads per minute from 1 to 100000');
}

/** A list of origins: repeated options, a JSON array, or a comma-separated string (env, file). */
function toOrigins(sourced: Sourced | undefined): readonly string[] | undefined {
  if (!sourced) return undefined;
  const { value } = sourced;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (items === null || items.some((item) => typeof item !== 'string')) {
    throw new ConfigError(`${sourced.source} must be a list of origins, e.g. ["https://his.example"] (got ${JSON.stringify(value)})`);
  }
  const origins: string[] = [];
  for (const item of items as string[]) {
    if (item.trim() === '') continue;
    const result = normalizeOrigin(item);
    if ('error' in result) throw new ConfigError(`${sourced.source}: ${result.error}`);
    if (!origins.includes(result.origin)) origins.push(result.origin);
  }
  return origins.length > 0 ? origins : undefined;
}

function toPath(sourced: Sourced | undefined): string | undefined {
  return sourced && asString(sourced).trim();
}

function toEnum<T extends string>(sourced: Sourced | undefined, allowed: readonly T[]): T | undefined {
  if (!sourced) return undefined;
  const value = typeof sourced.value === 'string' ? sourced.value.trim().toLowerCase() : sourced.value;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      `${sourced.source} must be one of ${allowed.join(', ')} (got ${JSON.stringify(sourced.value)})`,
    );
  }
  return value as T;
}

function toBoolean(sourced: Sourced | undefined): boolean | undefined {
  if (!sourced) return undefined;
  const { value } = sourced;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  }
  throw new ConfigError(`${sourced.source} must be true or false (got ${JSON.stringify(value)})`);
}
