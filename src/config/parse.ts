/**
 * The parser generated from the option table (src/config/options.ts): the only code that reads command-line
 * arguments, environment variables and the `--config` file.
 *
 * Precedence, per key: command line > environment > `--config` JSON file > built-in default.
 * `parseArgs` never throws and never exits: it returns what the caller should do (`help`, `version`, `run`,
 * `install`, `uninstall`, `doctor` or `error` with one line), so `main.ts` owns printing and exit codes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs as parseNodeArgs, type ParseArgsConfig } from 'node:util';
import { isLoopbackHostname } from '../security/origins.ts';
import {
  COMMANDS,
  DEFAULT_CSHIS_PATH,
  NO_CARD_TREATMENT_ID_POLICIES,
  OPTION_KEYS,
  OPTIONS,
  VISIT_STRATEGY_VALUES,
  optionRow,
  type Backend,
  type OptionCommand,
  type OptionKey,
  type OptionValues,
} from './options.ts';
import { ConfigError, asString, type ParseContext, type Sourced } from './values.ts';
import type { ConfigIo, GatewayConfig, ParseArgsResult } from './types.ts';

type Env = Readonly<Record<string, string | undefined>>;

export function parseArgs(argv: readonly string[], env: Env, io: ConfigIo = {}): ParseArgsResult {
  try {
    return parseOrThrow(argv, env, io);
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'error', message: error.message };
    throw error;
  }
}

function parseOrThrow(argv: readonly string[], env: Env, io: ConfigIo): ParseArgsResult {
  const platform = io.platform ?? process.platform;
  const context: ParseContext = { fileExists: io.fileExists ?? existsSync };
  const readFile = io.readFile ?? ((file: string) => readFileSync(file, 'utf8'));

  const command = COMMANDS.find((name) => name === argv[0]);
  const options = command === undefined ? argv : argv.slice(1);
  const cli = parseCommandLine(options);
  if (cli['help']) return { kind: 'help' };
  if (cli['version']) return { kind: 'version' };
  if (command === 'uninstall') {
    if (options.length > 0) throw new ConfigError(`uninstall takes no options (got ${options.join(' ')}); see --help`);
    return { kind: 'uninstall' };
  }
  const commandName: OptionCommand = command ?? 'run';
  for (const key of OPTION_KEYS) {
    const option = optionRow(key);
    if (cli[option.flag] !== undefined && !option.commands.includes(commandName)) {
      const owner = option.commands.join(', ');
      throw new ConfigError(`--${option.flag} is an option of the ${owner} command (nhi-gateway ${owner} --${option.flag}); see --help`);
    }
  }

  const configSource = fromCli(cli, 'config') ?? fromEnv(env, 'config');
  const configFile = configSource === undefined ? undefined : asString(configSource).trim();
  const file = configFile === undefined ? {} : readConfigFile(configFile, readFile);

  const sources: Partial<Record<OptionKey, Sourced>> = {};
  const values: Partial<Record<OptionKey, unknown>> = {};
  for (const key of OPTION_KEYS) {
    const option = optionRow(key);
    const sourced = fromCli(cli, key) ?? fromEnv(env, key) ?? (option.inFile ? file[key] : undefined);
    if (sourced !== undefined) sources[key] = sourced;
    values[key] = sourced === undefined ? option.defaultValue : option.parse(sourced, context);
  }
  const v = values as OptionValues;

  if (!v.allowRemote && !isLoopbackHostname(v.host)) {
    throw new ConfigError(
      `--host ${v.host} is not a loopback address: other computers could read ID numbers and write cards. ` +
        'Keep the default 127.0.0.1, or add --allow-remote (and --allowed-origin) if that is really wanted',
    );
  }

  const cshisPath = v.cshisPath ?? (platform === 'win32' ? DEFAULT_CSHIS_PATH : undefined);
  const { backend, reason } = resolveBackend(v.backend, sources, cshisPath, context);

  const warnings: string[] = [];
  if (commandName !== 'doctor') {
    // The doctor checks what the options name; running the gateway must not silently ignore one.
    for (const key of OPTION_KEYS) {
      const option = optionRow(key);
      const sourced = sources[key];
      if (sourced === undefined || option.backends === 'all' || option.backends.includes(backend)) continue;
      if (option.kind === 'switch' && values[key] !== true) continue;
      const detail = option.otherBackendMessage ?? `it applies to ${option.backends.join(', ')}`;
      const message = `${sourced.source} does not apply to the ${backend} backend (${reason}): ${detail}`;
      if (option.otherBackend === 'error') throw new ConfigError(message);
      warnings.push(`${message}; ignored`);
    }
  }

  const visitBackend = backend !== 'pcsc';
  const noCardTreatmentIdPolicy = v.noCardTreatmentId === undefined ? undefined : NO_CARD_TREATMENT_ID_POLICIES[v.noCardTreatmentId];
  const webApiWanted =
    visitBackend &&
    (v.webApiUrl !== undefined ||
      v.visitStrategy === 'seq256-webapi' ||
      (noCardTreatmentIdPolicy !== undefined && noCardTreatmentIdPolicy !== 'CONTROL_SOFTWARE_1_54'));

  const config: GatewayConfig = {
    port: v.port,
    host: v.host,
    backend,
    backendChoice: v.backend,
    backendReason: reason,
    cshisPath,
    csdllIni: v.csdllIni,
    callTimeoutMs: v.callTimeoutMs,
    visitStrategy: v.visitStrategy,
    visitStrategyValue: VISIT_STRATEGY_VALUES[v.visitStrategy],
    graphiql: v.graphiql,
    configFile,
    webApiWanted,
    // Only when given, so a config without them stays small (and equal in tests).
    ...(sources.port ? { portGiven: true as const } : {}),
    ...(v.readerOpenPolicy ? { readerOpenPolicy: v.readerOpenPolicy } : {}),
    ...(v.pcscWake ? { pcscWake: true as const } : {}),
    ...(v.allowedOrigins ? { allowedOrigins: v.allowedOrigins } : {}),
    ...(v.allowRemote ? { allowRemote: true as const } : {}),
    ...(v.dataDir ? { dataDir: v.dataDir } : {}),
    ...(v.tokenFile ? { tokenFile: v.tokenFile } : {}),
    ...(v.logDir ? { logDir: v.logDir } : {}),
    ...(v.identityReadsPerMinute ? { identityReadsPerMinute: v.identityReadsPerMinute } : {}),
    ...(v.webApiUrl ? { webApiUrl: v.webApiUrl } : {}),
    ...(v.nhiCaFile ? { nhiCaFile: v.nhiCaFile } : {}),
    ...(v.webApiTimeoutMs ? { webApiTimeoutMs: v.webApiTimeoutMs } : {}),
    ...(v.webApiServiceCode ? { webApiServiceCode: v.webApiServiceCode } : {}),
    ...(v.signatureRefreshMarginMs !== undefined ? { signatureRefreshMarginMs: v.signatureRefreshMarginMs } : {}),
    ...(v.noCardTreatmentId ? { noCardTreatmentId: v.noCardTreatmentId, noCardTreatmentIdPolicy } : {}),
    ...(v.releaseMemory !== undefined ? { releaseMemory: v.releaseMemory } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  if (commandName === 'install') return { kind: 'install', config, runArgs: options };
  if (commandName === 'doctor') {
    return { kind: 'doctor', config, doctor: { nhiRoot: v.nhiRoot.trim(), network: v.network, json: v.json } };
  }
  return { kind: 'run', config };
}

/**
 * `auto` never surprises: a named control software (--cshis-path or its variable/key) means cshis even when
 * the file is missing (the backend then serves and /ready explains); the simulator only when nothing names
 * it and the default path does not exist.
 */
function resolveBackend(
  choice: OptionValues['backend'],
  sources: Partial<Record<OptionKey, Sourced>>,
  cshisPath: string | undefined,
  context: ParseContext,
): { backend: Backend; reason: string } {
  if (choice !== 'auto') {
    if (choice === 'cshis' && cshisPath === undefined) {
      throw new ConfigError(`--backend cshis needs --cshis-path (the default ${DEFAULT_CSHIS_PATH} applies on Windows only)`);
    }
    return { backend: choice, reason: `chosen with ${sources.backend?.source ?? '--backend'}` };
  }
  const named = sources.cshisPath;
  if (named !== undefined) return { backend: 'cshis', reason: `auto: ${named.source} given` };
  if (cshisPath === undefined) return { backend: 'simulator', reason: 'auto: no --cshis-path given' };
  if (context.fileExists(cshisPath)) return { backend: 'cshis', reason: `auto: CSHIS.dll found at ${cshisPath}` };
  return { backend: 'simulator', reason: `auto: no CSHIS.dll at ${cshisPath}` };
}

type CliValues = Record<string, string | boolean | string[] | undefined>;

/** node:util parseArgs options, from the table. */
export function nodeParseOptions(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const key of OPTION_KEYS) {
    const option = optionRow(key);
    options[option.flag] = {
      type: option.kind === 'switch' ? 'boolean' : 'string',
      ...(option.short ? { short: option.short } : {}),
      ...(option.kind === 'list' ? { multiple: true } : {}),
    };
  }
  return options;
}

function fromCli(cli: CliValues, key: OptionKey): Sourced | undefined {
  const option = optionRow(key);
  const value = cli[option.flag];
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  return { value, source: value === false ? `--no-${option.flag}` : `--${option.flag}` };
}

function fromEnv(env: Env, key: OptionKey): Sourced | undefined {
  const name = optionRow(key).env;
  const value = name === undefined ? undefined : env[name];
  // `set VAR=` on Windows unsets; on POSIX an empty value is treated the same way.
  return name === undefined || value === undefined || value.trim() === '' ? undefined : { value: value.trim(), source: name };
}

function parseCommandLine(argv: readonly string[]): CliValues {
  try {
    return parseNodeArgs({ args: [...argv], options: nodeParseOptions(), strict: true, allowPositionals: false, allowNegative: true })
      .values as CliValues;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']+)'/.exec(message)?.[1] ?? '';
      const hint = closestOption(option);
      throw new ConfigError(`unknown option ${option}${hint ? ` (did you mean ${hint}?)` : ''}; see --help`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new ConfigError(`${message.replace(/\.$/, '')} (commands go first: ${COMMANDS.join(', ')}); see --help`);
    }
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new ConfigError(`${message}; see --help`);
    throw error;
  }
}

function closestOption(option: string): string | undefined {
  const name = option.replace(/^-+/, '').split('=')[0] ?? '';
  const candidates = ['help', 'version', ...OPTION_KEYS.map((key) => optionRow(key).flag), 'no-graphiql'];
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
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

function readConfigFile(file: string, readFile: (file: string) => string): Partial<Record<OptionKey, Sourced>> {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'file not found' : error instanceof Error ? error.message : String(error);
    throw new ConfigError(`--config: cannot read ${file} (${reason})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad writes a BOM
  } catch (error) {
    throw new ConfigError(`--config: ${file} is not valid JSON (${error instanceof Error ? error.message : ''})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`--config: ${file} must contain a JSON object`);
  }
  const fileKeys = OPTION_KEYS.filter((key) => OPTIONS[key].inFile);
  const result: Partial<Record<OptionKey, Sourced>> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(fileKeys as string[]).includes(key)) {
      throw new ConfigError(`--config: unknown key "${key}" in ${file}; allowed keys: ${fileKeys.join(', ')}`);
    }
    if (value !== null) result[key as OptionKey] = { value, source: `"${key}" in ${file}` };
  }
  return result;
}
