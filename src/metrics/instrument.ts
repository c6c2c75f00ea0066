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

/** `target` with the listed methods wrapped by `wrap`; every other property read through unchanged. */
function wrapMethods<T extends object>(target: T, names: readonly string[], wrap: (name: string, call: () => Promise<unknown>) => Promise<unknown>): T {
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
        wrapped = (...args: unknown[]) => wrap(property, () => Promise.resolve(method.apply(t, args)));
        cache.set(property, wrapped);
      }
      return wrapped;
    },
  });
}

/** The control software with every call counted by function and rc, and timed. */
export function instrumentControlSoftware<T extends ControlSoftware>(cs: T, metrics: GatewayMetrics, now: () => number = performance.now.bind(performance)): T {
  return wrapMethods(cs, CONTROL_SOFTWARE_FUNCTIONS, async (name, call) => {
    const started = now();
    try {
      const result = await call();
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
  return wrapMethods(cards, CARD_OPERATIONS, async (name, call) => {
    try {
      const result = await call();
      metrics.recordCardOperation(name, operationResult());
      return result;
    } catch (error) {
      metrics.recordCardOperation(name, operationResult(error));
      throw error;
    }
  });
}
