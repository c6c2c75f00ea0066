/**
 * `nhi-gateway doctor` on Linux against a fake Windows workstation: C:\NHI and C:\Windows are folders in a temp
 * dir, CSHIS.dll is a minimal PE image for the bitness check while the ControlSoftware port loads the native
 * test library (test/native) for the version and the reader clock, tasklist/sc/reg answer like Windows does,
 * and PC/SC is a fake port. A healthy workstation passes; each thing clinic IT gets wrong fails with a fix in
 * zh-TW and English, and the exit code says so.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs, type DoctorOptions, type GatewayConfig } from '../../src/config.ts';
import { runChecks, runDoctor } from '../../src/doctor/run.ts';
import { createNodeEnvironment, type DoctorEnvironment, type ExecResult } from '../../src/doctor/environment.ts';
import { doctorBackend, type CheckResult } from '../../src/doctor/checks.ts';
import { displayWidth, renderTable, wrap } from '../../src/doctor/report.ts';
import { readPeHeaderFromFile } from '../../src/adapters/cshis/pe.ts';
import { createCshisControlSoftware } from '../../src/adapters/cshis/cshis-control-software.ts';
import type { PcscPort } from '../../src/ports/pcsc.ts';
import { FIXTURE_SO, ensureFixtureBuilt } from './cshis/helpers.ts';
import type { DiscoveryState, GatewayDiscovery } from '../../src/per-user/discovery.ts';
import { userPortCandidates } from '../../src/per-user/port-choice.ts';

const CSDLL_INI = `[CS]\r\nREADER=PC/SC\r\nCOM=COMX1\r\nHCA=ENABLE\r\nCSFSIM=ENABLE\r\nMSGSHOW=ENABLE\r\nHPCFASTAUTH=DISABLE\r\nCSWATCH=ENABLE\r\nCSTIMEOUT=120\r\n`;
const SAM_FILE = '3501200000001000000103.SAM';

/** A minimal PE image: "MZ", e_lfanew = 0x40, "PE\0\0", Machine. */
function peImage(machine: number): Buffer {
  const b = Buffer.alloc(0x80);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x40, 0x3c);
  b.write('PE\0\0', 0x40, 'latin1');
  b.writeUInt16LE(machine, 0x44);
  return b;
}

interface Workstation {
  root: string;
  /** C:\NHI\SAM\COMX1 → <root>/C/NHI/SAM/COMX1 */
  local(windowsPath: string): string;
  write(windowsPath: string, content: string | Buffer): void;
  mkdir(windowsPath: string): void;
  remove(windowsPath: string): void;
}

function workstation(): Workstation {
  const root = mkdtempSync(join(tmpdir(), 'nhi-doctor-'));
  const local = (p: string) => join(root, ...p.replace(/^([A-Za-z]):/, '$1').split('\\').filter(Boolean));
  const ws: Workstation = {
    root,
    local,
    write(p, content) {
      mkdirSync(join(local(p), '..'), { recursive: true });
      writeFileSync(local(p), content);
    },
    mkdir: (p) => mkdirSync(local(p), { recursive: true }),
    remove: (p) => rmSync(local(p), { recursive: true, force: true }),
  };
  ws.write('C:\\NHI\\INI\\csdll.ini', CSDLL_INI);
  ws.write(`C:\\NHI\\SAM\\COMX1\\${SAM_FILE}`, 'sam');
  ws.write('C:\\NHI\\LIB\\CSHIS.dll', peImage(0x014c));
  ws.write('C:\\NHI\\BIN\\csfsim.exe', 'exe');
  ws.write('C:\\Windows\\SysWOW64\\Reader.dll', 'dll');
  return ws;
}

/** The fixture's reader clock is Taiwan time, as the doctor reads it (test/native/cshis_fixture.c): this PC's now. */
const readerClockAsTaiwan = () => new Date();

interface Fakes {
  exec: Record<string, ExecResult>;
  readers: string[] | Error;
  listen: { free: true } | { free: false; code: string };
  /** Per-port answers that differ from `listen`. */
  listenOn: Record<number, { free: true } | { free: false; code: string }>;
  /** This user's discovery file. */
  discovery: DiscoveryState;
  ready: { status: number; body: unknown } | null;
  connects: string[];
  now: () => Date;
  arch: string;
}

function windowsEnvironment(ws: Workstation, fakes: Fakes): DoctorEnvironment {
  const real = createNodeEnvironment();
  const pcsc = {
    establishContext: async () => {
      if (fakes.readers instanceof Error) throw fakes.readers;
      return 1n;
    },
    listReaders: async () => (fakes.readers instanceof Error ? [] : fakes.readers),
    releaseContext: async () => {},
    info: { library: 'winscard.dll', abi: 'win-x64', wine: false },
  } as unknown as PcscPort;
  return {
    platform: 'win32',
    arch: fakes.arch,
    windowsDir: 'C:\\Windows',
    fs: {
      exists: (p) => real.fs.exists(ws.local(p)),
      isDirectory: (p) => real.fs.isDirectory(ws.local(p)),
      readDir: (p) => real.fs.readDir(ws.local(p)),
      readFile: (p) => real.fs.readFile(ws.local(p)),
      peHeader: (p) => readPeHeaderFromFile(ws.local(p)),
    },
    exec: async (command, args) => fakes.exec[[command, ...args].join(' ')] ?? { code: 1, stdout: '', stderr: 'not faked' },
    net: {
      tcpConnect: async (host, port) => {
        fakes.connects.push(`${host}:${port}`);
        return { ok: true };
      },
      canListen: async (_host, port) => fakes.listenOn[port] ?? fakes.listen,
      getJson: async () => fakes.ready,
    },
    now: () => fakes.now(),
    // The PE image above is only a header: the native test library stands in for the DLL behind the port.
    loadControlSoftware: (_path, readerPort) =>
      createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 5000, readerPort, openPolicy: 'per-operation' }),
    pcsc: async () => pcsc,
    user: { key: 'account:clinic\\desk-b', dataDir: () => 'C:\\Users\\desk-b\\AppData\\Local\\nhi-gateway', discovery: () => fakes.discovery },
  };
}

const healthyFakes = (): Fakes => ({
  exec: {
    'tasklist /FI IMAGENAME eq csfsim.exe /NH': { code: 0, stdout: '\r\ncsfsim.exe                    4242 Console    1     25,000 K\r\n', stderr: '' },
    'sc query SCardSvr': { code: 0, stdout: 'SERVICE_NAME: SCardSvr\r\n        TYPE               : 20  WIN32_SHARE_PROCESS\r\n        STATE              : 4  RUNNING\r\n', stderr: '' },
    'reg query HKCR\\CsHisX.nhicshisx.1': { code: 0, stdout: 'HKEY_CLASSES_ROOT\\CsHisX.nhicshisx.1\r\n', stderr: '' },
  },
  readers: ['CASTLES EZ100PU 0', 'InfoThink IT-102MU Reader 0'],
  listen: { free: true },
  listenOn: {},
  discovery: { state: 'absent' },
  ready: null,
  connects: [],
  now: readerClockAsTaiwan,
  arch: 'ia32',
});

function config(extra: string[] = []): { config: GatewayConfig; doctor: DoctorOptions } {
  const parsed = parseArgs(['doctor', ...extra], {}, { platform: 'win32', fileExists: () => false });
  if (parsed.kind !== 'doctor') throw new Error(`expected doctor, got ${parsed.kind}: ${'message' in parsed ? parsed.message : ''}`);
  return parsed;
}

const byId = (results: CheckResult[], id: string): CheckResult => {
  const found = results.find((r) => r.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

beforeAll(() => ensureFixtureBuilt());

describe('nhi-gateway doctor on a fake Windows workstation', () => {
  let ws: Workstation;
  let fakes: Fakes;
  beforeEach(() => {
    ws = workstation();
    fakes = healthyFakes();
  });
  afterEach(() => rmSync(ws.root, { recursive: true, force: true }));

  const run = (extra: string[] = []) => {
    const { config: c, doctor } = config(extra);
    return runChecks(c, doctor, windowsEnvironment(ws, fakes));
  };

  it('passes a healthy workstation, prints a table and exits 0', async () => {
    const results = await run();
    const statuses = Object.fromEntries(results.map((r) => [r.id, r.status]));
    expect(statuses).toEqual({
      'csdll-ini': 'pass',
      'sam-file': 'pass',
      'control-software': 'pass',
      bitness: 'pass',
      version: 'pass',
      csfsim: 'pass',
      'reader-dll': 'pass',
      'smartcard-service': 'pass',
      readers: 'pass',
      'reader-clock': 'pass',
      cshisx: 'pass',
      'web-api': 'skip',
      'gateway-port': 'pass',
    });
    expect(byId(results, 'sam-file').detail).toContain('hospital 3501200000, SAM 001000000103');
    expect(byId(results, 'version').detail).toMatch(/^\d\.\d\.\d\.\d/);
    expect(byId(results, 'bitness').detail).toBe('CSHIS.dll 32-bit (i386) = gateway 32-bit (ia32)');
    expect(byId(results, 'readers').detail).toBe('CASTLES EZ100PU 0, InfoThink IT-102MU Reader 0');
    expect(byId(results, 'reader-dll').detail).toBe('C:\\Windows\\SysWOW64\\Reader.dll');
    // the Web API host is never contacted without --network
    expect(fakes.connects).toEqual([]);

    let printed = '';
    const { config: c, doctor } = config();
    const code = await runDoctor(c, doctor, { out: (t) => (printed += t), columns: 120 }, windowsEnvironment(ws, fakes));
    expect(code).toBe(0);
    expect(printed).toMatch(/雲端安全模組檔 \(\.SAM\)/);
    expect(printed).toContain('✔ 環境檢查通過。 All checks passed.');
    for (const line of printed.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(120);
  });

  it('fails when the SAM file is missing, doubled, misnamed or in another COMX folder (9200)', async () => {
    ws.write(`C:\\NHI\\SAM\\COMX1\\3501200000001000000104.SAM`, 'second');
    let r = byId(await run(), 'sam-file');
    expect(r.status).toBe('fail');
    expect(r.detail).toMatch(/^9200: 2 \.SAM files/);
    expect(r.fix?.zh).toContain('C:\\NHI\\SAM\\COMX1');
    expect(r.fix?.en).toContain('exactly one');

    ws.remove('C:\\NHI\\SAM\\COMX1');
    ws.write('C:\\NHI\\SAM\\COMX1\\hospital.SAM', 'x');
    r = byId(await run(), 'sam-file');
    expect(r.detail).toContain('not 10-digit hospital code + 12-digit SAM id');

    ws.write('C:\\NHI\\INI\\csdll.ini', CSDLL_INI.replace('COM=COMX1', 'COM=COMX2'));
    r = byId(await run(), 'sam-file');
    expect(r.detail).toBe('9200: folder missing: C:\\NHI\\SAM\\COMX2');
  });

  it('fails on invalid csdll.ini values and warns on unknown keys', async () => {
    ws.write('C:\\NHI\\INI\\csdll.ini', '[CS]\r\nCOM=COMX11\r\nCSWATCH=YES\r\nCSTIMEOUT=0\r\nMYKEY=1\r\n');
    const r = byId(await run(), 'csdll-ini');
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('COM=COMX11: must be COMX1');
    expect(r.detail).toContain('CSWATCH=YES: must be ENABLE or DISABLE');
    expect(r.detail).toContain('CSTIMEOUT=0');
    expect(r.detail).toContain('MYKEY: not a key NHI documents');
    expect(r.fix?.zh).toContain('唯讀');
    ws.write('C:\\NHI\\INI\\csdll.ini', `${CSDLL_INI}MYKEY=1\r\n`);
    const warned = byId(await run(), 'csdll-ini');
    expect(warned.status).toBe('warn');
    expect(warned.detail).toMatch(/^READER=PC\/SC COM=COMX1 .*; MYKEY: not a key NHI documents$/);
    ws.write('C:\\NHI\\INI\\csdll.ini', CSDLL_INI.replace('CSFSIM=ENABLE', 'CSFSIM=DISABLE'));
    expect(byId(await run(), 'csdll-ini').detail).toBe('CSFSIM=DISABLE with COM=COMX1: the cloud SAM needs the console');
  });

  it('fails a 64-bit gateway with a 32-bit CSHIS.dll and names the right build', async () => {
    fakes.arch = 'x64';
    const results = await run();
    const r = byId(results, 'bitness');
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('CSHIS.dll is 32-bit (i386), this gateway is 64-bit (x64): it cannot load it');
    expect(r.fix?.en).toContain('nhi-gateway-win-x86.exe');
    expect(byId(results, 'version').status).toBe('skip');
    expect(byId(results, 'reader-clock').status).toBe('skip');
  });

  it('fails when csfsim.exe is not running (9240), Reader.dll is missing and SCardSvr is stopped', async () => {
    fakes.exec['tasklist /FI IMAGENAME eq csfsim.exe /NH'] = { code: 0, stdout: 'INFO: No tasks are running which match the specified criteria.\r\n', stderr: '' };
    fakes.exec['sc query SCardSvr'] = { code: 0, stdout: '        STATE              : 1  STOPPED\r\n', stderr: '' };
    ws.remove('C:\\Windows\\SysWOW64\\Reader.dll');
    const results = await run();
    expect(byId(results, 'csfsim')).toMatchObject({ status: 'fail', detail: '9240: not running (installed at C:\\NHI\\BIN\\csfsim.exe)' });
    expect(byId(results, 'csfsim').fix?.zh).toContain('系統管理員');
    expect(byId(results, 'reader-dll')).toMatchObject({ status: 'fail' });
    expect(byId(results, 'reader-dll').fix?.en).toContain('SysWOW64');
    expect(byId(results, 'smartcard-service')).toMatchObject({ status: 'fail', detail: 'SCardSvr STOPPED' });
    expect(byId(results, 'smartcard-service').fix?.en).toContain('sc config SCardSvr start= auto');

    let printed = '';
    const { config: c, doctor } = config();
    expect(await runDoctor(c, doctor, { out: (t) => (printed += t) }, windowsEnvironment(ws, fakes))).toBe(1);
    expect(printed).toContain('3 check(s) failed');
  });

  it('reports no readers, PC/SC failures and an unregistered CsHisX', async () => {
    fakes.readers = [];
    fakes.exec['reg query HKCR\\CsHisX.nhicshisx.1'] = { code: 1, stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.' };
    let results = await run();
    expect(byId(results, 'readers')).toMatchObject({ status: 'fail', detail: 'no PC/SC reader visible (the cloud SAM needs a smart-card reader)' });
    expect(byId(results, 'cshisx').status).toBe('warn');
    results = await run(['--visit-strategy', 'seq256-webapi']);
    expect(byId(results, 'cshisx').status).toBe('fail');
    fakes.readers = Object.assign(new Error('SCardEstablishContext: SCARD_E_NO_SERVICE'), { code: 'SCARD_E_NO_SERVICE' });
    expect(byId(await run(), 'readers')).toMatchObject({ status: 'fail', detail: 'PC/SC: SCARD_E_NO_SERVICE' });
  });

  it('warns when the reader clock is more than 60 s off the PC’s', async () => {
    fakes.now = () => new Date(readerClockAsTaiwan().getTime() + 5 * 60_000);
    const r = byId(await run(), 'reader-clock');
    expect(r.status).toBe('warn');
    expect(r.detail).toMatch(/\(-30\d s from this PC\)/);
    expect(r.fix?.zh).toContain('60 秒');
  });

  const KEY = 'account:clinic\\desk-b';
  const own = userPortCandidates(8737, KEY)[1]!;
  const running = (port: number): DiscoveryState => ({
    state: 'running',
    info: { port, pid: 4242, version: '1.1.0', startedAt: '2026-01-01T00:00:00.000Z', user: 'desk-b', url: `http://127.0.0.1:${port}` },
  });

  it('without --port: this user’s running gateway comes from its discovery file, never from 8737’s /ready', async () => {
    fakes.listen = { free: false, code: 'EADDRINUSE' };
    fakes.ready = { status: 200, body: { ready: true, reasons: [] } };
    // 8737 answers /ready, but this user's discovery file names no gateway: it is someone else's.
    fakes.listenOn = { [own]: { free: true } };
    expect(byId(await run(), 'gateway-port')).toMatchObject({
      status: 'pass',
      detail: `no gateway of this user running; started now it would take 127.0.0.1:${own} (free); 8737 in use by another gateway (not this user's)`,
    });
    fakes.discovery = running(own);
    expect(byId(await run(), 'gateway-port')).toMatchObject({
      status: 'pass',
      detail: `this user's gateway (pid 4242, C:\\Users\\desk-b\\AppData\\Local\\nhi-gateway/gateway.json) at http://127.0.0.1:${own}: ready`,
    });
    fakes.ready = { status: 503, body: { ready: false, reasons: ['control software version unknown'] } };
    expect(byId(await run(), 'gateway-port')).toMatchObject({ status: 'warn', detail: expect.stringContaining('not ready (control software version unknown)') });
  });

  it('without --port: another program on 8737 is no failure, the user’s own port is checked instead', async () => {
    fakes.listen = { free: false, code: 'EADDRINUSE' };
    fakes.listenOn = { [own]: { free: true } };
    const { info } = running(own) as { info: GatewayDiscovery };
    fakes.discovery = { state: 'stale', info };
    const r = byId(await run(), 'gateway-port');
    expect(r.status).toBe('pass');
    expect(r.detail).toMatch(/^no gateway of this user running \(.*gateway\.json is left from pid 4242, which has ended\)/);
    expect(r.detail).toContain(`started now it would take 127.0.0.1:${own} (free); 8737 in use by another program`);
    fakes.listenOn = {};
    expect(byId(await run(), 'gateway-port')).toMatchObject({ status: 'fail', code: 'EADDRINUSE', detail: expect.stringContaining('every port 8737–8768 is in use') });
  });

  it('with --port: that port must be free or this user’s gateway', async () => {
    fakes.listen = { free: false, code: 'EADDRINUSE' };
    fakes.ready = { status: 200, body: { ready: true, reasons: [] } };
    expect(byId(await run(['--port', '9000']), 'gateway-port')).toMatchObject({ status: 'fail', detail: "127.0.0.1:9000 in use by another gateway (not this user's)" });
    fakes.discovery = running(9000);
    expect(byId(await run(['--port', '9000']), 'gateway-port')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^this user's gateway \(pid 4242, .*\) at http:\/\/127\.0\.0\.1:9000: ready$/) });
    fakes.ready = null;
    fakes.discovery = { state: 'absent' };
    const other = byId(await run(['--port', '9000']), 'gateway-port');
    expect(other).toMatchObject({ status: 'fail', detail: '127.0.0.1:9000 in use by another program' });
    expect(other.fix?.en).toContain("without --port the gateway takes this user's own port");
  });

  it('checks only what each backend needs: PC/SC for pcsc, the port for the simulator', async () => {
    let results = await run(['--backend', 'pcsc']);
    expect(results.map((r) => r.id)).toEqual(['pcsc-library', 'smartcard-service', 'readers', 'gateway-port']);
    expect(byId(results, 'pcsc-library')).toMatchObject({ status: 'pass', detail: 'winscard.dll (win-x64)' });
    fakes.readers = [];
    expect(byId(await run(['--backend', 'pcsc']), 'readers')).toMatchObject({
      status: 'fail',
      detail: 'no PC/SC reader visible (the pcsc backend reads cards through one)',
    });
    fakes.readers = Object.assign(new Error('dlopen failed'), { code: 'LIBRARY_UNAVAILABLE' });
    results = await run(['--backend', 'pcsc']);
    expect(byId(results, 'pcsc-library')).toMatchObject({ status: 'fail', code: 'LIBRARY_UNAVAILABLE' });
    expect((await run(['--backend', 'simulator'])).map((r) => r.id)).toEqual(['gateway-port']);
    // auto with no CSHIS.dll path (Linux without --cshis-path) is the simulator; with one, the control software.
    const linux = parseArgs(['doctor'], {}, { platform: 'linux' });
    const linuxCshis = parseArgs(['doctor', '--cshis-path', '/opt/nhi/libcshis.so'], {}, { platform: 'linux', fileExists: () => false });
    if (linux.kind !== 'doctor' || linuxCshis.kind !== 'doctor') throw new Error('expected doctor');
    expect(doctorBackend(linux.config)).toBe('simulator');
    expect(doctorBackend(linuxCshis.config)).toBe('cshis');
  });

  it('contacts the Web API host only with --network', async () => {
    const r = byId(await run(['--network']), 'web-api');
    expect(r).toMatchObject({ status: 'pass', detail: 'medvpndti.nhi.gov.tw:443 answers' });
    expect(fakes.connects).toEqual(['medvpndti.nhi.gov.tw:443']);
  });

  it('honours --nhi-root and --cshis-path, and prints JSON with --json', async () => {
    ws.write('D:\\Clinic\\NHI\\INI\\csdll.ini', CSDLL_INI);
    ws.write(`D:\\Clinic\\NHI\\SAM\\COMX1\\${SAM_FILE}`, 'sam');
    const results = await run(['--nhi-root', 'D:\\Clinic\\NHI']);
    expect(byId(results, 'sam-file').detail).toContain(`D:\\Clinic\\NHI\\SAM\\COMX1\\${SAM_FILE}`);
    expect(byId(results, 'control-software')).toMatchObject({ status: 'fail', detail: 'not found: D:\\Clinic\\NHI\\LIB\\CSHIS.dll' });

    let printed = '';
    ws.write('C:\\HIS\\CSHIS.dll', peImage(0x014c));
    const { config: c, doctor } = config(['--json', '--cshis-path', 'C:\\HIS\\CSHIS.dll']);
    await runDoctor(c, doctor, { out: (t) => (printed += t) }, windowsEnvironment(ws, fakes));
    const json = JSON.parse(printed) as { ok: boolean; checks: CheckResult[] };
    expect(json.ok).toBe(true);
    expect(json.checks).toHaveLength(13);
    expect(byId(json.checks, 'control-software').detail).toBe('C:\\HIS\\CSHIS.dll');
  });
});

describe('doctor: command line and output', () => {
  it('parses the doctor command and keeps its options to it', () => {
    const parsed = parseArgs(['doctor', '--nhi-root', 'D:\\NHI', '--network', '--json', '--backend', 'cshis'], {}, { platform: 'win32', fileExists: () => false });
    expect(parsed).toMatchObject({ kind: 'doctor', doctor: { nhiRoot: 'D:\\NHI', network: true, json: true } });
    expect(parseArgs(['doctor'], {}, { platform: 'linux' })).toMatchObject({ kind: 'doctor', doctor: { nhiRoot: 'C:\\NHI', network: false, json: false } });
    const misplaced = parseArgs(['--network'], {});
    expect(misplaced).toMatchObject({ kind: 'error' });
    expect((misplaced as { message: string }).message).toContain('doctor');
  });

  it('says 9240 and how to start csfsim.exe off Windows', async () => {
    const env = { ...createNodeEnvironment(), platform: 'linux' as const };
    const { config: c, doctor } = config();
    const results = await runChecks({ ...c, port: 0 }, doctor, env);
    const r = byId(results, 'csfsim');
    expect(r.status).toBe('skip');
    expect(r.detail).toContain('9240');
    expect(r.fix?.en).toContain('csfsim.exe as administrator');
  });

  it('wraps CJK text by display width', () => {
    expect(displayWidth('健保卡 card')).toBe(11);
    expect(wrap('請以系統管理員身分執行', 10)).toEqual(['請以系統管', '理員身分執', '行']);
    expect(wrap('a very long C:\\NHI\\SAM\\COMX1\\path', 12).every((l) => displayWidth(l) <= 12)).toBe(true);
    const table = renderTable([{ id: 'x', title: { zh: '測試', en: 'Test' }, status: 'fail', detail: 'broken', fix: { zh: '修正', en: 'Fix it' } }], { columns: 100 });
    expect(table).toMatch(/測試 Test\s+✘\s+broken\s+修正/);
    expect(table).toContain('Fix it');
  });
});
