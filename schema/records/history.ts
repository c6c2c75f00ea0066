/**
 * Visit history on the health card: the 6-visit ring with fees (1.5), diagnoses (1.8, verified professional card),
 * critical illness (1.33 / 1.50), cumulative data and fees (1.6, 1.7). Guide: docs/card/history.md.
 */
import { builder } from '../builder.ts';
import { caught, resultUnion } from '../errors.ts';
import { HealthCardRef } from '../cards.ts';
import { DateScalar, DateTimeScalar, RocDateScalar, RocDateTimeScalar } from '../scalars.ts';
import { DiagnosisLayoutEnum, TreatmentCategoryEnum } from '../visits.ts';
import {
  TREATMENT_CATEGORIES,
  type CardVisitRecord,
  type CriticalIllness,
  type CumulativeFees,
  type CumulativeYear,
  type TreatmentCategoryCode,
  type TreatmentDiagnoses,
  type TreatmentHistory,
  type VisitDiagnoses,
  type VisitFees,
} from '../../src/domain/types.ts';
import * as history from '../../resolvers/records/health-records.ts';

const VisitFeesRef = builder.objectRef<VisitFees>('VisitFees').implement({
  description: 'Fees of a visit record, whole NT$ (null when unreadable).',
  fields: (t) => ({
    outpatientFee: t.exposeInt('outpatientFee', { nullable: true }),
    outpatientCopay: t.exposeInt('outpatientCopay', { nullable: true }),
    inpatientFee: t.exposeInt('inpatientFee', { nullable: true }),
    inpatientCopayShortStay: t.exposeInt('inpatientCopayShortStay', { nullable: true }),
    inpatientCopayLongStay: t.exposeInt('inpatientCopayLongStay', { nullable: true }),
  }),
});

export const CardVisitRecordRef = builder.objectRef<CardVisitRecord>('CardVisitRecord').implement({
  description: 'One of the card’s six visit records (1.5, 69 bytes).',
  fields: (t) => ({
    treatmentCategory: t.field({
      type: TreatmentCategoryEnum,
      nullable: true,
      description: 'Null for a code the gateway does not know (see treatmentCategoryCode).',
      resolve: (v) => (Object.hasOwn(TREATMENT_CATEGORIES, v.category) ? (v.category as TreatmentCategoryCode) : null),
    }),
    treatmentCategoryCode: t.exposeString('category'),
    newborn: t.exposeBoolean('newborn', { description: 'The visit was for the newborn attached to this card.' }),
    visitTime: t.field({ type: DateTimeScalar, nullable: true, resolve: (v) => (v.visitTime ? v.visitTimeRoc : null) }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (v) => (v.visitTime ? v.visitTimeRoc : null) }),
    lateCard: t.exposeBoolean('lateCard', { description: '補卡註記.' }),
    seqNumber: t.string({ nullable: true, description: '就醫序號; null when blank on the card.', resolve: (v) => (v.seqNumber.trim() === '' ? null : v.seqNumber) }),
    hospitalId: t.exposeString('hospitalId'),
    fees: t.field({ type: VisitFeesRef, resolve: (v) => v.fees }),
  }),
});

const CriticalIllnessRef = builder.objectRef<CriticalIllness>('CriticalIllness').implement({
  description: 'A critical-illness (重大傷病) validity period.',
  fields: (t) => ({
    code: t.exposeString('code', {
      nullable: true,
      description: 'ICD code; null without a verified professional card, on a pharmacy card, or in 1.5 (dates only).',
    }),
    validFrom: t.field({ type: DateScalar, nullable: true, resolve: (c) => c.validFrom }),
    validFromRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (c) => c.validFrom }),
    validUntil: t.field({ type: DateScalar, nullable: true, resolve: (c) => c.validUntil }),
    validUntilRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (c) => c.validUntil }),
  }),
});

const VisitHistoryRef = builder.objectRef<TreatmentHistory>('VisitHistory').implement({
  description: 'API 1.5 hisGetTreatmentNoNeedHPC: the visit ring and critical-illness dates (no professional card needed).',
  fields: (t) => ({
    visits: t.field({ type: [CardVisitRecordRef], resolve: (h) => [...h.visits] }),
    criticalIllnessPeriods: t.field({ type: [CriticalIllnessRef], description: 'Dates only (codes need 1.8 or 1.33).', resolve: (h) => [...h.criticalIllnessPeriods] }),
  }),
});

const VisitDiagnosisRef = builder.objectRef<VisitDiagnoses>('VisitDiagnosisRecord').implement({
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, nullable: true, resolve: (v) => (v.visitTime ? v.visitTimeRoc : null) }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (v) => (v.visitTime ? v.visitTimeRoc : null) }),
    diagnoses: t.exposeStringList('diagnoses', { description: 'Main diagnosis first. In the DEFAULT layout long codes are in their 5-character card form (decode with icd10.decode).' }),
  }),
});

const VisitDiagnosesRef = builder.objectRef<TreatmentDiagnoses>('VisitDiagnoses').implement({
  description: 'API 1.8 hisGetTreatmentNeedHPC: diagnoses of the visits on the card and critical illnesses with codes.',
  fields: (t) => ({
    layout: t.field({ type: DiagnosisLayoutEnum, resolve: (d) => d.layout }),
    visits: t.field({ type: [VisitDiagnosisRef], resolve: (d) => [...d.visits] }),
    criticalIllnesses: t.field({ type: [CriticalIllnessRef], resolve: (d) => [...d.criticalIllnesses] }),
  }),
});

const CriticalIllnessListRef = builder.objectRef<{ items: readonly CriticalIllness[] }>('CriticalIllnessList').implement({
  fields: (t) => ({ criticalIllnesses: t.field({ type: [CriticalIllnessRef], resolve: (l) => [...l.items] }) }),
});

const CumulativeYearRef = builder.objectRef<CumulativeYear>('CumulativeYear').implement({
  description: 'One year of API 1.6 hisGetCumulativeData (the card keeps two). Amounts in whole NT$.',
  fields: (t) => ({
    year: t.exposeInt('year', { nullable: true, description: 'Gregorian year.' }),
    yearRoc: t.exposeString('yearRoc', { description: 'ROC year as on the card (3 digits).' }),
    visitCount: t.exposeInt('visitCount', { nullable: true }),
    outpatientFees: t.exposeInt('outpatientFees', { nullable: true }),
    inpatientFees: t.exposeInt('inpatientFees', { nullable: true }),
    outpatientCopay: t.exposeInt('outpatientCopay', { nullable: true }),
    inpatientCopayShortStay: t.exposeInt('inpatientCopayShortStay', { nullable: true }),
    inpatientCopayLongStay: t.exposeInt('inpatientCopayLongStay', { nullable: true }),
    totalCopay: t.exposeInt('totalCopay', { nullable: true }),
    totalCopayShortStay: t.exposeInt('totalCopayShortStay', { nullable: true }),
  }),
});

const CumulativeDataRef = builder.objectRef<{ years: readonly CumulativeYear[] }>('CumulativeData').implement({
  fields: (t) => ({ years: t.field({ type: [CumulativeYearRef], resolve: (d) => [...d.years] }) }),
});

const CumulativeFeesRef = builder.objectRef<CumulativeFees>('CumulativeFees').implement({
  description: 'API 1.7 hisGetCumulativeFee, whole NT$.',
  fields: (t) => ({
    outpatientTotal: t.exposeInt('outpatientTotal', { nullable: true }),
    inpatientTotal: t.exposeInt('inpatientTotal', { nullable: true }),
  }),
});

const CriticalIllnessCardholderInput = builder.inputType('CriticalIllnessCardholderInput', {
  description: 'Name the cardholder to use API 1.50 (the control software compares them with the card: 5020).',
  fields: (t) => ({
    idNumber: t.string({ required: true }),
    birthDate: t.field({ type: DateScalar, required: true }),
  }),
});

builder.objectFields(HealthCardRef, (t) => ({
  visits: t.field({
    type: resultUnion('HealthCard.visits', VisitHistoryRef),
    description: 'API 1.5: the six most recent visits with fees, and critical-illness dates.',
    resolve: (_h, _a, ctx) => caught('HealthCard.visits', () => history.treatmentHistory(ctx)),
  }),
  visitDiagnoses: t.field({
    type: resultUnion('HealthCard.visitDiagnoses', VisitDiagnosesRef),
    description: 'API 1.8: diagnoses of the visits on the card (needs a verified professional card: 4014 / 4042 before the call).',
    args: { layout: t.arg({ type: DiagnosisLayoutEnum, defaultValue: 'ICD10' }) },
    resolve: (_h, args, ctx) => caught('HealthCard.visitDiagnoses', () => history.treatmentDiagnoses(ctx, args.layout ?? 'ICD10')),
  }),
  criticalIllness: t.field({
    type: resultUnion('HealthCard.criticalIllness', CriticalIllnessListRef),
    description: 'API 1.33 hisGetCriticalIllness, or 1.50 hisGetCriticalIllnessID with `cardholder`. Codes only with a verified professional card.',
    args: {
      layout: t.arg({ type: DiagnosisLayoutEnum, defaultValue: 'ICD10' }),
      cardholder: t.arg({ type: CriticalIllnessCardholderInput }),
    },
    resolve: (_h, args, ctx) =>
      caught('HealthCard.criticalIllness', async () => ({
        items: await history.criticalIllness(ctx, args.layout ?? 'ICD10', args.cardholder ?? null),
      })),
  }),
  cumulativeData: t.field({
    type: resultUnion('HealthCard.cumulativeData', CumulativeDataRef),
    description: 'API 1.6: visits, fees and copays accumulated per year.',
    resolve: (_h, _a, ctx) => caught('HealthCard.cumulativeData', async () => ({ years: await history.cumulativeData(ctx) })),
  }),
  cumulativeFees: t.field({
    type: resultUnion('HealthCard.cumulativeFees', CumulativeFeesRef),
    description: 'API 1.7: accumulated medical fees.',
    resolve: (_h, _a, ctx) => caught('HealthCard.cumulativeFees', () => history.cumulativeFees(ctx)),
  }),
}));
