/**
 * Long operations with progress: the online card update (API 1.30) and the data upload (API 3.1). The
 * mutation starts the operation and returns its snapshot at once; `operationProgress(id)` then streams a
 * snapshot at every stage, and `operation(id)` answers the same snapshot for clients that poll. The work is
 * behind the LongOperations port (src/ports/long-operations.ts).
 */
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { ErrorInterface, errorView } from './errors.ts';
import { DateScalar, DateTimeScalar, RocDateScalar, RocDateTimeScalar } from './scalars.ts';
import type { OperationStage } from '../src/ports/card-stack.ts';
import {
  STAGE_TEXT,
  type LongOperations,
  type OperationResult,
  type OperationSnapshot,
  type OperationStep,
} from '../src/ports/long-operations.ts';
import type { GatewayServices } from '../src/context.ts';
import { longOperationsFor } from '../src/domain/long-operations.ts';
import { withInputNames } from '../resolvers/input.ts';

const operations = (ctx: GatewayServices): LongOperations => ctx.operations ?? longOperationsFor(ctx);

const OperationKindEnum = builder.enumType('OperationKind', {
  values: {
    CARD_UPDATE: { description: 'API 1.30 csUpdateHCContents: online health-card update.' },
    DATA_UPLOAD: { description: 'API 3.1 csUploadData: upload of the daily XML file to NHI.' },
    CARD_UPDATE_WITHOUT_RESET: { description: 'API 1.40 csUpdateHCNoReset: the online update without the card reset (re-insert the card after it).' },
    HEALTH_CARD_PIN_VERIFY: { description: 'API 1.27 csVerifyHCPIN: the patient enters the health-card PIN in the control software’s dialog.' },
    HEALTH_CARD_PIN_SET: { description: 'API 1.28 csInputHCPIN: the patient sets or changes the health-card PIN.' },
    HEALTH_CARD_PIN_DISABLE: { description: 'API 1.29 csDisableHCPIN: the patient turns the health-card PIN off.' },
    PROFESSIONAL_CARD_PIN_CHANGE: { description: 'API 4.3 hpcInputHPCPIN: change the professional card’s PIN.' },
    PROFESSIONAL_CARD_UNLOCK: { description: 'API 4.4 hpcUnlockHPC: unlock a professional card locked by wrong PINs.' },
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
    at: t.field({ type: DateTimeScalar, description: 'When the stage began.', resolve: (s) => s.at }),
    atRoc: t.field({ type: RocDateTimeScalar, resolve: (s) => s.at }),
  }),
});

const CardUpdatedRef = builder
  .objectRef<Extract<OperationResult, { kind: 'CARD_UPDATE' | 'CARD_UPDATE_WITHOUT_RESET' }>>('CardUpdated')
  .implement({
    description: 'The card after API 1.30 (or 1.40), read back with 1.38.',
    fields: (t) => ({
      remainingVisits: t.exposeInt('remainingVisits', { nullable: true }),
      cardValidUntil: t.field({ type: DateScalar, nullable: true, resolve: (r) => r.cardValidUntil }),
      cardValidUntilRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (r) => r.cardValidUntil }),
    }),
  });

const DataUploadedRef = builder
  .objectRef<Extract<OperationResult, { kind: 'DATA_UPLOAD' }>>('DataUploaded')
  .implement({
    description: 'API 3.1’s receipt (docs/reference/buffers.md).',
    fields: (t) => ({
      file: t.exposeString('file'),
      recordCount: t.exposeInt('recordCount'),
      samId: t.exposeString('samId'),
      hospitalId: t.exposeString('hospitalId'),
      uploadedAt: t.field({ type: DateTimeScalar, nullable: true, description: 'When the file was sent.', resolve: (r) => r.uploadedAt }),
      uploadedAtRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (r) => r.uploadedAt }),
      receivedAt: t.field({ type: DateTimeScalar, nullable: true, description: 'When NHI received it.', resolve: (r) => r.receivedAt }),
      receivedAtRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (r) => r.receivedAt }),
    }),
  });

const PinFlowCompletedRef = builder
  .objectRef<Extract<OperationResult, { completedAt: string }>>('PinFlowCompleted')
  .implement({
    description: 'A PIN flow (1.27–1.29, 4.3, 4.4) the control software’s dialog completed.',
    fields: (t) => ({
      completedAt: t.field({ type: DateTimeScalar, resolve: (r) => r.completedAt }),
      completedAtRoc: t.field({ type: RocDateTimeScalar, resolve: (r) => r.completedAt }),
    }),
  });

const OperationResultUnion = builder.unionType('OperationResult', {
  types: [CardUpdatedRef, DataUploadedRef, PinFlowCompletedRef],
  resolveType: (result) =>
    result.kind === 'CARD_UPDATE' || result.kind === 'CARD_UPDATE_WITHOUT_RESET'
      ? 'CardUpdated'
      : result.kind === 'DATA_UPLOAD'
        ? 'DataUploaded'
        : 'PinFlowCompleted',
});

export const OperationRef = builder.objectRef<OperationSnapshot>('Operation').implement({
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
    startedAt: t.field({ type: DateTimeScalar, resolve: (o) => o.startedAt }),
    startedAtRoc: t.field({ type: RocDateTimeScalar, resolve: (o) => o.startedAt }),
    finishedAt: t.field({
      type: DateTimeScalar,
      nullable: true,
      description: 'When it reached DONE or FAILED (no further events); null while it runs.',
      resolve: (o) => o.finishedAt,
    }),
    finishedAtRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (o) => o.finishedAt }),
    result: t.field({ type: OperationResultUnion, nullable: true, resolve: (o) => o.result }),
    error: t.field({
      type: ErrorInterface,
      nullable: true,
      description: 'Why a FAILED operation failed, as the same typed errors as every other field.',
      resolve: (o) => (o.error ? errorView(o.error) : null),
    }),
  }),
});

const KEY_DOC =
  'A client-chosen unique key, 8–128 printable ASCII characters (a UUID is a good choice): repeating the request with it returns the operation already started.';

const UpdateHealthCardInputRef = builder.inputType('UpdateHealthCardInput', {
  fields: (t) => ({ idempotencyKey: t.string({ description: KEY_DOC }) }),
});

const UploadDataInputRef = builder.inputType('UploadDataInput', {
  fields: (t) => ({
    file: t.string({ required: true, description: 'Full path of the XML file on this workstation, e.g. C:\\HIS\\upload\\1150301.xml.' }),
    recordCount: t.int({ required: true, description: 'Number of records in the file (pNumber).' }),
    idempotencyKey: t.string({ description: KEY_DOC }),
  }),
});

builder.mutationFields((t) => ({
  updateHealthCard: t.field({
    type: OperationRef,
    description:
      'Start the online card update (API 1.30: refills visits, renews validity; 9081 while more than 3 visits are left). ' +
      'Returns at once; follow it with operationProgress(id). Its failures arrive in Operation.error.',
    args: { input: t.arg({ type: UpdateHealthCardInputRef, required: false }) },
    resolve: (_r, { input }, ctx) => withInputNames(() => operations(ctx).startCardUpdate(input?.idempotencyKey)),
  }),
  uploadData: t.field({
    type: OperationRef,
    description:
      'Start the upload of an XML file to NHI (API 3.1). Returns at once; follow it with operationProgress(id). Its failures arrive in Operation.error.',
    args: { input: t.arg({ type: UploadDataInputRef, required: true }) },
    resolve: (_r, { input }, ctx) =>
      withInputNames(() => operations(ctx).startUpload({ file: input.file, recordCount: input.recordCount }, input.idempotencyKey)),
  }),
}));

builder.queryField('operation', (t) =>
  t.field({
    type: OperationRef,
    nullable: true,
    description: 'A long operation by id; null when unknown (the gateway keeps the last 50 finished ones).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => operations(ctx).get(String(id)),
  }),
);

builder.subscriptionField('operationProgress', (t) =>
  t.field({
    type: OperationRef,
    description: 'The operation now, then again at every stage; completes after DONE or FAILED. An unknown id is OPERATION_NOT_FOUND in errors[].',
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_r, { id }, ctx) => {
      const stream = operations(ctx).watch(String(id));
      if (!stream) throw new GraphQLError('No such long operation', { extensions: { code: 'OPERATION_NOT_FOUND' } });
      return stream;
    },
    resolve: (snapshot) => snapshot,
  }),
);
