/**
 * Errors *around* a CSHIS call (the port's "reject only for …" cases, src/ports/control-software.ts), plus the
 * load-time bitness error. Vendor return codes are never thrown from this adapter.
 *
 * They are `ControlSoftwareError`s so the Pothos errors plugin and the domain layer (which catch
 * `GatewayError`) treat them as typed failures. The class `name` stays the base's ('ControlSoftwareError',
 * a literal type in gateway-errors.ts); tell them apart with `instanceof` or the stable `code`.
 * No dependency on koffi: the call queue (pure TS) imports this module.
 */
import { ControlSoftwareError } from '../../errors/gateway-errors.ts';

/** The adapter stopped waiting for a native call. The call itself may still be running inside the DLL. */
export class CallTimeoutError extends ControlSoftwareError {
  readonly functionName: string;
  readonly timeoutMs: number;

  constructor(functionName: string, timeoutMs: number) {
    super({
      code: 'CONTROL_SOFTWARE_CALL_TIMEOUT',
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
      code: 'CONTROL_SOFTWARE_MISSING_EXPORT',
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
      code: 'CONTROL_SOFTWARE_DISPOSED',
      vendorCode: null,
      text: {
        en: `The ${what} has been shut down`,
        zh: '讀卡機控制軟體連線已關閉',
      },
      retryable: false,
    });
  }
}

/** PE `Machine` values we name (cshis-api.md §2 bitness). */
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
      code: 'CONTROL_SOFTWARE_WRONG_BITNESS',
      vendorCode: null,
      text: {
        en,
        zh: `${libraryName} 與本閘道程式位元數不符 (${dllArchitecture} / ${processArch})` + (build ? `，請改用 ${build}` : ''),
      },
      retryable: false,
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
      code: 'CONTROL_SOFTWARE_LOAD_FAILED',
      vendorCode: null,
      text: {
        en: `Cannot load the control software library ${libraryPath}: ${detail}`,
        zh: `無法載入讀卡機控制軟體 ${libraryPath}：${detail}`,
      },
      retryable: false,
    });
    this.libraryPath = libraryPath;
  }
}
