/**
 * Long card operations with progress: the online card update (API 1.30) and the data upload (API 3.1). Both
 * take seconds to minutes (NHI's IDC is on the other end), so starting one returns its snapshot at once and
 * `watch` streams a snapshot at every stage. Implemented by src/domain/long-operations.ts.
 */
import type { CardUpdateResult, OperationStage, UploadReceipt } from './card-stack.ts';
import type { GatewayError } from '../errors/gateway-errors.ts';

export type OperationKind = 'CARD_UPDATE' | 'DATA_UPLOAD' | 'CARD_UPDATE_WITHOUT_RESET' | PinFlowKind;

/** PIN flows (1.27–1.29, 4.3, 4.4): the control software shows its own keypad dialog; nothing to report but the end. */
export type PinFlowKind =
  | 'HEALTH_CARD_PIN_VERIFY'
  | 'HEALTH_CARD_PIN_SET'
  | 'HEALTH_CARD_PIN_DISABLE'
  | 'PROFESSIONAL_CARD_PIN_CHANGE'
  | 'PROFESSIONAL_CARD_UNLOCK';

export type OperationResult =
  | ({ readonly kind: 'CARD_UPDATE' | 'CARD_UPDATE_WITHOUT_RESET' } & CardUpdateResult)
  | { readonly kind: PinFlowKind; readonly completedAt: string }
  | ({ readonly kind: 'DATA_UPLOAD'; readonly file: string; readonly recordCount: number } & UploadReceipt);

export interface OperationStep {
  readonly stage: OperationStage;
  readonly at: string;
}

export interface OperationSnapshot {
  readonly id: string;
  readonly kind: OperationKind;
  readonly stage: OperationStage;
  /** Every stage this kind goes through, in order, so a UI can draw the whole stepper up front. */
  readonly plannedStages: readonly OperationStage[];
  /** The stages reached so far, with times. */
  readonly steps: readonly OperationStep[];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly result: OperationResult | null;
  /** The typed error of a FAILED operation (null for an unexpected failure, which is a bug). */
  readonly error: GatewayError | null;
}


/** Texts shown to the front desk for each stage. */
export const STAGE_TEXT: Record<OperationStage, { readonly zh: string; readonly en: string }> = {
  QUEUED: { zh: '排隊中：等待前一項作業完成', en: 'Queued behind another card operation' },
  WAITING_FOR_READER: { zh: '確認讀卡機與卡片', en: 'Checking the reader and the card' },
  CONTACTING_NHI_IDC: { zh: '連線健保署 IDC（安全模組認證）', en: 'Contacting NHI’s IDC (SAM authentication)' },
  WRITING_CARD: { zh: '更新健保卡內容中，請勿拔出卡片', en: 'Updating the health card: do not remove the card' },
  UPLOADING: { zh: '上傳資料至健保署', en: 'Uploading the data to NHI' },
  WAITING_FOR_PIN: { zh: '請於控制軟體視窗輸入密碼', en: 'Waiting for the PIN in the control software’s dialog' },
  DONE: { zh: '完成', en: 'Done' },
  FAILED: { zh: '失敗', en: 'Failed' },
};

export interface LongOperations {
  /** Starts the online card update (1.30); a repeat with the same idempotency key returns the first operation. */
  startCardUpdate(idempotencyKey?: string | null): OperationSnapshot;
  /** Starts the upload of a local XML file (3.1). Throws InputError for a relative path or a count below 1. */
  startUpload(input: { readonly file: string; readonly recordCount: number }, idempotencyKey?: string | null): OperationSnapshot;
  get(id: string): OperationSnapshot | null;
  /** The current snapshot first, then one per stage; ends after DONE/FAILED. Null for an unknown id. */
  watch(id: string): AsyncIterableIterator<OperationSnapshot> | null;
}
