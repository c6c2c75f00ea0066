/**
 * The option table (src/config/options.ts) → parser and --help: every row's flag, environment variable,
 * config-file key, default, a bad value (error naming the source and the rule) and what happens on a
 * backend it does not apply to. A new row without a sample here fails to type-check.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, HELP_TEXT, OPTIONS, parseArgs, type ConfigIo, type ParseArgsResult } from '../../../src/config.ts';
import type { OptionKey, OptionRow } from '../../../src/config/options.ts';

interface Sample {
  /** A good value as typed on the command line / in the environment. */
  readonly good: string;
  /** What it parses to. */
  readonly expected: unknown;
  /** What the option is when nothing gives it. */
  readonly defaultExpected: unknown;
  /** A value every source refuses (a switch on the command line takes none: node's own one-line error). */
  readonly bad: string;
  readonly rule: RegExp;
}

const SAMPLES: Record<OptionKey, Sample> = {
  port: { good: '9000', expected: 9000, defaultExpected: 8737, bad: '70000', rule: /must be an integer from 1 to 65535/ },
  host: { good: '::1', expected: '::1', defaultExpected: '127.0.0.1', bad: 'not a host', rule: /must be an IP address or host name/ },
  backend: { good: 'pcsc', expected: 'pcsc', defaultExpected: 'auto', bad: 'dll', rule: /must be one of simulator, cshis, pcsc, auto/ },
  config: { good: 'gw.json', expected: 'gw.json', defaultExpected: undefined, bad: '', rule: /must be a non-empty string/ },
  cshisPath: { good: '/opt/CSHIS.dll', expected: '/opt/CSHIS.dll', defaultExpected: undefined, bad: '', rule: /must be a non-empty string/ },
  csdllIni: { good: '/opt/csdll.ini', expected: '/opt/csdll.ini', defaultExpected: 'C:\\NHI\\INI\\csdll.ini', bad: '', rule: /must be a non-empty string/ },
  callTimeoutMs: { good: '15000', expected: 15000, defaultExpected: undefined, bad: '0', rule: /must be a whole number of milliseconds from 1 to 3600000/ },
  visitStrategy: { good: 'seq256-treatnum', expected: 'seq256-treatnum', defaultExpected: 'n1', bad: 'n2', rule: /must be one of n1, seq256-treatnum/ },
  readerOpenPolicy: { good: 'per-operation', expected: 'per-operation', defaultExpected: undefined, bad: 'sometimes', rule: /must be one of keep-open, per-operation/ },
  pcscWake: { good: 'true', expected: true, defaultExpected: undefined, bad: 'maybe', rule: /must be true or false/ },
  graphiql: { good: 'false', expected: false, defaultExpected: true, bad: 'maybe', rule: /must be true or false/ },
  allowedOrigins: { good: 'https://his.example', expected: ['https://his.example'], defaultExpected: undefined, bad: 'his.example', rule: /is not an origin/ },
  allowRemote: { good: 'true', expected: true, defaultExpected: undefined, bad: 'maybe', rule: /must be true or false/ },
  dataDir: { good: '/srv/gw', expected: '/srv/gw', defaultExpected: undefined, bad: '', rule: /must be a non-empty string/ },
  tokenFile: { good: '/srv/gw/token', expected: '/srv/gw/token', defaultExpected: undefined, bad: '', rule: /must be a non-empty string/ },
  logDir: { good: '/srv/gw/logs', expected: '/srv/gw/logs', defaultExpected: undefined, bad: '', rule: /must be a non-empty string/ },
  identityReadsPerMinute: { good: '30', expected: 30, defaultExpected: undefined, bad: '0', rule: /must be a whole number of reads per minute/ },
  webApiUrl: { good: 'https://127.0.0.1:9443/x', expected: 'https://127.0.0.1:9443/x', defaultExpected: undefined, bad: 'http://nhi.example/x', rule: /must be an https:\/\/ URL/ },
  nhiCaFile: { good: '/etc/nhi/ca.pem', expected: '/etc/nhi/ca.pem', defaultExpected: undefined, bad: '/nowhere/ca.pem', rule: /not found/ },
  webApiTimeoutMs: { good: '5000', expected: 5000, defaultExpected: undefined, bad: '50', rule: /must be a whole number of milliseconds from 100 to 120000/ },
  webApiServiceCode: { good: '12', expected: '12', defaultExpected: undefined, bad: '30', rule: /must be one of 11, 12/ },
  signatureRefreshMarginMs: { good: '0', expected: 0, defaultExpected: undefined, bad: String(8 * 3600_000), rule: /must be a whole number of milliseconds from 0 to 25200000/ },
  noCardTreatmentId: { good: 'webapi', expected: 'webapi', defaultExpected: undefined, bad: '1.56', rule: /must be one of webapi, 1.54, webapi-then-1.54/ },
  releaseMemory: { good: '1', expected: 1, defaultExpected: undefined, bad: 'soon', rule: /must be off or a whole number of milliseconds from 0 to 3600000/ },
  nhiRoot: { good: 'D:\\NHI', expected: 'D:\\NHI', defaultExpected: 'C:\\NHI', bad: '', rule: /must be a non-empty string/ },
  network: { good: 'true', expected: true, defaultExpected: false, bad: 'maybe', rule: /does not take an argument/ },
  json: { good: 'true', expected: true, defaultExpected: false, bad: 'maybe', rule: /does not take an argument/ },
};

const rows = Object.entries(OPTIONS) as [OptionKey, OptionRow<unknown>][];

function io(file: object = {}): ConfigIo {
  return { platform: 'linux', fileExists: (p) => p === '/etc/nhi/ca.pem', readFile: () => JSON.stringify(file) };
}

/** Arguments that make the option apply: its command and a backend it belongs to. */
function prefix(key: OptionKey, option: OptionRow<unknown>): string[] {
  if (option.commands.length === 1 && option.commands[0] === 'doctor') return ['doctor'];
  if (key === 'backend' || key === 'cshisPath' || option.backends === 'all' || option.backends.includes('simulator')) return [];
  return ['--cshis-path', '/opt/CSHIS.dll']; // auto → cshis
}

function cliArgs(option: OptionRow<unknown>, value: string): string[] {
  if (option.kind === 'switch') return [value === 'true' ? `--${option.flag}` : `--no-${option.flag}`];
  return [`--${option.flag}`, value];
}

/** Where a row's value lands in the result. */
function valueOf(key: OptionKey, result: ParseArgsResult): unknown {
  if (result.kind === 'doctor' && (key === 'nhiRoot' || key === 'network' || key === 'json')) return result.doctor[key];
  if (result.kind !== 'run' && result.kind !== 'doctor') throw new Error(`expected a configuration, got ${JSON.stringify(result)}`);
  if (key === 'backend') return result.config.backendChoice;
  if (key === 'config') return result.config.configFile;
  return (result.config as unknown as Record<string, unknown>)[key];
}

function errorOf(result: ParseArgsResult): string {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe.each(rows)('option %s', (key, option) => {
  const sample = SAMPLES[key];
  const before = prefix(key, option);

  it(`--${option.flag}${option.short ? ` / -${option.short}` : ''} on the command line`, () => {
    expect(valueOf(key, parseArgs([...before, ...cliArgs(option, sample.good)], {}, io()))).toEqual(sample.expected);
    if (option.short) expect(valueOf(key, parseArgs([...before, `-${option.short}`, sample.good], {}, io()))).toEqual(sample.expected);
  });

  it(`its environment variable ${option.env ?? '(none)'}`, () => {
    if (!option.env) {
      expect(option.commands).toEqual(['doctor']);
      return;
    }
    const result = parseArgs(before, { [option.env]: sample.good }, key === 'config' ? io({}) : io());
    expect(valueOf(key, result)).toEqual(sample.expected);
  });

  it(`its config-file key ${option.inFile ? key : '(none)'}`, () => {
    const fileValue = option.kind === 'switch' ? sample.good === 'true' : option.kind === 'list' ? [sample.good] : sample.good;
    const result = parseArgs([...before, '--config', 'gw.json'], {}, io({ [key]: fileValue }));
    if (option.inFile) expect(valueOf(key, result)).toEqual(sample.expected);
    else if (key !== 'config') expect(errorOf(result)).toMatch(new RegExp(`^--config: unknown key "${key}"`));
  });

  it('its default', () => {
    expect(valueOf(key, parseArgs(before, {}, io()))).toEqual(sample.defaultExpected);
  });

  it('a bad value is refused in one line, naming the source and the rule', () => {
    const fromCli = errorOf(parseArgs([...before, `--${option.flag}=${sample.bad}`], {}, io()));
    expect(fromCli).not.toContain('\n');
    if (option.kind === 'switch') expect(fromCli).toMatch(new RegExp(`--${option.flag}' does not take an argument`));
    else {
      expect(fromCli.startsWith(`--${option.flag}`)).toBe(true);
      expect(fromCli).toMatch(sample.rule);
    }
    // An empty variable counts as unset (`set VAR=` on Windows), so only a non-empty bad value is an error there.
    if (option.env && sample.bad !== '') {
      const fromEnv = errorOf(parseArgs(before, { [option.env]: sample.bad }, io()));
      expect(fromEnv.startsWith(option.env)).toBe(true);
      expect(fromEnv).toMatch(option.kind === 'switch' ? /must be true or false/ : sample.rule);
    }
    if (option.inFile && sample.bad !== '') {
      const fromFile = errorOf(parseArgs([...before, '--config', 'gw.json'], {}, io({ [key]: sample.bad })));
      expect(fromFile.startsWith(`"${key}" in gw.json`)).toBe(true);
    }
  });

  it('on a backend it does not apply to: the documented error or warning line', () => {
    if (option.backends === 'all') return;
    const applies = option.backends;
    for (const other of BACKENDS.filter((backend) => !applies.includes(backend))) {
      const result = parseArgs(['--backend', other, ...cliArgs(option, sample.good)], {}, io());
      const line = `--${option.flag} does not apply to the ${other} backend (chosen with --backend): `;
      if (option.otherBackend === 'error') expect(errorOf(result).startsWith(line)).toBe(true);
      else {
        expect(option.otherBackend).toBe('warning');
        expect(result.kind === 'run' && result.config.warnings?.some((w) => w.startsWith(line) && w.endsWith('; ignored'))).toBe(true);
      }
    }
  });

  it('is in --help with its environment variable', () => {
    expect(HELP_TEXT).toContain(option.shownAs ?? `--${option.flag}`);
    if (option.env) expect(HELP_TEXT).toContain(option.env);
  });
});

describe('the option table', () => {
  it('has unique flags and environment variables, and says what happens on other backends', () => {
    const flags = rows.map(([, option]) => option.flag);
    expect(new Set(flags).size).toBe(flags.length);
    const envs = rows.flatMap(([, option]) => (option.env ? [option.env] : []));
    expect(new Set(envs).size).toBe(envs.length);
    for (const [key, option] of rows) {
      if (option.backends !== 'all') expect(option.otherBackend, key).toMatch(/^(error|warning)$/);
      expect(option.help.length, key).toBeGreaterThan(10);
    }
  });

  it('refuses options of another command, in one line', () => {
    expect(errorOf(parseArgs(['--nhi-root', 'D:\\NHI'], {}, io()))).toBe(
      '--nhi-root is an option of the doctor command (nhi-gateway doctor --nhi-root); see --help',
    );
  });

  it('keeps a missing DLL path from being an error (the gateway serves; /ready explains)', () => {
    const result = parseArgs(['--backend', 'cshis', '--cshis-path', '/nonexistent/CSHIS.dll'], {}, io());
    expect(result.kind === 'run' && result.config.backend).toBe('cshis');
  });
});
