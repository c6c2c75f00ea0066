/**
 * Why the error table (docs/error-codes.md) lists a code that no field and no request can produce in this
 * version. test/unit/errors/error-table-honesty.test.ts derives what can be produced (resolvers/field-errors.ts
 * and the catalogue's request codes) and fails when a listed code is neither producible nor explained here, or
 * when a code explained here has become producible (then the reason is stale).
 */
import type { ErrorText } from './gateway-errors.ts';

/** Released schemas keep every ErrorCode value (removing one breaks clients generated from them). */
const KEPT_FOR_1_0: ErrorText = {
  zh: '本版本不會產生：保留是因為已發布的 1.0 結構描述（schema/released/1.0.graphql）的 ErrorCode 列舉含此值，移除會使依其產生的用戶端失效',
  en: 'Not produced by this version: kept because the released 1.0 schema’s ErrorCode enum has it (schema/released/1.0.graphql), and removing a value breaks clients generated from it',
};

export const LISTED_BECAUSE: Readonly<Record<string, ErrorText>> = {
  // The control software's readers are two logical slots, and PC/SC reports an absent reader as PCSC_UNAVAILABLE
  // or a missing card; no query takes a reader name that could be wrong.
  READER_NOT_FOUND: KEPT_FOR_1_0,
  // A visit whose treatment ID could not be fetched is a successful startVisit with treatmentIdPending: true
  // (docs/card/card-visits.md), never this error.
  TREATMENT_ID_PENDING: KEPT_FOR_1_0,
};
