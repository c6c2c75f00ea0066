/**
 * The Signer over NHI's VPN value-added COM component CsHisX (`CsHisX.nhicshisx.1`, C:\NHI\LIB\csHisX.dll,
 * docs/reference/webapi.md (CsHisX)), called in-process through koffi: VPNGetRandomX(), then VPNH_SignX(random, "3", service)
 * (docs/reference/webapi.md (CsHisX), 取得簽章流程: 先取亂數，再取簽章).
 *
 * What this module adds to the generic dispatch code: the two calls in order, one signing at a time (the
 * component keeps the SAM session; two interleaved random/sign pairs would be meaningless), validation of what
 * comes back (a 20-character random, a 512-character hex signature), and a precise not-ready reason for
 * `/ready` — most often an unregistered class, whose fix is regsvr32 (and, for a 64-bit gateway, the 32-bit
 * build: a 32-bit in-process server cannot load into a 64-bit process, docs/reference/abi.md).
 *
 * Never logged or put in an error: the random and the signature.
 */
import { existsSync } from 'node:fs';
import type { SamSignature, Signer, SignerServiceCode, SignerStatus } from '../../ports/signer.ts';
import { GatewayError } from '../../errors/gateway-errors.ts';
import { gatewayError } from '../../errors/gateway-codes.ts';
import { readPeHeaderFromFile } from '../cshis/pe.ts';
import { CSHISX_DEFAULT_PATH, CSHISX_PROGID, SAM_CARD_TYPE, comUnavailableOnPlatform } from './com-layout.ts';
import { DispatchClient, type ErrorContextBase } from './dispatch.ts';
import type { OleRuntime } from './ole.ts';

export interface ComSignerOptions {
  /** @default 'CsHisX.nhicshisx.1' */
  readonly progId?: string;
  /** Where csHisX.dll is expected, for the registration hint and the bitness check. @default C:\NHI\LIB\csHisX.dll */
  readonly libraryPath?: string;
  /**
   * The COM runtime. Default: ole32/oleaut32 through koffi (./ole.ts, imported only when first needed so that
   * merely composing the signer never loads a native module). Tests pass a fake runtime.
   */
  readonly loadRuntime?: () => Promise<OleRuntime> | OleRuntime;
  /** @default process.platform */
  readonly platform?: string;
  /** @default process.arch */
  readonly processArch?: string;
  readonly now?: () => Date;
}

const RANDOM_PATTERN = /^[\x21-\x7e]{20}$/;
const SIGNATURE_PATTERN = /^[0-9A-Fa-f]{512}$/;

export class ComSigner implements Signer {
  readonly kind = 'cshisx-com';
  private readonly progId: string;
  private readonly libraryPath: string;
  private readonly platform: string;
  private readonly processArch: string;
  private readonly now: () => Date;
  private client: Promise<DispatchClient> | null = null;
  /** Serialises signings: one VPNGetRandomX/VPNH_SignX pair at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ComSignerOptions = {}) {
    this.progId = options.progId ?? CSHISX_PROGID;
    this.libraryPath = options.libraryPath ?? CSHISX_DEFAULT_PATH;
    this.platform = options.platform ?? process.platform;
    this.processArch = options.processArch ?? process.arch;
    this.now = options.now ?? (() => new Date());
  }

  sign(serviceCode: SignerServiceCode): Promise<SamSignature> {
    const run = this.queue.then(() => this.signNow(serviceCode));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async status(): Promise<SignerStatus> {
    try {
      await this.dispatch();
      return { ready: true };
    } catch (error) {
      const typed = error instanceof GatewayError ? error : gatewayError('SIGNER_UNAVAILABLE');
      const reason = `${typed.code}: ${typed.messageEn}${typed.hintEn ? ` — ${typed.hintEn}` : ''}`;
      return { ready: false, reason, error: typed };
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    try {
      await (await client).release();
    } catch {
      // never created: nothing to release
    }
  }

  private async signNow(serviceCode: SignerServiceCode): Promise<SamSignature> {
    const client = await this.dispatch();
    const random = await client.callString('VPNGetRandomX', []);
    if (!RANDOM_PATTERN.test(random)) throw unexpectedResult('VPNGetRandomX', random, 'a 20-character random');
    const signedAt = this.now();
    const signature = await client.callString('VPNH_SignX', [random, SAM_CARD_TYPE, serviceCode]);
    if (!SIGNATURE_PATTERN.test(signature)) throw unexpectedResult('VPNH_SignX', signature, 'a 512-character hex signature');
    return { clientRandom: random, signature, serviceCode, signedAt };
  }

  /** The COM object, created once; a failed creation is retried on the next call (after regsvr32, say). */
  private dispatch(): Promise<DispatchClient> {
    if (!this.client) {
      const creating = this.create();
      this.client = creating;
      creating.catch(() => {
        if (this.client === creating) this.client = null;
      });
    }
    return this.client;
  }

  private async create(): Promise<DispatchClient> {
    if (this.platform !== 'win32' && !this.options.loadRuntime) throw comUnavailableOnPlatform(this.platform);
    let runtime: OleRuntime;
    try {
      runtime = this.options.loadRuntime
        ? await this.options.loadRuntime()
        : (await import('./ole.ts')).loadOleRuntime(this.platform);
    } catch (error) {
      throw error instanceof GatewayError
        ? error
        : gatewayError('SIGNER_UNAVAILABLE', {
            text: { zh: '無法載入 COM 執行環境 (ole32/oleaut32)', en: 'The COM runtime (ole32/oleaut32) could not be loaded' },
          });
    }
    return DispatchClient.create(runtime, this.errorContext());
  }

  private errorContext(): ErrorContextBase {
    return {
      progId: this.progId,
      libraryPath: this.libraryPath,
      processArch: this.processArch,
      library: this.describeLibrary(),
    };
  }

  /** Whether csHisX.dll is where it should be, and its bitness (PE header), to make the fix precise. */
  private describeLibrary(): ErrorContextBase['library'] {
    if (this.platform !== 'win32') return undefined;
    try {
      if (!existsSync(this.libraryPath)) return { exists: false };
      const pe = readPeHeaderFromFile(this.libraryPath);
      return pe ? { exists: true, architecture: pe.architecture } : { exists: true };
    } catch {
      return undefined;
    }
  }
}

/**
 * What came back is not a random / signature. A short number is most likely a control-software return code
 * (e.g. 9240, the cloud SAM console not running); it is shown. Anything else is not (it could be a signature).
 */
function unexpectedResult(method: string, value: string, expected: string): GatewayError {
  const code = /^-?\d{1,5}$/.test(value.trim()) ? ` (returned ${value.trim()})` : value === '' ? ' (returned nothing)' : '';
  return gatewayError('SIGNER_FAILED', {
    text: {
      zh: `${method} 未回傳${expected === 'a 20-character random' ? ' 20 字元亂數' : ' 512 字元十六進位簽章'}${code}`,
      en: `${method} did not return ${expected}${code}`,
    },
  });
}
