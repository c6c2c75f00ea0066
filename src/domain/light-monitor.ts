/**
 * Watches the card stack's light state and streams it: the current value first, then every change, plus
 * the reader/card events those changes mean. One merged stream feeds both `lightStateChanged` and `readerEvents`.
 *
 * Two sources, either or both:
 * - a **poller** (`read`): the control software's status calls (docs/reference/buffers.md (1.15) → lights 0–3). It reads only while
 *   somebody listens (a poll costs native calls), one call at a time so a waiting mutation is delayed by at
 *   most one poll call, and can be woken at once by a backend that knows something changed (`changeSignal`).
 * - a **presence source** (`presence`): PC/SC reader and card events, pushed the moment they happen
 *   (issue 4). For the slots it covers it decides whether a card is there — a removal turns the light off at
 *   once even if the last poll still said "authenticated" — and it supplies CARD_INSERTED / CARD_REMOVED /
 *   READER_ATTACHED / READER_DETACHED with the reader's name, the ATR and the card kind. Authentication levels
 *   (2, 3) still come only from the poller, which a presence change wakes.
 *
 * Merge rule per slot covered by presence: no NHI card in any of the slot's readers → 0; otherwise
 * max(1, polled level). Slots not covered use the polled level alone.
 *
 * Every light state and event published gets an id from one sequence, kept in a bounded replay buffer, so a
 * subscriber that comes back with the last id it saw gets what it missed (docs/protocol.md). With `lingerMs`
 * the monitor keeps watching that long after the last subscriber leaves, so there is something to replay.
 */
import { createChannel, type Channel } from './channel.ts';
import { CardSessions, type SessionChange } from './card-sessions.ts';
import { ReplayBuffer, type ReplayWindow, type Stamped } from './replay-buffer.ts';
import type { StreamCursor } from './stream-cursor.ts';
import type { CardLight, LightState } from '../ports/card-stack.ts';
import type { LightColour, LightLevel } from './types.ts';

export type CardSlot = 'HEALTH_CARD' | 'PROFESSIONAL_CARD';
export type ReaderEventKind = 'READER_ATTACHED' | 'READER_DETACHED' | 'CARD_INSERTED' | 'CARD_REMOVED' | 'CARD_AUTHENTICATED';
/** What a PC/SC card turned out to be (the SELECT of docs/reference/pcsc.md): an NHI health card, or any other card. */
export type CardKind = 'NHI_CARD' | 'OTHER';

export interface ReaderEvent {
  readonly kind: ReaderEventKind;
  readonly readerId: string;
  readonly readerName: string;
  readonly slot: CardSlot;
  /** The light level after the event (0–3). */
  readonly level: number;
  readonly at: string;
  /** The card's ATR in uppercase hex (PC/SC card events; the removed card's for CARD_REMOVED), else null. */
  readonly atr: string | null;
  /** NHI card or other (PC/SC card events), else null (the control software does not say). */
  readonly cardKind: CardKind | null;
  /**
   * The card session the event is about (src/domain/card-sessions.ts): the new card's for CARD_INSERTED, the
   * departed card's for CARD_REMOVED; null for reader events.
   */
  readonly cardSession: string | null;
}

export interface ReaderDescription {
  readonly id: string;
  readonly name: string;
  readonly slot: CardSlot;
  /** PC/SC readers: whether a card is in. Null for the control software's logical readers (unknown). */
  readonly cardPresent?: boolean | null;
  /** PC/SC readers: the card's ATR (uppercase hex), null without a card. */
  readonly atr?: string | null;
  readonly cardKind?: CardKind | null;
  /**
   * PC/SC readers whose source numbers insertions: the session of the card in this very reader. Undefined
   * without a card (`cardPresent` says so) or a session of its own (the control software's logical readers).
   */
  readonly cardSession?: string | null;
}

/** A card as a presence source sees it. */
export interface PresenceCard {
  readonly atr: string;
  readonly kind: CardKind;
  /**
   * Its card session, when the source numbers insertions itself (PC/SC: per reader, so it is right whether or
   * not anybody watches). Without it the monitor gives every insertion a new session of the slot.
   */
  readonly session?: string;
}

/** A reader as a presence source sees it now. */
export interface PresenceReader {
  readonly id: string;
  readonly name: string;
  readonly slot: CardSlot;
  readonly card: PresenceCard | null;
}

export interface PresenceChange {
  readonly kind: 'READER_ATTACHED' | 'READER_DETACHED' | 'CARD_INSERTED' | 'CARD_REMOVED';
  readonly reader: { readonly id: string; readonly name: string; readonly slot: CardSlot };
  /** The inserted card, or the removed one. */
  readonly card: PresenceCard | null;
  readonly at: Date;
}

export interface PresenceSource {
  /** Which light slots it decides presence for (PC/SC: the health card). */
  readonly slots: readonly CardSlot[];
  /** Readers and cards now. Called synchronously, often: keep it cheap. */
  readers(): readonly PresenceReader[];
  /** Every change from now on, in order; returns the unsubscribe function. */
  subscribe(listener: (change: PresenceChange) => void): () => void;
}

/** Called by a read as soon as it knows the two levels, before it reads which card is in (src/ports/card-stack.ts). */
export type LevelsKnown = (levels: LightState) => void;

export interface LightMonitorOptions {
  /**
   * Reads the light state (the poller); called one at a time, never concurrently. Omit for presence only. A read
   * that learns the levels before the rest may hand them to `levelsKnown` at once: a changed light is published
   * then, not after the card-number read that follows (docs/lights-under-load.md).
   */
  readonly read?: (levelsKnown?: LevelsKnown) => Promise<LightState>;
  /** Pushed reader/card presence (PC/SC). */
  readonly presence?: PresenceSource;
  /** The logical reader behind each light, for events from the poller and, without presence, the `readers` query. */
  readonly readers: Readonly<Record<CardSlot, ReaderDescription>>;
  /**
   * The longest time between two samples of the levels while subscribed, in ms (only with `read`). Each poll is
   * asked for early enough that its levels are known at most this long after the last ones, whatever the wait
   * in the control-software queue (see {@link LightMonitor.nextPollDelay}).
   */
  readonly intervalMs: number;
  /** Lets a backend wake the monitor at once; returns an unsubscribe function. */
  readonly changeSignal?: (wake: () => void) => () => void;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
  /** How much history a resuming subscriber can get back. @default DEFAULT_REPLAY_WINDOW (256 items, 5 minutes) */
  readonly replayWindow?: Partial<ReplayWindow>;
  /**
   * Keep watching this long (ms) after the last subscriber leaves, so a client that reconnects within it can
   * be given what happened meanwhile. 0 stops at once (a poll costs native calls). @default 0
   */
  readonly lingerMs?: number;
  /** Fixes the id epoch (tests). @default random per monitor */
  readonly idEpoch?: string;
}

/** One item of the monitor's single history: a light state or a reader event. */
type HistoryItem = { readonly kind: 'light'; readonly state: LightState } | { readonly kind: 'event'; readonly event: ReaderEvent };

/** What travels down a subscriber's channel: the value, its id, and whether it is a replay. */
interface Delivery<T> {
  readonly id: string;
  readonly value: T;
  readonly replayed: boolean;
}

type Listener = {
  light?: (s: LightState, id: string) => void;
  event?: (e: ReaderEvent, id: string) => void;
  close?: () => void;
};

/** Reads whose lead counts toward the next poll's timing. */
const LEADS_KEPT = 8;

const ZERO_POLL: LightState = { healthCard: { level: 0, colour: 'WHITE' }, professionalCard: { level: 0, colour: 'WHITE' } };

export class LightMonitor implements AsyncDisposable {
  /** The merged state last published. */
  private last: LightState | null = null;
  /** The light last published (what a new subscriber is given first); may run ahead of `last` within a read. */
  private shown: LightState | null = null;
  /** The poller's last answer (null before the first one, or without a poller). */
  private polled: LightState | null = null;
  /** How long recent reads took from being asked for to knowing the levels (ms): the lead the next poll needs. */
  private readonly leads: number[] = [];
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private unsubscribeSignal: (() => void) | null = null;
  private unsubscribePresence: (() => void) | null = null;
  private disposed = false;
  /** Kept across subscribers: a session lives as long as its card is in the reader, watched or not. */
  private readonly sessions = new CardSessions();
  /** Polling/listening to presence: while somebody subscribes, and for `lingerMs` after. */
  private watching = false;
  /** Counts stops: a read begun before one belongs to subscribers who have gone, and its answer is dropped. */
  private watchSpan = 0;
  private lingerTimer: NodeJS.Timeout | null = null;
  private readonly history: ReplayBuffer<HistoryItem>;

  constructor(private readonly options: LightMonitorOptions) {
    if (!options.read && !options.presence) throw new Error('LightMonitor needs a poller (read), a presence source, or both');
    this.history = new ReplayBuffer<HistoryItem>({
      ...(options.replayWindow ? { window: options.replayWindow } : {}),
      ...(options.idEpoch ? { epoch: options.idEpoch } : {}),
      now: () => this.now().getTime(),
    });
  }

  get readers(): readonly ReaderDescription[] {
    const presence = this.options.presence;
    if (!presence) return [this.options.readers.HEALTH_CARD, this.options.readers.PROFESSIONAL_CARD];
    return presence.readers().map((r) => ({
      id: r.id,
      name: r.name,
      slot: r.slot,
      cardPresent: r.card !== null,
      atr: r.card?.atr ?? null,
      cardKind: r.card?.kind ?? null,
      // Each reader's own card: with two readers in one slot, each names its card (not the one a read would use).
      ...(r.card?.session !== undefined ? { cardSession: r.card.session } : {}),
    }));
  }

  /** The state last published while somebody watches (no read of its own); null when nobody watches. */
  get watchedState(): LightState | null {
    return this.listeners.size > 0 ? this.shown : null;
  }

  /** The last state seen, or a fresh read when nobody is watching. */
  async current(): Promise<LightState> {
    if (this.shown && this.watching) return this.shown;
    const polled = this.options.read ? await this.options.read() : null;
    const state = this.merge(polled);
    this.observeSessions(state, polled);
    return state;
  }

  /** The session of the card in `slot` now (a fresh read when nobody is watching), or null without a card. */
  async cardSession(slot: CardSlot): Promise<string | null> {
    const fromPresence = this.presenceSession(slot);
    if (fromPresence !== undefined) return fromPresence;
    if (!(this.last && this.listeners.size > 0)) await this.current();
    return this.sessions.session(slot);
  }

  /**
   * For a slot whose presence source numbers its insertions: the session of the card a read would use (the
   * first reader by name holding an NHI card, else the first holding any card; src/adapters/pcsc/card-stack.ts
   * picks the same), null without a card. Undefined when presence does not decide it.
   */
  private presenceSession(slot: CardSlot): string | null | undefined {
    const presence = this.options.presence;
    if (!presence?.slots.includes(slot)) return undefined;
    const withCard = presence
      .readers()
      .filter((r) => r.slot === slot && r.card !== null)
      .sort((a, b) => a.name.localeCompare(b.name));
    if (withCard.length > 0 && withCard.some((r) => r.card?.session === undefined)) return undefined;
    const reader = withCard.find((r) => r.card?.kind === 'NHI_CARD') ?? withCard[0];
    return reader?.card?.session ?? null;
  }

  /**
   * The session of the card in this reader: its own card's where the presence source numbers them (PC/SC),
   * else its slot's ({@link cardSession}); null without a card.
   */
  async readerCardSession(reader: ReaderDescription): Promise<string | null> {
    if (reader.cardPresent === false) return null;
    if (reader.cardSession !== undefined) return reader.cardSession;
    return this.cardSession(reader.slot);
  }

  /** One reader's light: its slot's light, or off for a PC/SC reader without an NHI card. */
  async readerLight(reader: ReaderDescription): Promise<CardLight> {
    if (reader.cardPresent !== undefined && reader.cardPresent !== null && reader.cardKind !== 'NHI_CARD') {
      return light(0, reader.slot);
    }
    const state = await this.current();
    return reader.slot === 'HEALTH_CARD' ? state.healthCard : state.professionalCard;
  }

  /**
   * Current state first, then each change. Live from the call on. With `cursor.after` (the last id the client
   * saw), the light states published after it come first, marked as replays, then the current state; an
   * unknown or too old id sets `cursor.resume` to 'GAP' and the current state comes at once.
   */
  lightStates(cursor?: StreamCursor): AsyncIterableIterator<LightState> {
    const listener: Listener = {};
    const channel = this.channel<LightState>(listener);
    listener.light = (s, id) => channel.push({ id, value: s, replayed: false });
    this.add(listener);
    for (const item of this.replay(cursor)) {
      if (item.value.kind === 'light') channel.push({ id: item.id, value: item.value.state, replayed: true });
    }
    // With a known state, replay it; otherwise the first read publishes to every listener, this one included.
    const lastId = this.history.lastId;
    if (this.shown && lastId) channel.push({ id: lastId, value: this.shown, replayed: false });
    else void this.refresh();
    return unwrap(channel, cursor);
  }

  /** Reader and card events from now on (after `cursor.after`'s replay, as for {@link lightStates}). */
  readerEvents(cursor?: StreamCursor): AsyncIterableIterator<ReaderEvent> {
    const listener: Listener = {};
    const channel = this.channel<ReaderEvent>(listener);
    listener.event = (e, id) => channel.push({ id, value: e, replayed: false });
    this.add(listener);
    for (const item of this.replay(cursor)) {
      if (item.value.kind === 'event') channel.push({ id: item.id, value: item.value.event, replayed: true });
    }
    // Establish the baseline so the first real change produces events.
    if (!this.last) void this.refresh();
    return unwrap(channel, cursor);
  }

  private channel<T>(listener: Listener): Channel<Delivery<T>> {
    // Room for a whole replay plus the usual slack for a slow reader.
    const channel = createChannel<Delivery<T>>(() => this.remove(listener), this.history.capacity + 64);
    listener.close = () => channel.close();
    return channel;
  }

  /** What a resuming subscriber missed, recording on the cursor whether it could be had. */
  private replay(cursor: StreamCursor | undefined): readonly Stamped<HistoryItem>[] {
    if (!cursor?.after) return [];
    const missed = this.history.after(cursor.after);
    cursor.resume = missed === null ? 'GAP' : 'REPLAYED';
    return missed ?? [];
  }

  /**
   * Another call proved the health card is in (true) or out (false): read the lights now if that contradicts
   * what was last published. Cheap when it agrees, so it may be called after every card call.
   */
  healthCardSeen(present: boolean): void {
    this.cardSeen('HEALTH_CARD', present);
  }

  /** As {@link healthCardSeen}, for either slot (4014 or a successful professional-card call: src/domain/card-state-hints.ts). */
  cardSeen(slot: CardSlot, present: boolean): void {
    const last = this.shown;
    if (!last || this.options.presence?.slots.includes(slot)) return;
    const level = slot === 'HEALTH_CARD' ? last.healthCard.level : last.professionalCard.level;
    if (level > 0 !== present) void this.refresh();
  }

  /** Ask for a read now (after a mutation or a backend signal); coalesces bursts into one read. */
  refresh(): Promise<void> {
    if (!this.watching || this.disposed) return Promise.resolve();
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        for (;;) {
          this.rerun = false;
          await this.readAndPublish();
          if (!this.rerun || this.disposed) break;
          // Let the turn end before reading again: the control-software queue gives a waiting card call its turn
          // there (call-queue.ts), so a poll that takes longer than the interval never keeps card calls waiting.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.stop();
    // Streams end, so open subscriptions complete instead of hanging through shutdown.
    for (const listener of [...this.listeners]) listener.close?.();
    this.listeners.clear();
    await this.running;
  }

  private async readAndPublish(): Promise<void> {
    const previous = this.last;
    const span = this.watchSpan;
    if (this.options.read) {
      const asked = performance.now();
      let sampled: number | null = null;
      // A changed light goes out as soon as the levels are known; the events wait for the card's identity.
      const levelsKnown: LevelsKnown = (levels) => {
        if (span !== this.watchSpan) return;
        sampled = performance.now();
        // The newest levels: a presence change before this read ends merges these, not the ones before.
        this.polled = levels;
        const early = this.merge(levels);
        if (previous && this.shown && !sameLight(this.shown, early)) this.publishLight(early);
      };
      let polled: LightState;
      try {
        polled = await this.options.read(levelsKnown);
      } catch (error) {
        this.options.onError?.(error);
        if (span === this.watchSpan) this.schedulePoll(this.options.intervalMs);
        return;
      }
      // Nobody watched when it ended (maybe somebody new does): keeping it would hand the next subscriber
      // a light from before as the current one. A new subscriber asked for a read of its own.
      if (span !== this.watchSpan) return;
      this.polled = polled;
      this.recordLead((sampled ?? performance.now()) - asked);
      this.schedulePoll(this.nextPollDelay(sampled ?? performance.now()));
    }
    const next = this.merge(this.polled);
    this.last = next;
    const changes = this.observeSessions(next, this.polled, previous);
    if (!this.shown || !sameLight(this.shown, next)) this.publishLight(next);
    if (!previous) return;
    if (sameLight(previous, next) && changes.length === 0) return;
    const at = this.now().toISOString();
    for (const event of this.eventsBetween(previous, next, changes, at)) this.publishEvent(event);
  }

  /** Remembers how long a read took to learn the levels (the last few only: a slow spell passes). */
  private recordLead(ms: number): void {
    this.leads.push(Math.max(0, ms));
    if (this.leads.length > LEADS_KEPT) this.leads.shift();
  }

  /**
   * How long after a sample (levels known at `sampledAt`) to ask for the next poll: the interval less the
   * longest recent lead (the wait for the call in flight plus the status reads), so the next levels are known
   * no later than one interval after these, even when that poll waits for a whole card call and this one did
   * not. With an idle queue the lead is the reads alone and samples come exactly one interval apart. Never less
   * than half an interval: a control software slower than that is polled back to back at most at twice the rate.
   */
  private nextPollDelay(sampledAt: number): number {
    const interval = this.options.intervalMs;
    const lead = this.leads.length > 0 ? Math.max(...this.leads) : 0;
    const elapsed = performance.now() - sampledAt;
    return Math.max(interval / 2, interval - lead) - elapsed;
  }

  /** (Re)arms the poll timer: any read, whatever asked for it, restarts the count to the next one. */
  private schedulePoll(delayMs: number): void {
    if (!this.watching || this.disposed || !this.options.read) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, Math.max(0, delayMs));
    this.timer.unref?.();
  }

  /** Sessions for the slots the poller decides (presence decides its own in onPresence). */
  private observeSessions(state: LightState, polled: LightState | null, previous: LightState | null = null): SessionChange[] {
    const covered = this.options.presence?.slots ?? [];
    const changes: SessionChange[] = [];
    if (!covered.includes('HEALTH_CARD')) {
      const identity = polled?.healthCardIdentity;
      // Without the card's identity: an authenticated card does not fall back to "inserted" by itself, so another
      // card went in between polls. With it, the identity alone decides.
      const swapped = identity === undefined && previous !== null && previous.healthCard.level >= 2 && state.healthCard.level === 1;
      const change = this.sessions.observe('HEALTH_CARD', state.healthCard.level > 0, identity, swapped);
      if (change) changes.push(change);
    }
    if (!covered.includes('PROFESSIONAL_CARD')) {
      const change = this.sessions.observe('PROFESSIONAL_CARD', state.professionalCard.level > 0, undefined);
      if (change) changes.push(change);
    }
    return changes;
  }

  /** A PC/SC change: publish the new lights and the event itself at once, then let the poller catch up. */
  private onPresence(change: PresenceChange): void {
    if (this.disposed || !this.watching) return;
    const previous = this.shown;
    const next = this.merge(this.polled);
    this.last = next;
    if (!previous || !sameLight(previous, next)) this.publishLight(next);
    const slotLight = change.reader.slot === 'HEALTH_CARD' ? next.healthCard : next.professionalCard;
    // Every PC/SC insertion is a new card session (the watcher already reports a swap as removal + insertion).
    const ending = this.sessions.session(change.reader.slot);
    let cardSession: string | null = null;
    if (change.card?.session !== undefined) {
      // The source numbers its insertions per reader (a card identified again keeps its session).
      cardSession = change.card.session;
    } else if (change.kind === 'CARD_REMOVED') {
      this.sessions.observe(change.reader.slot, false, null);
      cardSession = ending;
    } else if (change.kind === 'CARD_INSERTED') {
      this.sessions.observe(change.reader.slot, false, null);
      cardSession = this.sessions.observe(change.reader.slot, true, `${change.reader.id}|${change.at.getTime()}`)?.inserted ?? null;
    }
    this.publishEvent({
      cardSession,
      kind: change.kind,
      readerId: change.reader.id,
      readerName: change.reader.name,
      slot: change.reader.slot,
      level: slotLight.level,
      at: change.at.toISOString(),
      atr: change.card?.atr ?? null,
      cardKind: change.card?.kind ?? null,
    });
    // The control software may now see the card authenticate (or not): read it soon rather than next interval.
    if (this.options.read) void this.refresh();
  }

  /** Polled levels (or 0 without a poller), overridden by presence for the slots presence covers. */
  private merge(polled: LightState | null): LightState {
    const base = polled ?? ZERO_POLL;
    const presence = this.options.presence;
    if (!presence) return base;
    const readers = presence.readers();
    const level = (slot: CardSlot, polledLight: CardLight): CardLight => {
      if (!presence.slots.includes(slot)) return polledLight;
      const nhiCardIn = readers.some((r) => r.slot === slot && r.card?.kind === 'NHI_CARD');
      if (!nhiCardIn) return light(0, slot);
      return polledLight.level >= 1 ? polledLight : light(1, slot);
    };
    return { healthCard: level('HEALTH_CARD', base.healthCard), professionalCard: level('PROFESSIONAL_CARD', base.professionalCard) };
  }

  private eventsBetween(previous: LightState, next: LightState, changes: readonly SessionChange[], at: string): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    const slots: [CardSlot, CardLight, CardLight][] = [
      ['HEALTH_CARD', previous.healthCard, next.healthCard],
      ['PROFESSIONAL_CARD', previous.professionalCard, next.professionalCard],
    ];
    for (const [slot, before, after] of slots) {
      const change = changes.find((c) => c.slot === slot);
      if (before.level === after.level && !change) continue;
      const reader = this.readerFor(slot);
      const base = { readerId: reader.id, readerName: reader.name, slot, at, atr: null, cardKind: null };
      // Presence reports insertion and removal itself (no change here); a swap is a removal, then an insertion.
      if (change?.removed) events.push({ ...base, kind: 'CARD_REMOVED', level: 0, cardSession: change.removed });
      if (change?.inserted) events.push({ ...base, kind: 'CARD_INSERTED', level: after.level, cardSession: change.inserted });
      const authenticated = after.level !== 0 && after.level > Math.max(change?.inserted ? 1 : before.level, 1);
      if (authenticated) events.push({ ...base, kind: 'CARD_AUTHENTICATED', level: after.level, cardSession: this.presenceSession(slot) ?? this.sessions.session(slot) });
    }
    return events;
  }

  /** The reader an authentication event belongs to: the PC/SC reader holding the NHI card, else the logical one. */
  private readerFor(slot: CardSlot): { readonly id: string; readonly name: string } {
    const holding = this.options.presence?.readers().find((r) => r.slot === slot && r.card?.kind === 'NHI_CARD');
    return holding ?? this.options.readers[slot];
  }

  private publishLight(state: LightState): void {
    this.shown = state;
    const { id } = this.history.push({ kind: 'light', state });
    for (const l of this.listeners) l.light?.(state, id);
  }

  private publishEvent(event: ReaderEvent): void {
    const { id } = this.history.push({ kind: 'event', event });
    for (const l of this.listeners) l.event?.(event, id);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private add(listener: Listener): void {
    this.listeners.add(listener);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    if (!this.watching) this.start();
  }

  private remove(listener: Listener): void {
    if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
    const lingerMs = this.options.lingerMs ?? 0;
    if (lingerMs <= 0 || this.disposed) {
      this.stop();
      return;
    }
    // Keep watching a while: a client that reconnects within the window is given what happened meanwhile.
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      if (this.listeners.size === 0) this.stop();
    }, lingerMs);
    this.lingerTimer.unref?.();
  }

  private start(): void {
    this.watching = true;
    this.unsubscribeSignal = this.options.changeSignal?.(() => void this.refresh()) ?? null;
    this.unsubscribePresence = this.options.presence?.subscribe((change) => this.onPresence(change)) ?? null;
    this.schedulePoll(this.options.intervalMs);
  }

  private stop(): void {
    this.watching = false;
    this.watchSpan++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.unsubscribeSignal?.();
    this.unsubscribeSignal = null;
    this.unsubscribePresence?.();
    this.unsubscribePresence = null;
    // Nobody watches: forget the state so the next subscriber starts from a fresh read.
    this.last = null;
    this.shown = null;
    this.polled = null;
    this.leads.length = 0;
  }
}

/** The values of a channel, noting each one's id on the cursor as it is handed out (the transport labels it). */
function unwrap<T>(channel: Channel<Delivery<T>>, cursor: StreamCursor | undefined): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      const result = await channel.next();
      if (result.done) return { value: undefined, done: true };
      if (cursor) cursor.current = { id: result.value.id, replayed: result.value.replayed };
      return { value: result.value.value, done: false };
    },
    async return() {
      await channel.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Console colours (briefing, CSWATCH): 0 white, 1 brown, 2 green (health card) / orange (professional card), 3 light purple. */
function light(level: LightLevel, slot: CardSlot): CardLight {
  const colour: LightColour =
    level === 0 ? 'WHITE' : level === 1 ? 'BROWN' : level === 2 ? (slot === 'HEALTH_CARD' ? 'GREEN' : 'ORANGE') : 'PURPLE';
  return { level, colour };
}

function sameLight(a: LightState, b: LightState): boolean {
  return a.healthCard.level === b.healthCard.level && a.professionalCard.level === b.professionalCard.level;
}
