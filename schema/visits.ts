/**
 * Visits (就醫序號 + 安全簽章), treatment IDs (就醫識別碼), card writes, SAM verification and resets.
 */
import { builder } from './builder.ts';
import { cardErrors } from './errors.ts';
import { ProfessionalCardRef, SamRef } from './cards.ts';
import { TREATMENT_CATEGORIES, type TreatmentCategoryCode } from '../src/domain/types.ts';
import type { TreatmentIdResult, Visit, VisitWarning, WriteTreatmentResult } from '../src/ports/card-stack.ts';
import type { ResetTarget } from '../src/ports/control-software.ts';
import * as visits from '../resolvers/visits.ts';

const IDEMPOTENCY_KEY_DOC =
  'A client-chosen unique key (e.g. a UUID) per intended operation: repeating the request with the same key returns the first result without touching the card again.';

/** GraphQL enum names for the docs/reference/buffers.md (Code lists) 就醫類別 codes (codes like "01" are not valid GraphQL names). */
const CATEGORY_NAMES: Record<TreatmentCategoryCode, string> = {
  '01': 'WESTERN_MEDICINE_OUTPATIENT',
  '02': 'DENTAL_OUTPATIENT',
  '03': 'CHINESE_MEDICINE_OUTPATIENT',
  '04': 'EMERGENCY',
  '05': 'INPATIENT',
  AA: 'SAME_COURSE_WITHIN_SIX',
  AB: 'SAME_COURSE_BEYOND_SIX',
  AC: 'PREVENTIVE_CARE',
  AD: 'OCCUPATIONAL_INJURY_OUTPATIENT',
  AE: 'CHRONIC_PRESCRIPTION_REFILL',
  AF: 'PHARMACY_DISPENSING',
  AG: 'SCHEDULED_EXAMINATION',
  AH: 'HOME_CARE_FOLLOW_UP',
  AI: 'SAME_DAY_SAME_DOCTOR',
  BA: 'EMERGENCY_TO_INPATIENT',
  BB: 'DISCHARGE',
  BC: 'DURING_EMERGENCY_OR_STAY',
  BD: 'EMERGENCY_LEAVE_SECOND_DAY',
  BE: 'OCCUPATIONAL_INJURY_INPATIENT',
  CA: 'OTHER_NOT_COUNTED',
};

export const TreatmentCategoryEnum = builder.enumType('TreatmentCategory', {
  description: '就醫類別 (docs/reference/buffers.md (Code lists)). 01–05 consume a visit on the card; the others do not.',
  values: Object.fromEntries(
    (Object.keys(TREATMENT_CATEGORIES) as TreatmentCategoryCode[]).map((code) => [
      CATEGORY_NAMES[code],
      { value: code, description: `${code} ${TREATMENT_CATEGORIES[code]}` },
    ]),
  ) as Record<string, { value: TreatmentCategoryCode; description: string }>,
});

const TreatmentIdSourceEnum = builder.enumType('TreatmentIdSource', {
  description: 'Which call produced a treatment ID.',
  values: {
    CONTROL_SOFTWARE_1_53: { description: 'hisGetSeqNumber256N1 (API 1.53)' },
    CONTROL_SOFTWARE_1_56: { description: 'hisGetTreatNumICCard (API 1.56)' },
    CONTROL_SOFTWARE_1_54: { description: 'hisGetTreatNumNoICCard (API 1.54)' },
    WEB_API: { description: 'NHI’s 就醫識別碼 Web API (medvpndti.nhi.gov.tw, signed by the SAM; docs/webapi.md)' },
  } as const,
});

const VisitStrategyEnum = builder.enumType('VisitStrategy', {
  description: 'How the gateway is configured to obtain seq number, insurance check and treatment ID (briefing 方式 1–4).',
  values: {
    SEQ256_QUICK_TREATNUM: { description: '方式1: 1.55 insurance check, 1.37 seq number, 1.56 treatment ID' },
    SEQ256_TREATNUM: { description: '方式2: 1.37 seq number (with insurance check), 1.56 treatment ID' },
    N1: { description: '方式3: 1.53 does all three in one call' },
    SEQ256_WEBAPI: { description: '方式4: 1.37 seq number, NHI Web API treatment ID' },
  } as const,
});

const VisitWarningRef = builder.objectRef<VisitWarning>('VisitWarning').implement({
  description: 'Something the front desk should know that did not stop the visit (e.g. 5010 same-day visit to ≥2 departments).',
  fields: (t) => ({
    code: t.exposeString('code'),
    vendorCode: t.exposeInt('vendorCode', { nullable: true }),
    message: t.exposeString('messageEn'),
    messageZh: t.exposeString('messageZh'),
  }),
});

const VisitRef = builder.objectRef<Visit>('Visit').implement({
  description: 'A registered visit: what the card returned for 1.37 / 1.53 plus its treatment ID.',
  fields: (t) => ({
    category: t.field({ type: TreatmentCategoryEnum, resolve: (v) => v.category }),
    visitTime: t.exposeString('visitTime', { description: 'ISO 8601, Taiwan time.' }),
    visitTimeRoc: t.exposeString('visitTimeRoc', { description: '就診日期時間 as 13-digit ROC; pass it (or visitTime) to later calls.' }),
    seqNumber: t.exposeString('seqNumber', { description: '就醫序號.' }),
    hospitalId: t.exposeString('hospitalId'),
    signature: t.exposeString('signature', { description: '安全簽章, 256 characters.' }),
    samId: t.exposeString('samId'),
    sameDayVisit: t.exposeBoolean('sameDayVisit'),
    treatmentId: t.exposeString('treatmentId', { nullable: true, description: '就醫識別碼 (20 characters).' }),
    treatmentIdSource: t.field({ type: TreatmentIdSourceEnum, nullable: true, resolve: (v) => v.treatmentIdSource }),
    treatmentIdPending: t.exposeBoolean('treatmentIdPending', {
      description: 'The visit is on the card but its treatment ID could not be fetched: complete it with treatmentIdForVisit.',
    }),
    strategy: t.field({ type: VisitStrategyEnum, resolve: (v) => v.strategy }),
    warnings: t.field({ type: [VisitWarningRef], resolve: (v) => [...v.warnings] }),
  }),
});

const TreatmentIdRef = builder.objectRef<TreatmentIdResult>('TreatmentId').implement({
  fields: (t) => ({
    treatmentId: t.exposeString('treatmentId'),
    source: t.field({ type: TreatmentIdSourceEnum, resolve: (r) => r.source }),
    visitTime: t.exposeString('visitTime'),
    visitTimeRoc: t.exposeString('visitTimeRoc'),
    hospitalId: t.exposeString('hospitalId', { nullable: true }),
  }),
});

const InsuranceCheckRef = builder
  .objectRef<{ category: TreatmentCategoryCode; insured: boolean }>('InsuranceCheck')
  .implement({
    description: 'API 1.55: the patient is insured for this category. Failures come back as InsuranceError.',
    fields: (t) => ({
      category: t.field({ type: TreatmentCategoryEnum, resolve: (r) => r.category }),
      insured: t.exposeBoolean('insured'),
    }),
  });

const CancelledVisitRef = builder
  .objectRef<{ visitTimeRoc: string; cancelled: boolean }>('CancelledVisit')
  .implement({
    fields: (t) => ({
      visitTimeRoc: t.exposeString('visitTimeRoc'),
      cancelled: t.exposeBoolean('cancelled'),
    }),
  });

const TreatmentWrittenRef = builder.objectRef<WriteTreatmentResult>('TreatmentWritten').implement({
  fields: (t) => ({
    visitTimeRoc: t.exposeString('visitTimeRoc'),
    apis: t.exposeStringList('apis', { description: 'Control-software APIs called, in order (e.g. ["1.16","1.17"] or ["1.47"]).' }),
    doctorIdNumber: t.exposeString('doctorIdNumber', { nullable: true, description: 'pBufferDocID: the verified professional’s ID.' }),
  }),
});

const ResetTargetEnum = builder.enumType('ResetTarget', {
  description: 'csSoftwareReset targets (API 1.52).',
  values: {
    READER: { value: 0 },
    SAM: { value: 1 },
    PROFESSIONAL_CARD: { value: 2 },
    HEALTH_CARD: { value: 3 },
  } as const,
});

const ResetDoneRef = builder.objectRef<{ target: ResetTarget; done: boolean }>('ResetDone').implement({
  fields: (t) => ({
    target: t.field({ type: ResetTargetEnum, resolve: (r) => r.target }),
    done: t.exposeBoolean('done'),
  }),
});

const StartVisitInput = builder.inputType('StartVisitInput', {
  fields: (t) => ({
    category: t.field({ type: TreatmentCategoryEnum, required: true }),
    newborn: t.boolean({ defaultValue: false, description: '新生兒就醫註記: the visit is for the newborn attached to this card.' }),
    lateCard: t.boolean({ defaultValue: false, description: '補卡註記: the card is presented after the visit.' }),
  }),
});

const FeesInput = builder.inputType('TreatmentFeesInput', {
  description: 'Whole NT$ amounts (API 1.17 fee block, docs/reference/buffers.md (Write inputs)).',
  fields: (t) => ({
    outpatientFee: t.int({ required: true }),
    outpatientCopay: t.int({ required: true }),
    inpatientFee: t.int({ defaultValue: 0 }),
    inpatientCopayShortStay: t.int({ defaultValue: 0, description: '住院部分負擔 (急性30日/慢性180日以下).' }),
    inpatientCopayLongStay: t.int({ defaultValue: 0, description: '住院部分負擔 (急性31日/慢性181日以上).' }),
  }),
});

const DiagnosisLayoutEnum = builder.enumType('DiagnosisLayout', {
  values: {
    ICD10: { description: 'ICD-10-CM layout: codes up to 7 characters in brackets (docs/reference/buffers.md (Write inputs)).' },
    DEFAULT: { description: 'The old 5-character layout (codes of ≤ 5 characters only).' },
  } as const,
});

const WriteTreatmentInputRef = builder.inputType('WriteTreatmentInput', {
  fields: (t) => ({
    visitTime: t.string({ required: true, description: 'The visit’s time: 13-digit ROC (visitTimeRoc) or ISO 8601.' }),
    patientId: t.string({ required: true, description: 'The cardholder’s ID number; the DLL compares it with the card.' }),
    birthDate: t.string({ required: true, description: 'The cardholder’s birth date, ISO (YYYY-MM-DD).' }),
    lateCard: t.boolean({ defaultValue: false }),
    diagnoses: t.stringList({ required: true, description: 'Main diagnosis first, then up to five secondary; ICD-10-CM without the dot.' }),
    fees: t.field({ type: FeesInput, required: false }),
    layout: t.field({ type: DiagnosisLayoutEnum, defaultValue: 'ICD10' }),
    combined: t.boolean({ defaultValue: false, description: 'Write codes and fees in one call (API 1.47) instead of 1.16 then 1.17.' }),
  }),
});

builder.mutationFields((t) => ({
  startVisit: t.field({
    type: VisitRef,
    description: 'Register a visit on the inserted health card: seq number, signature and treatment ID (per the configured strategy).',
    errors: cardErrors,
    args: { input: t.arg({ type: StartVisitInput, required: true }), idempotencyKey: t.arg.string({ description: IDEMPOTENCY_KEY_DOC }) },
    resolve: (_r, { input, idempotencyKey }, ctx) =>
      visits.startVisit(ctx, { category: input.category, newborn: input.newborn ?? false, lateCard: input.lateCard ?? false }, idempotencyKey),
  }),
  quickInsuranceCheck: t.field({
    type: InsuranceCheckRef,
    description: 'API 1.55 hisQuickInsurence: real-time insurance check before taking a seq number.',
    errors: cardErrors,
    args: { category: t.arg({ type: TreatmentCategoryEnum, required: true }) },
    resolve: (_r, { category }, ctx) => visits.quickInsuranceCheck(ctx, category),
  }),
  treatmentIdForVisit: t.field({
    type: TreatmentIdRef,
    description:
      'The treatment ID of a visit already on the card, e.g. one startVisit returned with treatmentIdPending: API 1.56 hisGetTreatNumICCard, or with --visit-strategy seq256-webapi NHI’s Web API (the patient is read from the inserted card).',
    errors: cardErrors,
    args: { visitTime: t.arg.string({ required: true, description: '13-digit ROC or ISO 8601.' }) },
    resolve: (_r, { visitTime }, ctx) => visits.treatmentIdForVisit(ctx, visitTime),
  }),
  treatmentIdWithoutCard: t.field({
    type: TreatmentIdRef,
    description:
      'A treatment ID for a visit without a card (例外就醫): NHI’s Web API when it is configured, else API 1.54 hisGetTreatNumNoICCard (--no-card-treatment-id; the result’s source says which).',
    errors: cardErrors,
    args: { patientId: t.arg.string({ required: true }), idempotencyKey: t.arg.string({ description: IDEMPOTENCY_KEY_DOC }) },
    resolve: (_r, { patientId, idempotencyKey }, ctx) => visits.treatmentIdWithoutCard(ctx, patientId, idempotencyKey),
  }),
  cancelVisit: t.field({
    type: CancelledVisitRef,
    description: 'API 1.39 csUnGetSeqNumber: cancel a registration (退掛) within the rules of docs/reference/functions.md (1.39).',
    errors: cardErrors,
    args: { visitTime: t.arg.string({ required: true }), idempotencyKey: t.arg.string({ description: IDEMPOTENCY_KEY_DOC }) },
    resolve: (_r, { visitTime, idempotencyKey }, ctx) => visits.cancelVisit(ctx, visitTime, idempotencyKey),
  }),
  writeTreatment: t.field({
    type: TreatmentWrittenRef,
    description: 'Write diagnoses (API 1.16) and fees (1.17), or both at once (1.47).',
    errors: cardErrors,
    args: { input: t.arg({ type: WriteTreatmentInputRef, required: true }), idempotencyKey: t.arg.string({ description: IDEMPOTENCY_KEY_DOC }) },
    resolve: (_r, { input, idempotencyKey }, ctx) =>
      visits.writeTreatment(ctx, {
        idempotencyKey,
        visitTime: input.visitTime,
        patientId: input.patientId,
        birthDate: input.birthDate,
        lateCard: input.lateCard ?? false,
        diagnoses: input.diagnoses,
        fees: input.fees
          ? {
              outpatientFee: input.fees.outpatientFee,
              outpatientCopay: input.fees.outpatientCopay,
              inpatientFee: input.fees.inpatientFee ?? 0,
              inpatientCopayShortStay: input.fees.inpatientCopayShortStay ?? 0,
              inpatientCopayLongStay: input.fees.inpatientCopayLongStay ?? 0,
            }
          : null,
        layout: input.layout ?? 'ICD10',
        combined: input.combined ?? false,
      }),
  }),
  verifySam: t.field({
    type: SamRef,
    description: 'API 2.1 csVerifySAMDC: authenticate the SAM with NHI’s IDC.',
    errors: cardErrors,
    resolve: (_r, _a, ctx) => visits.verifySam(ctx),
  }),
  verifyProfessionalCardPin: t.field({
    type: ProfessionalCardRef,
    description: 'API 4.2 hpcVerifyHPCPIN: the control software asks for the PIN in its own dialog.',
    errors: cardErrors,
    resolve: (_r, _a, ctx) => visits.verifyProfessionalPin(ctx),
  }),
  resetControlSoftware: t.field({
    type: ResetDoneRef,
    description: 'API 1.52 csSoftwareReset: reset the reader, SAM, professional card or health card session.',
    errors: cardErrors,
    args: { target: t.arg({ type: ResetTargetEnum, required: true }) },
    resolve: (_r, { target }, ctx) => visits.resetControlSoftware(ctx, target as ResetTarget),
  }),
}));
