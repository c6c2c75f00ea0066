/**
 * NHI's 就醫識別碼 Web API (docs/reference/webapi.md (Treatment-ID Web API)) behind the TreatmentIdWebApi port: validation of every
 * field before anything else, a cached SAM signature (8 h, single flight), one HTTPS POST, and the answer
 * mapped to a TreatNum or a typed error.
 *
 * The operation's URL is configuration (`--webapi-url`): the host is public (medvpndti.nhi.gov.tw:443) but the
 * path is not (docs/reference/webapi.md (Treatment-ID Web API)). The default (src/config.ts DEFAULT_WEBAPI_URL) is an assumption by analogy with NHI's
 * documented VNHI_Upload/VNHI_Download paths (docs/reference/webapi.md (Upload and download)); docs/webapi.md says so.
 *
 * Signature refusals: 8203 (too old) is answered by signing anew and sending ONCE more. This cannot create a
 * second treatment ID: NHI checks the signature before it does anything (it authenticates the caller), so a
 * request refused for its signature issued nothing. Only once, because a fresh signature refused as too old
 * means the PC's and NHI's clocks disagree, which repeating does not fix. 9002 (invalid), 5004 (SAM mismatch)
 * and 8205 (revoked) drop the cached signature, so the next request signs anew, but are not repeated now:
 * the same signer would produce the same refusal.
 */
import type { TreatmentIdWebApi, WebApiTreatmentIdRequest } from '../../ports/webapi.ts';
import type { SamSignature, Signer, SignerServiceCode } from '../../ports/signer.ts';
import { GatewayError } from '../../errors/gateway-errors.ts';
import { SignatureCache } from '../signer/signature-cache.ts';
import { buildTreatmentIdRequestBody, validateTreatmentIdRequest } from './request.ts';
import { decodeTreatmentIdResponse } from './response.ts';
import { HttpsJsonClient } from './https-transport.ts';
import { readCaFile } from './ca.ts';

export interface NhiTreatmentIdWebApiOptions {
  /** https:// URL of the treatment-ID operation. */
  readonly url: string;
  readonly signer: Signer;
  /** VPNH_SignX service code: '11' production cards, '12' NHI test cards (docs/reference/webapi.md (Card types and service codes)). */
  readonly serviceCode: SignerServiceCode;
  /** NHI's CA chain (PEM or DER file), trusted in addition to Node's roots. */
  readonly caFile?: string;
  /** Extra CA certificates as PEM text (tests), in addition to `caFile`. */
  readonly extraCa?: readonly string[];
  /** Deadline for one request, connection retries included. @default 10000 */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Re-sign this long before the 8 hours are up. @default 15 min */
  readonly refreshMarginMs?: number;
  /** Signature lifetime. @default 8 h (docs/reference/webapi.md (Treatment-ID Web API)) */
  readonly signatureLifetimeMs?: number;
  readonly now?: () => Date;
  /** Dispose the signer with this client. @default true */
  readonly ownsSigner?: boolean;
}

/** RtnCodes after which the cached signature is not used again. */
const SIGNATURE_REFUSED = new Set(['WEB_API_SIGNATURE_EXPIRED', 'WEB_API_SIGNATURE_INVALID', 'WEB_API_SAM_MISMATCH', 'WEB_API_SAM_REVOKED']);

export class NhiTreatmentIdWebApi implements TreatmentIdWebApi {
  private readonly http: HttpsJsonClient;
  private readonly signatures: SignatureCache;
  private readonly now: () => Date;
  /** A CA file that cannot be used: every call fails with it, /ready says so. */
  private readonly caError: GatewayError | null;

  constructor(private readonly options: NhiTreatmentIdWebApiOptions) {
    this.now = options.now ?? (() => new Date());
    let extraCa = [...(options.extraCa ?? [])];
    let caError: GatewayError | null = null;
    if (options.caFile !== undefined) {
      try {
        extraCa = [...extraCa, ...readCaFile(options.caFile)];
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        caError = error;
      }
    }
    this.caError = caError;
    this.http = new HttpsJsonClient({
      url: options.url,
      extraCa,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    });
    this.signatures = new SignatureCache({
      signer: options.signer,
      serviceCode: options.serviceCode,
      now: this.now,
      ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
      ...(options.signatureLifetimeMs !== undefined ? { lifetimeMs: options.signatureLifetimeMs } : {}),
    });
  }

  async prepare(): Promise<void> {
    if (this.caError) throw this.caError;
    await this.signatures.get();
  }

  async treatmentId(request: WebApiTreatmentIdRequest): Promise<string> {
    // Bad input costs neither a signing nor a network call.
    validateTreatmentIdRequest(request, this.now());
    if (this.caError) throw this.caError;
    const first = await this.signatures.get();
    try {
      return await this.send(request, first);
    } catch (error) {
      if (!(error instanceof GatewayError) || !SIGNATURE_REFUSED.has(error.code)) throw error;
      this.signatures.invalidate(first);
      if (error.code !== 'WEB_API_SIGNATURE_EXPIRED') throw error;
      // See the module comment: a refused signature means nothing was issued; re-sign and send once more.
      return this.send(request, await this.signatures.get());
    }
  }

  async readiness(): Promise<readonly string[]> {
    const reasons: string[] = [];
    if (this.caError) reasons.push(`${this.caError.code}: ${this.caError.messageEn} — ${this.caError.hintEn ?? ''}`.trim());
    const status = await this.options.signer.status();
    if (!status.ready) reasons.push(status.reason);
    else {
      const { expiresAt, lastError } = this.signatures.state();
      if (expiresAt === null && lastError) reasons.push(`${lastError.code}: ${lastError.messageEn}`);
    }
    return reasons;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.http.destroy();
    if (this.options.ownsSigner ?? true) await this.options.signer[Symbol.asyncDispose]();
  }

  private async send(request: WebApiTreatmentIdRequest, signature: SamSignature): Promise<string> {
    const body = buildTreatmentIdRequestBody(request, signature, this.now());
    const response = await this.http.post(body);
    return decodeTreatmentIdResponse(response.status, response.text);
  }
}
