/**
 * Errors *around* a CSHIS call (the port's "reject only for …" cases, src/ports/control-software.ts), plus the
 * load-time bitness error. Vendor return codes are never thrown from this adapter.
 *
 * They are `ControlSoftwareError`s so the Pothos errors plugin and the domain layer (which catch
 * `GatewayError`) treat them as typed failures. The class `name` stays the base's ('ControlSoftwareError',
 * a literal type in gateway-errors.ts); tell them apart with `instanceof` or the stable `code`.
 * Their codes are the catalogue's (src/errors/gateway-codes.ts, the README error table): CALL_TIMEOUT,
 * MISSING_EXPORT, CONTROL_SOFTWARE_UNAVAILABLE (library missing, wrong bitness, adapter shut down) and
 * CONTROL_SOFTWARE_TOO_OLD; the classes only make the text more specific.
 * No dependency on koffi: the call queue (pure TS) imports this module.
 */
import { gatewayCodeEntry } from '../../errors/gateway-codes.ts';
import { ControlSoftwareError } from '../../errors/gateway-errors.ts';

/** The adapter stopped waiting for a native call. The call itself may still be running inside the DLL. */
export class CallTimeoutError extends ControlSoftwareError {
  readonly functionName: string;
  readonly timeoutMs: number;

  constructor(functionName: string, timeoutMs: number) {
    super({
      code: 'CALL_TIMEOUT',
      vendorCode: null,
      text: {
        en: `The control software did not answer ${functionName} within ${timeoutMs} ms`,
        zh: `讀卡機控制軟體未在 ${timeoutMs} 毫秒內回應 ${functionName}`,
      },
      retryable: true,
      hint: {
        en: 'Check the card reader and the cloud SAM console (csfsim), then try again',
        zh: '請檢查讀卡機與雲端安全模組主控台 (csfsim) 後再試一次',
      },
    });
    this.functionName = functionName;
    this.timeoutMs = timeoutMs;
  }
}

/** The loaded CSHIS.dll does not export this function (an older control-software version). */
export class MissingExportError extends ControlSoftwareError {
  readonly exportName: string;

  constructor(exportName: string) {
    super({
      code: 'MISSING_EXPORT',
      vendorCode: null,
      text: {
        en: `The installed control software does not provide ${exportName}`,
        zh: `已安裝的讀卡機控制軟體不支援 ${exportName}`,
      },
      retryable: false,
      hint: {
        en: 'Update the NHI card-reader control software',
        zh: '請更新健保卡讀卡機控制軟體',
      },
    });
    this.exportName = exportName;
  }
}

/** The adapter (or its call queue) was disposed before the call could run. */
export class AdapterDisposedError extends ControlSoftwareError {
  constructor(what = 'CSHIS adapter') {
    super({
      code: 'CONTROL_SOFTWARE_UNAVAILABLE',
      vendorCode: null,
      text: {
        en: `The ${what} has been shut down`,
        zh: '讀卡機控制軟體連線已關閉',
      },
      retryable: false,
    });
  }
}

/** PE `Machine` values we name (docs/reference/abi.md (Bitness)). */
export type PeArchitecture = 'i386' | 'x64' | 'arm64' | 'unknown';

/** CSHIS.dll and the running Node process have different bitness: Windows cannot load it. */
export class WrongBitnessError extends ControlSoftwareError {
  readonly dllArchitecture: PeArchitecture;
  readonly processArch: string;

  constructor(libraryName: string, dllArchitecture: PeArchitecture, processArch: string) {
    const bits = dllArchitecture === 'i386' ? '32-bit' : dllArchitecture === 'unknown' ? 'of an unknown architecture' : '64-bit';
    const dllLabel = dllArchitecture === 'unknown' ? '' : ` (${dllArchitecture})`;
    const build = dllArchitecture === 'i386' ? 'nhi-gateway-win-x86.exe' : dllArchitecture === 'x64' ? 'nhi-gateway-win-x64.exe' : null;
    const en =
      `${libraryName} is ${bits}${dllLabel} but this gateway is ${processArch}` + (build ? `: use ${build}` : '');
    super({
      code: 'CONTROL_SOFTWARE_UNAVAILABLE',
      vendorCode: null,
      text: {
        en,
        zh: `${libraryName} 與本閘道程式位元數不符 (${dllArchitecture} / ${processArch})` + (build ? `，請改用 ${build}` : ''),
      },
      retryable: false,
      hint: build
        ? {
            en: `Start ${build} instead of this gateway (a DLL loads only into a process of its own bitness, docs/reference/abi.md)`,
            zh: `請改以 ${build} 啟動閘道（DLL 只能載入相同位元數的程式）`,
          }
        : {
            en: 'Reinstall the NHI control software (CSHIS.dll is normally 32-bit) and use nhi-gateway-win-x86.exe',
            zh: '請重新安裝健保署讀卡機控制軟體（CSHIS.dll 通常為 32 位元），並使用 nhi-gateway-win-x86.exe',
          },
    });
    this.dllArchitecture = dllArchitecture;
    this.processArch = processArch;
  }
}

/** koffi could not load the library at all (file missing, not a shared library, missing dependency). */
export class LibraryLoadError extends ControlSoftwareError {
  readonly libraryPath: string;

  constructor(libraryPath: string, detail: string) {
    super({
      code: 'CONTROL_SOFTWARE_UNAVAILABLE',
      vendorCode: null,
      text: {
        en: `Cannot load the control software library ${libraryPath}: ${detail}`,
        zh: `無法載入讀卡機控制軟體 ${libraryPath}：${detail}`,
      },
      retryable: false,
      hint: {
        en:
          'Install the NHI card-reader control software 5.1.5.x (it puts CSHIS.dll in C:\\NHI\\LIB), or point ' +
          '--cshis-path at the DLL your HIS uses; --backend simulator runs without it',
        zh: '請安裝健保署讀卡機控制軟體 5.1.5.x（CSHIS.dll 位於 C:\\NHI\\LIB），或以 --cshis-path 指定 HIS 使用的 DLL；--backend simulator 可不用 DLL 執行',
      },
    });
    this.libraryPath = libraryPath;
  }
}

/** `1234` → `"1.2.3.4"`: csGetVersionEx codes are the version's four digits (5158 = 5.1.5.8, docs/reference/abi.md / docs/reference/functions.md 1.51). */
export function spellVersionCode(code: number): string {
  return /^\d{4}$/.test(String(code)) ? String(code).split('').join('.') : String(code);
}

/**
 * The loaded control software is older than the version that introduced this API (csGetVersionEx gate,
 * src/adapters/cshis/features.ts): e.g. 1.53 hisGetSeqNumber256N1 needs 5.1.5.1 (version code 5151).
 */
export class ControlSoftwareTooOldError extends ControlSoftwareError {
  readonly exportName: string;
  readonly versionCode: number;
  readonly minimumVersionCode: number;

  constructor(exportName: string, versionCode: number, minimumVersionCode: number) {
    const have = spellVersionCode(versionCode);
    const need = spellVersionCode(minimumVersionCode);
    super({
      code: 'CONTROL_SOFTWARE_TOO_OLD',
      vendorCode: null,
      text: {
        en: `The installed control software ${have} (version code ${versionCode}) is too old for ${exportName}: it needs ${need} or later`,
        zh: `已安裝的讀卡機控制軟體 ${have}（版本代碼 ${versionCode}）版本過舊，${exportName} 需要 ${need} 以上`,
      },
      retryable: false,
      hint: {
        en: `Update the NHI card-reader control software to ${need} or later (5.1.5.7+ recommended by NHI), or choose a visit strategy this version supports (--visit-strategy)`,
        zh: `請將健保署讀卡機控制軟體更新至 ${need} 以上（健保署建議 5.1.5.7 以上），或改用此版本支援的取號方式 (--visit-strategy)`,
      },
    });
    this.exportName = exportName;
    this.versionCode = versionCode;
    this.minimumVersionCode = minimumVersionCode;
  }
}

/** Why csdll.ini could not be read or changed. Codes: see {@link CsdllIniErrorCode}. */
export type CsdllIniErrorCode =
  /** The file does not exist (the control software is not installed, or --csdll-ini points elsewhere). */
  | 'CSDLL_INI_NOT_FOUND'
  /** The file is read-only: NHI advises exactly that against the VPN page rewriting COM= (docs/reference/abi.md (csdll.ini)). */
  | 'CSDLL_INI_READ_ONLY'
  /** Reading, backing up or replacing the file failed (permissions, disk, a program holding it open). */
  | 'CSDLL_INI_IO_FAILED'
  /** This backend has no csdll.ini (the simulator). */
  | 'CSDLL_INI_NOT_CONFIGURED';

/** csdll.ini could not be read or written. The texts name the file, never any card data (it holds none). */
export class CsdllIniError extends ControlSoftwareError {
  readonly path: string;

  constructor(code: CsdllIniErrorCode, path: string, detail?: string) {
    // Texts and hints come from the one catalogue (src/errors/gateway-codes.ts); only the path is added.
    const entry = gatewayCodeEntry(code);
    const where = path === '' ? '' : detail ? ` (${path}: ${detail})` : ` (${path})`;
    super({
      code,
      vendorCode: null,
      text: { en: `${entry.text.en}${where}`, zh: `${entry.text.zh}${where}` },
      retryable: entry.retryable,
      hint: entry.hint,
    });
    this.path = path;
  }
}
