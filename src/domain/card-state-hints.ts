/**
 * Ordinary card calls often prove where the health card is before the light poller gets there: 4013 means no
 * card, a successful health-card call means a card is in. This wraps the control-software port so such proof
 * reaches the light monitor at once (it then reads the lights with a priority call) instead of at the next poll.
 * No I/O of its own; only the return code is looked at, never the data.
 */
import type { ControlSoftware } from '../ports/control-software.ts';

/** 4013: the health card is not in the reader (docs/reference/return-codes.md). */
const NO_HEALTH_CARD = 4013;

/** The health-card functions (API group 1, `his…`); the light poll's own hisGetCardStatus is not proof of anything new. */
const isHealthCardCall = (name: string): boolean => name.startsWith('his') && name !== 'hisGetCardStatus';

const returnCodeOf = (value: unknown): number | null => {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { rc?: unknown }).rc === 'number') return (value as { rc: number }).rc;
  return null;
};

/** `onProof(present)` runs after a health-card call whose code proves the card is in (true) or out (false). */
export function watchCardState(cs: ControlSoftware, onProof: (present: boolean) => void): ControlSoftware {
  return new Proxy(cs, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || !isHealthCardCall(property)) return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) {
          result.then(
            (outcome) => {
              const rc = returnCodeOf(outcome);
              if (rc === NO_HEALTH_CARD) onProof(false);
              else if (rc === 0) onProof(true);
            },
            () => undefined,
          );
        }
        return result;
      };
    },
  });
}
