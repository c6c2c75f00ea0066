/**
 * Counting wrappers around the two ports the metrics watch: the ControlSoftware port (every CSHIS API call:
 * function, rc, latency) and the CardStack port (every card operation a GraphQL request makes: operation and
 * result code). Only the methods listed here are counted, so label values stay a closed set.
 */
import type { CardStack } from '../ports/card-stack.ts';
import type { ControlSoftware } from '../ports/control-software.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { callFailureLabel, operationResult, returnCodeLabel } from './result-labels.ts';

/** The ControlSoftware port's functions (docs/reference/functions.md numbers them). */
export const CONTROL_SOFTWARE_FUNCTIONS = [
  'csOpenCom', 'csCloseCom', 'csGetVersionEx', 'csSoftwareReset', 'csGetDateTime', 'hisGetCardStatus', 'csGetCardNo',
  'hpcGetHPCStatus', 'hisGetBasicData', 'hisGetRegisterBasic', 'hisGetRegisterBasic2', 'hisGetLastSeqNum', 'csISSetPIN',
  'hisGetSeqNumber256', 'hisGetSeqNumber256N1', 'hisQuickInsurence', 'hisGetTreatNumICCard', 'hisGetTreatNumNoICCard',
  'csUnGetSeqNumber', 'hisWriteTreatmentCode', 'hisWriteTreatmentFee', 'hisWriteTreatmentData', 'csVerifySAMDC',
  'csGetHospID', 'hpcVerifyHPCPIN', 'hpcGetHPCSN', 'hpcGetHPCSSN', 'hpcGetHPCCNAME', 'hpcGetHPCENAME',
  'csUpdateHCContents', 'csUploadData',
] as const satisfies readonly (keyof ControlSoftware)[];

/** CardStack operations counted (lightState is left out: the light poller calls it every half second). */
export const CARD_OPERATIONS = [
  'describe', 'healthCardStatus', 'basicData', 'registerData', 'cardValidity', 'lastSeqNumber', 'professionalCard',
  'professionalIdentity', 'sam', 'startVisit', 'quickInsuranceCheck', 'treatmentIdForVisit', 'treatmentIdWithoutCard',
  'cancelVisit', 'writeTreatment', 'verifySam', 'verifyProfessionalPin', 'reset', 'updateCard', 'uploadData',
] as const satisfies readonly (keyof CardStack)[];

type AnyMethod = (...args: unknown[]) => unknown;

/**
 * How a counted call is run and recorded: `method.apply(target, args)` inside whatever bookkeeping. Given the
 * method and its arguments rather than a closure over them, so a call makes no function object of its own.
 */
type Wrap = (name: string, method: AnyMethod, target: object, args: unknown[]) => Promise<unknown>;

/** `target` with the listed methods wrapped by `wrap`; every other property read through unchanged. */
function wrapMethods<T extends object>(target: T, names: readonly string[], wrap: Wrap): T {
  const counted = new Set(names);
  const cache = new Map<string, AnyMethod>();
  // Bound once per function, not on every read (the resolvers read these on every request).
  const bound = new WeakMap<AnyMethod, AnyMethod>();
  return new Proxy(target, {
    get(t, property) {
      const value: unknown = Reflect.get(t, property, t);
      if (typeof property !== 'string' || typeof value !== 'function' || !counted.has(property)) {
        if (typeof value !== 'function') return value;
        let fn = bound.get(value as AnyMethod);
        if (!fn) bound.set(value as AnyMethod, (fn = (value as AnyMethod).bind(t)));
        return fn;
      }
      let wrapped = cache.get(property);
      if (!wrapped) {
        const method = value as AnyMethod;
        wrapped = (...args: unknown[]) => wrap(property, method, t, args);
        cache.set(property, wrapped);
      }
      return wrapped;
    },
  });
}

/** The control software with every call counted by function and rc, and timed. */
export function instrumentControlSoftware<T extends ControlSoftware>(cs: T, metrics: GatewayMetrics, now: () => number = performance.now.bind(performance)): T {
  // A synchronous throw of `method` is caught here too: the call then rejects, counted, as before.
  return wrapMethods(cs, CONTROL_SOFTWARE_FUNCTIONS, async (name, method, target, args) => {
    const started = now();
    try {
      const result = await method.apply(target, args);
      metrics.recordControlSoftwareCall(name, returnCodeLabel(result), (now() - started) / 1000);
      return result;
    } catch (error) {
      metrics.recordControlSoftwareCall(name, callFailureLabel(error), (now() - started) / 1000);
      throw error;
    }
  });
}

/** The card stack with every operation counted by result (OK or the typed error's code). */
export function instrumentCardStack(cards: CardStack, metrics: GatewayMetrics): CardStack {
  return wrapMethods(cards, CARD_OPERATIONS, async (name, method, target, args) => {
    try {
      const result = await method.apply(target, args);
      metrics.recordCardOperation(name, operationResult());
      return result;
    } catch (error) {
      metrics.recordCardOperation(name, operationResult(error));
      throw error;
    }
  });
}
