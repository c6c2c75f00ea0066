/**
 * Typed errors in the schema (docs/api-conventions.md docs/reference/abi.md (Installed files)). One `Error` interface with `code: ErrorCode`, generated
 * from the one catalogue (src/errors/catalogue.ts), and two implementations that differ only where they add
 * information: `VendorError` (the control software or NHI's Web API answered with a return code: `vendorCode`)
 * and `GatewayError` (the gateway found the failure itself). Each field's result union is built from that field's
 * declaration in resolvers/field-errors.ts.
 */
import { builder, type BuilderTypes } from './builder.ts';
import type { ObjectRef } from '@pothos/core';
import { GatewayError, type ErrorAction, type ErrorCategory } from '../src/errors/gateway-errors.ts';
import { catalogueEntries, catalogueEntry } from '../src/errors/catalogue.ts';
import { fieldErrors, type FieldCoordinate } from '../resolvers/field-errors.ts';

type Types = PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>;

const CATEGORIES: Record<ErrorCategory, string> = {
  READER: 'The card reader or its connection.',
  CARD: 'The health card itself (missing, unreadable, cancelled, expired).',
  SAM: 'The security module (SAM) or its signer.',
  PROFESSIONAL_CARD: 'The professional card (醫事人員卡).',
  PIN: 'PIN entry.',
  INSURANCE: 'The patient’s insurance status.',
  VISIT: 'Visit rules (seq numbers, cancellation, treatment IDs).',
  CARD_WRITE: 'Writing the card, and the card-write journal.',
  NETWORK: 'NHI’s network services (IDC, VPN, Web API).',
  CONTROL_SOFTWARE: 'NHI’s control software (CSHIS.dll), csdll.ini, or the backend.',
  UNKNOWN_VENDOR_CODE: 'A return code the catalogue does not know (its number is in vendorCode).',
  ACCESS: 'Refused at the door: origin, token, rate or size limits (top-level errors only).',
  REQUEST: 'The request itself: malformed, invalid, bad input, or a gateway bug (top-level errors only).',
};

export const ErrorCategoryEnum = builder.enumType('ErrorCategory', {
  description: 'Broad group of an error, stable across control-software versions.',
  values: Object.fromEntries(Object.entries(CATEGORIES).map(([k, description]) => [k, { description }])) as Record<
    ErrorCategory,
    { description: string }
  >,
});

const ACTIONS: Record<ErrorAction, string> = {
  UPDATE_CARD: 'Run the online card update (updateHealthCard, API 1.30), then retry.',
  USE_ANOTHER_CARD: 'This card cannot be used: use another card, or the patient’s ID number without a card.',
  CHECK_COVERAGE: 'The patient’s coverage must be checked with NHI or their insurance unit.',
  CHECK_CARD_BEFORE_RETRY: 'A card write may have partly happened: read the card before writing again.',
  SETTLE_CARD_WRITE: 'Settle the interrupted write (unresolvedCardWrites, checkCardWrite, confirmCardWrite).',
  UPDATE_CONTROL_SOFTWARE: 'Install or update NHI’s control software.',
  FIX_CONFIGURATION: 'Fix the workstation’s or the gateway’s configuration.',
  CONTACT_NHI: 'NHI (regional division) must act.',
  CONTACT_HCA: 'The Healthcare Certification Authority must act.',
  FIX_REQUEST: 'The client must change its request.',
  REPORT_BUG: 'A gateway bug: report it with the time and the log.',
};

export const ErrorActionEnum = builder.enumType('ErrorAction', {
  description: 'What to do when retrying cannot help by itself.',
  values: Object.fromEntries(Object.entries(ACTIONS).map(([k, description]) => [k, { description }])) as Record<
    ErrorAction,
    { description: string }
  >,
});

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description:
    'Every code a client can see, in a result union or in errors[].extensions.code, from the one catalogue ' +
    '(src/errors/catalogue.ts; client/errors.json has the texts). New codes are added in minor versions.',
  values: Object.fromEntries(
    catalogueEntries().map((e) => [
      e.code,
      { description: `${e.vendorCode === null ? '' : `${e.source === 'WEB_API' ? 'RtnCode' : 'Return code'} ${e.vendorCode}: `}${e.en}` },
    ]),
  ),
});

/**
 * What a result union carries for a failure. graphql-js treats a returned `Error` as a thrown one, so the
 * typed error travels as this plain view; its `code`, `messageZh` and `retryable` read like the error's
 * (the audit log reads outcomes from them).
 */
export interface ErrorView {
  readonly [ERROR_VIEW]: true;
  readonly code: string;
  readonly category: ErrorCategory;
  readonly vendorCode: number | null;
  readonly messageEn: string;
  readonly messageZh: string;
  readonly hintEn: string | null;
  readonly hintZh: string | null;
  readonly retryable: boolean;
  readonly action: ErrorAction | null;
}

const ERROR_VIEW = Symbol('ErrorView');

export function errorView(error: GatewayError): ErrorView {
  return {
    [ERROR_VIEW]: true,
    code: error.code,
    category: error.category,
    vendorCode: error.vendorCode,
    messageEn: error.messageEn,
    messageZh: error.messageZh,
    hintEn: error.hintEn,
    hintZh: error.hintZh,
    retryable: error.retryable,
    action: catalogueEntry(error.code)?.action ?? null,
  };
}

export function isErrorView(value: unknown): value is ErrorView {
  return typeof value === 'object' && value !== null && ERROR_VIEW in value;
}

export const ErrorInterface = builder.interfaceRef<ErrorView>('Error').implement({
  description: 'Every expected failure of a field (docs/api-conventions.md). Never carries patient data.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, description: 'Stable machine code; switch on it.', resolve: (e) => e.code as never }),
    category: t.field({ type: ErrorCategoryEnum, resolve: (e) => e.category }),
    message: t.exposeString('messageEn', { description: 'English message.' }),
    messageZh: t.exposeString('messageZh', { description: '中文訊息 (zh-TW).' }),
    hint: t.exposeString('hintEn', { nullable: true, description: 'What to do about it (English).' }),
    hintZh: t.exposeString('hintZh', { nullable: true, description: '處理方式 (zh-TW).' }),
    retryable: t.exposeBoolean('retryable', { description: 'Whether repeating the same call (after the hint) may succeed.' }),
    action: t.field({
      type: ErrorActionEnum,
      nullable: true,
      description: 'What to do where retrying cannot help by itself (e.g. UPDATE_CARD for 5001/5003); null otherwise.',
      resolve: (e) => e.action,
    }),
  }),
});

export const VendorErrorRef = builder.objectRef<ErrorView>('VendorError').implement({
  description: 'The control software or NHI’s Web API answered with a failure code (docs/reference/return-codes.md).',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => isErrorView(v) && v.vendorCode !== null,
  fields: (t) => ({
    vendorCode: t.int({
      description: 'The control software’s return code, or the Web API’s RtnCode for WEB_API_* codes.',
      resolve: (e) => e.vendorCode ?? 0,
    }),
  }),
});

export const GatewayErrorRef = builder.objectRef<ErrorView>('GatewayError').implement({
  description: 'A failure the gateway found itself (card removed, call timeout, journal, configuration …).',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => isErrorView(v) && v.vendorCode === null,
  fields: () => ({}),
});

/** The error members a declaration allows. */
function errorMembers(field: FieldCoordinate): ObjectRef<Types, ErrorView>[] {
  const decl = fieldErrors(field);
  return [...(decl.vendor ? [VendorErrorRef] : []), ...(decl.codes.size > 0 ? [GatewayErrorRef] : [])];
}

/**
 * The result union of a field: its payload type and the error types its declaration allows
 * (resolvers/field-errors.ts names it).
 */
export function resultUnion<T extends object>(field: FieldCoordinate, payload: ObjectRef<Types, T>, description?: string) {
  const decl = fieldErrors(field);
  const members = errorMembers(field);
  return builder.unionType(decl.union, {
    description: description ?? `The result of ${field}: the payload or one of the errors it can return.`,
    types: [payload, ...members],
    resolveType: (value) => {
      if (!isErrorView(value)) return payload.name;
      return value.vendorCode !== null ? 'VendorError' : 'GatewayError';
    },
  });
}

/**
 * Runs a resolver's work and turns a typed failure into a member of the field's union. A failure of a kind
 * the union does not list is thrown on (masked, logged): the declaration is then wrong, and
 * test/api/field-errors.test.ts exists to catch that first.
 */
export function caught<R>(field: FieldCoordinate, work: () => R | Promise<R>): Promise<R | ErrorView> {
  // A promise chain rather than an async function: one promise less per resolver call, same outcomes (a
  // synchronous throw of `work` is handled like a rejection).
  let result: R | Promise<R>;
  try {
    result = work();
  } catch (error) {
    return new Promise((resolve) => resolve(asErrorView(field, error)));
  }
  return Promise.resolve(result).then(undefined, (error: unknown) => asErrorView(field, error));
}

/** The union member for a typed failure the field declares; anything else is thrown on. */
function asErrorView(field: FieldCoordinate, error: unknown): ErrorView {
  if (error instanceof GatewayError) {
    const decl = fieldErrors(field);
    const allowed = error.vendorCode !== null ? decl.vendor : decl.codes.size > 0;
    if (allowed) return errorView(error);
  }
  throw error;
}
