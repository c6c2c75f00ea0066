/**
 * The ControlSoftware adapter through the real koffi path, against the native fixture
 * (test/native/cshis_fixture.c, built on demand by build/native-fixture.sh).
 */
import { realpathSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCshisControlSoftware,
  type CshisControlSoftware,
  type CshisControlSoftwareOptions,
} from '../../../src/adapters/cshis/cshis-control-software.ts';
import { AdapterDisposedError, CallTimeoutError, ControlSoftwareTooOldError, MissingExportError } from '../../../src/adapters/cshis/errors.ts';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../../src/adapters/cshis/native.ts';
import { OUTPUT_SIZE, type RawOutput } from '../../../src/ports/control-software.ts';
import {
  FIXTURE_SO,
  MINIMAL_SO,
  PATIENT,
  ascii,
  basicData,
  ensureFixtureBuilt,
  registerData,
  sleep,
  type CardOptions,
} from './helpers.ts';

let fx: FixtureControls;
const opened: CshisControlSoftware[] = [];

beforeAll(() => {
  ensureFixtureBuilt();
  fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
});

beforeEach(() => fx.reset());

afterEach(async () => {
  fx.reset(); // releases any hung call before the adapters are disposed
  for (const cs of opened.splice(0)) await cs[Symbol.asyncDispose]();
});

async function adapter(overrides: Partial<CshisControlSoftwareOptions> = {}): Promise<CshisControlSoftware> {
  const cs = await createCshisControlSoftware({
    libraryPath: FIXTURE_SO,
    callTimeoutMs: 2000,
    readerPort: 0,
    openPolicy: 'per-operation',
    ...overrides,
  });
  opened.push(cs);
  return cs;
}

function insertCard(o: CardOptions & { lastSeq?: number } = {}): void {
  fx.insertHealthCard(basicData(o), registerData(o), o.lastSeq ?? 41);
}

/** docs/reference/buffers.md (1.9 / 1.37 / 1.53) fields of a 296/316-byte sequence-number buffer. */
function seqFields(r: RawOutput) {
  const s = ascii(r.bytes);
  return {
    dateTime: s.slice(0, 13),
    seq: s.slice(13, 17),
    hospId: s.slice(17, 27),
    signature: s.slice(27, 283),
    samId: s.slice(283, 295),
    sameDay: s.slice(295, 296),
    treatmentId: s.slice(296, 316),
  };
}

const remainingVisits = async (cs: CshisControlSoftware): Promise<string> =>
  ascii((await cs.hisGetRegisterBasic2()).bytes).slice(7, 9);

describe('CSHIS adapter: identity of the library', () => {
  it('reports the DLL path from csGetVersionEx and no missing exports', async () => {
    const cs = await adapter();
    expect(cs.info).toEqual({ backend: 'cshis', libraryPath: realpathSync(FIXTURE_SO) });
    expect(cs.missingExports).toEqual([]);
    await expect(cs.csGetVersionEx()).resolves.toEqual({ version: 5158, path: realpathSync(FIXTURE_SO) });
  });
});

describe('CSHIS adapter: health card reads', () => {
  it('returns the basic and register data bytes exactly as on the card', async () => {
    const cs = await adapter();
    insertCard();
    const basic = await cs.hisGetBasicData();
    expect(basic.rc).toBe(0);
    expect(basic.bytes).toEqual(basicData());
    expect(basic.bytes.subarray(12, 18)).toEqual(PATIENT.nameBig5);
    const reg = await cs.hisGetRegisterBasic();
    expect(reg).toEqual({ rc: 0, bytes: registerData() });
    const validity = await cs.hisGetRegisterBasic2();
    expect(ascii(validity.bytes)).toBe('119123106'); // register bytes 62–70
    const last = await cs.hisGetLastSeqNum();
    expect(ascii(last.bytes)).toMatch(/^\d{3}0041$/);
    expect(await cs.csISSetPIN()).toBe(0);
  });

  it('returns 4013 and empty bytes without a card', async () => {
    const cs = await adapter();
    await expect(cs.hisGetBasicData()).resolves.toEqual({ rc: 4013, bytes: new Uint8Array(0) });
    await expect(cs.hisGetSeqNumber256('01', ' ', '1')).resolves.toEqual({ rc: 4013, bytes: new Uint8Array(0) });
    await expect(cs.csUnGetSeqNumber('1140101120000')).resolves.toBe(4013);
  });

  it('tracks card status: none → inserted → SAM-authenticated after a read; HPC → PIN verified', async () => {
    const cs = await adapter();
    expect(await cs.hisGetCardStatus(1)).toBe(1);
    expect(await cs.hisGetCardStatus(2)).toBe(0);
    expect(await cs.hisGetCardStatus(3)).toBe(0);
    insertCard();
    expect(await cs.hisGetCardStatus(2)).toBe(1);
    await cs.hisGetBasicData();
    expect(await cs.hisGetCardStatus(2)).toBe(2);
    expect(await cs.hisGetCardStatus(1)).toBe(2);

    await expect(cs.hpcGetHPCStatus()).resolves.toEqual({ rc: 0, status: 0 });
    await expect(cs.hpcGetHPCSN()).resolves.toEqual({ rc: 4014, bytes: new Uint8Array(0) });
    fx.insertProfessionalCard({ serial: 'HPC0000001', id: 'B223456789', nameBig5: PATIENT.nameBig5, englishName: 'DOCTOR TEST' });
    await expect(cs.hpcGetHPCStatus()).resolves.toEqual({ rc: 0, status: 1 });
    expect(await cs.hisGetCardStatus(3)).toBe(2);
    expect(await cs.hpcVerifyHPCPIN()).toBe(0);
    expect(await cs.hisGetCardStatus(3)).toBe(3);
    expect(ascii((await cs.hpcGetHPCSN()).bytes)).toBe('HPC0000001');
    expect(ascii((await cs.hpcGetHPCSSN()).bytes)).toBe('B223456789');
    expect((await cs.hpcGetHPCCNAME()).bytes).toEqual(PATIENT.nameBig5);
    expect(ascii((await cs.hpcGetHPCENAME()).bytes)).toBe('DOCTOR TEST');

    expect(await cs.csSoftwareReset(0)).toBe(0);
    expect(await cs.hisGetCardStatus(1)).toBe(1);
    expect(await cs.hisGetCardStatus(3)).toBe(1);
    expect(await cs.csVerifySAMDC()).toBe(0);
    expect(await cs.hisGetCardStatus(1)).toBe(2);
  });

  it('reads the SAM, hospital, card numbers and the reader clock', async () => {
    const cs = await adapter();
    insertCard();
    expect(ascii((await cs.csGetHospID()).bytes)).toBe('3501200000');
    expect(ascii((await cs.csGetCardNo(1)).bytes)).toBe('001000000103');
    expect(ascii((await cs.csGetCardNo(2)).bytes)).toBe(PATIENT.cardNo);
    expect((await cs.csGetCardNo(3)).rc).toBe(4014);
    const clock = await cs.csGetDateTime();
    expect(ascii(clock.bytes)).toMatch(/^\d{13}$/);
    const rocYear = new Date().getFullYear() - 1911;
    expect(Number(ascii(clock.bytes).slice(0, 3))).toBe(rocYear);
  });
});

describe('CSHIS adapter: visits', () => {
  it('hisGetSeqNumber256 increments the sequence number and decrements remaining visits (docs/reference/buffers.md (1.9 / 1.37 / 1.53) layout)', async () => {
    const cs = await adapter();
    insertCard({ lastSeq: 41, remainingVisits: 6 });
    const first = await cs.hisGetSeqNumber256('01', ' ', '1');
    expect(first.rc).toBe(0);
    expect(first.bytes).toHaveLength(296);
    const f = seqFields(first);
    expect(f.dateTime).toMatch(/^\d{13}$/);
    expect(f.seq).toBe('0042');
    expect(f.hospId).toBe('3501200000');
    expect(f.signature).toMatch(/^[0-9A-F]{256}$/);
    expect(f.samId).toBe('001000000103');
    expect(f.sameDay).toBe('N');
    expect(await remainingVisits(cs)).toBe('05');
    expect(ascii((await cs.hisGetLastSeqNum()).bytes).slice(3)).toBe('0042');

    const second = seqFields(await cs.hisGetSeqNumber256('02', ' ', '1'));
    expect(second.seq).toBe('0043');
    expect(second.sameDay).toBe('Y');
    expect(second.dateTime > f.dateTime).toBe(true);
    expect(await remainingVisits(cs)).toBe('04');

    // a non-counted category neither uses a sequence number nor a visit
    const notCounted = seqFields(await cs.hisGetSeqNumber256('AB', ' ', '1'));
    expect(notCounted.seq).toBe('0043');
    expect(await remainingVisits(cs)).toBe('04');
  });

  it('validates the category (6018), the buffer, a cancelled card (5002) and remaining visits (5001)', async () => {
    const cs = await adapter();
    insertCard({ remainingVisits: 0 });
    expect((await cs.hisGetSeqNumber256('ZZ', ' ', '1')).rc).toBe(6018);
    expect((await cs.hisGetSeqNumber256('1', ' ', '1')).rc).toBe(6018);
    expect((await cs.hisGetSeqNumber256('01', ' ', '1')).rc).toBe(5001);
    expect((await cs.hisGetSeqNumber256('AE', ' ', '1')).rc).toBe(0); // not counted: allowed with 0 visits left
    insertCard({ cancelFlag: '2' });
    expect((await cs.hisGetSeqNumber256N1('01', ' ', '1')).rc).toBe(5002);
  });

  it('N1 adds the treatment ID (316 bytes); 1.56 returns it for the visit and 5022 otherwise', async () => {
    const cs = await adapter();
    insertCard();
    const n1 = await cs.hisGetSeqNumber256N1('01', ' ', '1');
    expect(n1.rc).toBe(0);
    expect(n1.bytes).toHaveLength(316);
    const { dateTime, treatmentId } = seqFields(n1);
    expect(treatmentId).toMatch(/^[0-9A-F]{20}$/);
    const again = await cs.hisGetTreatNumICCard(dateTime);
    expect(again).toEqual({ rc: 0, bytes: n1.bytes.subarray(296, 316) });
    await expect(cs.hisGetTreatNumICCard('1000101000000')).resolves.toEqual({ rc: 5022, bytes: new Uint8Array(0) });

    const noCard = await cs.hisGetTreatNumNoICCard(PATIENT.id, '3501200000');
    expect(noCard.rc).toBe(0);
    expect(noCard.bytes).toHaveLength(43);
    expect(ascii(noCard.bytes).slice(13, 23)).toBe('3501200000');
    expect((await cs.hisGetTreatNumNoICCard('short', '3501200000')).rc).toBe(6018);
    expect(await cs.hisQuickInsurence('01')).toBe(0);
    expect(await cs.hisQuickInsurence('XX')).toBe(6018);
  });

  it('cancels a registration: 5150 for no such visit, then 0, then 5153; 5151 for a non-numeric category', async () => {
    const cs = await adapter();
    insertCard({ remainingVisits: 3 });
    const { dateTime } = seqFields(await cs.hisGetSeqNumber256('01', ' ', '1'));
    expect(await remainingVisits(cs)).toBe('02');
    expect(await cs.csUnGetSeqNumber('1000101000000')).toBe(5150);
    expect(await cs.csUnGetSeqNumber(dateTime)).toBe(0);
    expect(await remainingVisits(cs)).toBe('03');
    expect(await cs.csUnGetSeqNumber(dateTime)).toBe(5153);
    const ab = seqFields(await cs.hisGetSeqNumber256('AB', ' ', '1'));
    expect(await cs.csUnGetSeqNumber(ab.dateTime)).toBe(5151);
  });
});

describe('CSHIS adapter: card writes', () => {
  it('writes to the visit, checks the identity (5020) and the visit (5022), and returns the DocID', async () => {
    const cs = await adapter();
    insertCard();
    const { dateTime } = seqFields(await cs.hisGetSeqNumber256('01', ' ', '1'));
    const codes = ' J00  ' + ' '.repeat(25);

    await expect(cs.hisWriteTreatmentCode(dateTime, 'Z999999999', PATIENT.birth, codes)).resolves.toEqual({
      rc: 5020,
      bytes: new Uint8Array(0),
    });
    expect(await cs.hisWriteTreatmentFee(dateTime, PATIENT.id, '0991231', '0'.repeat(38))).toBe(5020);
    expect((await cs.hisWriteTreatmentCode('1000101000000', PATIENT.id, PATIENT.birth, codes)).rc).toBe(5022);
    expect(fx.writeCount(dateTime)).toBe(0);

    await expect(cs.hisWriteTreatmentCode(dateTime, PATIENT.id, PATIENT.birth, codes)).resolves.toEqual({
      rc: 0,
      bytes: new Uint8Array(0), // no HPC: DocID is just a NUL
    });
    expect(await cs.hisWriteTreatmentFee(dateTime, PATIENT.id, PATIENT.birth, '00000500' + '0'.repeat(30))).toBe(0);
    fx.insertProfessionalCard({ serial: 'HPC0000001', id: 'B223456789', nameBig5: new Uint8Array(0), englishName: 'X' });
    const data = codes + '00000500' + '0'.repeat(30);
    const written = await cs.hisWriteTreatmentData(dateTime, PATIENT.id, PATIENT.birth, data);
    expect(written.rc).toBe(0);
    expect(ascii(written.bytes)).toBe('B223456789');
    expect(fx.writeCount(dateTime)).toBe(3);
    expect(ascii(fx.lastWrite(dateTime) ?? new Uint8Array(0))).toBe(data);
  });
});

describe('CSHIS adapter: return codes and lengths', () => {
  it('passes a forced vendor code through without rejecting (e.g. 9240 console not running)', async () => {
    const cs = await adapter();
    insertCard();
    fx.setForcedRc('hisGetBasicData', 9240);
    await expect(cs.hisGetBasicData()).resolves.toEqual({ rc: 9240, bytes: new Uint8Array(0) });
    fx.setForcedRc('hisGetCardStatus', 4000);
    expect(await cs.hisGetCardStatus(2)).toBe(4000);
    fx.setForcedRc('hisGetBasicData', 0);
    expect((await cs.hisGetBasicData()).rc).toBe(0);
  });

  it('clamps an over-long reported length to the buffer size', async () => {
    const cs = await adapter();
    insertCard();
    fx.setOverlongLength('hisGetBasicData', 5000);
    const basic = await cs.hisGetBasicData();
    expect(basic.rc).toBe(0);
    expect(basic.bytes).toHaveLength(OUTPUT_SIZE.hisGetBasicData);
    expect(basic.bytes).toEqual(basicData());

    fx.insertProfessionalCard({ serial: 'S1', id: 'B223456789', nameBig5: PATIENT.nameBig5, englishName: 'E' });
    fx.setOverlongLength('hpcGetHPCCNAME', 1);
    const name = await cs.hpcGetHPCCNAME();
    expect(name.bytes).toHaveLength(OUTPUT_SIZE.hpcGetHPCCNAME); // 20, not 21: never read past the buffer
    expect(name.bytes.subarray(0, 6)).toEqual(PATIENT.nameBig5);
  });
});

describe('CSHIS adapter: serialisation, timeouts and recovery', () => {
  it('a hung call times out for its caller; 20 concurrent callers wait; no overlap; the queue recovers', async () => {
    const cs = await adapter({ callTimeoutMs: 300 });
    insertCard({ remainingVisits: 99 });
    const events: string[] = [];
    cs.onQueueEvent('degraded', (e) => events.push(`degraded:${e.name}`));
    cs.onQueueEvent('recovered', (e) => events.push(`recovered:${e.name}`));

    fx.hang('hisGetRegisterBasic', true);
    const started = performance.now();
    const hung = cs.hisGetRegisterBasic();

    const settled: string[] = [];
    const track = <T>(label: string, p: Promise<T>): Promise<T> =>
      p.then((v) => {
        settled.push(label);
        return v;
      });
    const mixed: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const k = i % 5;
      mixed.push(
        track<unknown>(
          `call${i}`,
          k === 0
            ? cs.hisGetBasicData()
            : k === 1
              ? cs.hisGetCardStatus(2)
              : k === 2
                ? cs.hisGetSeqNumber256('01', ' ', '1')
                : k === 3
                  ? cs.csGetHospID()
                  : cs.hpcGetHPCStatus(),
        ),
      );
    }

    const error = await hung.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect((error as CallTimeoutError).retryable).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(events).toEqual(['degraded:hisGetRegisterBasic']);

    const stuck = cs.queueStats();
    expect(stuck.isStuck).toBe(true);
    expect(stuck.inFlight).toMatchObject({ name: 'hisGetRegisterBasic', timedOut: true });
    expect(stuck.depth).toBeGreaterThan(0);
    expect(fx.inFlight()).toBe(1); // still inside the DLL

    await sleep(300);
    expect(settled).toEqual([]); // nobody got past the hung call

    fx.hang('hisGetRegisterBasic', false);
    const results = await Promise.all(mixed);
    expect(results).toHaveLength(20);
    expect(settled).toHaveLength(20);
    expect(fx.overlapCount()).toBe(0);
    expect(fx.inFlight()).toBe(0);
    expect(events).toEqual(['degraded:hisGetRegisterBasic', 'recovered:hisGetRegisterBasic']);
    expect(fx.callCount('csSoftwareReset')).toBe(1); // recovery: csSoftwareReset(0) once the stuck call returned

    const after = cs.queueStats();
    expect(after.isStuck).toBe(false);
    expect(after.depth).toBe(0);
    expect(after.functions.hisGetRegisterBasic).toMatchObject({ count: 1, timeouts: 1 });
    expect(after.coalesced).toBeGreaterThan(0); // the identical reads among the 20 shared calls
    await expect(cs.hisGetRegisterBasic()).resolves.toMatchObject({ rc: 0 });
  });

  it('keeps the event loop responsive during a 2 s native call (the call runs off-thread)', async () => {
    const cs = await adapter({ callTimeoutMs: 5000 });
    insertCard();
    fx.setDelayMs('hisGetBasicData', 2000);
    const period = 10;
    let last = performance.now();
    let maxDrift = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxDrift = Math.max(maxDrift, now - last - period);
      last = now;
      ticks++;
    }, period);
    const started = performance.now();
    const result = await cs.hisGetBasicData();
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(result.rc).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(1990);
    expect(ticks).toBeGreaterThan(50);
    expect(maxDrift).toBeLessThanOrEqual(50);
  });

  it('coalesces identical concurrent reads into one native call, each caller getting its own bytes', async () => {
    const cs = await adapter();
    insertCard();
    fx.setDelayMs('hisGetBasicData', 100);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => cs.hisGetBasicData()));
    expect(fx.callCount('hisGetBasicData')).toBe(1);
    results[0]?.bytes.fill(0);
    expect(results[1]?.bytes).toEqual(basicData());
    // sequence numbers are writes: never coalesced
    await Promise.all([1, 2, 3].map(() => cs.hisGetSeqNumber256('01', ' ', '1')));
    expect(fx.callCount('hisGetSeqNumber256')).toBe(3);
  });
});

describe('CSHIS adapter: reader open policy', () => {
  it("'per-operation' brackets every call with csOpenCom/csCloseCom", async () => {
    fx.setRequireOpen(true);
    const cs = await adapter({ openPolicy: 'per-operation' });
    insertCard();
    const opensBefore = fx.callCount('csOpenCom');
    expect((await cs.hisGetBasicData()).rc).toBe(0);
    expect(await cs.hisGetCardStatus(2)).toBe(2);
    expect(fx.callCount('csOpenCom') - opensBefore).toBe(2);
    expect(fx.readerOpen()).toBe(false);
    expect(fx.overlapCount()).toBe(0);
  });

  it("'keep-open' opens once, reopens after a reader failure, and closes on dispose", async () => {
    fx.setRequireOpen(true);
    const cs = await adapter({ openPolicy: 'keep-open' });
    insertCard();
    expect(fx.readerOpen()).toBe(true);
    for (let i = 0; i < 3; i++) expect((await cs.hisGetBasicData()).rc).toBe(0);
    expect(fx.callCount('csOpenCom')).toBe(1);

    fx.setForcedRc('hisGetBasicData', 4000);
    expect((await cs.hisGetBasicData()).rc).toBe(4000);
    expect(cs.queueStats().readerOpen).toBe(false);
    fx.setForcedRc('hisGetBasicData', 0);
    expect((await cs.hisGetBasicData()).rc).toBe(0);
    expect(fx.callCount('csOpenCom')).toBe(2);
    expect(cs.queueStats()).toMatchObject({ openPolicy: 'keep-open', readerOpen: true });

    await cs[Symbol.asyncDispose]();
    expect(fx.readerOpen()).toBe(false);
    await expect(cs.hisGetBasicData()).rejects.toBeInstanceOf(AdapterDisposedError);
  });

  it("'keep-open' recovers a stuck call with csSoftwareReset(0) and a fresh csOpenCom", async () => {
    const cs = await adapter({ openPolicy: 'keep-open', callTimeoutMs: 100 });
    insertCard();
    fx.hang('hisGetBasicData', true);
    await expect(cs.hisGetBasicData()).rejects.toBeInstanceOf(CallTimeoutError);
    const next = cs.csGetHospID();
    fx.hang('hisGetBasicData', false);
    expect(ascii((await next).bytes)).toBe('3501200000');
    expect(fx.callCount('csSoftwareReset')).toBe(1);
    expect(fx.callCount('csOpenCom')).toBe(2);
    expect(fx.readerOpen()).toBe(true);
  });

  it('a csOpenCom failure is returned as the call result', async () => {
    const cs = await adapter({ readerPort: 12 });
    insertCard();
    await expect(cs.hisGetBasicData()).resolves.toEqual({ rc: -1, bytes: new Uint8Array(0) });
    expect(await cs.hisGetCardStatus(2)).toBe(-1);
  });
});

describe('CSHIS adapter: an older DLL', () => {
  it('reports missing exports and rejects their methods with MissingExportError', async () => {
    const cs = await adapter({ libraryPath: MINIMAL_SO });
    expect(cs.missingExports).toContain('hisGetSeqNumber256N1');
    expect(cs.info.libraryPath).toBe('cshis_minimal');
    await expect(cs.csGetVersionEx()).resolves.toEqual({ version: 3013, path: 'cshis_minimal' });
    expect(cs.versionCode).toBe(3013);
    const error = await cs.hisGetBasicData().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingExportError);
    expect((error as MissingExportError).exportName).toBe('hisGetBasicData');
    expect((error as MissingExportError).code).toBe('MISSING_EXPORT');
    expect((error as MissingExportError).retryable).toBe(false);
    await expect(cs.csOpenCom(0)).resolves.toBe(0);
  });

  it('refuses APIs newer than its csGetVersionEx code with ControlSoftwareTooOldError, before the missing-export check', async () => {
    const cs = await adapter({ libraryPath: MINIMAL_SO }); // 3013: older than 5.1.5.1 (1.53, 1.55) and 5.1.5.3 (1.56)
    for (const [call, name, minimum] of [
      [() => cs.hisGetSeqNumber256N1('01', ' ', '1'), 'hisGetSeqNumber256N1', 5151],
      [() => cs.hisQuickInsurence('01'), 'hisQuickInsurence', 5151],
      [() => cs.hisGetTreatNumICCard('1140101120000'), 'hisGetTreatNumICCard', 5153],
    ] as const) {
      const error = await call().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ControlSoftwareTooOldError);
      expect(error).toMatchObject({ code: 'CONTROL_SOFTWARE_TOO_OLD', exportName: name, versionCode: 3013, minimumVersionCode: minimum, retryable: false });
    }
    // the fixture (5158) is new enough for all of them
    const current = await adapter();
    expect(current.versionCode).toBe(5158);
    insertCard();
    await expect(current.hisGetSeqNumber256N1('01', ' ', '1')).resolves.toMatchObject({ rc: 0 });
  });
});
