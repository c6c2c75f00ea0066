/**
 * Card writes whose outcome is unknown (the gateway stopped mid-call), and how to settle them.
 */
import { builder } from './builder.ts';
import { cardErrors } from './errors.ts';
import * as visits from '../resolvers/visits.ts';

const UnresolvedCardWriteRef = builder
  .objectRef<ReturnType<typeof visits.unresolvedCardWrites>[number]>('UnresolvedCardWrite')
  .implement({
    description: 'An operation that began on a card and never reported its end: it is never repeated automatically.',
    fields: (t) => ({
      id: t.exposeID('id'),
      operation: t.exposeString('operation'),
      idempotencyKey: t.exposeString('idempotencyKey', {
        nullable: true,
        description:
          'The key the caller sent, while the gateway that began the operation runs; null after a restart (the journal keeps keys only as a keyed hash, docs/security.md).',
      }),
      startedAt: t.exposeString('startedAt'),
      checkable: t.exposeBoolean('checkable', { description: 'Whether checkCardWrite can settle it by reading the card.' }),
    }),
  });

const CardWriteResolutionEnum = builder.enumType('CardWriteResolution', {
  values: {
    APPLIED: { description: 'The operation reached the card.' },
    NOT_APPLIED: { description: 'The card shows no trace of it; send it again under a new idempotency key.' },
  } as const,
});

const SettledCardWriteRef = builder
  .objectRef<{ id: string; resolution: 'APPLIED' | 'NOT_APPLIED'; how: string }>('SettledCardWrite')
  .implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      resolution: t.field({ type: CardWriteResolutionEnum, resolve: (s) => s.resolution }),
      how: t.exposeString('how', { description: 'CHECKED (read from the card) or CONFIRMED_BY_OPERATOR.' }),
    }),
  });

builder.queryField('unresolvedCardWrites', (t) =>
  t.field({ type: [UnresolvedCardWriteRef], resolve: (_r, _a, ctx) => visits.unresolvedCardWrites(ctx) }),
);

builder.mutationFields((t) => ({
  checkCardWrite: t.field({
    type: SettledCardWriteRef,
    description: 'Settle an unknown startVisit by reading the card’s last seq number (API 1.14).',
    errors: cardErrors,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => visits.checkCardWrite(ctx, String(id)),
  }),
  confirmCardWrite: t.field({
    type: SettledCardWriteRef,
    description: 'Record what the operator found on the card for an unknown write.',
    errors: cardErrors,
    args: { id: t.arg.id({ required: true }), resolution: t.arg({ type: CardWriteResolutionEnum, required: true }) },
    resolve: (_r, { id, resolution }, ctx) => visits.confirmCardWrite(ctx, String(id), resolution),
  }),
}));
