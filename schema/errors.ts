/**
 * Typed errors in the schema: every class of src/errors/gateway-errors.ts is an object type implementing
 * the `Error` interface, so clients can always select `... on Error { code message }` and switch on the
 * concrete type (or `category`) when they care.
 */
import { builder } from './builder.ts';
import { ALL_ERROR_CLASSES, ERROR_CLASSES, GatewayError, type ErrorCategory } from '../src/errors/gateway-errors.ts';

export const ErrorCategoryEnum = builder.enumType('ErrorCategory', {
  description: 'Broad group of an error, stable across control-software versions.',
  values: [
    'READER',
    'CARD',
    'SAM',
    'PROFESSIONAL_CARD',
    'PIN',
    'INSURANCE',
    'VISIT',
    'CARD_WRITE',
    'NETWORK',
    'CONTROL_SOFTWARE',
    'UNKNOWN_VENDOR_CODE',
    'ACCESS',
  ] as const,
});

export const ErrorInterface = builder.interfaceRef<GatewayError>('Error').implement({
  description: 'Every expected failure. Never carries patient data.',
  fields: (t) => ({
    message: t.exposeString('messageEn', { description: 'English message.' }),
    messageZh: t.exposeString('messageZh', { description: '中文訊息 (zh-TW).' }),
    code: t.exposeString('code', { description: 'Stable machine code, e.g. HEALTH_CARD_NOT_INSERTED.' }),
    vendorCode: t.exposeInt('vendorCode', {
      nullable: true,
      description: "The control software's return code (docs/reference/return-codes.md), when the error came from it.",
    }),
    category: t.field({ type: ErrorCategoryEnum, resolve: (e) => e.category }),
    retryable: t.exposeBoolean('retryable', { description: 'Whether repeating the same call may succeed.' }),
    hint: t.exposeString('hintEn', { nullable: true, description: 'What to do about it (English).' }),
    hintZh: t.exposeString('hintZh', { nullable: true, description: '處理方式 (zh-TW).' }),
  }),
});

// Spelled out rather than taken from Class.name, which a minifying bundler may rename.
const TYPE_NAMES: Record<ErrorCategory, string> = {
  READER: 'ReaderError',
  CARD: 'CardError',
  SAM: 'SamError',
  PROFESSIONAL_CARD: 'ProfessionalCardError',
  PIN: 'PinError',
  INSURANCE: 'InsuranceError',
  VISIT: 'VisitError',
  CARD_WRITE: 'CardWriteError',
  NETWORK: 'NetworkError',
  CONTROL_SOFTWARE: 'ControlSoftwareError',
  UNKNOWN_VENDOR_CODE: 'VendorError',
  ACCESS: 'AccessError',
};

for (const [category, ErrorClass] of Object.entries(ERROR_CLASSES) as [ErrorCategory, (typeof ERROR_CLASSES)[ErrorCategory]][]) {
  builder.objectType(ErrorClass, {
    name: TYPE_NAMES[category],
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof ErrorClass,
    fields: () => ({}),
  });
}

/** Options for a field whose expected failures come back as typed union members. */
export const cardErrors = { types: ALL_ERROR_CLASSES, directResult: true } as const;
