/**
 * The reader's clock (1.34) and the ICD-10 codec (5.1 hisGetICD10EnC, 5.2 hisGetICD10DeC). No patient data.
 */
import { builder } from '../builder.ts';
import { caught, resultUnion } from '../errors.ts';
import { DateTimeScalar, RocDateTimeScalar } from '../scalars.ts';
import type { ReaderClock } from '../../src/domain/types.ts';
import * as tools from '../../resolvers/records/card-tools.ts';

const ReaderClockRef = builder.objectRef<ReaderClock>('ReaderClock').implement({
  description: 'API 1.34 csGetDateTime: the reader’s (and SAM’s) clock, which dates the card’s records.',
  fields: (t) => ({
    dateTime: t.field({ type: DateTimeScalar, nullable: true, description: 'Null when unreadable.', resolve: (c) => (c.dateTime ? c.dateTimeRoc : null) }),
    dateTimeRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (c) => (c.dateTime ? c.dateTimeRoc : null) }),
  }),
});

builder.queryField('readerClock', (t) =>
  t.field({
    type: resultUnion('Query.readerClock', ReaderClockRef),
    resolve: (_r, _a, ctx) => caught('Query.readerClock', () => tools.readerClock(ctx)),
  }),
);

const Icd10MappingRef = builder.objectRef<tools.Icd10Mapping>('Icd10Mapping').implement({
  description: 'An ICD-10-CM code and the 5-character form the card stores it in (NHI’s mapping is in the control software).',
  fields: (t) => ({
    icd10Code: t.exposeString('code', {
      description: 'ICD-10-CM without the dot, e.g. E1165 (not `code`, which every Error of the same union has).',
    }),
    cardForm: t.exposeString('cardForm', { description: 'The 5-character card form (codes that fit stay as they are).' }),
  }),
});

const Icd10CodecRef = builder.objectRef<object>('Icd10Codec').implement({
  description: 'The control software’s ICD-10 codec (5.1 / 5.2). 9127 when it has no mapping for the value.',
  fields: (t) => ({
    encode: t.field({
      type: resultUnion('Icd10Codec.encode', Icd10MappingRef),
      description: 'API 5.1 hisGetICD10EnC: ICD-10-CM code → card form.',
      args: { code: t.arg.string({ required: true }) },
      resolve: (_c, { code }, ctx) => caught('Icd10Codec.encode', () => tools.icd10Encode(ctx, code)),
    }),
    decode: t.field({
      type: resultUnion('Icd10Codec.decode', Icd10MappingRef),
      description: 'API 5.2 hisGetICD10DeC: card form → ICD-10-CM code.',
      args: { cardForm: t.arg.string({ required: true }) },
      resolve: (_c, { cardForm }, ctx) => caught('Icd10Codec.decode', () => tools.icd10Decode(ctx, cardForm)),
    }),
  }),
});

builder.queryField('icd10', (t) => t.field({ type: Icd10CodecRef, resolve: () => ({}) }));
