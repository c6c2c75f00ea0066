// Unit tests of src/config.ts (kept beside the server API tests; move to test/unit/ if preferred).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CSHIS_PATH, HELP_TEXT, parseArgs, type ConfigIo, type GatewayConfig } from '../../../src/config.ts';

const linux: ConfigIo = { platform: 'linux', fileExists: () => false, readFile: () => '{}' };
const windowsWithDll: ConfigIo = { platform: 'win32', fileExists: (p) => p === DEFAULT_CSHIS_PATH };

function run(argv: string[], env: Record<string, string | undefined> = {}, io: ConfigIo = linux): GatewayConfig {
  const result = parseArgs(argv, env, io);
  if (result.kind !== 'run') throw new Error(`expected run, got ${JSON.stringify(result)}`);
  return result.config;
}

function error(argv: string[], env: Record<string, string | undefined> = {}, io: ConfigIo = linux): string {
  const result = parseArgs(argv, env, io);
  if (result.kind !== 'error') throw new Error(`expected error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('parseArgs', () => {
  it('has defaults', () => {
    expect(run([])).toEqual({
      port: 8737,
      host: '127.0.0.1',
      backend: 'simulator',
      backendChoice: 'auto',
      backendReason: 'auto: no --cshis-path given',
      cshisPath: undefined,
      csdllIni: 'C:\\NHI\\INI\\csdll.ini',
      callTimeoutMs: undefined,
      visitStrategy: 'n1',
      visitStrategyValue: 'N1',
      graphiql: true,
      configFile: undefined,
      webApiWanted: false,
    });
  });

  it('help and version', () => {
    expect(parseArgs(['--help'], {}, linux)).toEqual({ kind: 'help' });
    expect(parseArgs(['-h'], {}, linux)).toEqual({ kind: 'help' });
    expect(parseArgs(['--version'], {}, linux)).toEqual({ kind: 'version' });
    expect(parseArgs(['--port', '80', '-v'], {}, linux)).toEqual({ kind: 'version' });
  });

  it('auto picks cshis when the DLL exists (Windows default path), else the simulator', () => {
    expect(run([], {}, windowsWithDll)).toMatchObject({ backend: 'cshis', backendChoice: 'auto', cshisPath: DEFAULT_CSHIS_PATH });
    expect(run([], {}, { platform: 'win32', fileExists: () => false })).toMatchObject({ backend: 'simulator', cshisPath: DEFAULT_CSHIS_PATH });
    expect(run(['--cshis-path', '/opt/CSHIS.dll'], {}, { platform: 'linux', fileExists: (p) => p === '/opt/CSHIS.dll' })).toMatchObject({
      backend: 'cshis',
    });
  });

  it('reads every option from the command line', () => {
    expect(
      run(
        ['--port=9000', '--host', '::1', '--backend', 'simulator', '--cshis-path', 'D:\\x\\CSHIS.dll', '--csdll-ini', 'D:\\x\\csdll.ini',
          '--call-timeout-ms', '15000', '--visit-strategy', 'seq256-webapi', '--no-graphiql'],
        {},
        windowsWithDll,
      ),
    ).toEqual({
      port: 9000,
      // Given, so it is that port or a start failure (not the per-user range).
      portGiven: true,
      host: '::1',
      backend: 'simulator',
      backendChoice: 'simulator',
      backendReason: 'chosen with --backend',
      cshisPath: 'D:\\x\\CSHIS.dll',
      csdllIni: 'D:\\x\\csdll.ini',
      callTimeoutMs: 15000,
      visitStrategy: 'seq256-webapi',
      visitStrategyValue: 'SEQ256_WEBAPI',
      graphiql: false,
      configFile: undefined,
      webApiWanted: true,
      // Options of the control software on the simulator: started anyway, each named in a warning line.
      warnings: [
        '--cshis-path does not apply to the simulator backend (chosen with --backend): it applies to cshis; ignored',
        '--csdll-ini does not apply to the simulator backend (chosen with --backend): it applies to cshis; ignored',
        '--call-timeout-ms does not apply to the simulator backend (chosen with --backend): it applies to cshis; ignored',
      ],
    });
  });

  it('takes command line over env over file over defaults', () => {
    const io: ConfigIo = {
      ...linux,
      readFile: (path) => {
        expect(path).toBe('gw.json');
        return JSON.stringify({ port: 7000, host: '127.0.0.2', visitStrategy: 'seq256-treatnum', graphiql: false, callTimeoutMs: 9000 });
      },
    };
    const config = run(['--config', 'gw.json', '--port', '7002'], { NHI_GATEWAY_PORT: '7001', NHI_GATEWAY_HOST: '127.0.0.3' }, io);
    expect(config).toMatchObject({
      port: 7002,
      host: '127.0.0.3',
      visitStrategy: 'seq256-treatnum',
      graphiql: false,
      callTimeoutMs: 9000,
      configFile: 'gw.json',
    });
    expect(run(['--config', 'gw.json', '--graphiql'], {}, io).graphiql).toBe(true);
    expect(run(['--config', 'gw.json'], { NHI_GATEWAY_PORT: '7001' }, io).port).toBe(7001);
  });

  it('reads the env variables, ignoring empty ones', () => {
    expect(
      run([], {
        NHI_GATEWAY_PORT: '8800',
        NHI_GATEWAY_HOST: '',
        NHI_GATEWAY_BACKEND: 'SIMULATOR',
        NHI_CSHIS_PATH: '/x/CSHIS.dll',
        NHI_CSDLL_INI: '/x/csdll.ini',
        NHI_CALL_TIMEOUT_MS: '3000',
        NHI_VISIT_STRATEGY: 'seq256-quick-treatnum',
        NHI_GATEWAY_GRAPHIQL: 'off',
      }),
    ).toMatchObject({
      port: 8800,
      host: '127.0.0.1',
      backend: 'simulator',
      cshisPath: '/x/CSHIS.dll',
      csdllIni: '/x/csdll.ini',
      callTimeoutMs: 3000,
      visitStrategy: 'seq256-quick-treatnum',
      graphiql: false,
    });
    expect(run([], { NHI_GATEWAY_CONFIG: 'gw.json' }, { ...linux, readFile: () => '{"port": 8801}' })).toMatchObject({
      port: 8801,
      configFile: 'gw.json',
    });
  });

  it('names the option and the value in validation errors', () => {
    expect(error(['--port', '0'])).toBe('--port must be an integer from 1 to 65535 (got "0")');
    expect(error(['--port', '65536'])).toMatch(/^--port must be an integer from 1 to 65535/);
    expect(error(['--port', '80.5'])).toMatch(/^--port must be/);
    expect(error([], { NHI_GATEWAY_PORT: 'abc' })).toBe('NHI_GATEWAY_PORT must be an integer from 1 to 65535 (got "abc")');
    expect(error(['--backend', 'dll'])).toBe('--backend must be one of simulator, cshis, pcsc, auto (got "dll")');
    expect(error(['--visit-strategy', 'n2'])).toMatch(/^--visit-strategy must be one of n1, seq256-treatnum/);
    expect(error(['--call-timeout-ms', '-5'])).toMatch(/--call-timeout-ms/);
    expect(error(['--call-timeout-ms', '0'])).toMatch(/^--call-timeout-ms must be a whole number of milliseconds/);
    expect(error(['--host', 'not a host'])).toMatch(/^--host must be an IP address or host name/);
    expect(error([], { NHI_GATEWAY_GRAPHIQL: 'maybe' })).toBe('NHI_GATEWAY_GRAPHIQL must be true or false (got "maybe")');
  });

  it('explains unknown options and stray arguments', () => {
    expect(error(['--prot', '80'])).toBe('unknown option --prot (did you mean --port?); see --help');
    expect(error(['--frobnicate'])).toBe('unknown option --frobnicate; see --help');
    expect(error(['8080'])).toMatch(/Unexpected argument '8080'.*see --help/);
    expect(error(['--port'])).toMatch(/--port <value>' argument missing; see --help/);
  });

  it('checks the config file', () => {
    const file = (text: string): ConfigIo => ({ ...linux, readFile: () => text });
    expect(error(['--config', 'gw.json'], {}, file('{"prot": 1}'))).toMatch(/^--config: unknown key "prot" in gw.json; allowed keys: port, host/);
    expect(error(['--config', 'gw.json'], {}, file('{port: 1}'))).toMatch(/^--config: gw.json is not valid JSON/);
    expect(error(['--config', 'gw.json'], {}, file('[1]'))).toBe('--config: gw.json must contain a JSON object');
    expect(error(['--config', 'gw.json'], {}, file('{"port": "x"}'))).toBe('"port" in gw.json must be an integer from 1 to 65535 (got "x")');
    expect(error(['--config', 'gw.json'], {}, file('{"graphiql": "yes please"}'))).toMatch(/^"graphiql" in gw.json must be true or false/);
    expect(run(['--config', 'gw.json'], {}, file('\uFEFF{"port": "8000"}')).port).toBe(8000);
    const missing: ConfigIo = {
      ...linux,
      readFile: () => {
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      },
    };
    expect(error(['--config', 'missing.json'], {}, missing)).toBe('--config: cannot read missing.json (file not found)');
  });

  it('refuses --backend cshis with no DLL path at all, but not a missing DLL (the gateway serves, /ready explains)', () => {
    expect(error(['--backend', 'cshis'])).toMatch(/^--backend cshis needs --cshis-path/);
    expect(run(['--backend', 'cshis'], {}, { platform: 'win32', fileExists: () => false })).toMatchObject({
      backend: 'cshis',
      cshisPath: DEFAULT_CSHIS_PATH,
    });
    expect(run(['--backend', 'cshis', '--cshis-path', '/nonexistent/CSHIS.dll'])).toMatchObject({ backend: 'cshis', cshisPath: '/nonexistent/CSHIS.dll' });
    expect(run(['--backend', 'cshis'], {}, windowsWithDll)).toMatchObject({ backend: 'cshis', backendChoice: 'cshis' });
  });

  it('auto: a named CSHIS.dll means cshis even when missing; the simulator only when nothing names one', () => {
    expect(run(['--cshis-path', '/nonexistent/CSHIS.dll'])).toMatchObject({ backend: 'cshis', backendReason: 'auto: --cshis-path given' });
    expect(run([], { NHI_CSHIS_PATH: '/nonexistent/CSHIS.dll' })).toMatchObject({ backend: 'cshis', backendReason: 'auto: NHI_CSHIS_PATH given' });
    expect(run(['--config', 'gw.json'], {}, { ...linux, readFile: () => '{"cshisPath": "/x/CSHIS.dll"}' })).toMatchObject({
      backend: 'cshis',
      backendReason: 'auto: "cshisPath" in gw.json given',
    });
    expect(run([], {}, { platform: 'win32', fileExists: () => false })).toMatchObject({
      backend: 'simulator',
      backendReason: 'auto: no CSHIS.dll at C:\\NHI\\LIB\\CSHIS.dll',
    });
    expect(run([], {}, windowsWithDll)).toMatchObject({ backend: 'cshis', backendReason: 'auto: CSHIS.dll found at C:\\NHI\\LIB\\CSHIS.dll' });
    expect(run(['--backend', 'simulator'])).toMatchObject({ backend: 'simulator', backendReason: 'chosen with --backend' });
  });

  it('has a help text with the URL, env variables and examples', () => {
    expect(HELP_TEXT).toContain('http://127.0.0.1:8737/graphql');
    for (const name of ['NHI_GATEWAY_PORT', 'NHI_GATEWAY_HOST', 'NHI_GATEWAY_BACKEND', 'NHI_CSHIS_PATH']) expect(HELP_TEXT).toContain(name);
    for (const option of ['--port', '--host', '--backend', '--config', '--cshis-path', '--csdll-ini', '--call-timeout-ms', '--visit-strategy', '--no-graphiql']) {
      expect(HELP_TEXT).toContain(option);
    }
    expect(HELP_TEXT).toMatch(/Examples:/);
  });
});

describe('--reader-open-policy', () => {
  const run = (argv: string[], env: Record<string, string> = {}) => parseArgs(argv, env, { platform: 'linux', fileExists: () => false });
  it('accepts the two policies from the command line or the environment', () => {
    const cli = run(['--reader-open-policy', 'per-operation']);
    expect(cli.kind === 'run' && cli.config.readerOpenPolicy).toBe('per-operation');
    const env = run([], { NHI_READER_OPEN_POLICY: 'keep-open' });
    expect(env.kind === 'run' && env.config.readerOpenPolicy).toBe('keep-open');
  });
  it('names the option and the allowed values on a bad one', () => {
    const bad = run(['--reader-open-policy', 'sometimes']);
    expect(bad.kind === 'error' && bad.message).toMatch(/^--reader-open-policy must be one of keep-open, per-operation/);
  });
});

describe('--pcsc-wake', () => {
  const parse = (argv: string[], env: Record<string, string> = {}, io: Partial<ConfigIo> = {}) =>
    parseArgs(argv, env, { platform: 'linux', fileExists: () => false, ...io });
  it('is off unless asked for on the command line, in the environment or in the config file', () => {
    const none = parse([]);
    expect(none.kind === 'run' && none.config.pcscWake).toBeUndefined();
    const cli = parse(['--pcsc-wake']);
    expect(cli.kind === 'run' && cli.config.pcscWake).toBe(true);
    const env = parse([], { NHI_GATEWAY_PCSC_WAKE: 'true' });
    expect(env.kind === 'run' && env.config.pcscWake).toBe(true);
    const file = parse(['--config', 'gw.json'], {}, { readFile: () => JSON.stringify({ pcscWake: true }) });
    expect(file.kind === 'run' && file.config.pcscWake).toBe(true);
    const off = parse([], { NHI_GATEWAY_PCSC_WAKE: 'false' });
    expect(off.kind === 'run' && off.config.pcscWake).toBeUndefined();
  });
  it('is a warning line, not an error and not silence, on another backend', () => {
    const sim = parse(['--pcsc-wake', '--backend', 'simulator']);
    expect(sim.kind === 'run' && sim.config.warnings).toEqual([
      '--pcsc-wake does not apply to the simulator backend (chosen with --backend): it applies to cshis; ignored',
    ]);
    const off = parse(['--backend', 'simulator'], { NHI_GATEWAY_PCSC_WAKE: 'false' });
    expect(off.kind === 'run' && off.config.warnings).toBeUndefined();
    const cshis = parse(['--pcsc-wake', '--cshis-path', '/opt/CSHIS.dll']);
    expect(cshis.kind === 'run' && cshis.config).toMatchObject({ backend: 'cshis', pcscWake: true });
    expect(cshis.kind === 'run' && cshis.config.warnings).toBeUndefined();
  });
  it('is documented in --help with its environment variable', () => {
    expect(HELP_TEXT).toContain('--pcsc-wake');
    expect(HELP_TEXT).toContain('NHI_GATEWAY_PCSC_WAKE');
  });
});
