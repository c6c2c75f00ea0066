/**
 * The one catalogue of every code a client can see, in either channel (docs/api-conventions.md): control-software
 * return codes (vendor-codes.ts), NHI Web API RtnCodes (webapi-codes.ts), the gateway's own codes including access
 * and request codes (gateway-codes.ts), and the two catch-alls for numbers the tables do not know. The schema's
 * `ErrorCode` enum, the top-level error extensions and the client kit's catalogue are all generated from it.
 */
import type { ErrorAction, ErrorCategory } from './gateway-errors.ts';
import { HINT_ACTIONS, VENDOR_CODES } from './vendor-codes.ts';
import { WEB_API_CODES } from './webapi-codes.ts';
import { GATEWAY_CODES } from './gateway-codes.ts';

export interface CatalogueEntry {
  readonly code: string;
  /** Where the number comes from: the control software, NHI's Web API (RtnCode) or the gateway itself. */
  readonly source: 'CONTROL_SOFTWARE' | 'WEB_API' | 'GATEWAY';
  /** The control software's return code or the Web API's RtnCode as a number (they overlap: see `source`). */
  readonly vendorCode: number | null;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  /** What to do where retrying cannot help by itself; null when a retry (after the hint) is the answer. */
  readonly action: ErrorAction | null;
  /** Success with a warning (5010): the operation went through. */
  readonly warningOnly: boolean;
  readonly zh: string;
  readonly en: string;
  readonly hintZh: string | null;
  readonly hintEn: string | null;
}

/** Actions of codes whose hint is their own (the shared hints' actions are in vendor-codes.ts). */
const CODE_ACTIONS: Readonly<Record<string, ErrorAction>> = {
  NO_REMAINING_VISITS: 'UPDATE_CARD',
  CARD_CHANGED: 'USE_ANOTHER_CARD',
  HEALTH_CARD_EXPIRED: 'UPDATE_CARD',
  HEALTH_CARD_CANCELLED: 'USE_ANOTHER_CARD',
  NEWBORN_ATTACHMENT_EXPIRED: 'USE_ANOTHER_CARD',
  CONTROL_SOFTWARE_UNAVAILABLE: 'UPDATE_CONTROL_SOFTWARE',
  MISSING_EXPORT: 'UPDATE_CONTROL_SOFTWARE',
  CONTROL_SOFTWARE_TOO_OLD: 'UPDATE_CONTROL_SOFTWARE',
  SIMULATOR_ONLY: 'FIX_CONFIGURATION',
  NOT_SUPPORTED_BY_BACKEND: 'FIX_CONFIGURATION',
  WEB_API_NOT_CONFIGURED: 'FIX_CONFIGURATION',
  WEB_API_CA_FILE_INVALID: 'FIX_CONFIGURATION',
  WEB_API_TLS_UNTRUSTED: 'FIX_CONFIGURATION',
  CSDLL_INI_NOT_FOUND: 'FIX_CONFIGURATION',
  CSDLL_INI_READ_ONLY: 'FIX_CONFIGURATION',
  CSDLL_INI_NOT_CONFIGURED: 'FIX_CONFIGURATION',
  OUTCOME_UNKNOWN: 'SETTLE_CARD_WRITE',
  IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT: 'FIX_REQUEST',
  IDEMPOTENCY_KEY_SPENT: 'FIX_REQUEST',
  INTERNAL_SERVER_ERROR: 'REPORT_BUG',
};

/** Access and request codes are the client's to fix, except waiting out a rate limit. */
function defaultAction(category: ErrorCategory, code: string): ErrorAction | null {
  // GATEWAY_STARTING: the request was fine, the gateway was still loading; retrying is the answer.
  if (category === 'REQUEST' && code !== 'GATEWAY_STARTING') return 'FIX_REQUEST';
  if (category === 'ACCESS' && code !== 'RATE_LIMITED') return 'FIX_REQUEST';
  return null;
}

function build(): CatalogueEntry[] {
  const vendor = [...VENDOR_CODES]
    .sort((a, b) => a.vendorCode - b.vendorCode)
    .map(
      (e): CatalogueEntry => ({
        code: e.code,
        source: 'CONTROL_SOFTWARE',
        vendorCode: e.vendorCode,
        category: e.category,
        retryable: e.retryable,
        action: CODE_ACTIONS[e.code] ?? (e.hint ? HINT_ACTIONS.get(e.hint) : undefined) ?? null,
        warningOnly: e.warningOnly === true,
        zh: e.text.zh,
        en: e.text.en,
        hintZh: e.hint?.zh ?? null,
        hintEn: e.hint?.en ?? null,
      }),
    );
  const webApi = WEB_API_CODES.map(
    (e): CatalogueEntry => ({
      code: e.code,
      source: 'WEB_API',
      vendorCode: e.vendorCode,
      category: e.category,
      retryable: e.retryable,
      action: CODE_ACTIONS[e.code] ?? null,
      warningOnly: e.warningOnly === true,
      zh: e.text.zh,
      en: e.text.en,
      hintZh: e.hint?.zh ?? null,
      hintEn: e.hint?.en ?? null,
    }),
  );
  const gateway = GATEWAY_CODES.map(
    (e): CatalogueEntry => ({
      code: e.code,
      source: 'GATEWAY',
      vendorCode: null,
      category: e.category,
      retryable: e.retryable,
      action: CODE_ACTIONS[e.code] ?? defaultAction(e.category, e.code),
      warningOnly: false,
      zh: e.text.zh,
      en: e.text.en,
      hintZh: 'hint' in e && e.hint ? e.hint.zh : null,
      hintEn: 'hint' in e && e.hint ? e.hint.en : null,
    }),
  );
  // The answers for numbers the tables do not know (the number itself is in the error's `vendorCode`).
  const unknown = (code: string, source: CatalogueEntry['source'], zh: string, en: string): CatalogueEntry => ({
    code,
    source,
    vendorCode: null,
    category: 'UNKNOWN_VENDOR_CODE',
    retryable: false,
    action: null,
    warningOnly: false,
    zh,
    en,
    hintZh: null,
    hintEn: null,
  });
  return [
    ...vendor,
    ...webApi,
    ...gateway,
    unknown('VENDOR_CODE_UNKNOWN', 'CONTROL_SOFTWARE', '控制軟體回傳未知代碼', 'The control software returned an unknown code'),
    unknown('WEB_API_CODE_UNKNOWN', 'WEB_API', '健保署 Web API 回傳未知代碼', 'NHI’s Web API returned an unknown RtnCode'),
  ];
}

const ENTRIES: readonly CatalogueEntry[] = Object.freeze(build().map((e) => Object.freeze(e)));
const BY_CODE = new Map(ENTRIES.map((e) => [e.code, e]));
if (BY_CODE.size !== ENTRIES.length) throw new Error('catalogue: a code appears twice');

/** Every code: control-software codes by number, Web API RtnCodes, the gateway's own, then the catch-alls. */
export function catalogueEntries(): readonly CatalogueEntry[] {
  return ENTRIES;
}

/** The entry of a code, or undefined for a code no table has (a bug: the catalogue test checks every path). */
export function catalogueEntry(code: string): CatalogueEntry | undefined {
  return BY_CODE.get(code);
}
