/** The access options of src/config.ts: origins, remote listening, token file, log folder, rate. */
import { describe, expect, it } from 'vitest';
import { HELP_TEXT, parseArgs, type ConfigIo, type GatewayConfig } from '../../../src/config.ts';

const linux: ConfigIo = { platform: 'linux', fileExists: () => false, readFile: () => '{}' };
const withFile = (json: object): ConfigIo => ({ ...linux, readFile: () => JSON.stringify(json) });

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

describe('access options', () => {
  it('leaves them unset by default (main.ts applies the secure defaults)', () => {
    const config = run([]);
    expect(config.allowedOrigins).toBeUndefined();
    expect(config.allowRemote).toBeUndefined();
    expect(config.tokenFile).toBeUndefined();
    expect(config.logDir).toBeUndefined();
    expect(config.identityReadsPerMinute).toBeUndefined();
  });

  it('takes allowed origins from repeated options, the env (comma list) or the file (array), normalized', () => {
    expect(run(['--allowed-origin', 'https://HIS.example/', '--allowed-origin=http://10.0.0.5:8080']).allowedOrigins).toEqual([
      'https://his.example',
      'http://10.0.0.5:8080',
    ]);
    expect(run([], { NHI_GATEWAY_ALLOWED_ORIGINS: 'https://a.example, https://b.example:443' }).allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(run(['--config', 'gw.json'], {}, withFile({ allowedOrigins: ['https://his.example'] })).allowedOrigins).toEqual(['https://his.example']);
    // Command line over env over file, as for every key.
    expect(run(['--allowed-origin', 'https://cli.example'], { NHI_GATEWAY_ALLOWED_ORIGINS: 'https://env.example' }).allowedOrigins).toEqual(['https://cli.example']);
  });

  it('refuses origins that cannot be allowed, saying why', () => {
    expect(error(['--allowed-origin', '*'])).toMatch(/^--allowed-origin: "\*" cannot be allowed/);
    expect(error(['--allowed-origin', 'null'])).toMatch(/cannot be allowed/);
    expect(error(['--allowed-origin', 'his.example'])).toMatch(/is not an origin/);
    expect(error(['--allowed-origin', 'https://his.example/app'])).toMatch(/without a path/);
    expect(error(['--allowed-origin', 'file:///C:/his.html'])).toMatch(/only http and https/);
    expect(error([], { NHI_GATEWAY_ALLOWED_ORIGINS: 'https://ok.example,ftp://x' })).toMatch(/^NHI_GATEWAY_ALLOWED_ORIGINS: .*only http and https/);
    expect(error(['--config', 'gw.json'], {}, withFile({ allowedOrigins: 42 }))).toMatch(/^"allowedOrigins" in gw.json must be a list of origins/);
  });

  it('refuses a non-loopback --host unless --allow-remote', () => {
    expect(error(['--host', '0.0.0.0'])).toMatch(/^--host 0.0.0.0 is not a loopback address.*--allow-remote/);
    expect(error([], { NHI_GATEWAY_HOST: '192.168.1.10' })).toMatch(/not a loopback address/);
    expect(run(['--host', '0.0.0.0', '--allow-remote'])).toMatchObject({ host: '0.0.0.0', allowRemote: true });
    expect(run(['--host', '::'], { NHI_GATEWAY_ALLOW_REMOTE: 'true' }).allowRemote).toBe(true);
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(run(['--host', host]).host).toBe(host);
  });

  it('reads the token file (real backends), log folder and identity rate', () => {
    expect(run(['--backend', 'pcsc', '--token-file', 'D:\\gw\\token', '--log-dir', 'D:\\gw\\logs', '--identity-reads-per-minute', '30'])).toMatchObject({
      tokenFile: 'D:\\gw\\token',
      logDir: 'D:\\gw\\logs',
      identityReadsPerMinute: 30,
    });
    expect(run([], { NHI_GATEWAY_BACKEND: 'pcsc', NHI_GATEWAY_TOKEN_FILE: '/t', NHI_GATEWAY_LOG_DIR: '/l', NHI_GATEWAY_IDENTITY_READS_PER_MINUTE: '10' })).toMatchObject({
      tokenFile: '/t',
      logDir: '/l',
      identityReadsPerMinute: 10,
    });
    expect(run(['--cshis-path', '/opt/CSHIS.dll', '--token-file', '/t']).tokenFile).toBe('/t');
    expect(error(['--identity-reads-per-minute', '0'])).toMatch(/^--identity-reads-per-minute must be a whole number of reads per minute/);
  });

  it('never lets the simulator use a token file given for a real backend', () => {
    const rule = 'it applies to real backends; the simulator uses its own token (token-simulator in the data folder)';
    expect(error(['--token-file', '/t'])).toBe(`--token-file does not apply to the simulator backend (auto: no --cshis-path given): ${rule}`);
    expect(error(['--backend', 'simulator'], { NHI_GATEWAY_TOKEN_FILE: '/t' })).toBe(
      `NHI_GATEWAY_TOKEN_FILE does not apply to the simulator backend (chosen with --backend): ${rule}`,
    );
    expect(error(['--config', 'gw.json'], {}, withFile({ tokenFile: '/t' }))).toBe(
      `"tokenFile" in gw.json does not apply to the simulator backend (auto: no --cshis-path given): ${rule}`,
    );
  });

  it('documents them in --help', () => {
    for (const text of ['--allowed-origin', '--allow-remote', '--token-file', '--log-dir', '--identity-reads-per-minute', 'NHI_GATEWAY_ALLOWED_ORIGINS', 'NHI_GATEWAY_TOKEN_FILE']) {
      expect(HELP_TEXT).toContain(text);
    }
  });
});
