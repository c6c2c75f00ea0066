/**
 * Watches the card stack's light state and streams it: the current value first, then every change, plus
 * the reader/card events those changes mean. It reads only while somebody listens (a poll costs native
 * calls), reads one call at a time so a waiting mutation is delayed by at most one poll call, and can be
 * woken at once by a backend that knows something changed (the simulator; PC/SC presence events later).
 */
import { createChannel } from './channel.ts';
import type { CardLight, LightState } from '../ports/card-stack.ts';

export type CardSlot = 'HEALTH_CARD' | 'PROFESSIONAL_CARD';
export type ReaderEventKind = 'READER_ATTACHED' | 'READER_DETACHED' | 'CARD_INSERTED' | 'CARD_REMOVED' | 'CARD_AUTHENTICATED';

export interface ReaderEvent {
  readonly kind: ReaderEventKind;
  readonly readerId: string;
  readonly readerName: string;
  readonly slot: CardSlot;
  /** The light level after the event (0–3). */
  readonly level: number;
  readonly at: string;
}

export interface ReaderDescription {
  readonly id: string;
  readonly name: string;
  readonly slot: CardSlot;
}

export interface LightMonitorOptions {
  /** Reads the light state; called one at a time, never concurrently. */
  readonly read: () => Promise<LightState>;
  /** The logical reader behind each light, for events and the `readers` query. */
  readonly readers: Readonly<Record<CardSlot, ReaderDescription>>;
  /** How often to poll while subscribed, in ms. */
  readonly intervalMs: number;
  /** Lets a backend wake the monitor at once; returns an unsubscribe function. */
  readonly changeSignal?: (wake: () => void) => () => void;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

type Listener = { light?: (s: LightState) => void; event?: (e: ReaderEvent) => void; close?: () => void };

export class LightMonitor implements AsyncDisposable {
  private last: LightState | null = null;
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private unsubscribeSignal: (() => void) | null = null;
  private disposed = false;

  constructor(private readonly options: LightMonitorOptions) {}

  get readers(): readonly ReaderDescription[] {
    return [this.options.readers.HEALTH_CARD, this.options.readers.PROFESSIONAL_CARD];
  }

  /** The last state seen, or a fresh read when nobody is watching. */
  async current(): Promise<LightState> {
    if (this.last && this.listeners.size > 0) return this.last;
    return this.options.read();
  }

  /** Current state first, then each change. Live from the call on. */
  lightStates(): AsyncIterableIterator<LightState> {
    const listener: Listener = {};
    const channel = createChannel<LightState>(() => this.remove(listener));
    listener.light = (s) => channel.push(s);
    listener.close = () => channel.close();
    this.add(listener);
    // With a known state, replay it; otherwise the first read publishes to every listener, this one included.
    if (this.last) channel.push(this.last);
    else void this.refresh();
    return channel;
  }

  /** Reader and card events from now on. Live from the call on. */
  readerEvents(): AsyncIterableIterator<ReaderEvent> {
    const listener: Listener = {};
    const channel = createChannel<ReaderEvent>(() => this.remove(listener));
    listener.event = (e) => channel.push(e);
    listener.close = () => channel.close();
    this.add(listener);
    // Establish the baseline so the first real change produces events.
    if (!this.last) void this.refresh();
    return channel;
  }

  /** Ask for a read now (after a mutation or a backend signal); coalesces bursts into one read. */
  refresh(): Promise<void> {
    if (this.listeners.size === 0 || this.disposed) return Promise.resolve();
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.rerun = false;
          await this.readAndPublish();
        } while (this.rerun && !this.disposed);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    this.stop();
    // Streams end, so open subscriptions complete instead of hanging through shutdown.
    for (const listener of [...this.listeners]) listener.close?.();
    this.listeners.clear();
    await this.running;
  }

  private async readAndPublish(): Promise<void> {
    let next: LightState;
    try {
      next = await this.options.read();
    } catch (error) {
      this.options.onError?.(error);
      return;
    }
    const previous = this.last;
    this.last = next;
    if (previous && sameLight(previous, next)) return;
    for (const l of this.listeners) l.light?.(next);
    if (!previous) return;
    const at = (this.options.now?.() ?? new Date()).toISOString();
    for (const event of this.eventsBetween(previous, next, at)) {
      for (const l of this.listeners) l.event?.(event);
    }
  }

  private eventsBetween(previous: LightState, next: LightState, at: string): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    const slots: [CardSlot, CardLight, CardLight][] = [
      ['HEALTH_CARD', previous.healthCard, next.healthCard],
      ['PROFESSIONAL_CARD', previous.professionalCard, next.professionalCard],
    ];
    for (const [slot, before, after] of slots) {
      if (before.level === after.level) continue;
      const reader = this.options.readers[slot];
      const base = { readerId: reader.id, readerName: reader.name, slot, level: after.level, at };
      if (before.level === 0) events.push({ ...base, kind: 'CARD_INSERTED' });
      if (after.level === 0) events.push({ ...base, kind: 'CARD_REMOVED' });
      else if (after.level > Math.max(before.level, 1)) events.push({ ...base, kind: 'CARD_AUTHENTICATED' });
    }
    return events;
  }

  private add(listener: Listener): void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
  }

  private remove(listener: Listener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) this.stop();
  }

  private start(): void {
    this.unsubscribeSignal = this.options.changeSignal?.(() => void this.refresh()) ?? null;
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs);
    this.timer.unref?.();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribeSignal?.();
    this.unsubscribeSignal = null;
    // Nobody watches: forget the state so the next subscriber starts from a fresh read.
    this.last = null;
  }
}

function sameLight(a: LightState, b: LightState): boolean {
  return a.healthCard.level === b.healthCard.level && a.professionalCard.level === b.professionalCard.level;
}
