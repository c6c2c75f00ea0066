/**
 * Turns call outcomes into label values from closed sets (docs/metrics.md): our error codes, the vendor
 * return codes of the catalogue, or a fixed word. Never a message, never an input value.
 */
import { GatewayError } from '../errors/gateway-errors.ts';
import { InputError } from '../codecs/input-error.ts';
import { lookupVendorCode } from '../errors/vendor-codes.ts';

/** An error code is ours when it looks like one (UPPER_SNAKE); anything else is folded. */
const CODE_SHAPE = /^[A-Z][A-Z0-9_]{1,63}$/;

/** A CardStack outcome: OK, our error code, BAD_USER_INPUT, or INTERNAL for anything else (a bug). */
export function operationResult(error?: unknown): string {
  if (error === undefined) return 'OK';
  if (error instanceof GatewayError) return CODE_SHAPE.test(error.code) ? error.code : 'OTHER';
  if (error instanceof InputError) return 'BAD_USER_INPUT';
  return 'INTERNAL';
}

/**
 * A ControlSoftware return value as a label: the rc when the catalogue knows it, or a small status value
 * (hisGetCardStatus, csISSetPIN and csOpenCom return 0–9 or −1 as their answer), else OTHER. Calls without a
 * return code (csGetVersionEx) are OK.
 */
export function returnCodeLabel(value: unknown): string {
  const rc = typeof value === 'number' ? value : rcOf(value);
  if (rc === undefined) return 'OK';
  if (Number.isInteger(rc) && ((rc >= -1 && rc <= 9) || lookupVendorCode(rc) !== undefined)) return String(rc);
  return 'OTHER';
}

/** Why a ControlSoftware call rejected (timeouts and missing exports are typed ControlSoftwareErrors). */
export function callFailureLabel(error: unknown): string {
  return error instanceof GatewayError && CODE_SHAPE.test(error.code) ? error.code : 'FAILED';
}

function rcOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || !('rc' in value)) return undefined;
  const rc = (value as { rc: unknown }).rc;
  return typeof rc === 'number' ? rc : undefined;
}
