/**
 * Gateway configuration: the only module that reads command-line arguments and environment variables.
 *
 * Precedence, per key: command line > environment > `--config` JSON file > built-in default.
 * `parseArgs` never throws and never exits: it returns what the caller should do (`help`, `version`,
 * `run` or `error`), so `main.ts` owns printing and exit codes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs as parseNodeArgs } from 'node:util';

export const BACKEND_CHOICES = ['simulator', 'cshis', 'auto'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** The backend actually used once `auto` is resolved. */
export type Backend = Exclude<BackendChoice, 'auto'>;

export const VISIT_STRATEGIES = ['n1', 'seq256-treatnum', 'seq256-quick-treatnum', 'seq256-webapi'] as const;
export type VisitStrategy = (typeof VISIT_STRATEGIES)[number];

export const DEFAULT_PORT = 8737;
export const DEFAULT_HOST = '127.0.0.1';
/** Where the NHI control software installs CSHIS.dll. Used as the default on Windows only. */
export const DEFAULT_CSHIS_PATH = 'C:\\NHI\\LIB\\CSHIS.dll';
export const DEFAULT_CSDLL_INI = 'C:\\NHI\\INI\\csdll.ini';

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
  /** Serve GraphiQL on GET /graphql (Accept: text/html). */
  readonly graphiql: boolean;
  /** The JSON config file that was read, if any. */
  readonly configFile: string | undefined;
}

export type ParseArgsResult =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly config: GatewayConfig }
  | { readonly kind: 'error'; readonly message: string };

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
  graphiql: 'NHI_GATEWAY_GRAPHIQL',
} as const;

export const HELP_TEXT = `NHI Card Gateway: a local GraphQL gateway over the NHI card reader stack.

Usage:
  nhi-gateway [options]

Options:
  -p, --port <n>             TCP port, 1-65535 (default ${DEFAULT_PORT})
      --host <addr>          address to listen on (default ${DEFAULT_HOST}; keep it on loopback)
      --backend <kind>       simulator | cshis | auto (default auto: cshis when CSHIS.dll exists,
                             otherwise the built-in simulator)
      --config <path>        JSON file with any of the keys below in camelCase, e.g.
                             {"port": 8738, "backend": "cshis", "visitStrategy": "seq256-webapi"}
      --cshis-path <path>    CSHIS.dll location (default ${DEFAULT_CSHIS_PATH} on Windows)
      --csdll-ini <path>     csdll.ini location (default ${DEFAULT_CSDLL_INI})
      --call-timeout-ms <n>  timeout for one control-software call in ms
                             (default: CSTIMEOUT from csdll.ini)
      --visit-strategy <s>   n1 | seq256-treatnum | seq256-quick-treatnum | seq256-webapi (default n1)
      --no-graphiql          do not serve the GraphiQL page (the GraphQL API stays on)
  -h, --help                 show this text
  -v, --version              print the version

Precedence: command line > environment > --config file > defaults.

Environment:
  ${ENV.port}  ${ENV.host}  ${ENV.backend}  ${ENV.config}
  ${ENV.cshisPath}  ${ENV.csdllIni}  ${ENV.callTimeoutMs}  ${ENV.visitStrategy}
  ${ENV.graphiql} (true/false)

Endpoints (defaults):
  GraphQL + GraphiQL  http://${DEFAULT_HOST}:${DEFAULT_PORT}/graphql   (open it in a browser)
  WebSocket           ws://${DEFAULT_HOST}:${DEFAULT_PORT}/graphql     (graphql-ws protocol)
  Health / readiness  http://${DEFAULT_HOST}:${DEFAULT_PORT}/health  and  /ready

Examples:
  nhi-gateway                                  auto-detect the backend, port ${DEFAULT_PORT}
  nhi-gateway --backend simulator --port 9000  try it without a card reader
  nhi-gateway --config C:\\NHI\\gateway.json
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
  graphiql: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Keys accepted in the JSON config file, with their command-line spelling. */
const FILE_KEYS = {
  port: '--port',
  host: '--host',
  backend: '--backend',
  cshisPath: '--cshis-path',
  csdllIni: '--csdll-ini',
  callTimeoutMs: '--call-timeout-ms',
  visitStrategy: '--visit-strategy',
  graphiql: '--no-graphiql',
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

  const cli = parseCommandLine(argv);
  if (cli.help) return { kind: 'help' };
  if (cli.version) return { kind: 'version' };

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
  const graphiql = toBoolean(pickKey('graphiql', cli.graphiql, cli.graphiql === false ? '--no-graphiql' : '--graphiql'));

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
      if (/[\\/]/.test(cshisPath) && !fileExists(cshisPath)) {
        throw new ConfigError(
          `--backend cshis: CSHIS.dll not found at ${cshisPath}. Install the NHI control software, ` +
            `point --cshis-path at the DLL, or use --backend simulator`,
        );
      }
    }
  }

  return {
    kind: 'run',
    config: {
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
    },
  };
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
      throw new ConfigError(`${message.replace(/\.$/, '')}; see --help`);
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
