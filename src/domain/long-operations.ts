/**
 * Long operations (src/ports/long-operations.ts): one tracker per card stack that runs the card update (1.30)
 * and the upload (3.1) one at a time and reports each stage as the real control-software call starts (the
 * CardStack reports them), not on a timer, so a front desk sees which step is slow.
 *
 * The tracker has no GraphQL in it (plain class, unit-testable).
 */
import { statSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { CardStack, OperationStage } from '../ports/card-stack.ts';
import type {
  LongOperations,
  OperationKind,
  OperationResult,
  OperationSnapshot,
} from '../ports/long-operations.ts';
import type { GatewayServices } from '../context.ts';
import { GatewayError } from '../errors/gateway-errors.ts';
import { createChannel, type Channel } from './channel.ts';
import { InputError } from '../codecs/input-error.ts';

const PLANNED: Record<OperationKind, readonly OperationStage[]> = {
  CARD_UPDATE: ['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'WRITING_CARD', 'DONE'],
  DATA_UPLOAD: ['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'UPLOADING', 'DONE'],
  CARD_UPDATE_WITHOUT_RESET: ['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'WRITING_CARD', 'DONE'],
  HEALTH_CARD_PIN_VERIFY: ['QUEUED', 'WAITING_FOR_PIN', 'DONE'],
  HEALTH_CARD_PIN_SET: ['QUEUED', 'WAITING_FOR_PIN', 'DONE'],
  HEALTH_CARD_PIN_DISABLE: ['QUEUED', 'WAITING_FOR_PIN', 'DONE'],
  PROFESSIONAL_CARD_PIN_CHANGE: ['QUEUED', 'WAITING_FOR_PIN', 'DONE'],
  PROFESSIONAL_CARD_UNLOCK: ['QUEUED', 'WAITING_FOR_PIN', 'DONE'],
};


interface Tracked {
  snapshot: OperationSnapshot;
  readonly watchers: Set<Channel<OperationSnapshot>>;
}

export interface OperationTrackerOptions {
  /** How many finished operations `get` still knows. @default 50 */
  readonly keepFinished?: number;
  readonly now?: () => Date;
  /** Called when an operation ends (e.g. to refresh the lights after a card reset). */
  readonly onFinished?: (snapshot: OperationSnapshot) => void;
}

export class OperationTracker {
  private readonly operations = new Map<string, Tracked>();
  private readonly byKey = new Map<string, string>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: OperationTrackerOptions = {}) {}

  /**
   * Queues `work` behind any running operation and returns the snapshot at QUEUED. `work` gets a stage
   * callback. With an idempotency key, a repeat returns the operation already started under it.
   */
  start(
    kind: OperationKind,
    work: (onStage: (stage: OperationStage) => void) => Promise<OperationResult>,
    idempotencyKey?: string | null,
  ): OperationSnapshot {
    const existing = idempotencyKey ? this.byKey.get(`${kind}:${idempotencyKey}`) : undefined;
    const known = existing === undefined ? undefined : this.operations.get(existing);
    if (known) return known.snapshot;

    const id = randomUUID();
    const at = this.nowIso();
    const tracked: Tracked = {
      snapshot: {
        id,
        kind,
        stage: 'QUEUED',
        plannedStages: PLANNED[kind],
        steps: [{ stage: 'QUEUED', at }],
        startedAt: at,
        finishedAt: null,
        result: null,
        error: null,
      },
      watchers: new Set(),
    };
    this.operations.set(id, tracked);
    if (idempotencyKey) this.byKey.set(`${kind}:${idempotencyKey}`, id);

    const run = async () => {
      try {
        const result = await work((stage) => this.advance(tracked, stage));
        this.finish(tracked, 'DONE', { result });
      } catch (error) {
        this.finish(tracked, 'FAILED', { error: error instanceof GatewayError ? error : null });
      }
    };
    // One long operation at a time: they share the reader and the SAM.
    this.tail = this.tail.then(run, run);
    return tracked.snapshot;
  }

  get(id: string): OperationSnapshot | null {
    return this.operations.get(id)?.snapshot ?? null;
  }

  /** The current snapshot first, then one per stage; ends after DONE/FAILED. Null for an unknown id. */
  watch(id: string): AsyncIterableIterator<OperationSnapshot> | null {
    const tracked = this.operations.get(id);
    if (!tracked) return null;
    const channel: Channel<OperationSnapshot> = createChannel(() => tracked.watchers.delete(channel));
    channel.push(tracked.snapshot);
    if (tracked.snapshot.finishedAt !== null) channel.close();
    else tracked.watchers.add(channel);
    return channel;
  }

  /** Resolves once every queued operation has finished (tests, shutdown). */
  async idle(): Promise<void> {
    let tail;
    do {
      tail = this.tail;
      await tail;
    } while (tail !== this.tail);
  }

  private advance(tracked: Tracked, stage: OperationStage): void {
    if (tracked.snapshot.finishedAt !== null || tracked.snapshot.stage === stage) return;
    this.update(tracked, { stage, steps: [...tracked.snapshot.steps, { stage, at: this.nowIso() }] });
  }

  private finish(
    tracked: Tracked,
    stage: 'DONE' | 'FAILED',
    outcome: { result?: OperationResult; error?: GatewayError | null },
  ): void {
    const at = this.nowIso();
    this.update(tracked, {
      stage,
      steps: [...tracked.snapshot.steps, { stage, at }],
      finishedAt: at,
      result: outcome.result ?? null,
      error: outcome.error ?? null,
    });
    for (const watcher of tracked.watchers) watcher.close();
    tracked.watchers.clear();
    this.forgetOld();
    try {
      this.options.onFinished?.(tracked.snapshot);
    } catch {
      // a listener's failure (e.g. the light monitor) must not turn a finished operation into a failed one
    }
  }

  private update(tracked: Tracked, change: Partial<OperationSnapshot>): void {
    tracked.snapshot = { ...tracked.snapshot, ...change };
    for (const watcher of tracked.watchers) watcher.push(tracked.snapshot);
  }

  private forgetOld(): void {
    const keep = this.options.keepFinished ?? 50;
    const finished = [...this.operations.values()].filter((t) => t.snapshot.finishedAt !== null);
    for (const old of finished.slice(0, Math.max(0, finished.length - keep))) {
      this.operations.delete(old.snapshot.id);
      for (const [key, id] of this.byKey) if (id === old.snapshot.id) this.byKey.delete(key);
    }
  }

  private nowIso(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}

const trackers = new WeakMap<CardStack, OperationTracker>();

/** The tracker of these services (one per CardStack, created on first use). */
export function operationTracker(services: Pick<GatewayServices, 'cards' | 'monitor'>): OperationTracker {
  let tracker = trackers.get(services.cards);
  if (!tracker) {
    // 1.30 ends with a card reset: let status widgets see the light drop and come back.
    tracker = new OperationTracker({ onFinished: () => void Promise.resolve(services.monitor.refresh()).catch(() => undefined) });
    trackers.set(services.cards, tracker);
  }
  return tracker;
}


export function startCardUpdate(services: Pick<GatewayServices, 'cards' | 'monitor' | 'writes'>, idempotencyKey?: string | null): OperationSnapshot {
  checkKey(idempotencyKey);
  return operationTracker(services).start(
    'CARD_UPDATE',
    // Journaled like every card write: after a crash mid-update the outcome is reported, not repeated.
    async (onStage) => ({
      kind: 'CARD_UPDATE',
      ...(await services.writes.run({ op: 'updateHealthCard', key: idempotencyKey, input: {}, execute: () => services.cards.updateCard(onStage) })),
    }),
    idempotencyKey,
  );
}

/** Characters in an upload file path (Windows MAX_PATH). */
export const MAX_UPLOAD_PATH = 260;

export function startUpload(
  services: Pick<GatewayServices, 'cards' | 'monitor' | 'writes'>,
  input: { file: string; recordCount: number },
  idempotencyKey?: string | null,
): OperationSnapshot {
  checkKey(idempotencyKey);
  const file = input.file.trim();
  // The control software is a 32-bit ANSI DLL: Windows' classic path limit (MAX_PATH) is the most it can open.
  if (file.length > MAX_UPLOAD_PATH) throw new InputError('input.file', `must be at most ${MAX_UPLOAD_PATH} characters`);
  // Absolute only: a relative path would be resolved against whatever folder the gateway was started in.
  if (file === '' || !(win32.isAbsolute(file) || posix.isAbsolute(file))) {
    throw new InputError('input.file', 'must be the full path of the XML file on this workstation, e.g. C:\\HIS\\upload\\1150301.xml');
  }
  if (!Number.isSafeInteger(input.recordCount) || input.recordCount < 1) throw new InputError('input.recordCount', 'must be at least 1');
  // The gateway runs on the workstation that holds the file: it measures the size itself (pFileSize), so a
  // HIS cannot get 9070 by miscounting bytes. A missing file is left to the control software (6017).
  let fileSize = 1;
  try {
    fileSize = Math.max(1, statSync(file).size);
  } catch {
    // reported by csUploadData as 6017
  }
  return operationTracker(services).start(
    'DATA_UPLOAD',
    async (onStage) => ({
      kind: 'DATA_UPLOAD',
      file,
      recordCount: input.recordCount,
      // Journaled: an upload interrupted by a crash is never sent a second time without the operator knowing.
      ...(await services.writes.run({
        op: 'uploadData',
        key: idempotencyKey,
        input: { file, fileSize, recordCount: input.recordCount },
        execute: () => services.cards.uploadData({ file, fileSize, recordCount: input.recordCount }, onStage),
      })),
    }),
    idempotencyKey,
  );
}

function checkKey(key: string | null | undefined): void {
  if (key != null && !/^[\x21-\x7e]{8,128}$/.test(key)) {
    throw new InputError('input.idempotencyKey', 'must be 8–128 printable ASCII characters (a UUID is a good choice)');
  }
}


/** The long operations of these services (one tracker per card stack). */
export function longOperationsFor(services: Pick<GatewayServices, 'cards' | 'monitor' | 'writes'>): LongOperations {
  return {
    startCardUpdate: (key) => startCardUpdate(services, key),
    startUpload: (input, key) => startUpload(services, input, key),
    get: (id) => operationTracker(services).get(id),
    watch: (id) => operationTracker(services).watch(id),
  };
}
