/**
 * Typed errors of the gateway. Every expected failure (a vendor return code, a missing card, a timeout) is
 * one of these classes; the Pothos errors plugin turns them into members of each field's result union.
 * Anything else thrown is a bug and gets masked by yoga as INTERNAL_SERVER_ERROR.
 *
 * Messages never contain patient data: they are built from the code table only.
 */

/** Broad groups a front end can switch on without knowing every vendor code. */
export type ErrorCategory =
  | 'READER'
  | 'CARD'
  | 'SAM'
  | 'PROFESSIONAL_CARD'
  | 'PIN'
  | 'INSURANCE'
  | 'VISIT'
  | 'CARD_WRITE'
  | 'NETWORK'
  | 'CONTROL_SOFTWARE'
  | 'UNKNOWN_VENDOR_CODE'
  /** Refused before any card call: who may call, how often, how large a request may be. */
  | 'ACCESS'
  /** The request itself is wrong (malformed, fails validation, bad input) or hit a gateway bug; never reaches a card. */
  | 'REQUEST';

/**
 * What to do when retrying cannot help by itself (docs/api-conventions.md). Kept per code in the catalogue
 * (src/errors/catalogue.ts), so a front end can offer the right button without knowing every code.
 */
export type ErrorAction =
  /** Run the online card update (API 1.30, `updateHealthCard`), then retry. */
  | 'UPDATE_CARD'
  /** The card cannot be used: another card, or the patient's ID number without a card. */
  | 'USE_ANOTHER_CARD'
  /** The patient's coverage must be checked with NHI or their insurance unit. */
  | 'CHECK_COVERAGE'
  /** A card write may have partly happened: read the card before writing again. */
  | 'CHECK_CARD_BEFORE_RETRY'
  /** Settle an interrupted card write (`unresolvedCardWrites`, `checkCardWrite`, `confirmCardWrite`). */
  | 'SETTLE_CARD_WRITE'
  /** Install or update NHI's control software. */
  | 'UPDATE_CONTROL_SOFTWARE'
  /** Fix the workstation's or the gateway's configuration (SAM file, csdll.ini, options). */
  | 'FIX_CONFIGURATION'
  /** NHI (or its regional division) must act: SAM contract, permissions. */
  | 'CONTACT_NHI'
  /** The Healthcare Certification Authority must act (professional card certificate). */
  | 'CONTACT_HCA'
  /** The client must change its request (input, query, token, origin). */
  | 'FIX_REQUEST'
  /** A gateway bug: report it with the time and the log. */
  | 'REPORT_BUG';

export interface ErrorText {
  /** Traditional Chinese, as the front desk reads it. */
  readonly zh: string;
  /** English, for HIS developers and logs. */
  readonly en: string;
}

export interface GatewayErrorInit {
  /** Stable machine code, e.g. `CARD_NOT_INSERTED`. Never changes once published. */
  readonly code: string;
  /** The control software's return code (docs/reference/return-codes.md), or null when the error did not come from a vendor call. */
  readonly vendorCode: number | null;
  readonly text: ErrorText;
  /** Whether the same call may simply be tried again (e.g. after inserting the card). */
  readonly retryable: boolean;
  /** What the user should do about it, when the table knows. */
  readonly hint?: ErrorText | undefined;
}

export abstract class GatewayError extends Error {
  abstract readonly category: ErrorCategory;
  readonly code: string;
  readonly vendorCode: number | null;
  readonly messageZh: string;
  readonly messageEn: string;
  readonly retryable: boolean;
  readonly hintZh: string | null;
  readonly hintEn: string | null;

  constructor(init: GatewayErrorInit) {
    super(`${init.text.en} / ${init.text.zh}`);
    this.code = init.code;
    this.vendorCode = init.vendorCode;
    this.messageZh = init.text.zh;
    this.messageEn = init.text.en;
    this.retryable = init.retryable;
    this.hintZh = init.hint?.zh ?? null;
    this.hintEn = init.hint?.en ?? null;
  }
}

export class ReaderError extends GatewayError {
  readonly category = 'READER' as const;
  override readonly name: string = 'ReaderError';
}
export class CardError extends GatewayError {
  readonly category = 'CARD' as const;
  override readonly name: string = 'CardError';
}
export class SamError extends GatewayError {
  readonly category = 'SAM' as const;
  override readonly name: string = 'SamError';
}
export class ProfessionalCardError extends GatewayError {
  readonly category = 'PROFESSIONAL_CARD' as const;
  override readonly name: string = 'ProfessionalCardError';
}
export class PinError extends GatewayError {
  readonly category = 'PIN' as const;
  override readonly name: string = 'PinError';
}
export class InsuranceError extends GatewayError {
  readonly category = 'INSURANCE' as const;
  override readonly name: string = 'InsuranceError';
}
export class VisitError extends GatewayError {
  readonly category = 'VISIT' as const;
  override readonly name: string = 'VisitError';
}
export class CardWriteError extends GatewayError {
  readonly category = 'CARD_WRITE' as const;
  override readonly name: string = 'CardWriteError';
}
export class NetworkError extends GatewayError {
  readonly category = 'NETWORK' as const;
  override readonly name: string = 'NetworkError';
}
export class ControlSoftwareError extends GatewayError {
  readonly category = 'CONTROL_SOFTWARE' as const;
  override readonly name: string = 'ControlSoftwareError';
}
/**
 * A request refused at the door (origin, token, CSRF header, rate or size limits). These reach clients as
 * top-level GraphQL errors with an HTTP status (src/security/refusals.ts), not as union members: the class
 * exists so the catalogue, the README table and the schema's ErrorCategory know the category.
 */
export class AccessError extends GatewayError {
  readonly category = 'ACCESS' as const;
  override readonly name: string = 'AccessError';
}
/** The request itself is wrong or hit a gateway bug: top-level `errors[]` only (docs/api-conventions.md). */
export class RequestError extends GatewayError {
  readonly category = 'REQUEST' as const;
  override readonly name: string = 'RequestError';
}
/** A return code the table does not know: still typed, with its number. */
export class VendorError extends GatewayError {
  readonly category = 'UNKNOWN_VENDOR_CODE' as const;
  override readonly name: string = 'VendorError';
}

export const ERROR_CLASSES = {
  READER: ReaderError,
  CARD: CardError,
  SAM: SamError,
  PROFESSIONAL_CARD: ProfessionalCardError,
  PIN: PinError,
  INSURANCE: InsuranceError,
  VISIT: VisitError,
  CARD_WRITE: CardWriteError,
  NETWORK: NetworkError,
  CONTROL_SOFTWARE: ControlSoftwareError,
  UNKNOWN_VENDOR_CODE: VendorError,
  ACCESS: AccessError,
  REQUEST: RequestError,
} as const satisfies Record<ErrorCategory, new (init: GatewayErrorInit) => GatewayError>;

/** Every concrete class, for the schema's unions. */
export const ALL_ERROR_CLASSES = Object.values(ERROR_CLASSES);
