/**
 * How `--backend cshis` derives its call timeout and reader port from the options and csdll.ini.
 */
import { describe, expect, it } from 'vitest';
import { CSTIMEOUT_GRACE_MS, DEFAULT_CALL_TIMEOUT_MS, resolveCallTimeout, resolveReaderPort } from '../../../src/backends/cshis.ts';
import { parseCsdllIni, type CsdllIniSnapshot } from '../../../src/adapters/cshis/csdll-ini.ts';

const snapshot = (text: string): CsdllIniSnapshot => ({
  path: 'csdll.ini',
  exists: true,
  readOnly: false,
  document: parseCsdllIni(Buffer.from(text, 'latin1')),
  hash: 'x',
  readAt: new Date(0).toISOString(),
});

describe('resolveCallTimeout', () => {
  it('prefers --call-timeout-ms, then CSTIMEOUT plus the grace, then the default', () => {
    expect(resolveCallTimeout(3000, 120)).toEqual({ ms: 3000, source: 'OPTION' });
    expect(resolveCallTimeout(undefined, 120)).toEqual({ ms: 120_000 + CSTIMEOUT_GRACE_MS, source: 'CSTIMEOUT' });
    expect(resolveCallTimeout(undefined, null)).toEqual({ ms: DEFAULT_CALL_TIMEOUT_MS, source: 'DEFAULT' });
    expect(resolveCallTimeout(undefined, undefined)).toEqual({ ms: DEFAULT_CALL_TIMEOUT_MS, source: 'DEFAULT' });
  });

  it('ignores a CSTIMEOUT it cannot read (the parser typed it null)', () => {
    const doc = snapshot('[CS]\r\nCSTIMEOUT=soon\r\n').document;
    expect(resolveCallTimeout(undefined, doc?.settings.csTimeoutSeconds)).toEqual({ ms: DEFAULT_CALL_TIMEOUT_MS, source: 'DEFAULT' });
  });
});

describe('resolveReaderPort', () => {
  it('maps COM= to the csOpenCom index, else port 0', () => {
    expect(resolveReaderPort(snapshot('[CS]\r\nCOM=COMX1\r\n'))).toEqual({ index: 0, source: 'CSDLL_INI' });
    expect(resolveReaderPort(snapshot('[CS]\r\nCOM=COMX10\r\n'))).toEqual({ index: 9, source: 'CSDLL_INI' });
    expect(resolveReaderPort(snapshot('[CS]\r\nCOM=COM4\r\n'))).toEqual({ index: 3, source: 'CSDLL_INI' });
    expect(resolveReaderPort(snapshot('[CS]\r\nCOM=USB\r\n'))).toEqual({ index: 0, source: 'DEFAULT' });
    expect(resolveReaderPort(null)).toEqual({ index: 0, source: 'DEFAULT' });
  });
});
