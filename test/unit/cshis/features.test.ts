/**
 * Version gates (briefing 2022-11: 1.53 and 1.55 since 5.1.5.1, 1.56 since 5.1.5.3) and what each visit
 * strategy needs; readiness reasons of the CSHIS backend.
 */
import { describe, expect, it } from 'vitest';
import { isTooOldFor, minimumVersionOf, strategyProblems } from '../../../src/adapters/cshis/features.ts';
import { ControlSoftwareTooOldError, spellVersionCode } from '../../../src/adapters/cshis/errors.ts';
import {
  controlSoftwareReadiness,
  createControlSoftwareService,
} from '../../../src/adapters/cshis/control-software-service.ts';
import type { CshisControlSoftware } from '../../../src/adapters/cshis/cshis-control-software.ts';
import { gatewayError } from '../../../src/errors/gateway-codes.ts';
import { ControlSoftwareError } from '../../../src/errors/gateway-errors.ts';

describe('version gates', () => {
  it('knows when 1.53, 1.55 and 1.56 appeared', () => {
    expect(minimumVersionOf('hisGetSeqNumber256N1')).toBe(5151);
    expect(minimumVersionOf('hisQuickInsurence')).toBe(5151);
    expect(minimumVersionOf('hisGetTreatNumICCard')).toBe(5153);
    expect(minimumVersionOf('hisGetBasicData')).toBeNull();
  });

  it('calls a version too old only when it is known and lower', () => {
    expect(isTooOldFor('hisGetSeqNumber256N1', 5150)).toBe(true);
    expect(isTooOldFor('hisGetSeqNumber256N1', 5151)).toBe(false);
    expect(isTooOldFor('hisGetTreatNumICCard', 5152)).toBe(true);
    expect(isTooOldFor('hisGetTreatNumICCard', 5158)).toBe(false);
    expect(isTooOldFor('hisGetSeqNumber256N1', 3013)).toBe(true);
    expect(isTooOldFor('hisGetSeqNumber256N1', null)).toBe(false);
    expect(isTooOldFor('hisGetSeqNumber256N1', 515)).toBe(false); // not a 4-digit code: unknown scheme
    expect(isTooOldFor('hisGetBasicData', 3013)).toBe(false);
  });

  it('explains per strategy what a DLL lacks', () => {
    expect(strategyProblems('N1', 5158, [])).toEqual([]);
    expect(strategyProblems('N1', 5150, [])).toEqual([expect.stringMatching(/5\.1\.5\.0 \(version code 5150\) is too old for the N1 visit strategy: hisGetSeqNumber256N1 needs 5\.1\.5\.1/)]);
    expect(strategyProblems('SEQ256_TREATNUM', 5152, [])).toEqual([expect.stringMatching(/hisGetTreatNumICCard needs 5\.1\.5\.3/)]);
    expect(strategyProblems('SEQ256_WEBAPI', 3013, [])).toEqual([]);
    expect(strategyProblems('SEQ256_WEBAPI', null, ['hisGetSeqNumber256'])).toEqual([expect.stringMatching(/no hisGetSeqNumber256.*MISSING_EXPORT/)]);
  });

  it('builds a typed ControlSoftwareError CONTROL_SOFTWARE_TOO_OLD with the versions spelled out', () => {
    const e = new ControlSoftwareTooOldError('hisGetSeqNumber256N1', 3013, 5151);
    expect(e).toBeInstanceOf(ControlSoftwareError);
    expect(e.code).toBe('CONTROL_SOFTWARE_TOO_OLD');
    expect(e.retryable).toBe(false);
    expect(e.messageEn).toContain('3.0.1.3 (version code 3013)');
    expect(e.messageEn).toContain('5.1.5.1 or later');
    expect(e.hintEn).toMatch(/Update the NHI card-reader control software/);
    expect(spellVersionCode(5158)).toBe('5.1.5.8');
    expect(gatewayError('CONTROL_SOFTWARE_TOO_OLD')).toBeInstanceOf(ControlSoftwareError);
  });
});

describe('controlSoftwareReadiness', () => {
  const base = { libraryPath: 'C:\\NHI\\LIB\\CSHIS.dll', callTimeout: { ms: 125_000, source: 'CSTIMEOUT' }, readerPort: { index: 0, source: 'DEFAULT' }, csdllIni: null } as const;
  const fakeAdapter = (stuck: boolean, versionCode: number): CshisControlSoftware =>
    ({
      versionCode,
      missingExports: [],
      queueStats: () => ({ isStuck: stuck, inFlight: stuck ? { name: 'hisGetBasicData', startedAt: 0, elapsedMs: 1, timedOut: true } : null }),
      onQueueEvent: () => () => undefined,
    }) as unknown as CshisControlSoftware;

  it('gives the load error with its fix', () => {
    const service = createControlSoftwareService({ ...base, state: () => ({ adapter: null, loadError: gatewayError('CONTROL_SOFTWARE_UNAVAILABLE') }) });
    const [reason] = controlSoftwareReadiness(service, 'N1');
    expect(reason).toMatch(/^control software unavailable \(CONTROL_SOFTWARE_UNAVAILABLE\): .*\. Fix: Install NHI control software/);
    expect(service.queueStats()).toBeNull();
  });

  it('is not ready while a call is stuck, naming the function; ready otherwise', () => {
    expect(controlSoftwareReadiness(createControlSoftwareService({ ...base, state: () => ({ adapter: fakeAdapter(true, 5158), loadError: null }) }), 'N1')).toEqual([
      'a control-software call timed out: hisGetBasicData; recovering',
    ]);
    expect(controlSoftwareReadiness(createControlSoftwareService({ ...base, state: () => ({ adapter: fakeAdapter(false, 5158), loadError: null }) }), 'N1')).toEqual([]);
  });

  it('mentions a DLL too old for the configured strategy', () => {
    const service = createControlSoftwareService({ ...base, state: () => ({ adapter: fakeAdapter(false, 5150), loadError: null }) });
    expect(controlSoftwareReadiness(service, 'N1')).toEqual([expect.stringContaining('CONTROL_SOFTWARE_TOO_OLD')]);
    expect(controlSoftwareReadiness(service, 'SEQ256_WEBAPI')).toEqual([]);
  });
});
