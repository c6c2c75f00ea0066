/**
 * Errors that do not come from a control-software return code but belong in the same catalogue (the README
 * error table lists both). Same shape as the vendor table, with `vendorCode: null`.
 */
import { ERROR_CLASSES, type ErrorCategory, type ErrorText } from './gateway-errors.ts';

export interface GatewayCodeEntry {
  readonly code: string;
  readonly category: Exclude<ErrorCategory, 'UNKNOWN_VENDOR_CODE'>;
  readonly text: ErrorText;
  readonly retryable: boolean;
  readonly hint?: ErrorText;
}

export const GATEWAY_CODES = [
  {
    code: 'CALL_TIMEOUT',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '控制軟體呼叫逾時，正在重設', en: 'A control-software call timed out; the gateway is resetting it' },
    retryable: true,
    hint: {
      zh: '稍候再試；若持續發生，請確認讀卡機連線與雲端安全模組主控台 (csfsim.exe)',
      en: 'Try again shortly; if it keeps happening, check the reader connection and the cloud SAM console (csfsim.exe)',
    },
  },
  {
    code: 'CONTROL_SOFTWARE_UNAVAILABLE',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '無法載入健保讀卡機控制軟體 (CSHIS.dll)', en: 'The NHI control software (CSHIS.dll) could not be loaded' },
    retryable: false,
    hint: {
      zh: '請安裝健保署讀卡機控制軟體 5.1.5.x；32 位元的 CSHIS.dll 需使用 nhi-gateway-win-x86.exe',
      en: 'Install NHI control software 5.1.5.x; a 32-bit CSHIS.dll needs nhi-gateway-win-x86.exe',
    },
  },
  {
    code: 'MISSING_EXPORT',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '此版本控制軟體不提供這項功能', en: 'This control-software version does not provide this function' },
    retryable: false,
    hint: { zh: '請更新讀卡機控制軟體至最新版', en: 'Update the control software to the latest version' },
  },
  {
    code: 'CARD_REMOVED',
    category: 'CARD',
    text: { zh: '作業中卡片已被移除', en: 'The card was removed during the operation' },
    retryable: true,
    hint: { zh: '請重新插入卡片後再試', en: 'Insert the card again and retry' },
  },
  {
    code: 'NOT_AN_NHI_CARD',
    category: 'CARD',
    text: { zh: '插入的卡片不是健保卡', en: 'The inserted card is not an NHI health card' },
    retryable: true,
    hint: { zh: '請插入健保卡', en: 'Insert an NHI health card' },
  },
  {
    code: 'READER_NOT_FOUND',
    category: 'READER',
    text: { zh: '找不到指定的讀卡機', en: 'No such card reader' },
    retryable: true,
    hint: { zh: '請確認讀卡機已連接，並以 readers 查詢可用的讀卡機', en: 'Check the reader is connected; the readers query lists them' },
  },
  {
    code: 'ACTION_PENDING',
    category: 'PIN',
    text: { zh: '另一個密碼驗證作業進行中', en: 'Another PIN operation is already in progress' },
    retryable: true,
    hint: { zh: '請先完成或取消讀卡機上的密碼輸入', en: 'Finish or cancel the PIN entry in progress first' },
  },
  {
    code: 'SIMULATOR_ONLY',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '此功能僅限模擬器使用', en: 'This operation is only available on the simulator' },
    retryable: false,
    hint: { zh: '以 --backend simulator 啟動閘道', en: 'Start the gateway with --backend simulator' },
  },
  {
    code: 'TREATMENT_ID_PENDING',
    category: 'VISIT',
    text: { zh: '已取得就醫序號，但尚未取得就醫識別碼', en: 'The visit is registered but its treatment ID is not available yet' },
    retryable: true,
    hint: { zh: '稍後以 treatmentIdForVisit 補取', en: 'Complete it later with treatmentIdForVisit' },
  },
  {
    code: 'WEB_API_NOT_CONFIGURED',
    category: 'CONTROL_SOFTWARE',
    text: { zh: '尚未設定就醫識別碼 Web API', en: 'The treatment-ID Web API is not configured' },
    retryable: false,
    hint: {
      zh: '改用其他取號方式 (--visit-strategy n1 或 seq256-treatnum)',
      en: 'Use another visit strategy (--visit-strategy n1 or seq256-treatnum)',
    },
  },
  {
    code: 'IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT',
    category: 'CARD_WRITE',
    text: { zh: '此冪等鍵已用於不同內容的請求', en: 'This idempotency key was already used for a request with different input' },
    retryable: false,
    hint: { zh: '每個新的寫卡請求請使用新的冪等鍵 (例如 UUID)', en: 'Use a new idempotency key (e.g. a UUID) for every new card write' },
  },
  {
    code: 'IDEMPOTENCY_KEY_SPENT',
    category: 'CARD_WRITE',
    text: { zh: '此冪等鍵的請求已結束且無可重送的結果', en: 'The request with this idempotency key has ended and has no result to return again' },
    retryable: false,
    hint: { zh: '確認卡片狀態後，以新的冪等鍵重新送出', en: 'Check the card, then send the request again with a new idempotency key' },
  },
  {
    code: 'OUTCOME_UNKNOWN',
    category: 'CARD_WRITE',
    text: { zh: '前一次寫卡作業中斷，結果未知，為避免重複寫入已停止', en: 'A previous card write was interrupted and its outcome is unknown; it is not repeated automatically' },
    retryable: false,
    hint: {
      zh: '以 unresolvedCardWrites 查詢，並用 checkCardWrite 或 confirmCardWrite 確認結果',
      en: 'List it with unresolvedCardWrites and settle it with checkCardWrite or confirmCardWrite',
    },
  },
  {
    code: 'JOURNAL_UNAVAILABLE',
    category: 'CARD_WRITE',
    text: { zh: '無法寫入寫卡日誌，為安全起見未寫卡', en: 'The card-write journal cannot be written, so the card was not touched' },
    retryable: true,
    hint: { zh: '請檢查磁碟空間與資料夾權限', en: 'Check free disk space and the data folder’s permissions' },
  },
] as const satisfies readonly GatewayCodeEntry[];

export type GatewayCodeName = (typeof GATEWAY_CODES)[number]['code'];

const BY_CODE = new Map<string, GatewayCodeEntry>(GATEWAY_CODES.map((entry) => [entry.code, entry]));

type EntryOf<C extends GatewayCodeName> = Extract<(typeof GATEWAY_CODES)[number], { readonly code: C }>;
/** The class a gateway code constructs, e.g. `GatewayErrorFor<'CARD_REMOVED'>` is `CardError`. */
export type GatewayErrorFor<C extends GatewayCodeName> = InstanceType<(typeof ERROR_CLASSES)[EntryOf<C>['category']]>;

/** The typed error for a gateway code; `overrides` may replace the text (never with patient data). */
export function gatewayError<C extends GatewayCodeName>(
  code: C,
  overrides: Partial<Pick<GatewayCodeEntry, 'text' | 'hint' | 'retryable'>> = {},
): GatewayErrorFor<C> {
  const entry = BY_CODE.get(code);
  if (!entry) throw new Error(`unknown gateway code ${code}`);
  const ErrorClass = ERROR_CLASSES[entry.category];
  return new ErrorClass({
    code: entry.code,
    vendorCode: null,
    text: overrides.text ?? entry.text,
    retryable: overrides.retryable ?? entry.retryable,
    hint: overrides.hint ?? entry.hint,
  }) as GatewayErrorFor<C>;
}

// ---- factories: one per code, typed to its class ----

/** A native call exceeded its timeout; the backend is being reset. `fn` (an export name) refines the text. */
export function callTimeoutError(fn?: string): GatewayErrorFor<'CALL_TIMEOUT'> {
  if (fn === undefined) return gatewayError('CALL_TIMEOUT');
  return gatewayError('CALL_TIMEOUT', {
    text: { zh: `控制軟體呼叫 ${fn} 逾時，正在重設`, en: `The control-software call ${fn} timed out; the gateway is resetting it` },
  });
}
export const controlSoftwareUnavailableError = (): GatewayErrorFor<'CONTROL_SOFTWARE_UNAVAILABLE'> =>
  gatewayError('CONTROL_SOFTWARE_UNAVAILABLE');
/** The loaded DLL lacks an export. `exportName` refines the text. */
export function missingExportError(exportName?: string): GatewayErrorFor<'MISSING_EXPORT'> {
  if (exportName === undefined) return gatewayError('MISSING_EXPORT');
  return gatewayError('MISSING_EXPORT', {
    text: {
      zh: `此版本控制軟體不提供這項功能 (缺少 ${exportName})`,
      en: `This control-software version does not provide this function (no export ${exportName})`,
    },
  });
}
export const cardRemovedError = (): GatewayErrorFor<'CARD_REMOVED'> => gatewayError('CARD_REMOVED');
export const notAnNhiCardError = (): GatewayErrorFor<'NOT_AN_NHI_CARD'> => gatewayError('NOT_AN_NHI_CARD');
export const readerNotFoundError = (): GatewayErrorFor<'READER_NOT_FOUND'> => gatewayError('READER_NOT_FOUND');
export const actionPendingError = (): GatewayErrorFor<'ACTION_PENDING'> => gatewayError('ACTION_PENDING');
export const simulatorOnlyError = (): GatewayErrorFor<'SIMULATOR_ONLY'> => gatewayError('SIMULATOR_ONLY');
export const treatmentIdPendingError = (): GatewayErrorFor<'TREATMENT_ID_PENDING'> => gatewayError('TREATMENT_ID_PENDING');
export const webApiNotConfiguredError = (): GatewayErrorFor<'WEB_API_NOT_CONFIGURED'> => gatewayError('WEB_API_NOT_CONFIGURED');
export const idempotencyKeyReusedError = (): GatewayErrorFor<'IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT'> =>
  gatewayError('IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT');
export const idempotencyKeySpentError = (): GatewayErrorFor<'IDEMPOTENCY_KEY_SPENT'> => gatewayError('IDEMPOTENCY_KEY_SPENT');
export const outcomeUnknownError = (): GatewayErrorFor<'OUTCOME_UNKNOWN'> => gatewayError('OUTCOME_UNKNOWN');
export const journalUnavailableError = (): GatewayErrorFor<'JOURNAL_UNAVAILABLE'> => gatewayError('JOURNAL_UNAVAILABLE');
