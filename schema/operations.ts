/**
 * Long operations with progress: the online card update (API 1.30) and the data upload (API 3.1). Both take
 * seconds to minutes (NHI's IDC is on the other end), so the mutation only starts the operation and returns
 * its id at once; `operationProgress(id)` then streams a snapshot at every stage (queued → waiting for the
 * reader → contacting NHI's IDC → writing the card / uploading → done, or failed with a typed error), and
 * `operation(id)` answers the same snapshot for clients that poll.
 *
 * The stages are the real control-software calls as they start (CardStack reports them), not a timer: a
 * front desk sees which step is slow. Long operations run one at a time; a second one waits as QUEUED.
 *
 * The tracker has no GraphQL in it (plain class, unit-testable); it is kept per CardStack because the
 * services object is composed elsewhere.
 */
import { statSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { wrapErrorIfMatches } from '@pothos/plugin-errors';
import { ErrorInterface } from './errors.ts';
import type { CardStack, CardUpdateResult, OperationStage, UploadReceipt } from '../src/ports/card-stack.ts';
import type { GatewayServices } from '../src/context.ts';
import { ALL_ERROR_CLASSES, GatewayError } from '../src/errors/gateway-errors.ts';
import { createChannel, type Channel } from '../src/domain/channel.ts';
import { InputError } from '../src/codecs/input-error.ts';

// ---------------------------------------------------------------------------------------------------------
// tracker
// ---------------------------------------------------------------------------------------------------------

export type OperationKind = 'CARD_UPDATE' | 'DATA_UPLOAD';

export type OperationResult =
  | ({ readonly kind: 'CARD_UPDATE' } & CardUpdateResult)
  | ({ readonly kind: 'DATA_UPLOAD'; readonly file: string; readonly recordCount: number } & UploadReceipt);

export interface OperationStep {
  readonly stage: OperationStage;
  readonly at: string;
}

export interface OperationSnapshot {
  readonly id: string;
  readonly kind: OperationKind;
  readonly stage: OperationStage;
  /** Every stage this kind goes through, in order, so a UI can draw the whole stepper up front. */
  readonly plannedStages: readonly OperationStage[];
  /** The stages reached so far, with times. */
  readonly steps: readonly OperationStep[];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly result: OperationResult | null;
  /** The typed error of a FAILED operation (null for an unexpected failure, which is a bug). */
  readonly error: GatewayError | null;
}

const PLANNED: Record<OperationKind, readonly OperationStage[]> = {
  CARD_UPDATE: ['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'WRITING_CARD', 'DONE'],
  DATA_UPLOAD: ['QUEUED', 'WAITING_FOR_READER', 'CONTACTING_NHI_IDC', 'UPLOADING', 'DONE'],
};

/** Texts shown to the front desk for each stage. */
export const STAGE_TEXT: Record<OperationStage, { readonly zh: string; readonly en: string }> = {
  QUEUED: { zh: '排隊中：等待前一項作業完成', en: 'Queued behind another card operation' },
  WAITING_FOR_READER: { zh: '確認讀卡機與卡片', en: 'Checking the reader and the card' },
  CONTACTING_NHI_IDC: { zh: '連線健保署 IDC（安全模組認證）', en: 'Contacting NHI’s IDC (SAM authentication)' },
  WRITING_CARD: { zh: '更新健保卡內容中，請勿拔出卡片', en: 'Updating the health card: do not remove the card' },
  UPLOADING: { zh: '上傳資料至健保署', en: 'Uploading the data to NHI' },
  DONE: { zh: '完成', en: 'Done' },
  FAILED: { zh: '失敗', en: 'Failed' },
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

// ---------------------------------------------------------------------------------------------------------
// resolvers
// ---------------------------------------------------------------------------------------------------------

export function startCardUpdate(services: GatewayServices, idempotencyKey?: string | null): OperationSnapshot {
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
  services: GatewayServices,
  input: { file: string; recordCount: number },
  idempotencyKey?: string | null,
): OperationSnapshot {
  checkKey(idempotencyKey);
  const file = input.file.trim();
  // Absolute only: a relative path would be resolved against whatever folder the gateway was started in.
  // The control software is a 32-bit ANSI DLL: Windows' classic path limit (MAX_PATH) is the most it can open.
  if (file.length > MAX_UPLOAD_PATH) throw new InputError('file', `must be at most ${MAX_UPLOAD_PATH} characters`);
  if (file === '' || !(win32.isAbsolute(file) || posix.isAbsolute(file))) {
    throw new InputError('file', 'must be the full path of the XML file on this workstation, e.g. C:\\HIS\\upload\\1150301.xml');
  }
  if (!Number.isSafeInteger(input.recordCount) || input.recordCount < 1) throw new InputError('recordCount', 'must be at least 1');
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
    throw new InputError('idempotencyKey', 'must be 8–128 printable ASCII characters (a UUID is a good choice)');
  }
}

// ---------------------------------------------------------------------------------------------------------
// schema
// ---------------------------------------------------------------------------------------------------------

const OperationKindEnum = builder.enumType('OperationKind', {
  values: {
    CARD_UPDATE: { description: 'API 1.30 csUpdateHCContents: online health-card update.' },
    DATA_UPLOAD: { description: 'API 3.1 csUploadData: upload of the daily XML file to NHI.' },
  } as const,
});

const OperationStageEnum = builder.enumType('OperationStage', {
  description: 'Stages of a long operation; each is a real control-software call starting.',
  values: Object.fromEntries(
    (Object.keys(STAGE_TEXT) as OperationStage[]).map((stage) => [stage, { description: `${STAGE_TEXT[stage].en} / ${STAGE_TEXT[stage].zh}` }]),
  ) as Record<OperationStage, { description: string }>,
});

const OperationStepRef = builder.objectRef<OperationStep>('OperationStep').implement({
  fields: (t) => ({
    stage: t.field({ type: OperationStageEnum, resolve: (s) => s.stage }),
    at: t.exposeString('at', { description: 'ISO 8601 time the stage began.' }),
  }),
});

const CardUpdatedRef = builder
  .objectRef<Extract<OperationResult, { kind: 'CARD_UPDATE' }>>('CardUpdated')
  .implement({
    description: 'The card after API 1.30, read back with 1.38.',
    fields: (t) => ({
      remainingVisits: t.exposeInt('remainingVisits', { nullable: true }),
      cardValidUntil: t.exposeString('cardValidUntil', { nullable: true, description: 'ISO date.' }),
    }),
  });

const DataUploadedRef = builder
  .objectRef<Extract<OperationResult, { kind: 'DATA_UPLOAD' }>>('DataUploaded')
  .implement({
    description: 'API 3.1’s receipt (50 bytes, §4.2).',
    fields: (t) => ({
      file: t.exposeString('file'),
      recordCount: t.exposeInt('recordCount'),
      samId: t.exposeString('samId'),
      hospitalId: t.exposeString('hospitalId'),
      uploadedAt: t.exposeString('uploadedAt', { nullable: true, description: 'ISO 8601: when the file was sent.' }),
      receivedAt: t.exposeString('receivedAt', { nullable: true, description: 'ISO 8601: when NHI received it.' }),
    }),
  });

const OperationResultUnion = builder.unionType('OperationResult', {
  types: [CardUpdatedRef, DataUploadedRef],
  resolveType: (result) => (result.kind === 'CARD_UPDATE' ? 'CardUpdated' : 'DataUploaded'),
});

const OperationRef = builder.objectRef<OperationSnapshot>('Operation').implement({
  description: 'A long card operation and how far it has got. Poll with operation(id) or subscribe to operationProgress(id).',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.field({ type: OperationKindEnum, resolve: (o) => o.kind }),
    stage: t.field({ type: OperationStageEnum, resolve: (o) => o.stage }),
    message: t.string({
      description: 'The stage (or the error) in English, for the screen.',
      resolve: (o) => (o.stage === 'FAILED' ? `${STAGE_TEXT.FAILED.en}: ${o.error?.messageEn ?? 'unexpected error'}` : STAGE_TEXT[o.stage].en),
    }),
    messageZh: t.string({
      description: '目前階段（或錯誤）的中文說明。',
      resolve: (o) => (o.stage === 'FAILED' ? `${STAGE_TEXT.FAILED.zh}：${o.error?.messageZh ?? '非預期的錯誤'}` : STAGE_TEXT[o.stage].zh),
    }),
    plannedStages: t.field({ type: [OperationStageEnum], resolve: (o) => [...o.plannedStages] }),
    steps: t.field({ type: [OperationStepRef], resolve: (o) => [...o.steps] }),
    done: t.boolean({ description: 'DONE or FAILED: no further events.', resolve: (o) => o.finishedAt !== null }),
    startedAt: t.exposeString('startedAt'),
    finishedAt: t.exposeString('finishedAt', { nullable: true }),
    result: t.field({ type: OperationResultUnion, nullable: true, resolve: (o) => o.result }),
    error: t.field({
      type: ErrorInterface,
      nullable: true,
      description: 'Why a FAILED operation failed, as the same typed errors as every other field.',
      // graphql-js treats a returned Error as a thrown one: wrap it the way the errors plugin wraps the errors
      // of every other field, so it resolves to its typed object (CardError, SamError …).
      resolve: (o) => (o.error ? (wrapErrorIfMatches(o.error, ALL_ERROR_CLASSES) as GatewayError) : null),
    }),
  }),
});

const UploadDataInputRef = builder.inputType('UploadDataInput', {
  fields: (t) => ({
    file: t.string({ required: true, description: 'Full path of the XML file on this workstation, e.g. C:\\HIS\\upload\\1150301.xml.' }),
    recordCount: t.int({ required: true, description: 'Number of records in the file (pNumber).' }),
  }),
});

const KEY_DOC = 'A client-chosen unique key (e.g. a UUID): repeating the request with it returns the operation already started.';

builder.mutationFields((t) => ({
  updateHealthCard: t.field({
    type: OperationRef,
    description:
      'Start the online card update (API 1.30: refills visits, renews validity; 9081 while more than 3 visits are left). ' +
      'Returns at once; follow it with operationProgress(id).',
    args: { idempotencyKey: t.arg.string({ description: KEY_DOC }) },
    resolve: (_r, { idempotencyKey }, ctx) => startCardUpdate(ctx, idempotencyKey),
  }),
  uploadData: t.field({
    type: OperationRef,
    description: 'Start the upload of an XML file to NHI (API 3.1). Returns at once; follow it with operationProgress(id).',
    args: { input: t.arg({ type: UploadDataInputRef, required: true }), idempotencyKey: t.arg.string({ description: KEY_DOC }) },
    resolve: (_r, { input, idempotencyKey }, ctx) => startUpload(ctx, input, idempotencyKey),
  }),
}));

builder.queryField('operation', (t) =>
  t.field({
    type: OperationRef,
    nullable: true,
    description: 'A long operation by id; null when unknown (the gateway keeps the last 50 finished ones).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => operationTracker(ctx).get(String(id)),
  }),
);

builder.subscriptionField('operationProgress', (t) =>
  t.field({
    type: OperationRef,
    description: 'The operation now, then again at every stage; completes after DONE or FAILED.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_r, { id }, ctx) => {
      const stream = operationTracker(ctx).watch(String(id));
      if (!stream) {
        throw new GraphQLError(`no operation ${String(id)} (unknown, or finished long ago)`, {
          extensions: { code: 'OPERATION_NOT_FOUND' },
        });
      }
      return stream;
    },
    resolve: (snapshot) => snapshot,
  }),
);
