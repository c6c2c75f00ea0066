/**
 * `cardVisits`: the card's visit records (1.5) joined with the card-write journal, for recovery after a HIS crash.
 * Guide: docs/card/card-visits.md.
 */
import { builder } from '../builder.ts';
import { caught, resultUnion } from '../errors.ts';
import { DateTimeScalar, RocDateTimeScalar } from '../scalars.ts';
import { CardVisitRecordRef } from './history.ts';
import * as cv from '../../resolvers/records/card-visits.ts';

const JournalVisitRef = builder.objectRef<cv.JournalVisit>('JournalVisit').implement({
  description: 'What this gateway’s card-write journal remembers of a visit (its retention: recent days only).',
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, resolve: (v) => v.visitTimeRoc }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, resolve: (v) => v.visitTimeRoc }),
    registeredByGateway: t.exposeBoolean('registeredByGateway', { description: 'startVisit on this gateway registered it.' }),
    treatmentId: t.exposeString('treatmentId', { nullable: true, description: 'As startVisit returned it, or as treatmentIdForVisit fetched it later.' }),
    treatmentIdPending: t.exposeBoolean('treatmentIdPending', {
      description: 'startVisit returned it without a treatment ID and treatmentIdForVisit has not fetched one since: fetch it with treatmentIdForVisit.',
    }),
    diagnosesWrittenAt: t.field({ type: DateTimeScalar, nullable: true, description: 'When writeTreatment succeeded; null if it did not.', resolve: (v) => v.diagnosesWrittenAt }),
    diagnosesWrittenAtRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (v) => v.diagnosesWrittenAt }),
    prescriptionsWritten: t.exposeInt('prescriptionsWritten', { description: 'Prescription records writePrescriptions wrote for it.' }),
    cancelledAt: t.field({ type: DateTimeScalar, nullable: true, resolve: (v) => v.cancelledAt }),
    cancelledAtRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (v) => v.cancelledAt }),
  }),
});

const CardVisitRef = builder.objectRef<cv.CardVisitEntry>('CardVisit').implement({
  fields: (t) => ({
    card: t.field({ type: CardVisitRecordRef, description: 'The record on the card (1.5).', resolve: (v) => v.card }),
    journal: t.field({ type: JournalVisitRef, nullable: true, description: 'Null when this gateway’s journal does not know the visit.', resolve: (v) => v.journal }),
  }),
});

const CardVisitsRef = builder.objectRef<cv.CardVisits>('CardVisits').implement({
  fields: (t) => ({
    visits: t.field({ type: [CardVisitRef], description: 'The card’s visit ring, as the card orders it.', resolve: (c) => [...c.visits] }),
  }),
});

builder.queryField('cardVisits', (t) =>
  t.field({
    type: resultUnion('Query.cardVisits', CardVisitsRef),
    description: 'The visits on the inserted card joined with what this gateway’s card-write journal knows of them.',
    resolve: (_r, _a, ctx) => caught('Query.cardVisits', () => cv.cardVisits(ctx)),
  }),
);
