/**
 * The table of NHI Web API return codes (`RtnCode`, X(4)): the treatment-ID Web API's answers mapped to typed
 * errors, with the same entry shape as the control software's table (vendor-codes.ts), so the README error
 * table, the schema's `Error` interface and clients treat both alike.
 *
 * Where the codes come from: the treatment-ID Web API's own RtnCode list is NOT public (docs/reference/webapi.md (Treatment-ID Web API)).
 * The codes below are the ones docs/reference/webapi.md (Upload and download) documents for NHI's other medvpndti JSON API (VNHI_Upload / VNHI_Download,
 * same host, same sSamid/sHospid/sClientrandom/sSignature envelope). They are applied by analogy: a code that
 * NHI's treatment-ID API answers differently, or one not listed here, still comes back typed — as
 * `VendorError` with code `WEB_API_CODE_UNKNOWN` and the number in `vendorCode` (errorForWebApiRtnCode).
 *
 * `vendorCode` holds the RtnCode as a number (e.g. "8203" → 8203). The numbers overlap the control software's
 * (5002 is HEALTH_CARD_CANCELLED there); the machine `code` is what tells them apart, and every code here
 * starts with `WEB_API_`.
 *
 * Messages never contain patient data: only the fixed texts below.
 */
import { ERROR_CLASSES, VendorError, type ErrorText, type GatewayError } from './gateway-errors.ts';
import type { VendorCodeEntry } from './vendor-codes.ts';

const t = (zh: string, en: string): ErrorText => ({ zh, en });

/** RtnCode of success (docs/reference/webapi.md (Treatment-ID Web API) 回傳資料定義: RtnCode X(4), TreatNum X(20)). */
export const WEB_API_OK = '0000';

const RE_SIGN_AUTOMATICALLY = t(
  '閘道已自動重新簽章並重送一次；若仍發生，請確認本機 Windows 時間與網路時間同步。',
  'The gateway signed again and resent once by itself; if this still happens, check that this PC’s clock is synchronised (Windows time).',
);
const CHECK_SAM_AND_SERVICE_CODE = t(
  '請執行安全模組認證（verifySam）後再試；並確認 --webapi-service-code（正式卡 11、測試卡 12）與卡片相符。',
  'Run SAM authentication (verifySam) and try again; check that --webapi-service-code matches the cards (11 production, 12 NHI test cards).',
);
const NHI_SERVICE_BUSY = t(
  '健保署服務暫時異常，請稍後再試；就診資料已保留，可稍後以 treatmentIdForVisit 補取就醫識別碼。',
  'NHI’s service had a problem; try again shortly. The visit is kept: complete its treatment ID later with treatmentIdForVisit.',
);
const CONTACT_NHI_SAM = t(
  '請洽健保署（分區業務組）確認安全模組卡的合約與狀態。',
  'Contact NHI (regional division) about the SAM contract and status.',
);

/** The RtnCodes of docs/reference/webapi.md (Upload and download), ascending. "0000" (success) is not an error and is not listed. */
export const WEB_API_CODES: readonly VendorCodeEntry[] = [
  {
    vendorCode: 5002, code: 'WEB_API_RESULT_NOT_READY', category: 'NETWORK', retryable: true,
    text: t('健保署尚未產生結果', 'NHI has not produced the result yet'),
    hint: t('請稍後再試。', 'Try again shortly.'),
  },
  {
    vendorCode: 5003, code: 'WEB_API_WRONG_OPERATION_TYPE', category: 'CONTROL_SOFTWARE', retryable: false,
    text: t('Web API 作業類別錯誤', 'Wrong operation type for this Web API'),
    hint: t(
      '請確認 --webapi-url 指向就醫識別碼作業（路徑未公開，預設值為推定，見 docs/webapi.md）。',
      'Check that --webapi-url points at the treatment-ID operation (its path is not public; the default is an assumption, see docs/webapi.md).',
    ),
  },
  {
    vendorCode: 5004, code: 'WEB_API_SAM_MISMATCH', category: 'SAM', retryable: false,
    text: t('安全模組卡號與醫事機構代碼不相符', 'The SAM does not belong to this hospital code (sSamid / sHospid)'),
    hint: t(
      '請確認讀卡機內的安全模組為本院所之安全模組，並執行安全模組認證（verifySam）。',
      'Check that the SAM in use is this hospital’s, and run SAM authentication (verifySam).',
    ),
  },
  {
    vendorCode: 8201, code: 'WEB_API_VERIFICATION_SERVICE_ERROR', category: 'NETWORK', retryable: true,
    text: t('健保署驗章服務異常', 'NHI’s signature verification service reported an error'),
    hint: NHI_SERVICE_BUSY,
  },
  {
    vendorCode: 8202, code: 'WEB_API_VERIFICATION_SERVICE_UNAVAILABLE', category: 'NETWORK', retryable: true,
    text: t('健保署驗章服務無法使用', 'NHI’s signature verification service is not available'),
    hint: NHI_SERVICE_BUSY,
  },
  {
    vendorCode: 8203, code: 'WEB_API_SIGNATURE_EXPIRED', category: 'SAM', retryable: true,
    text: t('安全模組簽章已逾時效', 'The SAM signature is too old for NHI'),
    hint: RE_SIGN_AUTOMATICALLY,
  },
  {
    vendorCode: 8205, code: 'WEB_API_SAM_REVOKED', category: 'SAM', retryable: false,
    text: t('安全模組卡已註銷', 'The SAM has been revoked'),
    hint: CONTACT_NHI_SAM,
  },
  {
    vendorCode: 9002, code: 'WEB_API_SIGNATURE_INVALID', category: 'SAM', retryable: true,
    text: t('安全模組簽章驗證失敗', 'NHI could not verify the SAM signature'),
    hint: CHECK_SAM_AND_SERVICE_CODE,
  },
  {
    vendorCode: 9005, code: 'WEB_API_HOSPITAL_UNKNOWN', category: 'SAM', retryable: false,
    text: t('醫事機構代碼錯誤或不存在', 'NHI does not know this hospital code (sHospid)'),
    hint: CONTACT_NHI_SAM,
  },
  {
    vendorCode: 9999, code: 'WEB_API_OTHER_ERROR', category: 'NETWORK', retryable: false,
    text: t('健保署 Web API 其他錯誤', 'NHI’s Web API reported another error'),
    hint: NHI_SERVICE_BUSY,
  },
];

// ---- index, built once at load; a duplicate is a programming error and fails the import ----

const BY_RTN_CODE = new Map<number, VendorCodeEntry>();
for (const entry of WEB_API_CODES) {
  if (BY_RTN_CODE.has(entry.vendorCode)) throw new Error(`webapi-codes: duplicate RtnCode ${entry.vendorCode}`);
  if (!entry.code.startsWith('WEB_API_')) throw new Error(`webapi-codes: ${entry.code} must start with WEB_API_`);
  BY_RTN_CODE.set(entry.vendorCode, entry);
  Object.freeze(entry);
}
Object.freeze(WEB_API_CODES);

/** The table entry for an RtnCode ("8203" or 8203), or undefined. */
export function lookupWebApiCode(rtnCode: string | number): VendorCodeEntry | undefined {
  const n = typeof rtnCode === 'number' ? rtnCode : /^\d{1,9}$/.test(rtnCode) ? Number(rtnCode) : NaN;
  return Number.isInteger(n) ? BY_RTN_CODE.get(n) : undefined;
}

/**
 * The typed error for a non-success RtnCode: the class of its category, or `VendorError` with
 * `WEB_API_CODE_UNKNOWN` and the code's value for one the table does not know. Passing "0000" is a bug.
 */
export function errorForWebApiRtnCode(rtnCode: string): GatewayError {
  if (rtnCode === WEB_API_OK) throw new Error('errorForWebApiRtnCode("0000"): 0000 is success, not an error');
  const entry = lookupWebApiCode(rtnCode);
  if (entry === undefined) {
    // Only digits and letters reach the text (an RtnCode is X(4); anything else was cut off by the decoder).
    const shown = rtnCode.replace(/[^0-9A-Za-z]/g, '').slice(0, 8) || '?';
    return new VendorError({
      code: 'WEB_API_CODE_UNKNOWN',
      vendorCode: /^\d{1,9}$/.test(rtnCode) ? Number(rtnCode) : null,
      text: { zh: `健保署 Web API 回傳未知代碼 ${shown}`, en: `NHI’s Web API returned unknown RtnCode ${shown}` },
      retryable: false,
    });
  }
  const ErrorClass = ERROR_CLASSES[entry.category];
  return new ErrorClass({
    code: entry.code,
    vendorCode: entry.vendorCode,
    text: entry.text,
    retryable: entry.retryable,
    hint: entry.hint,
  });
}

/**
 * Codes after which NHI may or may not have issued a treatment ID: the request left the gateway but no
 * readable answer came back. Nothing is repeated automatically after these (a repeat could create a second
 * treatment ID), and a no-card request never falls back to API 1.54 after one. Every other Web API error
 * means the request was never sent (connect/TLS/signer/validation) or NHI answered with a definite refusal.
 */
export const WEB_API_OUTCOME_UNKNOWN_CODES: ReadonlySet<string> = new Set([
  'WEB_API_TIMEOUT',
  'WEB_API_CONNECTION_LOST',
  'WEB_API_BAD_RESPONSE',
]);

export function isWebApiOutcomeUnknown(error: GatewayError): boolean {
  return WEB_API_OUTCOME_UNKNOWN_CODES.has(error.code);
}
