/**
 * The one table of vendor return codes (docs/reference/return-codes.md): every code the control software is known to return,
 * each mapped to a stable machine code, an error category (and so a class in gateway-errors.ts), zh-TW and
 * English text, whether the same call may simply be tried again, and what to do about it.
 *
 * Sources: docs/reference/return-codes.md lists the codes (official 3.3 appendix [S1] + ErrorCode.txt [S3]; 5.x additions from S4, marked ⁴
 * there). Where docs/reference/return-codes.md groups a range under one line (5150–5154, 5160–5173, 9082–9092, 9210–9213 …) the per-code
 * meaning comes from the same S4 error list docs/reference/return-codes.md summarises.
 *
 * Rules for `retryable` (see GatewayErrorInit): true when the same call may succeed if repeated once the user has
 * fixed something at the workstation (insert a card, start csfsim.exe, reconnect the VPN) or a transient fault has
 * passed (timeouts, IDC busy). false for a cancelled card, wrong data, missing permission, a bad parameter, anything
 * needing NHI / an administrative action, card writes that may have partly happened (check the card first), and
 * codes whose answer is an `action` that changes the card first (an expired card or one with no visits left needs
 * the card update, UPDATE_CARD: repeating the call before it only loops).
 *
 * Messages never contain patient data: only the fixed texts below.
 */
import {
  ERROR_CLASSES,
  VendorError,
  type ErrorAction,
  type ErrorCategory,
  type ErrorText,
  type GatewayError,
} from './gateway-errors.ts';

/** Categories a known vendor code can have (UNKNOWN_VENDOR_CODE is reserved for codes missing from the table). */
export type VendorCodeCategory = Exclude<ErrorCategory, 'UNKNOWN_VENDOR_CODE'>;

export interface VendorCodeEntry {
  /** The control software's return code (docs/reference/return-codes.md). Never 0. */
  readonly vendorCode: number;
  /** Stable SCREAMING_SNAKE machine code, unique across VENDOR_CODES and GATEWAY_CODES. Never changes once published. */
  readonly code: string;
  readonly category: VendorCodeCategory;
  readonly text: ErrorText;
  readonly retryable: boolean;
  /** What to do about it, where that is actionable. */
  readonly hint?: ErrorText;
  /** The call succeeded; the code only carries a warning (5010). The domain layer treats it as success. */
  readonly warningOnly?: true;
}

const t = (zh: string, en: string): ErrorText => ({ zh, en });

// ---- shared hints ----

const RETRY_READER = t(
  '請確認讀卡機連接線已接妥、電源已開啟，且 C:\\NHI\\INI\\csdll.ini 的 COM 設定正確，然後再試一次。',
  'Check that the reader is connected and powered and that COM in C:\\NHI\\INI\\csdll.ini is correct, then try again.',
);
const REINSERT_HEALTH_CARD = t(
  '請取出健保卡，確認晶片乾淨後重新插入，再試一次。',
  'Remove the health card, make sure the chip is clean, re-insert it and try again.',
);
const RUN_SAM_AUTH = t(
  '請確認網路正常後，執行安全模組認證（csVerifySAMDC，閘道的 verifySam），再試一次。',
  'Make sure the network is up, run SAM authentication (csVerifySAMDC, the gateway’s verifySam) and try again.',
);
const CHECK_CARD_BEFORE_REWRITE = t(
  '寫入可能已部分完成：請先讀取健保卡，確認這筆資料是否已寫入，再決定是否重新寫入，避免重複寫卡。',
  'The write may have partly happened: read the health card first and check whether the record is already there before writing again, to avoid a duplicate.',
);
const RETRY_WRITE = t(
  '請確認健保卡仍插在讀卡機內，再重新寫入一次。',
  'Make sure the health card is still inserted, then write again.',
);
const CHECK_NETWORK = t(
  '請檢查電腦網路線與健保 VPN 連線（VPN 數據機／路由器）是否正常，恢復後再試一次。',
  'Check the network cable and the NHI VPN connection (VPN modem/router); try again once it is back.',
);
const UPDATE_CONTROL_SOFTWARE = t(
  '請安裝最新版健保讀卡機控制軟體；若仍發生，請洽讀卡機廠商或健保署。',
  'Install the latest NHI card-reader control software; if it persists, contact the reader vendor or NHI.',
);
const CARD_COUNTER_HINT = t(
  '卡片內的累計資料不一致：請執行健保卡內容更新（API 1.30）；若仍發生，請病患至健保署各業務組檢查或換發新卡。',
  'The counters on the card are inconsistent: run the card update (API 1.30); if it persists, the patient should have the card checked or replaced at an NHI office.',
);
const COVERAGE_HINT = t(
  '請病患洽投保單位或健保署確認投保狀態；本次請依院所規定處理（例如改以自費）。',
  'The patient should check their coverage with their insurance unit or NHI; handle this visit per clinic policy (e.g. self-pay).',
);
const CANCEL_RULE_HINT = t(
  '退掛條件不符，無法在卡片上取消這筆就醫；請確認就醫日期時間是否正確。',
  'The cancellation rules are not met, so this visit cannot be cancelled on the card; check the visit date/time.',
);
const PIN_RETRY = t(
  '請重新輸入正確的 PIN 碼；連續輸錯多次卡片會被鎖住。',
  'Enter the correct PIN again; too many wrong attempts lock the card.',
);
const CONTACT_NHI_SAM = t(
  '請洽健保署（分區業務組）確認安全模組卡的合約與狀態。',
  'Contact NHI (regional division) about the SAM contract and status.',
);
const HPC_CERT_CENTRE = t(
  '請洽醫事憑證管理中心（HCA）辦理。',
  'Contact the Healthcare Certification Authority (HCA).',
);
const SAM_FILE_HINT = t(
  'C:\\NHI\\SAM\\COMX1（或 csdll.ini 中 COM 設定的 COMX 目錄）內必須恰好有一個健保署核發的 .SAM 檔。',
  'Exactly one NHI-issued .SAM file must be in C:\\NHI\\SAM\\COMX1 (or the COMX folder set as COM in csdll.ini).',
);

/**
 * The action a shared hint asks for, where retrying cannot help by itself (src/errors/catalogue.ts reads it;
 * codes whose own hint asks for an action are listed there by code).
 */
export const HINT_ACTIONS: ReadonlyMap<ErrorText, ErrorAction> = new Map<ErrorText, ErrorAction>([
  [CARD_COUNTER_HINT, 'UPDATE_CARD'],
  [CHECK_CARD_BEFORE_REWRITE, 'CHECK_CARD_BEFORE_RETRY'],
  [COVERAGE_HINT, 'CHECK_COVERAGE'],
  [UPDATE_CONTROL_SOFTWARE, 'UPDATE_CONTROL_SOFTWARE'],
  [CONTACT_NHI_SAM, 'CONTACT_NHI'],
  [HPC_CERT_CENTRE, 'CONTACT_HCA'],
  [SAM_FILE_HINT, 'FIX_CONFIGURATION'],
]);

/**
 * Every code of docs/reference/return-codes.md, ascending. 0 (success) is not an error and is not listed.
 */
export const VENDOR_CODES: readonly VendorCodeEntry[] = [
  // ---- −1: csOpenCom / csCloseCom (docs/reference/return-codes.md, docs/reference/functions.md (1.31 / 1.32)) ----
  {
    vendorCode: -1, code: 'READER_OPEN_CLOSE_FAILED', category: 'READER', retryable: true,
    text: t('讀卡機連接埠開啟或關閉失敗', 'Could not open or close the card reader (csOpenCom/csCloseCom failed)'),
    hint: RETRY_READER,
  },

  // ---- CS 6.0 REST status codes (docs/reference/return-codes.md "1000–3504", docs/reference/webapi.md (Control software 6.0)): only those docs/reference/return-codes.md names individually ----
  {
    // On Initial this means the service is already usable; the CS 6.0 adapter may treat it as success (S4 does).
    vendorCode: 1001, code: 'CS6_ALREADY_INITIALIZED', category: 'CONTROL_SOFTWARE', retryable: false,
    text: t('讀卡控制軟體 6.0 已初始化', 'The control software (CS 6.0) is already initialised'),
  },
  {
    vendorCode: 1102, code: 'CS6_NO_CARD', category: 'CARD', retryable: true,
    text: t('讀卡機內沒有卡片', 'No card in the reader (CS 6.0)'),
    hint: t('請插入卡片；若卡片已插入，請取出後重新插入一次。', 'Insert the card; if it is already inserted, remove it and insert it again.'),
  },
  {
    vendorCode: 1402, code: 'CS6_PROFESSIONAL_CARD_NOT_VERIFIED', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('醫事人員卡尚未完成驗證', 'The professional card (HPC) has not been verified (CS 6.0)'),
    hint: t('請插入醫事人員卡並完成 PIN 碼驗證，再試一次。', 'Insert the professional card, verify its PIN and try again.'),
  },
  {
    vendorCode: 3209, code: 'CS6_DIAGNOSIS_ALREADY_WRITTEN', category: 'CARD_WRITE', retryable: false,
    text: t('此筆就醫資料已寫入診斷碼', 'Diagnosis codes have already been written for this visit (CS 6.0)'),
  },

  // ---- 4000–4071: reader, card presence, SAM/IDC (docs/reference/return-codes.md, docs/reference/buffers.md (1.15)) ----
  {
    vendorCode: 4000, code: 'READER_TIMEOUT', category: 'READER', retryable: true,
    text: t('讀卡機逾時無回應', 'The card reader timed out'),
    hint: RETRY_READER,
  },
  {
    vendorCode: 4012, code: 'SAM_NOT_INSERTED', category: 'SAM', retryable: true,
    text: t('未置入安全模組卡（SAM）', 'No SAM card inserted'),
    hint: t(
      '健保專屬讀卡機：請確認安全模組卡已正確裝在讀卡機內；雲端安全模組：請確認雲端安全模組主控台（csfsim.exe）已啟動。',
      'Dedicated NHI reader: check that the SAM card is seated in the reader. Cloud SAM: check that the cloud SAM console (csfsim.exe) is running.',
    ),
  },
  {
    // docs/reference/return-codes.md: S4 notes 4013 also covers a missing virtual health card.
    vendorCode: 4013, code: 'HEALTH_CARD_NOT_INSERTED', category: 'CARD', retryable: true,
    text: t('未插入健保卡（或未出示虛擬健保卡）', 'No health card inserted (or no virtual health card presented)'),
    hint: t(
      '請將病患的健保卡晶片朝上插入讀卡機的健保卡插槽，再試一次。',
      'Insert the patient’s health card (chip facing up) into the reader’s health-card slot and try again.',
    ),
  },
  {
    vendorCode: 4014, code: 'PROFESSIONAL_CARD_NOT_INSERTED', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('未插入醫事人員卡', 'No professional card (HPC) inserted'),
    hint: t('請插入醫事人員卡，再試一次。', 'Insert the professional card (HPC) and try again.'),
  },
  {
    vendorCode: 4029, code: 'CARD_PERMISSION_DENIED', category: 'CARD', retryable: false,
    text: t('卡片權限不足，無法執行此作業', 'The card does not have permission for this operation'),
    hint: t(
      '請確認插入的卡片（例如醫事人員卡的類別）有權限執行此功能。',
      'Check that the inserted card (e.g. the kind of professional card) is allowed to perform this function.',
    ),
  },
  {
    vendorCode: 4032, code: 'NOT_A_SAM_CARD', category: 'SAM', retryable: true,
    text: t('插入的卡片不是安全模組卡', 'The card in the SAM slot is not a SAM card'),
    hint: t('請確認安全模組插槽內放的是安全模組卡。', 'Put the SAM card in the SAM slot.'),
  },
  {
    vendorCode: 4033, code: 'NOT_A_HEALTH_CARD', category: 'CARD', retryable: true,
    text: t('插入的卡片不是健保卡', 'The inserted card is not a health card'),
    hint: t('請確認插入的是病患的健保卡，且插在健保卡插槽。', 'Insert the patient’s health card into the health-card slot.'),
  },
  {
    vendorCode: 4034, code: 'NOT_A_PROFESSIONAL_CARD', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('插入的卡片不是醫事人員卡', 'The inserted card is not a professional card (HPC)'),
    hint: t('請確認醫事人員卡插槽內插的是醫事人員卡。', 'Insert the professional card into the HPC slot.'),
  },
  {
    vendorCode: 4042, code: 'PROFESSIONAL_CARD_PIN_NOT_VERIFIED', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('醫事人員卡 PIN 碼尚未驗證', 'The professional card PIN has not been verified'),
    hint: t('請先完成醫事人員卡 PIN 碼驗證（hpcVerifyHPCPIN），再試一次。', 'Verify the professional card PIN first (hpcVerifyHPCPIN), then try again.'),
  },
  {
    // Retryable for reads; during a write the hint says to check the card first.
    vendorCode: 4043, code: 'HEALTH_CARD_IO_ERROR', category: 'CARD', retryable: true,
    text: t('健保卡讀取或寫入異常', 'Error reading or writing the health card'),
    hint: t(
      '請取出健保卡，確認晶片乾淨後重新插入再試；若發生在寫卡時，請先讀卡確認資料是否已寫入，再決定是否重寫。',
      'Remove the health card, clean the chip, re-insert it and try again; if this happened during a write, read the card first to check whether the data was written.',
    ),
  },
  {
    vendorCode: 4050, code: 'SAM_NOT_AUTHENTICATED', category: 'SAM', retryable: true,
    text: t('安全模組尚未與健保署 IDC 完成認證', 'The SAM has not been authenticated with the NHI IDC yet'),
    hint: t(
      '請執行安全模組認證（csVerifySAMDC，閘道的 verifySam），完成後再試一次。',
      'Run SAM authentication (csVerifySAMDC, the gateway’s verifySam), then try again.',
    ),
  },
  {
    vendorCode: 4051, code: 'SAM_AUTHENTICATION_FAILED', category: 'SAM', retryable: true,
    text: t('安全模組與健保署 IDC 認證失敗', 'SAM authentication with the NHI IDC failed'),
    hint: t(
      '請確認網路與 VPN 正常後，再執行一次安全模組認證（verifySam）；若持續失敗，請洽讀卡機廠商或健保署。',
      'Check the network/VPN, then run SAM authentication (verifySam) again; if it keeps failing, contact the reader vendor or NHI.',
    ),
  },
  {
    vendorCode: 4061, code: 'NETWORK_DOWN', category: 'NETWORK', retryable: true,
    text: t('網路不通，無法連線健保署', 'The network is down: NHI cannot be reached'),
    hint: CHECK_NETWORK,
  },
  {
    vendorCode: 4071, code: 'HEALTH_CARD_IDC_AUTH_FAILED', category: 'CARD', retryable: true,
    text: t('健保卡與健保署 IDC 認證失敗', 'Health card authentication with the NHI IDC failed'),
    hint: t(
      '請確認網路正常並重新插入健保卡再試；若持續失敗，請病患洽健保署檢查卡片。',
      'Check the network, re-insert the health card and try again; if it keeps failing, the patient should have the card checked by NHI.',
    ),
  },

  // ---- 5001–5174: business rules, reads and writes (docs/reference/return-codes.md) ----
  {
    vendorCode: 5001, code: 'NO_REMAINING_VISITS', category: 'VISIT', retryable: false,
    text: t('健保卡可用就醫次數不足', 'No visits left on the health card'),
    hint: t(
      '請在櫃檯執行健保卡內容更新（API 1.30 csUpdateHCContents）後再試；若更新後仍無可用次數，請確認病患投保狀態。',
      'Run the card update at the counter (API 1.30 csUpdateHCContents) and try again; if no visits are available after the update, check the patient’s coverage.',
    ),
  },
  {
    vendorCode: 5002, code: 'HEALTH_CARD_CANCELLED', category: 'CARD', retryable: false,
    text: t('此健保卡已註銷', 'This health card has been cancelled'),
    hint: t('此卡已不能使用，請病患持新卡就醫或向健保署申辦新卡。', 'The card can no longer be used: the patient should use their new card or apply for one at NHI.'),
  },
  {
    vendorCode: 5003, code: 'HEALTH_CARD_EXPIRED', category: 'CARD', retryable: false,
    text: t('健保卡已超過有效期限', 'The health card has expired'),
    hint: t('請執行健保卡內容更新（API 1.30）以更新卡片效期，再試一次。', 'Run the card update (API 1.30) to renew the card’s validity, then try again.'),
  },
  {
    // docs/reference/return-codes.md CONFLICT: the 3.3 spec says "newborn attachment beyond 60 days", ErrorCode.txt says "not a newborn
    // within one month". Both mean the newborn may no longer be seen on a parent's card; the text avoids the number.
    vendorCode: 5004, code: 'NEWBORN_ATTACHMENT_EXPIRED', category: 'VISIT', retryable: false,
    text: t('已超過新生兒依附父母健保卡就醫的期限', 'The period in which a newborn may be seen on a parent’s card has passed'),
    hint: t('請改用新生兒本人的健保卡或身分證號就醫。', 'Use the newborn’s own health card or ID number for this visit.'),
  },
  {
    vendorCode: 5005, code: 'READER_CLOCK_READ_FAILED', category: 'READER', retryable: true,
    text: t('讀取讀卡機日期時間失敗', 'Could not read the card reader’s clock'),
    hint: RETRY_READER,
  },
  {
    vendorCode: 5006, code: 'SAM_HOSPITAL_CODE_READ_FAILED', category: 'SAM', retryable: true,
    text: t('讀取安全模組內的醫事機構代碼失敗', 'Could not read the hospital code stored in the SAM'),
    hint: RUN_SAM_AUTH,
  },
  {
    vendorCode: 5007, code: 'NEW_VISIT_RECORD_WRITE_FAILED', category: 'CARD_WRITE', retryable: false,
    text: t('寫入新的就醫資料登錄失敗', 'Writing a new visit record to the health card failed'),
    hint: CHECK_CARD_BEFORE_REWRITE,
  },
  {
    vendorCode: 5008, code: 'SAM_SIGNING_FAILED', category: 'SAM', retryable: true,
    text: t('安全模組簽章失敗', 'The SAM failed to sign'),
    hint: RUN_SAM_AUTH,
  },
  {
    // docs/reference/return-codes.md: some API pages word it as "投保單位無權限".
    vendorCode: 5009, code: 'NO_VISIT_WRITE_PERMISSION', category: 'VISIT', retryable: false,
    text: t('無寫入就醫相關紀錄的權限', 'No permission to write visit records'),
  },
  {
    // docs/reference/return-codes.md: since 3.x a warning, not fatal (S4 treats it as success). The visit was registered.
    vendorCode: 5010, code: 'SAME_DAY_MULTIPLE_DEPARTMENTS', category: 'VISIT', retryable: false, warningOnly: true,
    text: t('提醒：病患今日已在兩科（含）以上就診', 'Note: the patient has visited two or more departments today'),
  },
  {
    vendorCode: 5012, code: 'NOT_INSURED', category: 'INSURANCE', retryable: false,
    text: t('病患目前未在保（或有欠費）', 'The patient is not currently insured (or has arrears)'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 5015, code: 'OUTPATIENT_PRESCRIPTIONS_READ_FAILED', category: 'CARD', retryable: true,
    text: t('讀取健保卡門診處方箋失敗', 'Could not read the outpatient prescriptions from the health card'),
    hint: REINSERT_HEALTH_CARD,
  },
  {
    vendorCode: 5016, code: 'LONG_TERM_PRESCRIPTIONS_READ_FAILED', category: 'CARD', retryable: true,
    text: t('讀取健保卡長期處方箋失敗', 'Could not read the long-term prescriptions from the health card'),
    hint: REINSERT_HEALTH_CARD,
  },
  {
    vendorCode: 5017, code: 'IMPORTANT_ORDERS_READ_FAILED', category: 'CARD', retryable: true,
    text: t('讀取健保卡重要醫令失敗', 'Could not read the important medical orders from the health card'),
    hint: REINSERT_HEALTH_CARD,
  },
  {
    vendorCode: 5018, code: 'ALLERGIES_READ_FAILED', category: 'CARD', retryable: true,
    text: t('讀取健保卡過敏藥物失敗', 'Could not read the drug allergies from the health card'),
    hint: REINSERT_HEALTH_CARD,
  },
  {
    vendorCode: 5020, code: 'CARD_HOLDER_MISMATCH', category: 'CARD_WRITE', retryable: false,
    text: t('要寫入的資料與健保卡不是同一人', 'The data to write belongs to a different person than the health card'),
    hint: t(
      '請確認插入的健保卡與本次寫入的病患（身分證號、出生日期）相符。',
      'Check that the inserted health card belongs to the patient being written (ID number, date of birth).',
    ),
  },
  {
    vendorCode: 5022, code: 'VISIT_RECORD_NOT_FOUND', category: 'VISIT', retryable: false,
    text: t('健保卡上找不到這筆就醫資料登錄', 'The visit record was not found on the health card'),
    hint: t('請確認就醫日期時間與取號時相同。', 'Check that the visit date/time is the one returned when the visit was registered.'),
  },
  {
    vendorCode: 5023, code: 'VISIT_RECORD_WRITE_FAILED', category: 'CARD_WRITE', retryable: false,
    text: t('就醫資料登錄寫入失敗', 'Writing the visit record failed'),
    hint: CHECK_CARD_BEFORE_REWRITE,
  },
  {
    vendorCode: 5028, code: 'FEE_RECORD_WRITE_FAILED', category: 'CARD_WRITE', retryable: false,
    text: t('就醫費用紀錄寫入失敗', 'Writing the visit fee record failed'),
    hint: CHECK_CARD_BEFORE_REWRITE,
  },
  {
    vendorCode: 5033, code: 'PRESCRIPTION_WRITE_FAILED', category: 'CARD_WRITE', retryable: false,
    text: t('門診處方箋寫入失敗', 'Writing the outpatient prescription failed'),
    hint: CHECK_CARD_BEFORE_REWRITE,
  },
  {
    vendorCode: 5051, code: 'NEWBORN_FLAG_WRITE_FAILED', category: 'CARD_WRITE', retryable: true,
    text: t('新生兒註記寫入失敗', 'Writing the newborn flag failed'),
    hint: RETRY_WRITE,
  },
  {
    vendorCode: 5052, code: 'NEWBORN_BIRTH_ORDER_MISSING', category: 'CARD_WRITE', retryable: false,
    text: t('有新生兒出生日期，但缺少胞胎註記', 'A newborn birth date was given without the birth-order (multiple birth) flag'),
    hint: t('請同時填寫新生兒出生日期與胞胎註記。', 'Provide the birth-order flag together with the newborn’s birth date.'),
  },
  {
    vendorCode: 5056, code: 'PROFESSIONAL_CARD_ID_READ_FAILED', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('讀取醫事人員卡身分證號失敗', 'Could not read the ID number from the professional card'),
    hint: t('請重新插入醫事人員卡，再試一次。', 'Re-insert the professional card and try again.'),
  },
  {
    vendorCode: 5057, code: 'ALLERGY_WRITE_FAILED', category: 'CARD_WRITE', retryable: true,
    text: t('過敏藥物寫入失敗', 'Writing the drug allergy record failed'),
    hint: RETRY_WRITE,
  },
  {
    vendorCode: 5061, code: 'ORGAN_DONATION_WRITE_FAILED', category: 'CARD_WRITE', retryable: true,
    text: t('器官捐贈及安寧緩和醫療註記寫入失敗', 'Writing the organ-donation / hospice-care flag failed'),
    hint: RETRY_WRITE,
  },
  {
    vendorCode: 5062, code: 'ORGAN_DONATION_ENTRY_ABANDONED', category: 'CARD_WRITE', retryable: true,
    text: t('已放棄輸入器官捐贈及安寧緩和醫療註記', 'Entry of the organ-donation / hospice-care flag was abandoned'),
  },
  {
    // docs/reference/return-codes.md lists 5067 with the same meaning as 5006 (S4: read from the SAM card rather than the SAM file).
    vendorCode: 5067, code: 'SAM_CARD_HOSPITAL_CODE_READ_FAILED', category: 'SAM', retryable: true,
    text: t('安全模組卡的醫事機構代碼讀取失敗', 'Could not read the hospital code from the SAM card'),
    hint: RUN_SAM_AUTH,
  },
  {
    vendorCode: 5068, code: 'PREVENTIVE_CARE_WRITE_FAILED', category: 'CARD_WRITE', retryable: false,
    text: t('預防保健資料寫入失敗', 'Writing the preventive-care record failed'),
    hint: CHECK_CARD_BEFORE_REWRITE,
  },
  {
    vendorCode: 5069, code: 'CHILD_CARE_PRENATAL_SLOT_WRITE_FAILED', category: 'CARD_WRITE', retryable: false,
    text: t('兒童預防保健服務紀錄寫入孕婦產檢欄位失敗', 'Writing the child preventive-care record into the prenatal-check slot failed'),
    hint: CHECK_CARD_BEFORE_REWRITE,
  },
  {
    vendorCode: 5071, code: 'EMERGENCY_TEL_WRITE_FAILED', category: 'CARD_WRITE', retryable: true,
    text: t('緊急聯絡電話寫入失敗', 'Writing the emergency contact number failed'),
    hint: RETRY_WRITE,
  },
  {
    vendorCode: 5078, code: 'PRENATAL_CHECK_WRITE_FAILED', category: 'CARD_WRITE', retryable: false,
    text: t('產前檢查資料寫入失敗', 'Writing the prenatal-check record failed'),
    hint: CHECK_CARD_BEFORE_REWRITE,
  },
  {
    vendorCode: 5079, code: 'SEX_MISMATCH_CARD_MALE', category: 'CARD_WRITE', retryable: false,
    text: t('性別不符：健保卡記載為男性', 'Sex mismatch: the health card records the holder as male'),
    hint: t('限女性的資料（例如產前檢查）無法寫入此卡，請確認病患與卡片。', 'Female-only records (e.g. prenatal checks) cannot be written to this card; check the patient and the card.'),
  },
  {
    vendorCode: 5081, code: 'CANCEL_NO_RECENT_VISIT', category: 'VISIT', retryable: false,
    text: t('最近 24 小時內未曾在本院所就醫，不能取消就醫', 'No visit at this hospital in the last 24 hours, so no visit can be cancelled'),
    hint: CANCEL_RULE_HINT,
  },
  {
    vendorCode: 5082, code: 'CANCEL_NO_RECENT_PRENATAL_CHECK', category: 'VISIT', retryable: false,
    text: t('最近 24 小時內未曾在本院所做產檢，不能取消產檢', 'No prenatal check at this hospital in the last 24 hours, so none can be cancelled'),
    hint: CANCEL_RULE_HINT,
  },
  {
    vendorCode: 5083, code: 'NO_AC_VISIT_IN_LAST_SIX', category: 'VISIT', retryable: false,
    text: t(
      '最近 6 次就醫不含就醫類別 AC，不能單獨寫入預防保健或產檢紀錄',
      'None of the last 6 visits has treatment category AC, so a preventive-care or prenatal record cannot be written on its own',
    ),
    hint: t('請先以就醫類別 AC（預防保健）取號，再寫入紀錄。', 'Register the visit with treatment category AC (preventive care) first, then write the record.'),
  },
  {
    vendorCode: 5084, code: 'CANCEL_NO_RECENT_PREVENTIVE_CARE', category: 'VISIT', retryable: false,
    text: t('最近 24 小時內未曾在本院所做預防保健，不能取消保健服務', 'No preventive care at this hospital in the last 24 hours, so none can be cancelled'),
    hint: CANCEL_RULE_HINT,
  },
  {
    vendorCode: 5087, code: 'PRENATAL_DELETE_FAILED', category: 'CARD_WRITE', retryable: true,
    text: t('刪除全部 11 組孕婦產前檢查資料失敗', 'Deleting the 11 prenatal-check records failed'),
    hint: RETRY_WRITE,
  },
  {
    vendorCode: 5093, code: 'VACCINATION_WRITE_FAILED', category: 'CARD_WRITE', retryable: false,
    text: t('預防接種資料寫入失敗', 'Writing the vaccination record failed'),
    hint: CHECK_CARD_BEFORE_REWRITE,
  },
  {
    vendorCode: 5102, code: 'HEALTH_CARD_PIN_INCORRECT', category: 'PIN', retryable: true,
    text: t('輸入的 PIN 碼與健保卡上的不符', 'The PIN entered does not match the health card’s PIN'),
    hint: PIN_RETRY,
  },
  {
    vendorCode: 5105, code: 'OLD_PIN_NOT_VERIFIED', category: 'PIN', retryable: true,
    text: t('原 PIN 碼尚未通過驗證', 'The current PIN has not been verified'),
    hint: t('請先驗證病患健保卡的原 PIN 碼（csVerifyHCPIN），再變更。', 'Verify the health card’s current PIN first (csVerifyHCPIN), then change it.'),
  },
  {
    vendorCode: 5107, code: 'NEW_PINS_DIFFER', category: 'PIN', retryable: true,
    text: t('兩次輸入的新 PIN 碼不一致', 'The two new PINs entered differ'),
    hint: t('請重新設定，兩次輸入相同的新 PIN 碼。', 'Start again and enter the same new PIN twice.'),
  },
  {
    vendorCode: 5108, code: 'PIN_CHANGE_FAILED', category: 'PIN', retryable: true,
    text: t('PIN 碼變更失敗', 'Changing the PIN failed'),
  },
  {
    vendorCode: 5109, code: 'PIN_ENTRY_CANCELLED', category: 'PIN', retryable: true,
    text: t('輸入 PIN 碼時按了「取消」', 'PIN entry was cancelled (Cancel was pressed)'),
  },
  {
    vendorCode: 5110, code: 'REMOVE_PROFESSIONAL_CARD_FOR_PIN_CHANGE', category: 'PIN', retryable: true,
    text: t('變更健保卡 PIN 碼時不可插著醫事人員卡', 'The professional card must be removed while the health card PIN is changed'),
    hint: t('請先取出醫事人員卡，再變更健保卡 PIN 碼。', 'Remove the professional card, then change the health card PIN.'),
  },
  {
    vendorCode: 5111, code: 'PIN_DISABLE_FAILED', category: 'PIN', retryable: true,
    text: t('停用失敗，健保卡的 PIN 碼仍為啟用狀態', 'Disabling the PIN failed; the health card PIN is still enabled'),
  },
  {
    vendorCode: 5122, code: 'PROFESSIONAL_CARD_STILL_LOCKED', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('醫事人員卡仍在鎖住狀態', 'The professional card is still locked'),
    hint: t('請先解鎖醫事人員卡（hpcUnlockHPC），或洽醫事憑證管理中心。', 'Unlock the professional card first (hpcUnlockHPC) or contact the Healthcare Certification Authority.'),
  },
  {
    vendorCode: 5130, code: 'CARD_UPDATE_FAILED', category: 'CARD', retryable: true,
    text: t('更新健保卡內容失敗', 'Updating the health card failed'),
    hint: t('請確認網路與 VPN 正常、健保卡未被取出，再執行一次卡片更新。', 'Check the network/VPN and that the card stays inserted, then run the card update again.'),
  },
  {
    // docs/reference/return-codes.md: the call returned only the critical-illness validity dates; the codes need an HPC.
    vendorCode: 5141, code: 'CRITICAL_ILLNESS_DATES_ONLY', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('未插入醫事人員卡，只能讀取重大傷病有效起訖日期', 'No professional card inserted: only the critical-illness validity dates can be read'),
    hint: t('若需重大傷病代碼，請插入醫事人員卡並完成 PIN 碼驗證後再讀取。', 'To get the critical-illness codes, insert the professional card, verify its PIN and read again.'),
  },
  // docs/reference/return-codes.md 5150–5154: 退掛 (csUnGetSeqNumber) errors.
  {
    vendorCode: 5150, code: 'CANCEL_VISIT_NOT_ON_CARD', category: 'VISIT', retryable: false,
    text: t('退掛失敗：卡片中沒有這筆就醫紀錄', 'Cancellation failed: the card has no such visit'),
    hint: CANCEL_RULE_HINT,
  },
  {
    vendorCode: 5151, code: 'CANCEL_CATEGORY_NOT_NUMERIC', category: 'VISIT', retryable: false,
    text: t('退掛失敗：就醫類別為數字（01–05）的就醫才可退掛', 'Cancellation failed: only visits with a numeric treatment category (01–05) can be cancelled'),
  },
  {
    vendorCode: 5152, code: 'CANCEL_DIFFERENT_HOSPITAL', category: 'VISIT', retryable: false,
    text: t('退掛失敗：這筆就醫不是在本院所，不可退掛', 'Cancellation failed: the visit was at a different hospital'),
  },
  {
    vendorCode: 5153, code: 'CANCEL_ALREADY_CANCELLED', category: 'VISIT', retryable: false,
    text: t('退掛失敗：這筆就醫已退掛過，不可重複退掛', 'Cancellation failed: the visit has already been cancelled'),
  },
  {
    vendorCode: 5154, code: 'CANCEL_DATE_NOT_ALLOWED', category: 'VISIT', retryable: false,
    text: t('退掛失敗：退掛日期不符規定', 'Cancellation failed: the visit date is outside the period in which it may be cancelled'),
  },
  // docs/reference/return-codes.md 5160–5173: counters on the card are inconsistent (per-code meaning from S4's list).
  {
    vendorCode: 5160, code: 'CARD_COUNTER_VISITS_LEFT_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：就醫可用次數不合理', 'Card data inconsistent: remaining visits'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5161, code: 'CARD_COUNTER_LAST_VISIT_YEAR_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：最近一次就醫年不合理', 'Card data inconsistent: year of the last visit'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5162, code: 'CARD_COUNTER_LAST_SEQ_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：最近一次就醫序號不合理', 'Card data inconsistent: last visit sequence number'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5163, code: 'CARD_COUNTER_INPATIENT_FEE_TOTAL_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：住診費用總累計不合理', 'Card data inconsistent: total inpatient fees'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5164, code: 'CARD_COUNTER_OUTPATIENT_FEE_TOTAL_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：門診費用總累計不合理', 'Card data inconsistent: total outpatient fees'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5165, code: 'CARD_COUNTER_CUMULATIVE_YEAR_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：就醫累計資料年不合理', 'Card data inconsistent: year of the cumulative data'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5166, code: 'CARD_COUNTER_VISIT_TOTAL_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：門住診就醫累計次數不合理', 'Card data inconsistent: cumulative outpatient/inpatient visit count'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5167, code: 'CARD_COUNTER_OUTPATIENT_COPAY_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：門診部分負擔費用累計不合理', 'Card data inconsistent: cumulative outpatient co-payment'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5168, code: 'CARD_COUNTER_SHORT_STAY_COPAY_INVALID', category: 'CARD', retryable: false,
    text: t(
      '卡片資料異常：住診（急性 30 天、慢性 180 天以下）部分負擔費用累計不合理',
      'Card data inconsistent: cumulative inpatient co-payment (acute up to 30 days, chronic up to 180 days)',
    ),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5169, code: 'CARD_COUNTER_LONG_STAY_COPAY_INVALID', category: 'CARD', retryable: false,
    text: t(
      '卡片資料異常：住診（急性 31 天、慢性 181 天以上）部分負擔費用累計不合理',
      'Card data inconsistent: cumulative inpatient co-payment (acute from 31 days, chronic from 181 days)',
    ),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5170, code: 'CARD_COUNTER_TOTAL_COPAY_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：門診加住診部分負擔費用累計不合理', 'Card data inconsistent: cumulative outpatient plus inpatient co-payment'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5171, code: 'CARD_COUNTER_OUTPATIENT_SHORT_STAY_COPAY_INVALID', category: 'CARD', retryable: false,
    text: t(
      '卡片資料異常：門診加住診（急性 30 天、慢性 180 天以下）部分負擔費用累計不合理',
      'Card data inconsistent: cumulative co-payment for outpatient plus short inpatient stays (acute up to 30 days, chronic up to 180 days)',
    ),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5172, code: 'CARD_COUNTER_OUTPATIENT_COST_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：門診醫療費用累計不合理', 'Card data inconsistent: cumulative outpatient medical costs'),
    hint: CARD_COUNTER_HINT,
  },
  {
    vendorCode: 5173, code: 'CARD_COUNTER_INPATIENT_COST_INVALID', category: 'CARD', retryable: false,
    text: t('卡片資料異常：住診醫療費用累計不合理', 'Card data inconsistent: cumulative inpatient medical costs'),
    hint: CARD_COUNTER_HINT,
  },
  {
    // docs/reference/return-codes.md 5174⁴: S4 tolerates it as non-fatal after 1.53 (the visit number was obtained); the domain layer maps that
    // case to TREATMENT_ID_PENDING. The NHI briefing notes a 5.1.5.5 bug returning 5174 with test cards (1.54).
    vendorCode: 5174, code: 'TREATMENT_ID_FETCH_FAILED', category: 'VISIT', retryable: true,
    text: t('取得就醫識別碼失敗', 'Could not get the treatment ID'),
    hint: t(
      '請確認網路正常並已安裝新版控制軟體後再試；若已取得就醫序號，請勿重新掛號，改為補取就醫識別碼。',
      'Check the network and that the latest control software is installed, then try again; if a visit number was already obtained, do not register again — fetch the treatment ID for that visit instead.',
    ),
  },

  // ---- 6005–6019: authentication, files, parameters (docs/reference/return-codes.md) ----
  {
    vendorCode: 6005, code: 'SAM_EXTERNAL_AUTH_FAILED', category: 'SAM', retryable: true,
    text: t('安全模組卡外部認證失敗', 'SAM external authentication failed'),
    hint: RUN_SAM_AUTH,
  },
  {
    vendorCode: 6006, code: 'IDC_EXTERNAL_AUTH_FAILED', category: 'SAM', retryable: true,
    text: t('健保署 IDC 外部認證失敗', 'NHI IDC external authentication failed'),
    hint: RUN_SAM_AUTH,
  },
  {
    vendorCode: 6007, code: 'SAM_INTERNAL_AUTH_FAILED', category: 'SAM', retryable: true,
    text: t('安全模組卡內部認證失敗', 'SAM internal authentication failed'),
    hint: RUN_SAM_AUTH,
  },
  {
    vendorCode: 6008, code: 'READER_CLOCK_WRITE_FAILED', category: 'READER', retryable: true,
    text: t('寫入讀卡機日期時間失敗', 'Could not set the card reader’s clock'),
    hint: RETRY_READER,
  },
  {
    vendorCode: 6014, code: 'IDC_SIGNATURE_CHECK_FAILED', category: 'NETWORK', retryable: true,
    text: t('健保署 IDC 驗證簽章失敗', 'The NHI IDC could not verify the signature'),
    hint: t('請再試一次；若持續失敗，請重新執行安全模組認證（verifySam）。', 'Try again; if it keeps failing, run SAM authentication (verifySam) again.'),
  },
  {
    vendorCode: 6015, code: 'FILE_TRANSFER_FAILED', category: 'NETWORK', retryable: true,
    text: t('檔案大小不符或檔案傳輸失敗', 'File size mismatch or file transfer failed'),
    hint: t('請確認網路正常後重新上傳；檔案較大時建議分批上傳（例如每次 30 筆）。', 'Check the network and upload again; split large uploads (e.g. 30 records at a time).'),
  },
  {
    vendorCode: 6016, code: 'OUT_OF_MEMORY', category: 'CONTROL_SOFTWARE', retryable: true,
    text: t('記憶體空間不足', 'The control software ran out of memory'),
    hint: t('請關閉不用的程式後再試；若持續發生，請重新開機。', 'Close unused programs and try again; if it persists, restart the computer.'),
  },
  {
    vendorCode: 6017, code: 'FILE_NOT_ACCESSIBLE', category: 'CONTROL_SOFTWARE', retryable: false,
    text: t('找不到檔案或權限不足無法開啟檔案', 'File not found or no permission to open it'),
    hint: t('請確認檔案路徑正確，且執行閘道的帳號有讀取權限。', 'Check the file path and that the account running the gateway may read it.'),
  },
  {
    // docs/reference/buffers.md (Code lists) CONFLICT on cTreatAfterCheck: the spec allows 1 (normal) / 2 (late card), the official ICD-10 example
    // passes "0". If 6018 comes back from hisGetSeqNumber256*, suspect that parameter. docs/reference/functions.md (1.48): len below 40 → 6018.
    vendorCode: 6018, code: 'INVALID_PARAMETER', category: 'CONTROL_SOFTWARE', retryable: false,
    text: t('傳入參數錯誤', 'Invalid parameter passed to the control software'),
  },
  {
    vendorCode: 6019, code: 'PROFESSIONAL_CARD_PIN_EMPTY', category: 'PIN', retryable: true,
    text: t('醫事人員卡 PIN 碼不可空白', 'The professional card PIN must not be empty'),
    hint: t('請輸入醫事人員卡 PIN 碼。', 'Enter the professional card PIN.'),
  },

  // ---- 9001–9267: NHI IDC / data-centre and cloud-SAM answers (docs/reference/return-codes.md) ----
  {
    vendorCode: 9001, code: 'IDC_HEADER_INVALID', category: 'NETWORK', retryable: false,
    text: t('送至健保署 IDC 的訊息表頭檢核不符', 'The message header sent to the NHI IDC was rejected'),
    hint: UPDATE_CONTROL_SOFTWARE,
  },
  {
    vendorCode: 9002, code: 'IDC_SYNTAX_INVALID', category: 'NETWORK', retryable: false,
    text: t('送至健保署 IDC 的訊息語法不符', 'The message sent to the NHI IDC has invalid syntax'),
    hint: UPDATE_CONTROL_SOFTWARE,
  },
  {
    vendorCode: 9003, code: 'IDC_TIMEOUT', category: 'NETWORK', retryable: true,
    text: t('與健保署 IDC 連線逾時', 'The NHI IDC timed out'),
    hint: CHECK_NETWORK,
  },
  {
    vendorCode: 9004, code: 'IDC_UNAVAILABLE', category: 'NETWORK', retryable: true,
    text: t('健保署 IDC 異常，暫時無法服務', 'The NHI IDC is down and cannot serve requests'),
    hint: t('健保署端暫時異常，請稍後再試。', 'A temporary fault at NHI: try again later.'),
  },
  {
    vendorCode: 9010, code: 'IDC_CANNOT_VERIFY_CARD', category: 'CARD', retryable: false,
    text: t('健保署 IDC 無法驗證此卡片', 'The NHI IDC cannot authenticate this card'),
    hint: t('請病患洽健保署確認卡片狀態。', 'The patient should have the card checked by NHI.'),
  },
  {
    vendorCode: 9011, code: 'IDC_HEALTH_CARD_AUTH_FAILED', category: 'CARD', retryable: true,
    text: t('健保署 IDC 驗證健保卡失敗', 'The NHI IDC failed to authenticate the health card'),
    hint: t('請重新插入健保卡再試；若持續失敗，請病患洽健保署檢查卡片。', 'Re-insert the health card and try again; if it keeps failing, the patient should have the card checked by NHI.'),
  },
  {
    vendorCode: 9012, code: 'IDC_NO_CARD_DATA', category: 'CARD', retryable: false,
    text: t('健保署 IDC 查無此卡片資料', 'The NHI IDC has no data for this card'),
    hint: t('請病患洽健保署確認卡片狀態。', 'The patient should have the card checked by NHI.'),
  },
  {
    vendorCode: 9013, code: 'SAM_INVALID', category: 'SAM', retryable: false,
    text: t('無效的安全模組卡', 'Invalid SAM card'),
    hint: CONTACT_NHI_SAM,
  },
  {
    vendorCode: 9014, code: 'IDC_REJECTED_SAM', category: 'SAM', retryable: true,
    text: t('健保署 IDC 對安全模組卡認證失敗', 'The NHI IDC failed to authenticate the SAM'),
    hint: RUN_SAM_AUTH,
  },
  {
    vendorCode: 9015, code: 'SAM_REJECTED_IDC', category: 'SAM', retryable: true,
    text: t('安全模組卡對健保署 IDC 認證失敗', 'The SAM failed to authenticate the NHI IDC'),
    hint: RUN_SAM_AUTH,
  },
  {
    // docs/reference/return-codes.md groups 9020 with the IDC authentication failures; kept with 6014 (same meaning) under NETWORK.
    vendorCode: 9020, code: 'IDC_SIGNATURE_ERROR', category: 'NETWORK', retryable: true,
    text: t('健保署 IDC 驗章錯誤', 'Signature verification error at the NHI IDC'),
    hint: t('請再試一次；若持續失敗，請重新執行安全模組認證（verifySam）。', 'Try again; if it keeps failing, run SAM authentication (verifySam) again.'),
  },
  {
    vendorCode: 9030, code: 'CARD_MANAGEMENT_AUTH_UNAVAILABLE', category: 'CARD', retryable: false,
    text: t('無法執行卡片管理系統認證', 'Card-management system authentication is not possible'),
  },
  {
    vendorCode: 9039, code: 'PIN_INCORRECT', category: 'PIN', retryable: true,
    text: t('PIN 碼不正確', 'Incorrect PIN'),
    hint: PIN_RETRY,
  },
  {
    vendorCode: 9040, code: 'APPLET_PERSO_AUTH_UNAVAILABLE', category: 'CARD', retryable: false,
    text: t('無法執行健保卡 Applet Perso 認證', 'Health card applet personalisation authentication is not possible'),
  },
  {
    // docs/reference/return-codes.md CONFLICT: the 3.3 spec says "HC applet perso authentication failed"; S4 (CS 5.x) says "PIN length wrong
    // (6–8)". The 5.x meaning is used: it is what the installed generation returns and the user can act on it.
    vendorCode: 9041, code: 'PIN_LENGTH_INVALID', category: 'PIN', retryable: true,
    text: t('PIN 碼長度錯誤', 'The PIN has the wrong length'),
    hint: t('PIN 碼長度須為 6 到 8 碼，請重新輸入。', 'The PIN must be 6 to 8 digits; enter it again.'),
  },
  {
    vendorCode: 9042, code: 'PIN_EXPIRED', category: 'PIN', retryable: false,
    text: t('PIN 碼已過期', 'The PIN has expired'),
    hint: HPC_CERT_CENTRE,
  },
  {
    vendorCode: 9043, code: 'PIN_LOCKED', category: 'PIN', retryable: false,
    text: t('PIN 碼已鎖住', 'The PIN is locked'),
    hint: t('請洽醫事憑證管理中心（HCA）取得解鎖碼後解鎖。', 'Get an unlock code from the Healthcare Certification Authority (HCA) and unlock the card.'),
  },
  {
    vendorCode: 9045, code: 'CERTIFICATE_REVOKED', category: 'PROFESSIONAL_CARD', retryable: false,
    text: t('憑證已被撤銷', 'The certificate has been revoked'),
    hint: HPC_CERT_CENTRE,
  },
  {
    vendorCode: 9050, code: 'SAM_GENERATION_UPDATE_UNAVAILABLE', category: 'SAM', retryable: false,
    text: t('無法執行安全模組卡世代碼更新認證', 'SAM generation-code update authentication is not possible'),
    hint: CONTACT_NHI_SAM,
  },
  {
    vendorCode: 9051, code: 'SAM_GENERATION_UPDATE_FAILED', category: 'SAM', retryable: true,
    text: t('安全模組卡世代碼更新認證失敗', 'SAM generation-code update authentication failed'),
    hint: RUN_SAM_AUTH,
  },
  {
    vendorCode: 9060, code: 'SAM_SUSPENDED', category: 'SAM', retryable: false,
    text: t('安全模組卡已遭停約處分', 'The SAM has been suspended (contract penalty)'),
    hint: CONTACT_NHI_SAM,
  },
  {
    vendorCode: 9061, code: 'SAM_OUT_OF_VALIDITY', category: 'SAM', retryable: false,
    text: t('安全模組卡不在有效期內', 'The SAM is outside its validity period'),
    hint: CONTACT_NHI_SAM,
  },
  {
    vendorCode: 9062, code: 'SAM_CONTRACT_EXPIRED', category: 'SAM', retryable: false,
    text: t('安全模組卡合約已逾期或尚未生效', 'The SAM contract has expired or is not yet in force'),
    hint: CONTACT_NHI_SAM,
  },
  {
    vendorCode: 9070, code: 'UPLOAD_SIZE_MISMATCH', category: 'NETWORK', retryable: true,
    text: t('上傳資料大小不符，無法接收檔案', 'Upload size mismatch: the file was not accepted'),
    hint: t('請重新上傳；檔案較大時建議分批上傳。', 'Upload again; split large uploads.'),
  },
  {
    vendorCode: 9071, code: 'UPLOAD_DATE_MISMATCH', category: 'NETWORK', retryable: true,
    text: t('上傳日期與健保署資料中心不一致', 'The upload date does not match the NHI data centre'),
    hint: t('請確認電腦的日期時間正確後再上傳。', 'Check the computer’s date and time, then upload again.'),
  },
  {
    vendorCode: 9081, code: 'CARD_UPDATE_NOT_NEEDED', category: 'CARD', retryable: false,
    text: t('卡片可用次數大於 3 次，未達更新標準', 'More than 3 visits left: the card does not need an update'),
    hint: t('不需執行健保卡內容更新，可直接使用。', 'No card update is needed; use the card as it is.'),
  },
  // docs/reference/return-codes.md 9082–9092: coverage results (returned by the online card update / coverage check).
  {
    vendorCode: 9082, code: 'COVERAGE_CARD_CANCELLED', category: 'INSURANCE', retryable: false,
    text: t('此卡已註銷，無法進行卡片更新', 'The card has been cancelled and cannot be updated'),
    hint: t('請病患持新卡就醫或向健保署申辦新卡；本次請依院所規定處理。', 'The patient should use their new card or apply for one at NHI; handle this visit per clinic policy.'),
  },
  {
    vendorCode: 9083, code: 'COVERAGE_NOT_INSURED', category: 'INSURANCE', retryable: false,
    text: t('查保結果：不在保', 'Coverage check: not insured'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9084, code: 'COVERAGE_SUSPENDED', category: 'INSURANCE', retryable: false,
    text: t('查保結果：停保中', 'Coverage check: coverage suspended'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9085, code: 'COVERAGE_WITHDRAWN', category: 'INSURANCE', retryable: false,
    text: t('查保結果：已退保', 'Coverage check: withdrawn from insurance'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9086, code: 'COVERAGE_ARREARS_PERSONAL', category: 'INSURANCE', retryable: false,
    text: t('查保結果：個人欠費', 'Coverage check: personal premium arrears'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9087, code: 'COVERAGE_ARREARS_OWNER', category: 'INSURANCE', retryable: false,
    text: t('查保結果：負責人欠費', 'Coverage check: premium arrears of the employer’s responsible person'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9088, code: 'COVERAGE_ARREARS_EMPLOYER', category: 'INSURANCE', retryable: false,
    text: t('查保結果：投保單位欠費', 'Coverage check: premium arrears of the insurance unit (employer)'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9089, code: 'COVERAGE_ARREARS_BOTH', category: 'INSURANCE', retryable: false,
    text: t('查保結果：個人及投保單位均欠費', 'Coverage check: premium arrears of both the person and the insurance unit'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9090, code: 'COVERAGE_ARREARS_NOT_INSURED', category: 'INSURANCE', retryable: false,
    text: t('查保結果：欠費且不在保', 'Coverage check: premium arrears and not insured'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9091, code: 'COVERAGE_FALSE_DECLARATION', category: 'INSURANCE', retryable: false,
    text: t('查保結果：聲明不實', 'Coverage check: false declaration'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9092, code: 'COVERAGE_OTHER', category: 'INSURANCE', retryable: false,
    text: t('查保結果：其他原因', 'Coverage check: other reason'),
    hint: COVERAGE_HINT,
  },
  // docs/reference/return-codes.md 9093–9095⁴: real-time coverage check (即時查保).
  {
    vendorCode: 9093, code: 'COVERAGE_IDENTITY_MISMATCH', category: 'INSURANCE', retryable: false,
    text: t('即時查保：投保身分不一致', 'Real-time coverage check: insured status does not match'),
    hint: t(
      '病患投保身分已變更，請執行健保卡內容更新（API 1.30）；仍不一致時請病患洽健保署。',
      'The patient’s insured status has changed: run the card update (API 1.30); if it still does not match, the patient should contact NHI.',
    ),
  },
  {
    vendorCode: 9094, code: 'COVERAGE_SUSPENDED_OR_WITHDRAWN', category: 'INSURANCE', retryable: false,
    text: t('即時查保：停保或退保', 'Real-time coverage check: coverage suspended or withdrawn'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9095, code: 'COVERAGE_ARREARS', category: 'INSURANCE', retryable: false,
    text: t('即時查保：欠費', 'Real-time coverage check: premium arrears'),
    hint: COVERAGE_HINT,
  },
  {
    vendorCode: 9100, code: 'PHARMACY_CARD_NOT_PERMITTED', category: 'PROFESSIONAL_CARD', retryable: false,
    text: t('藥師／藥局無此權限', 'Pharmacist / pharmacy cards are not permitted to do this'),
  },
  {
    // docs/reference/return-codes.md: the 3.3 spec lists 9101 as reserved; S4 (5.x) uses it for "inserted HPC is not a physician card".
    vendorCode: 9101, code: 'NOT_A_PHYSICIAN_CARD', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('插入的醫事人員卡不是醫師卡', 'The inserted professional card is not a physician card'),
    hint: t('此功能需要醫師卡，請改插醫師的醫事人員卡。', 'This function needs a physician card: insert a physician’s professional card.'),
  },
  {
    vendorCode: 9127, code: 'ICD10_CODEC_FAILED', category: 'CONTROL_SOFTWARE', retryable: false,
    text: t('ICD-10 押碼或解押碼失敗：診斷碼不在對照範圍或參數錯誤', 'ICD-10 encode/decode failed: the code is not in the mapping or the parameter is invalid'),
    hint: t('請檢查傳入的診斷碼。', 'Check the diagnosis code passed in.'),
  },
  {
    vendorCode: 9129, code: 'RESTRICTED_TO_OTHER_HOSPITALS', category: 'INSURANCE', retryable: false,
    text: t('病患為限制就醫對象，本院所不是其指定就醫院所', 'The cardholder is restricted to designated hospitals and this is not one of them'),
  },
  {
    vendorCode: 9130, code: 'PROFESSIONAL_CARD_INVALID', category: 'PROFESSIONAL_CARD', retryable: false,
    text: t('醫事人員卡已失效', 'The professional card has been revoked or is invalid'),
    hint: HPC_CERT_CENTRE,
  },
  {
    vendorCode: 9140, code: 'PROFESSIONAL_CARD_EXPIRED', category: 'PROFESSIONAL_CARD', retryable: false,
    text: t('醫事人員卡已逾有效期限', 'The professional card has expired'),
    hint: t('請洽醫事憑證管理中心（HCA）換發醫事人員卡。', 'Have the card renewed by the Healthcare Certification Authority (HCA).'),
  },
  // docs/reference/return-codes.md 9200–9203⁴: cloud SAM file (docs/reference/abi.md (Installed files): C:\NHI\SAM\COMX<n>\<digits>.SAM, one file per slot).
  {
    vendorCode: 9200, code: 'SAM_FILE_MISSING_OR_MULTIPLE', category: 'SAM', retryable: true,
    text: t('安全模組檔目錄錯誤、不存在，或目錄內超過一個安全模組檔', 'The cloud SAM folder is wrong or missing, or holds more than one SAM file'),
    hint: SAM_FILE_HINT,
  },
  {
    vendorCode: 9201, code: 'SAM_FILE_READ_FAILED', category: 'SAM', retryable: true,
    text: t('初始安全模組檔讀取異常', 'The cloud SAM file could not be read at initialisation'),
    hint: SAM_FILE_HINT,
  },
  {
    vendorCode: 9202, code: 'SAM_FILE_USED_ON_OTHER_PC', category: 'SAM', retryable: false,
    text: t('安全模組檔已在其他電腦使用過', 'The cloud SAM file has already been used on another computer'),
    hint: t(
      '請在 C:\\NHI\\SAM\\COMX1 放置本機專用、健保署核發的正確安全模組檔；必要時洽健保署重新核發。',
      'Put the correct NHI-issued SAM file for this computer in C:\\NHI\\SAM\\COMX1; ask NHI to reissue it if needed.',
    ),
  },
  {
    vendorCode: 9203, code: 'TEST_PRODUCTION_CARD_MISMATCH', category: 'SAM', retryable: false,
    text: t('卡片配對錯誤：正式卡與測試卡不能混用', 'Card pairing error: production and test cards cannot be mixed'),
    hint: t('安全模組、健保卡與醫事人員卡須同為正式卡或同為測試卡。', 'The SAM, health card and professional card must all be production cards or all test cards.'),
  },
  {
    vendorCode: 9204, code: 'NO_READER_OR_PCSC_ERROR', category: 'READER', retryable: true,
    text: t('找不到讀卡機，或 PC/SC 環境異常', 'No card reader found, or the PC/SC environment is not working'),
    hint: t(
      '請確認讀卡機已接上電腦且驅動程式已安裝，Windows 的 Smart Card 服務已啟動，然後再試一次。',
      'Check that the reader is plugged in and its driver installed and that the Windows Smart Card service is running, then try again.',
    ),
  },
  {
    vendorCode: 9205, code: 'READER_PORT_OPEN_FAILED', category: 'READER', retryable: true,
    text: t('開啟讀卡機連接埠失敗', 'Could not open the card reader port'),
    hint: RETRY_READER,
  },
  // docs/reference/return-codes.md 9210–9213⁴, 9220⁴, 9221⁴: cloud SAM ↔ card authentication.
  {
    vendorCode: 9210, code: 'HEALTH_CARD_INTERNAL_AUTH_FAILED', category: 'CARD', retryable: true,
    text: t('健保卡內部認證失敗', 'Health card internal authentication failed'),
    hint: REINSERT_HEALTH_CARD,
  },
  {
    vendorCode: 9211, code: 'CLOUD_SAM_REJECTED_HEALTH_CARD', category: 'CARD', retryable: true,
    text: t('雲端安全模組（IDC）對健保卡認證失敗', 'The cloud SAM (IDC) failed to authenticate the health card'),
    hint: REINSERT_HEALTH_CARD,
  },
  {
    vendorCode: 9212, code: 'HEALTH_CARD_REJECTED_CLOUD_SAM', category: 'CARD', retryable: true,
    text: t('健保卡對雲端安全模組認證失敗', 'The health card failed to authenticate the cloud SAM'),
    hint: REINSERT_HEALTH_CARD,
  },
  {
    vendorCode: 9213, code: 'CLOUD_SAM_CARD_UPDATE_TIMEOUT', category: 'NETWORK', retryable: true,
    text: t('雲端安全模組卡片更新逾時', 'The card update through the cloud SAM timed out'),
    hint: CHECK_NETWORK,
  },
  {
    vendorCode: 9220, code: 'PROFESSIONAL_CARD_INTERNAL_AUTH_FAILED', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('醫事人員卡內部認證失敗', 'Professional card internal authentication failed'),
    hint: t('請重新插入醫事人員卡，再試一次。', 'Re-insert the professional card and try again.'),
  },
  {
    vendorCode: 9221, code: 'CLOUD_SAM_REJECTED_PROFESSIONAL_CARD', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('雲端安全模組（IDC）驗證醫事人員卡失敗', 'The cloud SAM (IDC) failed to authenticate the professional card'),
    hint: t('請重新插入醫事人員卡，再試一次。', 'Re-insert the professional card and try again.'),
  },
  {
    vendorCode: 9230, code: 'SAM_FILE_HOSPITAL_NAME_READ_FAILED', category: 'SAM', retryable: false,
    text: t('安全模組檔的醫事機構名稱讀取失敗', 'Could not read the hospital name from the cloud SAM file'),
    hint: SAM_FILE_HINT,
  },
  {
    vendorCode: 9231, code: 'SAM_FILE_HOSPITAL_SHORT_NAME_READ_FAILED', category: 'SAM', retryable: false,
    text: t('安全模組檔的醫事機構簡稱讀取失敗', 'Could not read the hospital short name from the cloud SAM file'),
    hint: SAM_FILE_HINT,
  },
  {
    // docs/reference/return-codes.md, docs/reference/abi.md (Console and lights): the gateway's health check should also verify csfsim.exe is alive.
    vendorCode: 9240, code: 'CLOUD_SAM_CONSOLE_NOT_RUNNING', category: 'CONTROL_SOFTWARE', retryable: true,
    text: t('雲端安全模組主控台未啟動', 'The cloud SAM console (csfsim.exe) is not running'),
    hint: t(
      '請啟動「雲端安全模組主控台」（C:\\NHI\\BIN\\csfsim.exe），建議放入 Windows「啟動」資料夾，然後再試一次。',
      'Start the cloud SAM console (雲端安全模組主控台, C:\\NHI\\BIN\\csfsim.exe) — ideally from the Windows Startup folder — then try again.',
    ),
  },
  {
    vendorCode: 9250, code: 'VIRTUAL_PHYSICIAN_PIN_FAILED', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('虛擬醫師卡驗證 PIN 碼失敗', 'Virtual physician card PIN verification failed'),
    hint: PIN_RETRY,
  },
  {
    vendorCode: 9251, code: 'VIRTUAL_PHYSICIAN_SESSION_TIMEOUT', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('虛擬醫師卡登入逾時', 'The virtual physician card session timed out'),
    hint: t('請重新登入虛擬醫師卡，再試一次。', 'Log in with the virtual physician card again and retry.'),
  },
  {
    vendorCode: 9267, code: 'PROFESSIONAL_CARD_LOGGED_IN_ELSEWHERE', category: 'PROFESSIONAL_CARD', retryable: true,
    text: t('同一張醫事人員卡已在另一台電腦登入', 'The same professional card is logged in on another computer'),
    hint: t('請先在另一台電腦登出此醫事人員卡，再試一次。', 'Log the professional card out on the other computer, then try again.'),
  },
  {
    vendorCode: 9999, code: 'PROFESSIONAL_CARD_READER_NOT_FOUND', category: 'READER', retryable: true,
    text: t('找不到醫事人員卡讀卡機', 'The professional card (HPC) reader was not found'),
    hint: t('請確認醫事人員卡讀卡機已接上電腦，然後再試一次。', 'Check that the professional card reader is connected, then try again.'),
  },
];

// ---- indexes, built once at load; a duplicate is a programming error and fails the import ----

const BY_VENDOR_CODE = new Map<number, VendorCodeEntry>();
{
  const codes = new Set<string>();
  for (const entry of VENDOR_CODES) {
    if (entry.vendorCode === 0) throw new Error('vendor-codes: 0 is success and must not be in the table');
    if (BY_VENDOR_CODE.has(entry.vendorCode)) throw new Error(`vendor-codes: duplicate vendor code ${entry.vendorCode}`);
    if (codes.has(entry.code)) throw new Error(`vendor-codes: duplicate code ${entry.code}`);
    BY_VENDOR_CODE.set(entry.vendorCode, entry);
    codes.add(entry.code);
    Object.freeze(entry);
  }
  Object.freeze(VENDOR_CODES);
}

/** The table entry for a return code, or undefined when docs/reference/return-codes.md does not know it. O(1). */
export function lookupVendorCode(rc: number): VendorCodeEntry | undefined {
  return BY_VENDOR_CODE.get(rc);
}

/** True for codes that mean success with a warning (5010): the domain layer must not fail the operation. */
export function isWarningOnly(rc: number): boolean {
  return BY_VENDOR_CODE.get(rc)?.warningOnly === true;
}

/**
 * The typed error for a non-zero return code: the class of the entry's category, or VendorError for a code the
 * table does not know. Never throws it — throwing (or returning it in a result union) is the caller's job.
 * Passing 0 is a programming bug and throws a plain Error.
 */
export function errorForVendorCode(rc: number): GatewayError {
  if (rc === 0) throw new Error('errorForVendorCode(0): 0 is success, not an error');
  const entry = BY_VENDOR_CODE.get(rc);
  if (entry === undefined) {
    return new VendorError({
      code: 'VENDOR_CODE_UNKNOWN',
      vendorCode: rc,
      text: { zh: `控制軟體回傳未知代碼 ${rc}`, en: `The control software returned unknown code ${rc}` },
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
