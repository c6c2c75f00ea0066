/**
 * Every option of the gateway, declared once. The parser (src/config/parse.ts), `--help`
 * (src/config/help.ts) and docs/options.md (build/options-doc.ts) are generated from this table, and a test
 * fails when docs/options.md and the table differ.
 *
 * A row says: the flag (and short alias), environment variable, config-file key (the row's key, camelCase),
 * value parser, default, help and docs text, which backends it applies to and what happens when it is given
 * for another one (`error`: exit 2 naming option and backend; `warning`: a logged line at start), and which
 * commands accept it. Choices map straight to domain values here (`VISIT_STRATEGY_VALUES`,
 * `NO_CARD_TREATMENT_ID_POLICIES`): nowhere else spells them.
 */
import type { NoCardTreatmentIdPolicy, VisitStrategy as DomainVisitStrategy } from '../ports/card-stack.ts';
import { boolean, existingFile, host, httpsUrl, integer, millisecondsOrOff, oneOf, origins, path, type ValueParser } from './values.ts';

// `pcsc` (issue 4, docs/pcsc.md): any PC/SC reader, basic data only; never chosen by `auto`, which stays
// simulator/cshis because a PC/SC reader alone cannot do a visit.
export const BACKEND_CHOICES = ['simulator', 'cshis', 'pcsc', 'auto'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** The backend actually used once `auto` is resolved. */
export type Backend = Exclude<BackendChoice, 'auto'>;
export const BACKENDS: readonly Backend[] = ['simulator', 'cshis', 'pcsc'];

/** The command-line spelling of each visit strategy and the domain value it means (docs/control-software.md). */
export const VISIT_STRATEGY_VALUES = {
  n1: 'N1',
  'seq256-treatnum': 'SEQ256_TREATNUM',
  'seq256-quick-treatnum': 'SEQ256_QUICK_TREATNUM',
  'seq256-webapi': 'SEQ256_WEBAPI',
} as const satisfies Record<string, DomainVisitStrategy>;
export type VisitStrategy = keyof typeof VISIT_STRATEGY_VALUES;
export const VISIT_STRATEGIES = Object.keys(VISIT_STRATEGY_VALUES) as VisitStrategy[];

/** csOpenCom/csCloseCom around every call (what existing wrappers do), or open once and reopen after a failure. */
export const READER_OPEN_POLICIES = ['keep-open', 'per-operation'] as const;
export type ReaderOpenPolicy = (typeof READER_OPEN_POLICIES)[number];

/** Where treatment IDs without a card come from (docs/webapi.md), spelled as on the command line → domain. */
export const NO_CARD_TREATMENT_ID_POLICIES = {
  webapi: 'WEB_API',
  '1.54': 'CONTROL_SOFTWARE_1_54',
  'webapi-then-1.54': 'WEB_API_THEN_1_54',
} as const satisfies Record<string, NoCardTreatmentIdPolicy>;
export type NoCardTreatmentIdChoice = keyof typeof NO_CARD_TREATMENT_ID_POLICIES;
export const NO_CARD_TREATMENT_ID_CHOICES = Object.keys(NO_CARD_TREATMENT_ID_POLICIES) as NoCardTreatmentIdChoice[];

export const WEBAPI_SERVICE_CODES = ['11', '12'] as const;

export const DEFAULT_PORT = 8737;
export const DEFAULT_HOST = '127.0.0.1';
/** Where the NHI control software installs CSHIS.dll. Used as the default on Windows only. */
export const DEFAULT_CSHIS_PATH = 'C:\\NHI\\LIB\\CSHIS.dll';
export const DEFAULT_CSDLL_INI = 'C:\\NHI\\INI\\csdll.ini';
export const DEFAULT_NHI_ROOT = 'C:\\NHI';
/**
 * NHI's treatment-ID Web API. The host is public (medvpndti.nhi.gov.tw:443); the operation's path is NOT
 * (docs/reference/webapi.md). This default is an assumption by analogy with NHI's documented
 * /V1000/VNHI_Upload and /V1000/VNHI_Download: set --webapi-url from NHI's 介接說明書.
 */
export const DEFAULT_WEBAPI_URL = 'https://medvpndti.nhi.gov.tw/V1000/VNHI_TreatNum';

/** When the single executable gives back its start-up memory (src/memory-release.ts), in ms after start. */
export const DEFAULT_RELEASE_MEMORY_MS = 5_000;

export const COMMANDS = ['install', 'uninstall', 'doctor'] as const;
export type Command = (typeof COMMANDS)[number];
/** The commands an option can belong to; `run` is the gateway itself (no command word). */
export type OptionCommand = 'run' | 'install' | 'doctor';
const GATEWAY_COMMANDS: readonly OptionCommand[] = ['run', 'install', 'doctor'];
const DOCTOR_ONLY: readonly OptionCommand[] = ['doctor'];

export interface OptionRow<T> {
  /** Long flag without dashes. */
  readonly flag: string;
  readonly short?: string;
  /** `value` takes an argument; `switch` is on/off (`--no-<flag>` turns it off); `list` may be repeated. */
  readonly kind: 'value' | 'switch' | 'list';
  /** How `--help` names the argument, e.g. `<n>`. */
  readonly valueName?: string;
  /** The flag as it is normally written, when that is the negation (`--no-graphiql`). */
  readonly shownAs?: string;
  readonly env?: string;
  /** Accepted in the `--config` JSON file under the row's key. */
  readonly inFile: boolean;
  readonly parse: ValueParser<T>;
  /** Applied when no source gives a value; undefined = unset (the consumer decides, see GatewayConfig). */
  readonly defaultValue?: T;
  /** The default as the operator reads it. */
  readonly defaultText: string;
  /** `--help` text (wrapped by the generator). */
  readonly help: string;
  /** docs/options.md text (Markdown); the help text when omitted. */
  readonly docs?: string;
  /** The backends it applies to. */
  readonly backends: 'all' | readonly Backend[];
  /** Given for another backend: refuse (exit 2) or start with a warning line. */
  readonly otherBackend?: 'error' | 'warning';
  /** Replaces the generic "applies to …" message when given for another backend. */
  readonly otherBackendMessage?: string;
  readonly commands: readonly OptionCommand[];
}

function row<T>(definition: OptionRow<T>): OptionRow<T> {
  return definition;
}

const ms = (min: number, max: number, extra = '') => integer(min, max, `a whole number of milliseconds from ${min} to ${max}${extra}`);
const VISIT_BACKENDS: readonly Backend[] = ['simulator', 'cshis'];
const REAL_BACKENDS: readonly Backend[] = ['cshis', 'pcsc'];
const WEBAPI_ERROR = 'visits (and the Web API) need the control software or the simulator';

/** The option table. Keys are the config-file keys and the GatewayConfig field names. */
export const OPTIONS = {
  port: row({
    flag: 'port', short: 'p', kind: 'value', valueName: '<n>', env: 'NHI_GATEWAY_PORT', inFile: true,
    parse: integer(1, 65535, 'an integer from 1 to 65535'), defaultValue: DEFAULT_PORT, defaultText: String(DEFAULT_PORT),
    help: 'TCP port, 1-65535; without it 8737 when free, else this OS user\'s own port in 8737-8768 (then the next free one there)',
    docs:
      'TCP port, 1–65535. Without it the gateway takes 8737 if free, else its user\'s own port in 8737–8768, else the next free one there (one gateway per user on a terminal server: [terminal-server.md](terminal-server.md)); with it, that port or a start failure.',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  host: row({
    flag: 'host', kind: 'value', valueName: '<addr>', env: 'NHI_GATEWAY_HOST', inFile: true,
    parse: host, defaultValue: DEFAULT_HOST, defaultText: DEFAULT_HOST,
    help: 'address to listen on; keep it on loopback (a non-loopback address needs --allow-remote)',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  backend: row({
    flag: 'backend', kind: 'value', valueName: '<kind>', env: 'NHI_GATEWAY_BACKEND', inFile: true,
    parse: oneOf(BACKEND_CHOICES), defaultValue: 'auto' as BackendChoice, defaultText: 'auto',
    help:
      'simulator | cshis | pcsc | auto. auto: cshis when --cshis-path is given or CSHIS.dll is at its default ' +
      'place, otherwise the built-in simulator; pcsc: any PC/SC reader, basic data and live card events only',
    docs:
      '`simulator`, `cshis`, `pcsc` or `auto`. `auto` means `cshis` when `--cshis-path` (or its variable or key) ' +
      'is given — even if the file is missing: the gateway then serves and `/ready` explains — or when CSHIS.dll ' +
      'exists at its default place on Windows; otherwise the simulator. The banner and `/ready` say why.',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  config: row({
    flag: 'config', kind: 'value', valueName: '<path>', env: 'NHI_GATEWAY_CONFIG', inFile: false,
    parse: path, defaultText: 'none',
    help: 'JSON file with any of the config keys (docs/options.md), e.g. {"port": 8738, "backend": "cshis"}',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  cshisPath: row({
    flag: 'cshis-path', kind: 'value', valueName: '<path>', env: 'NHI_CSHIS_PATH', inFile: true,
    parse: path, defaultText: `${DEFAULT_CSHIS_PATH} on Windows, none elsewhere`,
    help: 'CSHIS.dll location; naming it chooses the cshis backend under auto (a missing file does not stop the gateway: /ready explains)',
    backends: ['cshis'], otherBackend: 'warning', commands: GATEWAY_COMMANDS,
  }),
  csdllIni: row({
    flag: 'csdll-ini', kind: 'value', valueName: '<path>', env: 'NHI_CSDLL_INI', inFile: true,
    parse: path, defaultValue: DEFAULT_CSDLL_INI, defaultText: DEFAULT_CSDLL_INI,
    help: 'csdll.ini location (its CSTIMEOUT is the default call timeout)',
    backends: ['cshis'], otherBackend: 'warning', commands: GATEWAY_COMMANDS,
  }),
  callTimeoutMs: row({
    flag: 'call-timeout-ms', kind: 'value', valueName: '<n>', env: 'NHI_CALL_TIMEOUT_MS', inFile: true,
    parse: ms(1, 3_600_000), defaultText: 'CSTIMEOUT from csdll.ini',
    help: 'timeout for one control-software call in ms',
    backends: ['cshis'], otherBackend: 'warning', commands: GATEWAY_COMMANDS,
  }),
  visitStrategy: row({
    flag: 'visit-strategy', kind: 'value', valueName: '<s>', env: 'NHI_VISIT_STRATEGY', inFile: true,
    parse: oneOf(VISIT_STRATEGIES), defaultValue: 'n1' as VisitStrategy, defaultText: 'n1',
    help: 'n1 | seq256-treatnum | seq256-quick-treatnum | seq256-webapi: which control-software APIs register a visit',
    docs: '`n1`, `seq256-treatnum`, `seq256-quick-treatnum` or `seq256-webapi` (NHI\'s 方式4, needs the Web API): which APIs register a visit (docs/control-software.md).',
    backends: VISIT_BACKENDS, otherBackend: 'error', otherBackendMessage: WEBAPI_ERROR, commands: GATEWAY_COMMANDS,
  }),
  readerOpenPolicy: row({
    flag: 'reader-open-policy', kind: 'value', valueName: '<p>', env: 'NHI_READER_OPEN_POLICY', inFile: true,
    parse: oneOf(READER_OPEN_POLICIES), defaultText: 'keep-open',
    help: 'keep-open | per-operation: open the reader once, or csOpenCom/csCloseCom around every call like older HIS wrappers',
    backends: ['cshis'], otherBackend: 'warning', commands: GATEWAY_COMMANDS,
  }),
  pcscWake: row({
    flag: 'pcsc-wake', kind: 'switch', env: 'NHI_GATEWAY_PCSC_WAKE', inFile: true,
    parse: boolean, defaultText: 'off',
    help: 'watch the PC/SC readers too (presence only, the card is never opened) and update the lights the moment a card goes in or out',
    backends: ['cshis'], otherBackend: 'warning', commands: GATEWAY_COMMANDS,
  }),
  graphiql: row({
    flag: 'graphiql', kind: 'switch', shownAs: '--no-graphiql', env: 'NHI_GATEWAY_GRAPHIQL', inFile: true,
    parse: boolean, defaultValue: true, defaultText: 'on',
    help: 'do not serve the GraphiQL page (the GraphQL API stays on)',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  allowedOrigins: row({
    flag: 'allowed-origin', kind: 'list', valueName: '<o>', env: 'NHI_GATEWAY_ALLOWED_ORIGINS', inFile: true,
    parse: origins, defaultText: "the gateway's own origin only",
    help: 'a HIS web page origin allowed to call, e.g. https://his.example (repeatable; comma-separated in the variable, an array in the file)',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  allowRemote: row({
    flag: 'allow-remote', kind: 'switch', env: 'NHI_GATEWAY_ALLOW_REMOTE', inFile: true,
    parse: boolean, defaultText: 'off',
    help: 'allow a --host that is not loopback (other computers could call)',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  dataDir: row({
    flag: 'data-dir', kind: 'value', valueName: '<path>', env: 'NHI_GATEWAY_DATA_DIR', inFile: true,
    parse: path, defaultText: '%LOCALAPPDATA%\\nhi-gateway (Windows), $XDG_STATE_HOME/nhi-gateway or ~/.local/state/nhi-gateway',
    help: 'private data folder (0700) for the token, card-write journal, instance lock and logs',
    docs: 'The private data folder: `token`, `card-writes.jsonl`, `gateway.lock` and `logs/` (the simulator uses `token-simulator` and `card-writes.jsonl-simulator`). Created 0700, files 0600, tightened at start with a warning if looser; on Windows an ACL for the current user only (docs/security.md).',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  tokenFile: row({
    flag: 'token-file', kind: 'value', valueName: '<path>', env: 'NHI_GATEWAY_TOKEN_FILE', inFile: true,
    parse: path, defaultText: 'token in the data folder',
    help: 'access token file of a real backend; created at first start, readable by you only',
    backends: REAL_BACKENDS, otherBackend: 'error',
    otherBackendMessage: 'it applies to real backends; the simulator uses its own token (token-simulator in the data folder)',
    commands: GATEWAY_COMMANDS,
  }),
  logDir: row({
    flag: 'log-dir', kind: 'value', valueName: '<path>', env: 'NHI_GATEWAY_LOG_DIR', inFile: true,
    parse: path, defaultText: 'logs in the data folder',
    help: 'folder for gateway.log and audit.log',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  identityReadsPerMinute: row({
    flag: 'identity-reads-per-minute', kind: 'value', valueName: '<n>', env: 'NHI_GATEWAY_IDENTITY_READS_PER_MINUTE', inFile: true,
    parse: integer(1, 100_000, 'a whole number of reads per minute from 1 to 100000'), defaultText: '60',
    help: 'identity reads allowed per minute per origin',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  webApiUrl: row({
    flag: 'webapi-url', kind: 'value', valueName: '<url>', env: 'NHI_WEBAPI_URL', inFile: true,
    parse: httpsUrl(DEFAULT_WEBAPI_URL), defaultText: `${DEFAULT_WEBAPI_URL} (cshis; none on the simulator)`,
    help: "NHI's treatment-ID Web API (方式4, no-card visits); https only; the default's path is NOT public: an assumption, see docs/webapi.md",
    backends: VISIT_BACKENDS, otherBackend: 'error', otherBackendMessage: WEBAPI_ERROR, commands: GATEWAY_COMMANDS,
  }),
  nhiCaFile: row({
    flag: 'nhi-ca-file', kind: 'value', valueName: '<path>', env: 'NHI_CA_FILE', inFile: true,
    parse: existingFile("NHI's CA certificate file, PEM or DER; see docs/webapi.md"), defaultText: 'system roots only',
    help: "NHI's CA certificate(s), PEM or DER, trusted in addition to the system roots (TLS verification is never turned off)",
    backends: VISIT_BACKENDS, otherBackend: 'error', otherBackendMessage: WEBAPI_ERROR, commands: GATEWAY_COMMANDS,
  }),
  webApiTimeoutMs: row({
    flag: 'webapi-timeout-ms', kind: 'value', valueName: '<n>', env: 'NHI_WEBAPI_TIMEOUT_MS', inFile: true,
    parse: ms(100, 120_000), defaultText: '10000',
    help: 'deadline of one Web API request in ms',
    backends: VISIT_BACKENDS, otherBackend: 'error', otherBackendMessage: WEBAPI_ERROR, commands: GATEWAY_COMMANDS,
  }),
  webApiServiceCode: row({
    flag: 'webapi-service-code', kind: 'value', valueName: '<c>', env: 'NHI_WEBAPI_SERVICE_CODE', inFile: true,
    parse: oneOf(WEBAPI_SERVICE_CODES), defaultText: '11 (cshis), 12 (simulator)',
    help: 'VPNH_SignX service code: 11 (production cards) or 12 (NHI test cards)',
    backends: VISIT_BACKENDS, otherBackend: 'error', otherBackendMessage: WEBAPI_ERROR, commands: GATEWAY_COMMANDS,
  }),
  signatureRefreshMarginMs: row({
    flag: 'signature-refresh-margin-ms', kind: 'value', valueName: '<n>', env: 'NHI_SIGNATURE_REFRESH_MARGIN_MS', inFile: true,
    // Less than the signature's 8-hour lifetime, else every request would re-sign.
    parse: ms(0, 7 * 60 * 60 * 1000, ' (7 hours)'), defaultText: '900000 (15 minutes)',
    help: "re-sign this long before a signature's 8 hours are up",
    backends: VISIT_BACKENDS, otherBackend: 'error', otherBackendMessage: WEBAPI_ERROR, commands: GATEWAY_COMMANDS,
  }),
  noCardTreatmentId: row({
    flag: 'no-card-treatment-id', kind: 'value', valueName: '<w>', env: 'NHI_NO_CARD_TREATMENT_ID', inFile: true,
    parse: oneOf(NO_CARD_TREATMENT_ID_CHOICES), defaultText: 'webapi when the Web API is configured, else 1.54',
    help: 'webapi | 1.54 | webapi-then-1.54: treatment IDs without a card (webapi turns the Web API on)',
    backends: VISIT_BACKENDS, otherBackend: 'error', otherBackendMessage: WEBAPI_ERROR, commands: GATEWAY_COMMANDS,
  }),
  releaseMemory: row({
    flag: 'release-memory', kind: 'value', valueName: '<ms|off>', env: 'NHI_GATEWAY_RELEASE_MEMORY', inFile: true,
    parse: millisecondsOrOff(0, 3_600_000, 'a whole number of milliseconds from 0 to 3600000'),
    defaultText: `${DEFAULT_RELEASE_MEMORY_MS} (single executable only)`,
    help: 'single executable: give back its start-up memory this many ms after start, or off to keep it',
    docs:
      'The single executable gives back the memory only start-up used (the embedded files\' pages, the allocator\'s free memory) this many milliseconds after start; `off` keeps it (to measure what the release gives: [performance.md](performance.md)). Linux only so far; `npm start` ignores it.',
    backends: 'all', commands: GATEWAY_COMMANDS,
  }),
  nhiRoot: row({
    flag: 'nhi-root', kind: 'value', valueName: '<path>', inFile: false,
    parse: path, defaultValue: DEFAULT_NHI_ROOT, defaultText: DEFAULT_NHI_ROOT,
    help: "the control software's folder", backends: 'all', commands: DOCTOR_ONLY,
  }),
  network: row({
    flag: 'network', kind: 'switch', inFile: false, parse: boolean, defaultValue: false, defaultText: 'off',
    help: "also check that NHI's Web API host answers", backends: 'all', commands: DOCTOR_ONLY,
  }),
  json: row({
    flag: 'json', kind: 'switch', inFile: false, parse: boolean, defaultValue: false, defaultText: 'off',
    help: 'print the results as JSON', backends: 'all', commands: DOCTOR_ONLY,
  }),
} as const;

export type OptionKey = keyof typeof OPTIONS;
/** The parsed value type of each row. */
export type OptionValues = { -readonly [K in OptionKey]: (typeof OPTIONS)[K] extends OptionRow<infer T> ? T : never };

/** The environment variable of each option that has one (for code that names one in a message). */
export const ENV: Readonly<Partial<Record<OptionKey, string>>> = Object.fromEntries(
  Object.entries(OPTIONS).flatMap(([key, option]: [string, OptionRow<unknown>]) => (option.env ? [[key, option.env]] : [])),
);

export const OPTION_KEYS = Object.keys(OPTIONS) as OptionKey[];

export function optionRow(key: OptionKey): OptionRow<unknown> {
  return OPTIONS[key] as OptionRow<unknown>;
}
