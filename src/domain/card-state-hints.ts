/**
 * Ordinary card calls often prove where a card is before the light poller gets there: 4013 means no health card,
 * 4014 no professional card, a successful health-card (`his…`) or professional-card (`hpc…`) call means that card
 * is in. This wraps the control-software port so such proof reaches the light monitor at once (it then reads the
 * lights with a priority call) instead of at the next poll. No I/O of its own; only the return code is looked at,
 * never the data.
 */
import type { ControlSoftware } from '../ports/control-software.ts';
import type { CardSlot } from './light-monitor.ts';

/** docs/reference/return-codes.md: 4013 the health card, 4014 the professional card is not in the reader. */
const NOT_INSERTED: Readonly<Record<number, CardSlot>> = { 4013: 'HEALTH_CARD', 4014: 'PROFESSIONAL_CARD' };

/**
 * The slot whose card a successful call of `name` proves in, else null. Status reads prove nothing by their
 * return code (hisGetCardStatus answers 0 with "no card" too; hpcGetHPCStatus reports absence in its status).
 */
function slotProvenBy(name: string): CardSlot | null {
  if (name === 'hisGetCardStatus' || name === 'hpcGetHPCStatus') return null;
  if (name.startsWith('his')) return 'HEALTH_CARD';
  if (name.startsWith('hpc')) return 'PROFESSIONAL_CARD';
  return null;
}

/** Any call may answer 4013/4014 (a write needs both cards); only card functions prove a card by succeeding. */
const isCardCall = (name: string): boolean => (name.startsWith('his') || name.startsWith('hpc')) && name !== 'hisGetCardStatus' && name !== 'hpcGetHPCStatus';

const returnCodeOf = (value: unknown): number | null => {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { rc?: unknown }).rc === 'number') return (value as { rc: number }).rc;
  return null;
};

/** `onProof(slot, present)` runs after a card call whose code proves that slot's card in (true) or out (false). */
export function watchCardState(cs: ControlSoftware, onProof: (slot: CardSlot, present: boolean) => void): ControlSoftware {
  // One watching function per card function, not a new one on every property read (resolvers read these on
  // every request); a method replaced on the target is watched afresh.
  const watched = new Map<string, { readonly fn: unknown; readonly wrapper: (...args: unknown[]) => unknown }>();
  const watch = (name: string, fn: (...a: unknown[]) => unknown, target: ControlSoftware): ((...args: unknown[]) => unknown) => {
    const provenIn = slotProvenBy(name);
    const seen = (outcome: unknown): void => {
      const rc = returnCodeOf(outcome);
      const missing = rc === null ? undefined : NOT_INSERTED[rc];
      if (missing) onProof(missing, false);
      else if (rc === 0 && provenIn) onProof(provenIn, true);
    };
    const ignore = (): undefined => undefined;
    return (...args: unknown[]) => {
      const result = fn.apply(target, args);
      if (result instanceof Promise) result.then(seen, ignore);
      return result;
    };
  };
  return new Proxy(cs, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function' || !isCardCall(property)) return value;
      const known = watched.get(property);
      if (known !== undefined && known.fn === value) return known.wrapper;
      const wrapper = watch(property, value as (...a: unknown[]) => unknown, target);
      watched.set(property, { fn: value, wrapper });
      return wrapper;
    },
  });
}
