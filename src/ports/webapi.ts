/**
 * The `TreatmentIdWebApi` port: NHI's 就醫識別碼 Web API as the domain layer sees it. Types only.
 *
 * docs/reference/webapi.md (Treatment-ID Web API) ((四)資料定義 / (五)回傳資料定義): an HTTPS POST to medvpndti.nhi.gov.tw:443 with
 * sSamid X(12), sHospid X(10), sClientrandom X(20), sSignature X(512), sCardType "3", sCardId X(12) (optional),
 * sPatientId X(10) and sTreatDT X(13) (ROC, not later than now); the answer is RtnCode X(4) and TreatNum X(20).
 * The operation's path is not public (docs/reference/webapi.md (Treatment-ID Web API)): it is configuration (`--webapi-url`).
 *
 * The domain passes what it knows about the visit; the adapter (src/adapters/webapi/) adds the SAM signature,
 * validates every field before any network call, and maps the answer to typed errors.
 */

/** One treatment-ID request, in domain terms (the adapter names the wire fields). */
export interface WebApiTreatmentIdRequest {
  /** → sSamid X(12): the SAM's card number (1.37 output, or csGetCardNo(SAM)). */
  readonly samId: string;
  /** → sHospid X(10): the hospital code (1.37 output, or csGetHospID). */
  readonly hospitalId: string;
  /** → sCardId X(12): the health card's number, or null for a visit without a card (例外就醫). */
  readonly cardId: string | null;
  /** → sPatientId X(10): national ID or resident-certificate number (checksum-validated). */
  readonly patientId: string;
  /** → sTreatDT X(13): the visit's 13-digit ROC date-time; never later than now. */
  readonly visitTimeRoc: string;
}

export interface TreatmentIdWebApi extends AsyncDisposable {
  /**
   * Makes sure a valid SAM signature is at hand (signing only when the cached one is missing or expired).
   * Called before the visit is taken on the card (方式4), so a signer that cannot sign refuses the visit
   * instead of leaving it without a treatment ID. Rejects with a typed `GatewayError`.
   */
  prepare(): Promise<void>;
  /**
   * The treatment ID (TreatNum, 20 characters) for a visit. Rejects with `InputError` (a field that fails the
   * specification: nothing was sent) or a typed `GatewayError`: an RtnCode from NHI (src/errors/webapi-codes.ts),
   * or a transport failure (WEB_API_UNREACHABLE / WEB_API_TLS_UNTRUSTED: not sent; WEB_API_TIMEOUT /
   * WEB_API_CONNECTION_LOST / WEB_API_BAD_RESPONSE: sent, outcome unknown — see isWebApiOutcomeUnknown).
   */
  treatmentId(request: WebApiTreatmentIdRequest): Promise<string>;
  /** Problems an operator must fix before the Web API can work (for `/ready`); empty when none. Never signs. */
  readiness(): Promise<readonly string[]>;
}
