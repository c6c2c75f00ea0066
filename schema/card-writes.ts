/**
 * Card writes whose outcome is unknown (the gateway stopped mid-call, or the call timed out inside the control
 * software), and how to settle them.
 */
import { builder } from './builder.ts';
import { caught, resultUnion } from './errors.ts';
import { DateTimeScalar, RocDateTimeScalar } from './scalars.ts';
import * as visits from '../resolvers/visits.ts';

const UnresolvedCardWriteRef = builder
  .objectRef<ReturnType<typeof visits.unresolvedCardWrites>[number]>('UnresolvedCardWrite')
  .implement({
    description:
      'An operation that began on a card and never reported its end (the gateway stopped mid-call, or the call timed out and may still reach the card): it is never repeated automatically.',
    fields: (t) => ({
      id: t.exposeID('id'),
      operation: t.exposeString('operation'),
      idempotencyKey: t.exposeString('idempotencyKey', {
        nullable: true,
        description:
          'The key the caller sent, while the gateway that began the operation runs; null after a restart (the journal keeps keys only as a keyed hash, docs/security.md).',
      }),
      startedAt: t.field({ type: DateTimeScalar, resolve: (w) => w.startedAt }),
      startedAtRoc: t.field({ type: RocDateTimeScalar, resolve: (w) => w.startedAt }),
      checkable: t.exposeBoolean('checkable', { description: 'Whether checkCardWrite can settle it by reading the card.' }),
    }),
  });

const CardWriteResolutionEnum = builder.enumType('CardWriteResolution', {
  values: {
    APPLIED: { description: 'The operation reached the card.' },
    NOT_APPLIED: { description: 'The card shows no trace of it; send it again under a new idempotency key.' },
  } as const,
});

const SettlementMethodEnum = builder.enumType('SettlementMethod', {
  description: 'How an unresolved card write was settled.',
  values: {
    CHECKED: { description: 'Read from the card (checkCardWrite).' },
    CONFIRMED_BY_OPERATOR: { description: 'On the operator’s word (confirmCardWrite).' },
  } as const,
});

const SettledCardWriteRef = builder
  .objectRef<{ id: string; resolution: 'APPLIED' | 'NOT_APPLIED'; how: 'CHECKED' | 'CONFIRMED_BY_OPERATOR'; settledAt: Date }>(
    'SettledCardWrite',
  )
  .implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      resolution: t.field({ type: CardWriteResolutionEnum, resolve: (s) => s.resolution }),
      how: t.field({ type: SettlementMethodEnum, resolve: (s) => s.how }),
      settledAt: t.field({ type: DateTimeScalar, resolve: (s) => s.settledAt }),
      settledAtRoc: t.field({ type: RocDateTimeScalar, resolve: (s) => s.settledAt }),
    }),
  });

builder.queryField('unresolvedCardWrites', (t) =>
  t.field({ type: [UnresolvedCardWriteRef], resolve: (_r, _a, ctx) => visits.unresolvedCardWrites(ctx) }),
);

const CheckCardWriteInput = builder.inputType('CheckCardWriteInput', {
  fields: (t) => ({ id: t.id({ required: true, description: 'The UnresolvedCardWrite’s id.' }) }),
});

const ConfirmCardWriteInput = builder.inputType('ConfirmCardWriteInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'The UnresolvedCardWrite’s id.' }),
    resolution: t.field({ type: CardWriteResolutionEnum, required: true }),
  }),
});

builder.mutationFields((t) => ({
  checkCardWrite: t.field({
    type: resultUnion('Mutation.checkCardWrite', SettledCardWriteRef),
    description: 'Settle an unknown startVisit by reading the card’s last seq number (API 1.14).',
    args: { input: t.arg({ type: CheckCardWriteInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.checkCardWrite', () => visits.checkCardWrite(ctx, String(input.id))),
  }),
  confirmCardWrite: t.field({
    type: resultUnion('Mutation.confirmCardWrite', SettledCardWriteRef),
    description: 'Record what the operator found on the card for an unknown write.',
    args: { input: t.arg({ type: ConfirmCardWriteInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.confirmCardWrite', () => visits.confirmCardWrite(ctx, String(input.id), input.resolution)),
  }),
}));
