/**
 * The `Signer` port: where the treatment-ID Web API's `sClientrandom` and `sSignature` come from. Types only.
 *
 * docs/reference/webapi.md (CsHisX) (就醫識別碼 web API 介接說明書, 函式說明 and 取得簽章流程): first `VPNGetRandomX()` (a 20-character
 * random), then `VPNH_SignX(random, "3", "11")` — card type 3 is the SAM, service code 11 the treatment-ID
 * service (12 with NHI test cards, docs/reference/webapi.md (Card types and service codes)) — which returns a 512-character hex signature. Both are
 * methods of the VPN value-added COM component CsHisX (ProgID `CsHisX.nhicshisx.1`, docs/reference/webapi.md (CsHisX)), not
 * exports of CSHIS.dll.
 *
 * Implementations: the CsHisX COM object through koffi (src/adapters/signer/com-signer.ts, Windows) and the
 * simulator's deterministic signer (src/adapters/signer/simulator-signer.ts), which the test stand-in of NHI's
 * Web API can verify. A signer signs every time it is asked; reusing a signature for its 8-hour validity is the
 * job of the signature cache above it (src/adapters/signer/signature-cache.ts).
 */
import type { GatewayError } from '../errors/gateway-errors.ts';

/** VPNH_SignX's card type: 3 = SAM (the only one the treatment-ID service accepts, docs/reference/webapi.md (CsHisX)). */
export type SignerCardType = '3';

/**
 * VPNH_SignX's service code (docs/reference/webapi.md (Card types and service codes)): `11` 取得就醫識別碼 (Web API) with production cards,
 * `12` the same service with NHI test cards.
 */
export type SignerServiceCode = '11' | '12';

/** One VPNGetRandomX + VPNH_SignX pair. Never logged: the signature authenticates the clinic to NHI. */
export interface SamSignature {
  /** `sClientrandom`, X(20): what VPNGetRandomX returned and VPNH_SignX signed. */
  readonly clientRandom: string;
  /** `sSignature`, X(512): hexadecimal. */
  readonly signature: string;
  /** The service code it was made for. */
  readonly serviceCode: SignerServiceCode;
  /** When the gateway received it (its clock): the briefing's 8-hour validity runs from here. */
  readonly signedAt: Date;
}

/** Whether the signer can sign at all, without signing (for `/ready`). */
export type SignerStatus =
  | { readonly ready: true }
  | {
      readonly ready: false;
      /** What an operator reads on /ready: the cause and the fix (e.g. the regsvr32 command). No patient data. */
      readonly reason: string;
      /** The typed error a signing attempt would fail with. */
      readonly error: GatewayError;
    };

export interface Signer extends AsyncDisposable {
  /** `'cshisx-com'` (CsHisX through COM) or `'simulator'`. */
  readonly kind: string;
  /**
   * VPNGetRandomX, then VPNH_SignX(random, "3", serviceCode). Rejects with a typed `GatewayError`
   * (SIGNER_UNAVAILABLE when the component cannot be used at all, SIGNER_FAILED when a call failed or returned
   * something that is not a random / a 512-hex signature). Callers never sign twice at once (the cache is
   * single-flight), but an implementation must not assume it.
   */
  sign(serviceCode: SignerServiceCode): Promise<SamSignature>;
  /** Cheap check whether signing can work (e.g. the COM class is registered); never signs. */
  status(): Promise<SignerStatus>;
}
