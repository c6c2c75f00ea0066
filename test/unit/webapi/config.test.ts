/**
 * The Web API options of src/config.ts and how src/services.ts turns them into composition.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBAPI_URL, HELP_TEXT, parseArgs, type ConfigIo, type GatewayConfig } from '../../../src/config.ts';
import { servicesOptionsFromConfig } from '../../../src/services.ts';

/** The Web API part of what src/services.ts composes from a configuration. */
function webApiOptionsFromConfig(config: GatewayConfig) {
  const { webApi, noCardTreatmentId } = servicesOptionsFromConfig(config);
  return { ...(webApi ? { webApi } : {}), ...(noCardTreatmentId ? { noCardTreatmentId } : {}) };
}

const io: ConfigIo = { platform: 'linux', fileExists: (p) => p === '/etc/nhi/ca.pem', readFile: () => '{}' };

function run(argv: string[], env: Record<string, string | undefined> = {}, files: ConfigIo = io): GatewayConfig {
  const result = parseArgs(argv, env, files);
  if (result.kind !== 'run') throw new Error(`expected run, got ${JSON.stringify(result)}`);
  return result.config;
}
function error(argv: string[], env: Record<string, string | undefined> = {}): string {
  const result = parseArgs(argv, env, io);
  if (result.kind !== 'error') throw new Error(`expected error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('Web API options', () => {
  it('are absent unless given, so existing configurations are unchanged', () => {
    const config = run([]);
    for (const key of ['webApiUrl', 'nhiCaFile', 'webApiTimeoutMs', 'webApiServiceCode', 'signatureRefreshMarginMs', 'noCardTreatmentId']) {
      expect(Object.hasOwn(config, key)).toBe(false);
    }
  });

  it('are read from the command line, the environment and the config file', () => {
    expect(
      run(['--webapi-url', 'https://127.0.0.1:9443/V1000/X', '--nhi-ca-file', '/etc/nhi/ca.pem', '--webapi-timeout-ms', '5000',
        '--webapi-service-code', '12', '--signature-refresh-margin-ms', '0', '--no-card-treatment-id', 'webapi-then-1.54']),
    ).toMatchObject({
      webApiUrl: 'https://127.0.0.1:9443/V1000/X', nhiCaFile: '/etc/nhi/ca.pem', webApiTimeoutMs: 5000,
      webApiServiceCode: '12', signatureRefreshMarginMs: 0, noCardTreatmentId: 'webapi-then-1.54',
    });
    expect(run([], { NHI_WEBAPI_URL: 'https://nhi.example/x', NHI_NO_CARD_TREATMENT_ID: '1.54', NHI_CA_FILE: '/etc/nhi/ca.pem' })).toMatchObject({
      webApiUrl: 'https://nhi.example/x', noCardTreatmentId: '1.54', nhiCaFile: '/etc/nhi/ca.pem',
    });
    const file: ConfigIo = { ...io, readFile: () => JSON.stringify({ webApiUrl: 'https://nhi.example/y', webApiTimeoutMs: 3000, webApiServiceCode: '11' }) };
    expect(run(['--config', 'gw.json'], {}, file)).toMatchObject({ webApiUrl: 'https://nhi.example/y', webApiTimeoutMs: 3000, webApiServiceCode: '11' });
  });

  it('refuse plain http, a missing CA file and values out of range, naming the option', () => {
    expect(error(['--webapi-url', 'http://medvpndti.nhi.gov.tw/V1000/X'])).toMatch(/^--webapi-url must be an https:\/\/ URL/);
    expect(error(['--webapi-url', 'not a url'])).toMatch(/^--webapi-url must be a URL/);
    expect(error(['--nhi-ca-file', '/nowhere/ca.pem'])).toMatch(/^--nhi-ca-file: \/nowhere\/ca.pem not found/);
    expect(error(['--webapi-service-code', '30'])).toMatch(/^--webapi-service-code must be one of 11, 12/);
    expect(error(['--no-card-treatment-id', '1.56'])).toMatch(/^--no-card-treatment-id must be one of webapi, 1.54, webapi-then-1.54/);
    expect(error(['--webapi-timeout-ms', '50'])).toMatch(/^--webapi-timeout-ms must be a whole number of milliseconds from 100/);
    expect(error(['--signature-refresh-margin-ms', String(8 * 3600_000)])).toMatch(/^--signature-refresh-margin-ms must be/);
  });

  it('are in the help text, with the default URL marked as an assumption', () => {
    for (const option of ['--webapi-url', '--nhi-ca-file', '--webapi-timeout-ms', '--webapi-service-code', '--signature-refresh-margin-ms', '--no-card-treatment-id']) {
      expect(HELP_TEXT).toContain(option);
    }
    expect(HELP_TEXT).toContain(DEFAULT_WEBAPI_URL);
    expect(HELP_TEXT).toMatch(/NOT public: an assumption/);
  });
});

describe('composition from the configuration', () => {
  it('uses no Web API unless asked for (1.54 stays the no-card default)', () => {
    expect(webApiOptionsFromConfig(run(['--backend', 'simulator']))).toEqual({});
  });

  it('on the control software: 方式4 or a no-card policy turns it on with the default URL', () => {
    const cshis = (...argv: string[]) => run(['--backend', 'cshis', '--cshis-path', '/opt/CSHIS.dll', ...argv]);
    const strategy4 = webApiOptionsFromConfig(cshis('--visit-strategy', 'seq256-webapi'));
    expect(strategy4.webApi).toMatchObject({ url: DEFAULT_WEBAPI_URL });
    expect(webApiOptionsFromConfig(cshis('--no-card-treatment-id', 'webapi'))).toMatchObject({ noCardTreatmentId: 'WEB_API', webApi: { url: DEFAULT_WEBAPI_URL } });
    expect(webApiOptionsFromConfig(cshis('--no-card-treatment-id', '1.54'))).toEqual({ noCardTreatmentId: 'CONTROL_SOFTWARE_1_54' });
  });

  it('maps choices to domain values in the configuration, and says when the Web API is wanted', () => {
    expect(run(['--no-card-treatment-id', 'webapi-then-1.54'])).toMatchObject({ noCardTreatmentIdPolicy: 'WEB_API_THEN_1_54', webApiWanted: true });
    expect(run(['--no-card-treatment-id', 'webapi', '--backend', 'cshis', '--cshis-path', '/x'])).toMatchObject({ noCardTreatmentIdPolicy: 'WEB_API', webApiWanted: true });
    expect(run(['--no-card-treatment-id', '1.54'])).toMatchObject({ noCardTreatmentIdPolicy: 'CONTROL_SOFTWARE_1_54', webApiWanted: false });
    expect(run(['--visit-strategy', 'seq256-webapi'])).toMatchObject({ visitStrategyValue: 'SEQ256_WEBAPI', webApiWanted: true });
    expect(run(['--webapi-url', 'https://127.0.0.1:9443/x'])).toMatchObject({ webApiWanted: true });
    expect(run([])).toMatchObject({ visitStrategyValue: 'N1', webApiWanted: false });
  });

  it('are refused on the pcsc backend, which registers no visits', () => {
    expect(error(['--backend', 'pcsc', '--no-card-treatment-id', 'webapi'])).toBe(
      '--no-card-treatment-id does not apply to the pcsc backend (chosen with --backend): visits (and the Web API) need the control software or the simulator',
    );
    expect(error(['--backend', 'pcsc', '--visit-strategy', 'n1'])).toMatch(/^--visit-strategy does not apply to the pcsc backend/);
  });

  it('on the simulator only with an explicit URL (a stand-in), never NHI’s', () => {
    const sim = run(['--backend', 'simulator', '--visit-strategy', 'seq256-webapi']);
    expect(webApiOptionsFromConfig(sim)).toEqual({});
    const withUrl = run(['--backend', 'simulator', '--visit-strategy', 'seq256-webapi', '--webapi-url', 'https://127.0.0.1:9443/x', '--nhi-ca-file', '/etc/nhi/ca.pem', '--webapi-timeout-ms', '2000']);
    expect(webApiOptionsFromConfig(withUrl)).toEqual({ webApi: { url: 'https://127.0.0.1:9443/x', caFile: '/etc/nhi/ca.pem', timeoutMs: 2000 } });
  });
});
