/** `--backend pcsc` (issue 4): accepted from every source, and never what `auto` picks. */
import { describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, HELP_TEXT, parseArgs } from '../../../src/config.ts';

const io = { platform: 'linux' as const, fileExists: () => false, readFile: () => '{"backend": "pcsc"}' };

describe('--backend pcsc', () => {
  it('is a backend choice, from the command line, the environment and the config file', () => {
    expect(BACKEND_CHOICES).toContain('pcsc');
    for (const [argv, env] of [
      [['--backend', 'pcsc'], {}],
      [[], { NHI_GATEWAY_BACKEND: 'PCSC' }],
      [['--config', 'gateway.json'], {}],
    ] as const) {
      const parsed = parseArgs(argv, env, io);
      expect(parsed.kind, JSON.stringify(argv)).toBe('run');
      if (parsed.kind === 'run') expect(parsed.config).toMatchObject({ backend: 'pcsc', backendChoice: 'pcsc' });
    }
  });

  it('needs no CSHIS.dll, and auto stays simulator/cshis', () => {
    const auto = parseArgs([], {}, io);
    expect(auto.kind === 'run' && auto.config.backend).toBe('simulator');
    const withDll = parseArgs(['--cshis-path', '/opt/nhi/CSHIS.dll'], {}, { ...io, fileExists: () => true });
    expect(withDll.kind === 'run' && withDll.config.backend).toBe('cshis');
    const pcsc = parseArgs(['--backend', 'pcsc'], {}, { ...io, platform: 'win32' });
    expect(pcsc.kind === 'run' && pcsc.config.backend).toBe('pcsc');
  });

  it('is listed in --help and among the choices when the backend is wrong', () => {
    expect(HELP_TEXT).toMatch(/--backend <kind>\s+simulator \| cshis \| pcsc \| auto/);
    expect(parseArgs(['--backend', 'smartcard'], {}, io)).toMatchObject({ kind: 'error', message: expect.stringContaining('simulator, cshis, pcsc, auto') });
  });
});
