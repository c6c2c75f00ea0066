/**
 * What the front desk does about a typed error, decided by an exhaustive `switch` over its `code`: this file
 * type-checks only while every ErrorCode of the schema is handled (the `never` in `default`), so a new code in
 * schema/schema.graphql (after `npx tsx client/codegen.ts`) fails `tsc -p client/tsconfig.json` here until someone
 * decides what the desk does about it. test/integration/error-switch.test.ts compiles it, and proves that leaving
 * out one code fails.
 *
 *   const { startVisit } = await gateway.request(StartVisitDocument, { … });
 *   if (isGatewayError(startVisit)) showBanner(deskReaction(startVisit.code), describeError(startVisit.code, 'zh'));
 *
 * The grouping follows each code's `action` and `retryable` in the catalogue (docs/error-codes.md) at the time of
 * writing; a desk may well group differently.
 */
import type { ErrorCode } from '../index.ts';

export type DeskReaction =
  /** Show the hint and let the desk try again (the reader, the network, the SAM …). */
  | 'TRY_AGAIN'
  /** Offer the card update (API 1.30), then try again. */
  | 'UPDATE_CARD'
  /** The card or the coverage cannot be used today: the patient must act (another card, NHI, their insurer). */
  | 'ASK_THE_PATIENT'
  /** A write may have happened: read the card (or settle the journal entry) before writing again. */
  | 'CHECK_THE_CARD'
  /** The workstation is set up wrongly or needs an update: show the hint to clinic IT. */
  | 'CALL_CLINIC_IT'
  /** The HIS sent something the gateway refuses, or hit a bug: log it for the HIS developers. */
  | 'FIX_THE_HIS'
  /** Nothing the desk can fix by retrying: show the message and carry on. */
  | 'SHOW_THE_MESSAGE';

export function deskReaction(code: ErrorCode): DeskReaction {
  switch (code) {
    case 'ACTION_PENDING':
    case 'ALLERGIES_READ_FAILED':
    case 'ALLERGY_WRITE_FAILED':
    case 'CALL_TIMEOUT':
    case 'CARD_IN_USE':
    case 'CARD_REMOVED':
    case 'CARD_UPDATE_FAILED':
    case 'GATEWAY_STARTING':
    case 'CLOUD_SAM_CARD_UPDATE_TIMEOUT':
    case 'CLOUD_SAM_CONSOLE_NOT_RUNNING':
    case 'CLOUD_SAM_REJECTED_HEALTH_CARD':
    case 'CLOUD_SAM_REJECTED_PROFESSIONAL_CARD':
    case 'CRITICAL_ILLNESS_DATES_ONLY':
    case 'CS6_NO_CARD':
    case 'CS6_PROFESSIONAL_CARD_NOT_VERIFIED':
    case 'CSDLL_INI_IO_FAILED':
    case 'EMERGENCY_TEL_WRITE_FAILED':
    case 'FILE_TRANSFER_FAILED':
    case 'HEALTH_CARD_IDC_AUTH_FAILED':
    case 'HEALTH_CARD_INTERNAL_AUTH_FAILED':
    case 'HEALTH_CARD_IO_ERROR':
    case 'HEALTH_CARD_NOT_INSERTED':
    case 'HEALTH_CARD_PIN_INCORRECT':
    case 'HEALTH_CARD_REJECTED_CLOUD_SAM':
    case 'IDC_EXTERNAL_AUTH_FAILED':
    case 'IDC_HEALTH_CARD_AUTH_FAILED':
    case 'IDC_REJECTED_SAM':
    case 'IDC_SIGNATURE_CHECK_FAILED':
    case 'IDC_SIGNATURE_ERROR':
    case 'IDC_TIMEOUT':
    case 'IDC_UNAVAILABLE':
    case 'IMPORTANT_ORDERS_READ_FAILED':
    case 'JOURNAL_UNAVAILABLE':
    case 'LONG_TERM_PRESCRIPTIONS_READ_FAILED':
    case 'NETWORK_DOWN':
    case 'NEWBORN_FLAG_WRITE_FAILED':
    case 'NEW_PINS_DIFFER':
    case 'NOT_AN_NHI_CARD':
    case 'NOT_A_HEALTH_CARD':
    case 'NOT_A_PHYSICIAN_CARD':
    case 'NOT_A_PROFESSIONAL_CARD':
    case 'NOT_A_SAM_CARD':
    case 'NO_READER_OR_PCSC_ERROR':
    case 'OLD_PIN_NOT_VERIFIED':
    case 'ORGAN_DONATION_ENTRY_ABANDONED':
    case 'ORGAN_DONATION_WRITE_FAILED':
    case 'OUTPATIENT_PRESCRIPTIONS_READ_FAILED':
    case 'OUT_OF_MEMORY':
    case 'PCSC_UNAVAILABLE':
    case 'PIN_CHANGE_FAILED':
    case 'PIN_DISABLE_FAILED':
    case 'PIN_ENTRY_CANCELLED':
    case 'PIN_INCORRECT':
    case 'PIN_LENGTH_INVALID':
    case 'PRENATAL_DELETE_FAILED':
    case 'PROFESSIONAL_CARD_ID_READ_FAILED':
    case 'PROFESSIONAL_CARD_INTERNAL_AUTH_FAILED':
    case 'PROFESSIONAL_CARD_LOGGED_IN_ELSEWHERE':
    case 'PROFESSIONAL_CARD_NOT_INSERTED':
    case 'PROFESSIONAL_CARD_PIN_EMPTY':
    case 'PROFESSIONAL_CARD_PIN_NOT_VERIFIED':
    case 'PROFESSIONAL_CARD_READER_NOT_FOUND':
    case 'PROFESSIONAL_CARD_STILL_LOCKED':
    case 'RATE_LIMITED':
    case 'READER_CLOCK_READ_FAILED':
    case 'READER_CLOCK_WRITE_FAILED':
    case 'READER_NOT_FOUND':
    case 'READER_OPEN_CLOSE_FAILED':
    case 'READER_PORT_OPEN_FAILED':
    case 'READER_TIMEOUT':
    case 'REMOVE_PROFESSIONAL_CARD_FOR_PIN_CHANGE':
    case 'SAM_AUTHENTICATION_FAILED':
    case 'SAM_CARD_HOSPITAL_CODE_READ_FAILED':
    case 'SAM_EXTERNAL_AUTH_FAILED':
    case 'SAM_GENERATION_UPDATE_FAILED':
    case 'SAM_HOSPITAL_CODE_READ_FAILED':
    case 'SAM_INTERNAL_AUTH_FAILED':
    case 'SAM_NOT_AUTHENTICATED':
    case 'SAM_NOT_INSERTED':
    case 'SAM_REJECTED_IDC':
    case 'SAM_SIGNING_FAILED':
    case 'SIGNER_FAILED':
    case 'TREATMENT_ID_FETCH_FAILED':
    case 'TREATMENT_ID_PENDING':
    case 'UPLOAD_DATE_MISMATCH':
    case 'UPLOAD_SIZE_MISMATCH':
    case 'VIRTUAL_PHYSICIAN_PIN_FAILED':
    case 'VIRTUAL_PHYSICIAN_SESSION_TIMEOUT':
    case 'WEB_API_BAD_RESPONSE':
    case 'WEB_API_CONNECTION_LOST':
    case 'WEB_API_RESULT_NOT_READY':
    case 'WEB_API_SIGNATURE_EXPIRED':
    case 'WEB_API_SIGNATURE_INVALID':
    case 'WEB_API_TIMEOUT':
    case 'WEB_API_UNREACHABLE':
    case 'WEB_API_VERIFICATION_SERVICE_ERROR':
    case 'WEB_API_VERIFICATION_SERVICE_UNAVAILABLE':
      return 'TRY_AGAIN';
    case 'CARD_COUNTER_CUMULATIVE_YEAR_INVALID':
    case 'CARD_COUNTER_INPATIENT_COST_INVALID':
    case 'CARD_COUNTER_INPATIENT_FEE_TOTAL_INVALID':
    case 'CARD_COUNTER_LAST_SEQ_INVALID':
    case 'CARD_COUNTER_LAST_VISIT_YEAR_INVALID':
    case 'CARD_COUNTER_LONG_STAY_COPAY_INVALID':
    case 'CARD_COUNTER_OUTPATIENT_COPAY_INVALID':
    case 'CARD_COUNTER_OUTPATIENT_COST_INVALID':
    case 'CARD_COUNTER_OUTPATIENT_FEE_TOTAL_INVALID':
    case 'CARD_COUNTER_OUTPATIENT_SHORT_STAY_COPAY_INVALID':
    case 'CARD_COUNTER_SHORT_STAY_COPAY_INVALID':
    case 'CARD_COUNTER_TOTAL_COPAY_INVALID':
    case 'CARD_COUNTER_VISITS_LEFT_INVALID':
    case 'CARD_COUNTER_VISIT_TOTAL_INVALID':
    case 'HEALTH_CARD_EXPIRED':
    case 'NO_REMAINING_VISITS':
      return 'UPDATE_CARD';
    case 'CARD_CHANGED':
    case 'COVERAGE_ARREARS':
    case 'COVERAGE_ARREARS_BOTH':
    case 'COVERAGE_ARREARS_EMPLOYER':
    case 'COVERAGE_ARREARS_NOT_INSURED':
    case 'COVERAGE_ARREARS_OWNER':
    case 'COVERAGE_ARREARS_PERSONAL':
    case 'COVERAGE_FALSE_DECLARATION':
    case 'COVERAGE_NOT_INSURED':
    case 'COVERAGE_OTHER':
    case 'COVERAGE_SUSPENDED':
    case 'COVERAGE_SUSPENDED_OR_WITHDRAWN':
    case 'COVERAGE_WITHDRAWN':
    case 'HEALTH_CARD_CANCELLED':
    case 'NEWBORN_ATTACHMENT_EXPIRED':
    case 'NOT_INSURED':
    case 'SAM_CONTRACT_EXPIRED':
    case 'SAM_GENERATION_UPDATE_UNAVAILABLE':
    case 'SAM_INVALID':
    case 'SAM_OUT_OF_VALIDITY':
    case 'SAM_SUSPENDED':
      return 'ASK_THE_PATIENT';
    case 'CHILD_CARE_PRENATAL_SLOT_WRITE_FAILED':
    case 'FEE_RECORD_WRITE_FAILED':
    case 'NEW_VISIT_RECORD_WRITE_FAILED':
    case 'OUTCOME_UNKNOWN':
    case 'PRENATAL_CHECK_WRITE_FAILED':
    case 'PRESCRIPTION_WRITE_FAILED':
    case 'PREVENTIVE_CARE_WRITE_FAILED':
    case 'VACCINATION_WRITE_FAILED':
    case 'VISIT_RECORD_WRITE_FAILED':
      return 'CHECK_THE_CARD';
    case 'CERTIFICATE_REVOKED':
    case 'CONTROL_SOFTWARE_TOO_OLD':
    case 'CONTROL_SOFTWARE_UNAVAILABLE':
    case 'CSDLL_INI_NOT_CONFIGURED':
    case 'CSDLL_INI_NOT_FOUND':
    case 'CSDLL_INI_READ_ONLY':
    case 'IDC_HEADER_INVALID':
    case 'IDC_SYNTAX_INVALID':
    case 'MISSING_EXPORT':
    case 'NOT_SUPPORTED_BY_BACKEND':
    case 'PIN_EXPIRED':
    case 'PROFESSIONAL_CARD_INVALID':
    case 'SAM_FILE_HOSPITAL_NAME_READ_FAILED':
    case 'SAM_FILE_HOSPITAL_SHORT_NAME_READ_FAILED':
    case 'SAM_FILE_MISSING_OR_MULTIPLE':
    case 'SAM_FILE_READ_FAILED':
    case 'SIMULATOR_ONLY':
    case 'WEB_API_CA_FILE_INVALID':
    case 'WEB_API_NOT_CONFIGURED':
    case 'WEB_API_TLS_UNTRUSTED':
      return 'CALL_CLINIC_IT';
    case 'BAD_REQUEST':
    case 'BAD_USER_INPUT':
    case 'CSRF_HEADER_MISSING':
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'HOST_NOT_ALLOWED':
    case 'IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT':
    case 'IDEMPOTENCY_KEY_SPENT':
    case 'INTERNAL_SERVER_ERROR':
    case 'LOOPBACK_ONLY':
    case 'OPERATION_NOT_FOUND':
    case 'OPERATION_RESOLUTION_FAILURE':
    case 'ORIGIN_NOT_ALLOWED':
    case 'PAIRING_CODE_INVALID':
    case 'PAIRING_ORIGIN_MISMATCH':
    case 'QUERY_TOO_COMPLEX':
    case 'QUERY_TOO_DEEP':
    case 'REQUEST_ENTITY_TOO_LARGE':
    case 'TOKEN_INVALID':
    case 'TOKEN_REQUIRED':
    case 'TOO_MANY_ALIASES':
    case 'TOO_MANY_DIRECTIVES':
    case 'TOO_MANY_TOKENS':
      return 'FIX_THE_HIS';
    case 'APPLET_PERSO_AUTH_UNAVAILABLE':
    case 'CANCEL_ALREADY_CANCELLED':
    case 'CANCEL_CATEGORY_NOT_NUMERIC':
    case 'CANCEL_DATE_NOT_ALLOWED':
    case 'CANCEL_DIFFERENT_HOSPITAL':
    case 'CANCEL_NO_RECENT_PRENATAL_CHECK':
    case 'CANCEL_NO_RECENT_PREVENTIVE_CARE':
    case 'CANCEL_NO_RECENT_VISIT':
    case 'CANCEL_VISIT_NOT_ON_CARD':
    case 'CARD_HOLDER_MISMATCH':
    case 'CARD_MANAGEMENT_AUTH_UNAVAILABLE':
    case 'CARD_PERMISSION_DENIED':
    case 'CARD_UPDATE_NOT_NEEDED':
    case 'COVERAGE_CARD_CANCELLED':
    case 'COVERAGE_IDENTITY_MISMATCH':
    case 'CS6_ALREADY_INITIALIZED':
    case 'CS6_DIAGNOSIS_ALREADY_WRITTEN':
    case 'FILE_NOT_ACCESSIBLE':
    case 'ICD10_CODEC_FAILED':
    case 'IDC_CANNOT_VERIFY_CARD':
    case 'IDC_NO_CARD_DATA':
    case 'INVALID_PARAMETER':
    case 'NEWBORN_BIRTH_ORDER_MISSING':
    case 'NO_AC_VISIT_IN_LAST_SIX':
    case 'NO_VISIT_WRITE_PERMISSION':
    case 'PHARMACY_CARD_NOT_PERMITTED':
    case 'PIN_LOCKED':
    case 'PROFESSIONAL_CARD_EXPIRED':
    case 'RESTRICTED_TO_OTHER_HOSPITALS':
    case 'SAME_DAY_MULTIPLE_DEPARTMENTS':
    case 'SAM_FILE_USED_ON_OTHER_PC':
    case 'SEX_MISMATCH_CARD_MALE':
    case 'SIGNER_UNAVAILABLE':
    case 'TEST_PRODUCTION_CARD_MISMATCH':
    case 'VENDOR_CODE_UNKNOWN':
    case 'VISIT_RECORD_NOT_FOUND':
    case 'WEB_API_CODE_UNKNOWN':
    case 'WEB_API_HOSPITAL_UNKNOWN':
    case 'WEB_API_OTHER_ERROR':
    case 'WEB_API_REQUEST_INVALID':
    case 'WEB_API_SAM_MISMATCH':
    case 'WEB_API_SAM_REVOKED':
    case 'WEB_API_WRONG_OPERATION_TYPE':
      return 'SHOW_THE_MESSAGE';
    default: {
      // Every code is handled above, so `code` is `never` here; a new code makes this line a type error.
      const _exhaustive: never = code;
      // A newer gateway may still send a code this build does not know (codes are added in minor versions).
      void _exhaustive;
      return 'SHOW_THE_MESSAGE';
    }
  }
}
