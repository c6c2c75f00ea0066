/**
 * Card sessions: every insertion of a card into a reader slot gets an opaque id, so a HIS can tell "the card I
 * read" from "the card in the reader now" — a swap between two light polls included. A card is recognised by
 * an identity (a keyed hash of its card number, never the number itself: session ids and identities are
 * logged and sent to browsers, card numbers never are).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { CardSlot } from './light-monitor.ts';

/** What a read knows about the card in a slot: its identity, none (no card), or unknown (the read did not say). */
export type SeenCard = string | null | undefined;

export interface SessionChange {
  readonly slot: CardSlot;
  /** The session that ended (the card left or was swapped), or null. */
  readonly removed: string | null;
  /** The session that began, or null. */
  readonly inserted: string | null;
}

/** Per process: identities of the same card differ between gateway runs, so they mean nothing outside it. */
const IDENTITY_KEY = randomBytes(32);

/** A card's identity from its card number (1.35 csGetCardNo): stable within this process, not reversible. */
export function cardIdentity(cardNumber: string): string {
  return createHmac('sha256', IDENTITY_KEY).update(cardNumber).digest('base64url').slice(0, 22);
}

export class CardSessions {
  private readonly slots = new Map<CardSlot, { identity: string | null; session: string }>();

  /** The session of the card in `slot` now, or null when the slot is empty. */
  session(slot: CardSlot): string | null {
    return this.slots.get(slot)?.session ?? null;
  }

  /**
   * Records what a read saw. `present` says whether a card is in the slot; `card` is its identity when the
   * read knows it (undefined: unknown, e.g. the card-number read failed — then the card counts as the same one).
   * `otherCard`: something else proves a different card is in (e.g. the light dropped from authenticated to
   * inserted without passing through "no card").
   */
  observe(slot: CardSlot, present: boolean, card: SeenCard, otherCard = false): SessionChange | null {
    const now = this.slots.get(slot);
    if (!present) {
      if (!now) return null;
      this.slots.delete(slot);
      return { slot, removed: now.session, inserted: null };
    }
    if (now && !otherCard && (card === undefined || card === null || now.identity === null || now.identity === card)) {
      // Same card (or nothing says otherwise); learn its identity when we did not know it yet.
      if (now.identity === null && typeof card === 'string') now.identity = card;
      return null;
    }
    const session = newSession();
    this.slots.set(slot, { identity: typeof card === 'string' ? card : null, session });
    return { slot, removed: now?.session ?? null, inserted: session };
  }
}

/** A fresh session id (opaque; also used by presence sources that number their own insertions, e.g. PC/SC). */
export const newCardSession = (): string => `cs_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
const newSession = newCardSession;
