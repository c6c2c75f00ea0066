/**
 * PIN flows, one at a time (Web eID's ACTION_PENDING): while the control software's PIN dialog is open,
 * a second PIN request is refused at once instead of queueing a second dialog behind the first (a queued
 * dialog would pop up later, when nobody expects it, and a person could type a PIN into the wrong prompt).
 *
 * A PIN call runs exactly once: no retry here, and none below (the call queue never retries, and a PIN
 * call has no coalescing key). A failed PIN attempt counts against the card's retry counter, so repeating
 * one automatically could lock the card.
 */
import type { CardStack } from '../ports/card-stack.ts';
import { actionPendingError } from '../errors/gateway-codes.ts';

/** CardStack methods that open a PIN dialog. Add future health-card PIN flows here. */
export const PIN_FLOW_METHODS = ['verifyProfessionalPin'] as const satisfies readonly (keyof CardStack)[];

export class PinGate {
  #pending: string | null = null;

  /** The PIN flow in progress (a method name), if any. */
  get pending(): string | null {
    return this.#pending;
  }

  /** Runs `call` once if no PIN flow is pending; otherwise rejects with ACTION_PENDING without calling it. */
  async run<T>(what: string, call: () => Promise<T>): Promise<T> {
    if (this.#pending !== null) throw actionPendingError();
    this.#pending = what;
    try {
      return await call();
    } finally {
      this.#pending = null;
    }
  }
}

const guarded = new WeakMap<CardStack, { cards: CardStack; gate: PinGate }>();

/**
 * `cards` with its PIN methods behind one gate. The same CardStack always gets the same wrapper (and gate),
 * so two apps over one set of services still allow one PIN flow in total.
 */
export function guardPinFlows(cards: CardStack): { cards: CardStack; gate: PinGate } {
  const existing = guarded.get(cards);
  if (existing) return existing;
  const gate = new PinGate();
  const pinMethods = new Set<PropertyKey>(PIN_FLOW_METHODS);
  // One bound (or gated) function per method, made on first use: every resolver call goes through here,
  // so binding afresh on each property read would allocate a closure per call.
  const methods = new Map<PropertyKey, unknown>();
  const wrapped = new Proxy(cards, {
    get(target, property) {
      const cached = methods.get(property);
      if (cached !== undefined) return cached;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // Bound to the real object: CardStack implementations may use private fields.
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      const method = pinMethods.has(property)
        ? (...args: unknown[]) => gate.run(String(property), () => bound(...args) as Promise<unknown>)
        : bound;
      methods.set(property, method);
      return method;
    },
  });
  const entry = { cards: wrapped, gate };
  guarded.set(cards, entry);
  return entry;
}
