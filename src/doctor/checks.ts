/**
 * The doctor's checks: the console's 環境檢查 (csfsim.exe) and what clinic IT keeps getting wrong (docs/clinic-it.md:
 * environment drift, COM/COMX guessing, 32- vs 64-bit, the console not running, silent failures). Each check
 * reads through the DoctorEnvironment only and says, when it fails, how to fix it in zh-TW and English.
 *
 * Sources: paths and csdll.ini keys from the NHI briefing (docs/reference/abi.md (Installed files), docs/reference/abi.md (csdll.ini)), return codes from docs/reference/return-codes.md
 * (9200–9203 SAM file, 9240 console not running).
 */
import type { Backend, GatewayConfig, DoctorOptions } from '../config.ts';
import { DEFAULT_CSDLL_INI, DEFAULT_CSHIS_PATH } from '../config.ts';
import type { ControlSoftware } from '../ports/control-software.ts';
import { isLoadableBy } from '../adapters/cshis/pe.ts';
import { decodeReaderDateTime } from '../codecs/layouts.ts';
import { lookupVendorCode } from '../errors/vendor-codes.ts';
import { GatewayError } from '../errors/gateway-errors.ts';
import { pathsOf, type DoctorEnvironment } from './environment.ts';
import { CSDLL_KEYS, parseCsdllIni, type CsdllIniDocument } from '../adapters/cshis/csdll-ini.ts';
import { gatewayPort } from './gateway-port.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export interface CheckResult {
  readonly id: string;
  readonly title: Bilingual;
  readonly status: CheckStatus;
  /** What was found (paths, versions, names); never patient data. */
  readonly detail: string;
  /** How to fix a failed (or warned) check. */
  readonly fix?: Bilingual;
  /** A stable code for remote diagnosis (vendor return code, errno, PC/SC or gateway code), when there is one. */
  readonly code?: string;
}

/** NHI's Web API host (docs/reference/webapi.md (Upload and download; Treatment-ID Web API)); contacted only with --network. */
export const WEB_API_HOST = 'medvpndti.nhi.gov.tw';
/** The reader clock may be this far from the PC's before the doctor warns. */
export const CLOCK_TOLERANCE_MS = 60_000;
/** docs/reference/functions.md (1.53) N1 needs control software 5.1.5.3 or later (S4 compares the version code with 5153). */
const N1_MIN_VERSION = 5153;

/** What the checks share as they run in order. */
export interface DoctorState {
  readonly config: GatewayConfig;
  readonly options: DoctorOptions;
  readonly env: DoctorEnvironment;
  /** The backend whose needs are checked (see doctorBackend). */
  readonly backend: Backend;
  readonly cshisPath: string;
  readonly csdllIniPath: string;
  ini?: CsdllIniDocument | null;
  /** Loaded once by the version check, disposed by the runner. */
  controlSoftware?: ControlSoftware | null;
  /** Why the control software could not be loaded (for the checks that need it). */
  controlSoftwareSkip?: string;
}

type Check = (state: DoctorState) => Promise<CheckResult>;

const t = (zh: string, en: string): Bilingual => ({ zh, en });
const result = (id: string, title: Bilingual, status: CheckStatus, detail: string, fix?: Bilingual, code?: string): CheckResult => ({
  id,
  title,
  status,
  detail,
  ...(fix ? { fix } : {}),
  ...(code ? { code } : {}),
});
const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : undefined;
};
/** `C:\…` or `\\server\…`: a path that can only exist on Windows. */
const isWindowsPath = (path: string): boolean => /^[A-Za-z]:[\\/]|^\\\\/.test(path);
/** A Windows path checked on another OS: it cannot exist there, so the check names the option instead. */
const windowsOnly = (s: DoctorState, path: string): boolean => s.env.platform !== 'win32' && isWindowsPath(path);
const message = (error: unknown): string => (error instanceof GatewayError ? error.messageEn : error instanceof Error ? error.message : String(error));

// ---- 1. control software present, bitness, version ---------------------------------------------------

const controlSoftwareFound: Check = async (s) => {
  const title = t('讀卡機控制軟體 (CSHIS.dll)', 'Control software (CSHIS.dll)');
  if (s.env.fs.exists(s.cshisPath)) return result('control-software', title, 'pass', s.cshisPath);
  return result(
    'control-software',
    title,
    'fail',
    `not found: ${s.cshisPath}`,
    t(
      `請安裝健保署讀卡機控制軟體 5.1.5.x（以系統管理員身分執行 setup.exe），或以 --cshis-path 指定 CSHIS.dll 的位置。`,
      `Install NHI's card-reader control software 5.1.5.x (run setup.exe as administrator), or point --cshis-path at CSHIS.dll.`,
    ),
    'ENOENT',
  );
};

const bitness: Check = async (s) => {
  const title = t('位元數 (32/64 位元)', 'Bitness (32/64-bit)');
  if (!s.env.fs.exists(s.cshisPath)) return result('bitness', title, 'skip', 'CSHIS.dll not found');
  let pe;
  try {
    pe = s.env.fs.peHeader(s.cshisPath);
  } catch (error) {
    return result('bitness', title, 'fail', `cannot read ${s.cshisPath}: ${message(error)}`, t('請確認檔案未損毀且可讀取。', 'Check that the file is intact and readable.'));
  }
  if (pe === null) {
    return result('bitness', title, s.env.platform === 'win32' ? 'fail' : 'skip', 'not a Windows DLL (PE) image', s.env.platform === 'win32' ? t('請重新安裝讀卡機控制軟體。', 'Reinstall the control software.') : undefined);
  }
  const dll = pe.architecture === 'i386' ? '32-bit (i386)' : pe.architecture === 'x64' ? '64-bit (x64)' : pe.architecture;
  const process = s.env.arch === 'ia32' ? '32-bit (ia32)' : s.env.arch === 'x64' ? '64-bit (x64)' : s.env.arch;
  if (isLoadableBy(pe.architecture, s.env.arch)) return result('bitness', title, 'pass', `CSHIS.dll ${dll} = gateway ${process}`);
  s.controlSoftwareSkip = 'CSHIS.dll and the gateway differ in bitness';
  const build = pe.architecture === 'i386' ? 'nhi-gateway-win-x86.exe' : 'nhi-gateway-win-x64.exe';
  return result(
    'bitness',
    title,
    'fail',
    `CSHIS.dll is ${dll}, this gateway is ${process}: it cannot load it`,
    t(`請改用 ${build}（與 CSHIS.dll 相同位元數的閘道版本）。`, `Use ${build}, the gateway build with the same bitness as CSHIS.dll.`),
  );
};

const version: Check = async (s) => {
  const title = t('控制軟體版本', 'Control software version');
  if (!s.env.fs.exists(s.cshisPath)) return result('version', title, 'skip', 'CSHIS.dll not found');
  if (s.controlSoftwareSkip) return result('version', title, 'skip', s.controlSoftwareSkip);
  try {
    s.controlSoftware = await s.env.loadControlSoftware(s.cshisPath, s.ini?.settings.com?.openComIndex ?? 0);
  } catch (error) {
    s.controlSoftware = null;
    s.controlSoftwareSkip = 'the control software could not be loaded';
    return result(
      'version',
      title,
      'fail',
      `cannot load ${s.cshisPath}: ${message(error)}`,
      t('請重新安裝讀卡機控制軟體（需要 vcredist_x86），並確認閘道與 DLL 位元數相同。', 'Reinstall the control software (it needs vcredist_x86) and use a gateway build of the same bitness.'),
      codeOf(error),
    );
  }
  try {
    const { version: code, path } = await s.controlSoftware.csGetVersionEx();
    const spelled = String(code).split('').join('.');
    if (code < N1_MIN_VERSION) {
      return result(
        'version',
        title,
        'warn',
        `${spelled} (${path || s.cshisPath}): older than 5.1.5.3, no API 1.53`,
        t('請更新讀卡機控制軟體至 5.1.5.7 以上，或使用 --visit-strategy seq256-treatnum。', 'Update the control software to 5.1.5.7 or later, or use --visit-strategy seq256-treatnum.'),
      );
    }
    return result('version', title, 'pass', `${spelled} (${path || s.cshisPath})`);
  } catch (error) {
    return result('version', title, 'fail', `csGetVersionEx failed: ${message(error)}`, t('請重新安裝讀卡機控制軟體。', 'Reinstall the control software.'));
  }
};

// ---- 2. csdll.ini and the SAM file ---------------------------------------------------------------------

const csdllIni: Check = async (s) => {
  const title = t('設定檔 csdll.ini', 'Settings file csdll.ini');
  if (windowsOnly(s, s.csdllIniPath)) {
    s.ini = null;
    return result(
      'csdll-ini',
      title,
      'fail',
      `${s.csdllIniPath} is a Windows path and cannot exist on ${s.env.platform}`,
      t('請以 --csdll-ini 指定 csdll.ini 的位置。', 'Point --csdll-ini at the csdll.ini to use.'),
      'ENOENT',
    );
  }
  if (!s.env.fs.exists(s.csdllIniPath)) {
    s.ini = null;
    return result(
      'csdll-ini',
      title,
      'fail',
      `not found: ${s.csdllIniPath}`,
      t('請重新安裝讀卡機控制軟體，或以 --csdll-ini 指定 csdll.ini 的位置。', 'Reinstall the control software, or point --csdll-ini at csdll.ini.'),
      'ENOENT',
    );
  }
  const ini = parseCsdllIni(s.env.fs.readFile(s.csdllIniPath));
  s.ini = ini;
  const cs = ini.entries.filter((e) => e.section.toUpperCase() === 'CS');
  const valueOf = (key: string) => cs.find((e) => e.key.toUpperCase() === key)?.value;
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!ini.hasCsSection) errors.push('no [CS] section');
  else if (valueOf('COM') === undefined) errors.push('COM= is missing');
  for (const problem of ini.problems) {
    const text = `${problem.key}${valueOf(problem.key) === undefined ? '' : `=${valueOf(problem.key)}`}: ${problem.rule}`;
    // A key written twice still has a value Windows uses (the first): worth a warning, not a failure.
    (problem.rule.startsWith('appears') ? warnings : errors).push(text);
  }
  if (ini.settings.com?.kind === 'CLOUD_SAM_SLOT' && ini.settings.switches.CSFSIM === 'DISABLE') {
    errors.push(`CSFSIM=DISABLE with COM=${ini.settings.com.value}: the cloud SAM needs the console`);
  }
  const known = new Set<string>(CSDLL_KEYS);
  for (const e of cs) if (!known.has(e.key.toUpperCase())) warnings.push(`${e.key}: not a key NHI documents`);
  if (errors.length > 0) {
    return result(
      'csdll-ini',
      title,
      'fail',
      [...errors, ...warnings].join('; '),
      t(
        '請以記事本修正 csdll.ini 的 [CS] 設定（例如 COM=COMX1、CSFSIM=ENABLE），存檔後重新啟動雲端安全模組主控台；健保署建議將檔案設為唯讀，避免 VPN 網頁改寫。',
        'Fix the [CS] settings in csdll.ini with Notepad (e.g. COM=COMX1, CSFSIM=ENABLE), save, and restart the cloud SAM console; NHI advises making the file read-only so the VPN web page cannot rewrite it.',
      ),
    );
  }
  const summary = cs.map((e) => `${e.key}=${e.value}`).join(' ');
  if (warnings.length > 0) {
    return result('csdll-ini', title, 'warn', `${summary}; ${warnings.join('; ')}`, t('請確認這些設定是否為健保署文件所列的值。', 'Check these settings against NHI’s documentation.'));
  }
  return result('csdll-ini', title, 'pass', summary);
};

/** 醫療院所代號 (10 digits) + SAM ID (12 digits) + .SAM (briefing: 13xxxxxxxx991000000183.SAM). */
export const SAM_FILE_PATTERN = /^(\d{10})(\d{12})\.SAM$/i;

const samFile: Check = async (s) => {
  const title = t('雲端安全模組檔 (.SAM)', 'Cloud SAM file (.SAM)');
  const setting = s.ini?.settings.com;
  if (!setting) return result('sam-file', title, 'skip', 'no usable COM= in csdll.ini');
  const com = setting.value;
  if (setting.kind !== 'CLOUD_SAM_SLOT') return result('sam-file', title, 'skip', `COM=${com}: a dedicated NHI reader with a SAM card, no SAM file`);
  const p = pathsOf(s.env, s.options.nhiRoot);
  const dir = p.join(s.options.nhiRoot, 'SAM', com);
  if (windowsOnly(s, dir)) {
    return result('sam-file', title, 'skip', `${dir} is a Windows path: the cloud SAM file lives there on the clinic PC (give --nhi-root to check a copy here)`);
  }
  const fix = t(
    `請至健保資訊網服務系統 (VPN) 下載雲端安全模組，將「醫療院所代號＋安全模組代號.SAM」一個檔案解壓縮至 ${dir}（與 csdll.ini 的 COM=${com} 相符）。`,
    `Download the cloud SAM from NHI's VPN site and unzip exactly one "<hospital code><SAM id>.SAM" file into ${dir} (matching COM=${com} in csdll.ini).`,
  );
  if (!s.env.fs.isDirectory(dir)) return result('sam-file', title, 'fail', `9200: folder missing: ${dir}`, fix, '9200');
  const files = s.env.fs.readDir(dir).filter((f) => f.toUpperCase().endsWith('.SAM'));
  if (files.length === 0) return result('sam-file', title, 'fail', `9200: no .SAM file in ${dir}`, fix, '9200');
  if (files.length > 1) return result('sam-file', title, 'fail', `9200: ${files.length} .SAM files in ${dir} (${files.join(', ')}); exactly one allowed`, fix, '9200');
  const name = files[0] ?? '';
  const m = SAM_FILE_PATTERN.exec(name);
  if (!m) return result('sam-file', title, 'fail', `${name}: not 10-digit hospital code + 12-digit SAM id + .SAM`, fix);
  return result('sam-file', title, 'pass', `${p.join(dir, name)} (hospital ${m[1]}, SAM ${m[2]})`);
};

// ---- 3. the console, Reader.dll, the smart-card service, readers ---------------------------------------

const csfsim: Check = async (s) => {
  const title = t('雲端安全模組主控台 (csfsim.exe)', 'Cloud SAM console (csfsim.exe)');
  const exe = pathsOf(s.env, s.options.nhiRoot).join(s.options.nhiRoot, 'BIN', 'csfsim.exe');
  const fix = t(
    `請以系統管理員身分執行桌面的「雲端安全模組主控台」或 ${exe}（未啟動時每個讀卡作業都會回傳 9240）；建議放入「啟動」資料夾。`,
    `Run the "雲端安全模組主控台" desktop shortcut or ${exe} as administrator (without it every card call returns 9240); put it in the Startup folder.`,
  );
  if (s.env.platform !== 'win32') {
    return result('csfsim', title, 'skip', `not Windows: csfsim.exe runs only there; without it card calls fail with 9240`, fix);
  }
  const run = await s.env.exec('tasklist', ['/FI', 'IMAGENAME eq csfsim.exe', '/NH'], 10_000);
  if (run.code === null) return result('csfsim', title, 'fail', `tasklist could not run: ${run.stderr}`, fix);
  if (/csfsim\.exe/i.test(run.stdout)) return result('csfsim', title, 'pass', 'running');
  const installed = s.env.fs.exists(exe) ? `installed at ${exe}` : `not installed at ${exe}`;
  return result('csfsim', title, 'fail', `9240: not running (${installed})`, fix, '9240');
};

const readerDll: Check = async (s) => {
  const title = t('讀卡機驅動 Reader.dll', 'Reader driver');
  if (s.env.platform !== 'win32') return result('reader-dll', title, 'skip', 'not Windows');
  const p = pathsOf(s.env);
  const places = ['System32', 'SysWOW64'].map((d) => p.join(s.env.windowsDir, d, 'Reader.dll'));
  const found = places.filter((f) => s.env.fs.exists(f));
  if (found.length > 0) return result('reader-dll', title, 'pass', found.join(', '));
  return result(
    'reader-dll',
    title,
    'fail',
    `not in ${places.join(' or ')}`,
    t(
      '請將讀卡機廠商的 Reader.dll 複製到 C:\\Windows\\SysWOW64（64 位元 Windows）或 C:\\Windows\\System32（32 位元）；使用晶片讀卡機時放任一廠牌健保讀卡機的 Reader.dll 即可。',
      "Copy the reader vendor's Reader.dll to C:\\Windows\\SysWOW64 (64-bit Windows) or C:\\Windows\\System32 (32-bit); with a generic smart-card reader any NHI reader's Reader.dll will do.",
    ),
  );
};

/** The pcsc backend's library: winscard.dll (Windows), libpcsclite.so.1 (Linux), PCSC.framework (macOS). */
const pcscLibrary: Check = async (s) => {
  const title = t('PC/SC 程式庫', 'PC/SC library');
  const pcsc = await s.env.pcsc().catch(() => null);
  if (!pcsc) return result('pcsc-library', title, 'fail', 'this build has no PC/SC access', undefined, 'LIBRARY_UNAVAILABLE');
  let context: bigint | undefined;
  try {
    context = await pcsc.establishContext();
  } catch (error) {
    const code = codeOf(error) ?? '';
    // No service still means the library loaded: the smart-card service check says what to do about that.
    if (code !== 'LIBRARY_UNAVAILABLE') return result('pcsc-library', title, 'pass', describeLibrary(pcsc.info));
    return result(
      'pcsc-library',
      title,
      'fail',
      `${pcsc.info.library}: ${message(error)}`,
      t('Windows 內建 winscard.dll；Linux 請安裝 libpcsclite1 與 pcscd。', 'Windows has winscard.dll built in; on Linux install libpcsclite1 and pcscd.'),
      code,
    );
  } finally {
    if (context !== undefined) await pcsc.releaseContext(context).catch(() => undefined);
  }
  return result('pcsc-library', title, 'pass', describeLibrary(pcsc.info));
};

const describeLibrary = (info: { library: string; abi: string; wine: boolean }): string =>
  `${info.library} (${info.abi}${info.wine ? ', under Wine' : ''})`;

const smartCardService: Check = async (s) => {
  const title = t('智慧卡服務', 'Smart-card service');
  if (s.env.platform === 'win32') {
    const run = await s.env.exec('sc', ['query', 'SCardSvr'], 10_000);
    // Matched on the state number and its symbolic name only: the "STATE" label may be localized.
    if (/:\s*4\s+RUNNING\b/i.test(run.stdout)) return result('smartcard-service', title, 'pass', 'SCardSvr running');
    const state = /:\s*\d\s+([A-Z_]+)\b/.exec(run.stdout)?.[1] ?? (run.code === null ? 'sc could not run' : 'not found');
    return result(
      'smartcard-service',
      title,
      'fail',
      `SCardSvr ${state}`,
      t(
        '請在「服務」中將 Smart Card（SCardSvr）的啟動類型設為「自動」並啟動（系統管理員：sc config SCardSvr start= auto 與 sc start SCardSvr）。',
        'In Services set Smart Card (SCardSvr) to Automatic and start it (as administrator: sc config SCardSvr start= auto, then sc start SCardSvr).',
      ),
    );
  }
  if (s.env.platform === 'linux') {
    const run = await s.env.exec('pidof', ['pcscd'], 5_000);
    if (run.code === 0) return result('smartcard-service', title, 'pass', `pcscd running (pid ${run.stdout.trim()})`);
    // Socket activation: pcscd starts on the first client, so its socket counts as "running".
    if (s.env.fs.exists('/run/pcscd/pcscd.comm')) return result('smartcard-service', title, 'pass', 'pcscd socket-activated (/run/pcscd/pcscd.comm)');
    return result(
      'smartcard-service',
      title,
      'fail',
      'pcscd not running',
      t('請安裝並啟動 pcscd（apt-get install pcscd；systemctl enable --now pcscd.socket）。', 'Install and start pcscd (apt-get install pcscd; systemctl enable --now pcscd.socket).'),
    );
  }
  return result('smartcard-service', title, 'skip', `${s.env.platform}: the smart-card service is built in`);
};

const readers: Check = async (s) => {
  const title = t('讀卡機', 'Card readers');
  const pcsc = await s.env.pcsc().catch(() => null);
  if (!pcsc) return result('readers', title, 'skip', 'this build has no PC/SC access');
  const cloudSam = (s.ini?.settings.com?.kind ?? 'CLOUD_SAM_SLOT') === 'CLOUD_SAM_SLOT';
  let context: bigint | undefined;
  try {
    context = await pcsc.establishContext();
    const names = await pcsc.listReaders(context);
    if (names.length > 0) return result('readers', title, 'pass', names.join(', '));
    return noReaders(title, cloudSam, s.backend);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SCARD_E_NO_READERS_AVAILABLE') return noReaders(title, cloudSam, s.backend);
    const fix =
      code === 'LIBRARY_UNAVAILABLE'
        ? t('找不到 PC/SC 程式庫：Windows 內建 winscard.dll；Linux 請安裝 libpcsclite1 與 pcscd。', 'No PC/SC library: Windows has winscard.dll built in; on Linux install libpcsclite1 and pcscd.')
        : t('請啟動智慧卡服務（見上一項），再重新插拔讀卡機。', 'Start the smart-card service (see above), then unplug and replug the reader.');
    return result('readers', title, 'fail', `PC/SC: ${code || message(error)}`, fix, code || undefined);
  } finally {
    if (context !== undefined) await pcsc.releaseContext(context).catch(() => undefined);
  }
};

function noReaders(title: Bilingual, cloudSam: boolean, backend: Backend): CheckResult {
  const needed = backend === 'pcsc' || cloudSam;
  return result(
    'readers',
    title,
    needed ? 'fail' : 'warn',
    backend === 'pcsc'
      ? 'no PC/SC reader visible (the pcsc backend reads cards through one)'
      : cloudSam
        ? 'no PC/SC reader visible (the cloud SAM needs a smart-card reader)'
        : 'no PC/SC reader (fine for a dedicated NHI reader on a COM port)',
    t('請接上晶片讀卡機並安裝其驅動程式，確認裝置管理員中「智慧卡讀取裝置」有出現。', 'Plug in the smart-card reader and install its driver; check it appears under "Smart card readers" in Device Manager.'),
  );
}

// ---- 4. the reader clock (1.34) -----------------------------------------------------------------------

const readerClock: Check = async (s) => {
  const title = t('讀卡機時間 (API 1.34)', 'Reader clock (API 1.34)');
  const cs = s.controlSoftware;
  if (!cs) return result('reader-clock', title, 'skip', s.controlSoftwareSkip ?? 'control software not loaded');
  let out;
  try {
    out = await cs.csGetDateTime();
  } catch (error) {
    return result('reader-clock', title, 'fail', `csGetDateTime: ${message(error)}`, t('請確認讀卡機連接正常。', 'Check the reader connection.'));
  }
  if (out.rc !== 0) {
    const entry = lookupVendorCode(out.rc);
    return result(
      'reader-clock',
      title,
      'fail',
      `csGetDateTime returned ${out.rc}${entry ? ` (${entry.text.en})` : ''}`,
      entry?.hint ?? t('請確認讀卡機連接正常與雲端安全模組主控台已啟動。', 'Check the reader connection and that the cloud SAM console is running.'),
    );
  }
  const iso = decodeReaderDateTime(out.bytes);
  if (iso === null) return result('reader-clock', title, 'fail', 'the reader returned an unreadable time', t('請重設讀卡機（拔插電源）。', 'Reset the reader (unplug and replug it).'));
  const drift = Date.parse(iso) - s.env.now().getTime();
  const detail = `${iso} (${drift >= 0 ? '+' : ''}${Math.round(drift / 1000)} s from this PC)`;
  if (Math.abs(drift) > CLOCK_TOLERANCE_MS) {
    return result(
      'reader-clock',
      title,
      'warn',
      detail,
      t(
        '讀卡機與電腦時間相差超過 60 秒：就診日期時間取自讀卡機，請校正電腦時間（自動與網路時間同步），再重新插拔讀卡機。',
        'The reader and this PC differ by more than 60 s (visit times come from the reader): set the PC clock to sync automatically, then replug the reader.',
      ),
    );
  }
  return result('reader-clock', title, 'pass', detail);
};

// ---- 5. CsHisX, the Web API host (the gateway's port: gateway-port.ts) --------------------------------------------------

const cshisx: Check = async (s) => {
  const title = t('VPN 加值元件 (CsHisX)', 'VPN component (CsHisX COM object)');
  if (s.env.platform !== 'win32') return result('cshisx', title, 'skip', 'not Windows');
  const run = await s.env.exec('reg', ['query', 'HKCR\\CsHisX.nhicshisx.1'], 10_000);
  if (run.code === 0) return result('cshisx', title, 'pass', 'CsHisX.nhicshisx.1 registered');
  // Only the Web API strategy needs it (signatures for NHI's Web API); elsewhere it is a warning.
  const needed = s.config.visitStrategy === 'seq256-webapi';
  return result(
    'cshisx',
    title,
    needed ? 'fail' : 'warn',
    `CsHisX.nhicshisx.1 not registered${needed ? ' (needed by --visit-strategy seq256-webapi)' : ''}`,
    t(
      '請以系統管理員身分執行 regsvr32 C:\\NHI\\LIB\\csHisX.dll（或重新安裝控制軟體的完整安裝程序）。',
      'As administrator run regsvr32 C:\\NHI\\LIB\\csHisX.dll (or reinstall the control software with the full installer).',
    ),
  );
};

const webApi: Check = async (s) => {
  const title = t('健保署 Web API 連線', 'NHI Web API reachable');
  if (!s.options.network) return result('web-api', title, 'skip', `not checked (add --network to connect to ${WEB_API_HOST}:443)`);
  const reply = await s.env.net.tcpConnect(WEB_API_HOST, 443, 5_000);
  if (reply.ok) return result('web-api', title, 'pass', `${WEB_API_HOST}:443 answers`);
  return result(
    'web-api',
    title,
    'fail',
    `${WEB_API_HOST}:443: ${reply.error}`,
    t('請確認健保 VPN 連線（VPN 數據機／路由器）與防火牆允許連線至 medvpndti.nhi.gov.tw:443。', 'Check the NHI VPN connection (VPN modem/router) and that the firewall allows medvpndti.nhi.gov.tw:443.'),
  );
};

/**
 * Which backend the doctor checks for: the one asked for, and for `auto` the control software whenever a
 * CSHIS.dll path is known (given, or Windows' default), since that is what `auto` looks for.
 */
export function doctorBackend(config: GatewayConfig): Backend {
  if (config.backendChoice !== 'auto') return config.backendChoice;
  return config.cshisPath !== undefined ? 'cshis' : 'simulator';
}

/** The cshis backend uses PC/SC only on Windows (the cloud SAM's reader) or to watch readers (--pcsc-wake). */
const cshisUsesPcsc = (s: DoctorState): boolean => s.env.platform === 'win32' || s.config.pcscWake === true;

interface CheckEntry {
  readonly run: Check;
  /** Whether the backend being checked needs what this check looks at. */
  readonly appliesTo: (s: DoctorState) => boolean;
}

const forCshis = (s: DoctorState) => s.backend === 'cshis';
const forPcsc = (s: DoctorState) => s.backend === 'pcsc' || (s.backend === 'cshis' && cshisUsesPcsc(s));

/**
 * In order: later checks use what earlier ones found (csdll.ini's COM before the SAM file and the DLL).
 * A check that does not apply to the chosen backend is left out of the report (the simulator needs only its port).
 */
export const CHECKS: readonly CheckEntry[] = [
  { run: csdllIni, appliesTo: forCshis },
  { run: samFile, appliesTo: forCshis },
  { run: controlSoftwareFound, appliesTo: forCshis },
  { run: bitness, appliesTo: forCshis },
  { run: version, appliesTo: forCshis },
  { run: csfsim, appliesTo: forCshis },
  { run: readerDll, appliesTo: forCshis },
  { run: pcscLibrary, appliesTo: (s) => s.backend === 'pcsc' },
  { run: smartCardService, appliesTo: forPcsc },
  { run: readers, appliesTo: forPcsc },
  { run: readerClock, appliesTo: forCshis },
  { run: cshisx, appliesTo: forCshis },
  { run: webApi, appliesTo: forCshis },
  { run: gatewayPort, appliesTo: () => true },
];

export function initialState(config: GatewayConfig, options: DoctorOptions, env: DoctorEnvironment): DoctorState {
  const p = pathsOf(env, options.nhiRoot);
  // --cshis-path and --csdll-ini win; otherwise both live under --nhi-root (their defaults are C:\NHI's).
  const cshisPath =
    config.cshisPath !== undefined && config.cshisPath !== DEFAULT_CSHIS_PATH ? config.cshisPath : p.join(options.nhiRoot, 'LIB', 'CSHIS.dll');
  const csdllIniPath = config.csdllIni !== DEFAULT_CSDLL_INI ? config.csdllIni : p.join(options.nhiRoot, 'INI', 'csdll.ini');
  return { config, options, env, backend: doctorBackend(config), cshisPath, csdllIniPath };
}
