/**
 * Visits (就醫序號 + 安全簽章), treatment IDs (就醫識別碼), card writes, SAM verification and resets.
 */
import { builder } from './builder.ts';
import { caught, resultUnion } from './errors.ts';
import { ProfessionalCardRef, SamRef } from './cards.ts';
import { DateScalar, DateTimeScalar, RocDateTimeScalar } from './scalars.ts';
import { TREATMENT_CATEGORIES, type TreatmentCategoryCode } from '../src/domain/types.ts';
import type { TreatmentIdResult, Visit, VisitWarning } from '../src/ports/card-stack.ts';
import type { ResetTarget } from '../src/ports/control-software.ts';
import * as visits from '../resolvers/visits.ts';

export const EXPECTED_CARD_SESSION_DOC =
  'The cardSession of the card this write is for (from readerEvents or healthCard { cardSession }): when another card is ' +
  'in the reader now, the write is refused with CARD_CHANGED before any control-software call. Omit it to skip the check.';

export const IDEMPOTENCY_KEY_DOC =
  'A client-chosen unique key per intended operation, 8–128 printable ASCII characters (a UUID is a good choice): repeating ' +
  'the request with the same key returns the first result without touching the card again.';

/** GraphQL enum names for the 就醫類別 codes (codes like "01" are not valid GraphQL names). */
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
  description: '就醫類別 (docs/reference/buffers.md). 01–05 consume a visit on the card; the others do not.',
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
    treatmentCategory: t.field({ type: TreatmentCategoryEnum, resolve: (v) => v.category }),
    visitTime: t.field({ type: DateTimeScalar, description: '就診日期時間; pass it (or visitTimeRoc) to later calls.', resolve: (v) => v.visitTimeRoc }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, description: 'visitTime in the card’s 13-digit ROC form.', resolve: (v) => v.visitTimeRoc }),
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
    visitTime: t.field({ type: DateTimeScalar, resolve: (r) => r.visitTimeRoc }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, resolve: (r) => r.visitTimeRoc }),
    hospitalId: t.exposeString('hospitalId', { nullable: true }),
  }),
});

const InsuranceCheckRef = builder.objectRef<visits.InsuranceCheck>('InsuranceCheck').implement({
  description: 'API 1.55: the patient is insured for this category at checkedAt. A failed check comes back as VendorError (e.g. 9094).',
  fields: (t) => ({
    treatmentCategory: t.field({ type: TreatmentCategoryEnum, resolve: (r) => r.category }),
    checkedAt: t.field({ type: DateTimeScalar, resolve: (r) => r.checkedAt }),
    checkedAtRoc: t.field({ type: RocDateTimeScalar, resolve: (r) => r.checkedAt }),
  }),
});

const CancelledVisitRef = builder.objectRef<visits.CancelledVisit>('CancelledVisit').implement({
  description: 'A registration cancelled on the card (退掛, API 1.39): which visit, and when it was cancelled.',
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, description: 'The visit that was cancelled.', resolve: (c) => c.visitTimeRoc }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, resolve: (c) => c.visitTimeRoc }),
    cancelledAt: t.field({ type: DateTimeScalar, resolve: (c) => c.cancelledAt }),
    cancelledAtRoc: t.field({ type: RocDateTimeScalar, resolve: (c) => c.cancelledAt }),
  }),
});

export const PersonRef = builder.objectRef<{ idNumber: string }>('Person').implement({
  description: 'A person named in a result, by ID number only.',
  fields: (t) => ({ idNumber: t.exposeString('idNumber') }),
});

const TreatmentWrittenRef = builder.objectRef<visits.TreatmentWritten>('TreatmentWritten').implement({
  description: 'Diagnoses and fees written to the card for a visit.',
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, resolve: (w) => w.visitTimeRoc }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, resolve: (w) => w.visitTimeRoc }),
    apis: t.exposeStringList('apis', { description: 'Control-software APIs called, in order (e.g. ["1.16","1.17"] or ["1.47"]).' }),
    doctor: t.field({
      type: PersonRef,
      nullable: true,
      description: 'The verified professional the control software signed with (pBufferDocID); null on a replay after a restart.',
      resolve: (w) => (w.doctorIdNumber ? { idNumber: w.doctorIdNumber } : null),
    }),
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

const ControlSoftwareResetRef = builder.objectRef<visits.ControlSoftwareReset>('ControlSoftwareReset').implement({
  description: 'What was reset, and when.',
  fields: (t) => ({
    target: t.field({ type: ResetTargetEnum, resolve: (r) => r.target }),
    resetAt: t.field({ type: DateTimeScalar, resolve: (r) => r.resetAt }),
    resetAtRoc: t.field({ type: RocDateTimeScalar, resolve: (r) => r.resetAt }),
  }),
});

const StartVisitInput = builder.inputType('StartVisitInput', {
  fields: (t) => ({
    treatmentCategory: t.field({ type: TreatmentCategoryEnum, required: true }),
    newborn: t.boolean({ defaultValue: false, description: '新生兒就醫註記: the visit is for the newborn attached to this card.' }),
    lateCard: t.boolean({ defaultValue: false, description: '補卡註記: the card is presented after the visit.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DOC }),
    expectedCardSession: t.id({ description: EXPECTED_CARD_SESSION_DOC }),
  }),
});

const QuickInsuranceCheckInput = builder.inputType('QuickInsuranceCheckInput', {
  fields: (t) => ({ treatmentCategory: t.field({ type: TreatmentCategoryEnum, required: true }) }),
});

const TreatmentIdForVisitInput = builder.inputType('TreatmentIdForVisitInput', {
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, required: true, description: 'The visit’s time (visitTime or visitTimeRoc of the Visit).' }),
  }),
});

const TreatmentIdWithoutCardInput = builder.inputType('TreatmentIdWithoutCardInput', {
  fields: (t) => ({
    idNumber: t.string({ required: true, description: 'The patient’s ID number (身分證號或居留證號).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DOC }),
  }),
});

const CancelVisitInput = builder.inputType('CancelVisitInput', {
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, required: true, description: 'The visit to cancel (its visitTime or visitTimeRoc).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DOC }),
    expectedCardSession: t.id({ description: EXPECTED_CARD_SESSION_DOC }),
  }),
});

const FeesInput = builder.inputType('TreatmentFeesInput', {
  description: 'Whole NT$ amounts (API 1.17 fee block, docs/reference/buffers.md).',
  fields: (t) => ({
    outpatientFee: t.int({ required: true }),
    outpatientCopay: t.int({ required: true }),
    inpatientFee: t.int({ defaultValue: 0 }),
    inpatientCopayShortStay: t.int({ defaultValue: 0, description: '住院部分負擔 (急性30日/慢性180日以下).' }),
    inpatientCopayLongStay: t.int({ defaultValue: 0, description: '住院部分負擔 (急性31日/慢性181日以上).' }),
  }),
});

export const DiagnosisLayoutEnum = builder.enumType('DiagnosisLayout', {
  values: {
    ICD10: { description: 'ICD-10-CM layout: codes up to 7 characters in brackets.' },
    DEFAULT: { description: 'The old 5-character layout (codes of ≤ 5 characters only).' },
  } as const,
});

const WriteTreatmentInputRef = builder.inputType('WriteTreatmentInput', {
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, required: true, description: 'The visit’s time (visitTime or visitTimeRoc of the Visit).' }),
    idNumber: t.string({ required: true, description: 'The cardholder’s ID number; the control software compares it with the card.' }),
    birthDate: t.field({ type: DateScalar, required: true, description: 'The cardholder’s birth date.' }),
    lateCard: t.boolean({ defaultValue: false }),
    diagnoses: t.stringList({ required: true, description: 'Main diagnosis first, then up to five secondary; ICD-10-CM without the dot.' }),
    fees: t.field({ type: FeesInput, required: false }),
    layout: t.field({ type: DiagnosisLayoutEnum, defaultValue: 'ICD10' }),
    combined: t.boolean({ defaultValue: false, description: 'Write codes and fees in one call (API 1.47) instead of 1.16 then 1.17.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DOC }),
    expectedCardSession: t.id({ description: EXPECTED_CARD_SESSION_DOC }),
  }),
});

const ResetControlSoftwareInput = builder.inputType('ResetControlSoftwareInput', {
  fields: (t) => ({ target: t.field({ type: ResetTargetEnum, required: true }) }),
});

builder.mutationFields((t) => ({
  startVisit: t.field({
    type: resultUnion('Mutation.startVisit', VisitRef),
    description: 'Register a visit on the inserted health card: seq number, signature and treatment ID (per the configured strategy).',
    args: { input: t.arg({ type: StartVisitInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.startVisit', () =>
        visits.startVisit(
          ctx,
          { category: input.treatmentCategory, newborn: input.newborn ?? false, lateCard: input.lateCard ?? false },
          input.idempotencyKey,
        ),
      ),
  }),
  quickInsuranceCheck: t.field({
    type: resultUnion('Mutation.quickInsuranceCheck', InsuranceCheckRef),
    description: 'API 1.55 hisQuickInsurence: real-time insurance check before taking a seq number.',
    args: { input: t.arg({ type: QuickInsuranceCheckInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.quickInsuranceCheck', () => visits.quickInsuranceCheck(ctx, input.treatmentCategory)),
  }),
  treatmentIdForVisit: t.field({
    type: resultUnion('Mutation.treatmentIdForVisit', TreatmentIdRef),
    description:
      'The treatment ID of a visit already on the card, e.g. one startVisit returned with treatmentIdPending: API 1.56 hisGetTreatNumICCard, or with --visit-strategy seq256-webapi NHI’s Web API (the patient is read from the inserted card).',
    args: { input: t.arg({ type: TreatmentIdForVisitInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.treatmentIdForVisit', () => visits.treatmentIdForVisit(ctx, input.visitTime)),
  }),
  treatmentIdWithoutCard: t.field({
    type: resultUnion('Mutation.treatmentIdWithoutCard', TreatmentIdRef),
    description:
      'A treatment ID for a visit without a card (例外就醫): NHI’s Web API when it is configured, else API 1.54 hisGetTreatNumNoICCard (--no-card-treatment-id; the result’s source says which).',
    args: { input: t.arg({ type: TreatmentIdWithoutCardInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.treatmentIdWithoutCard', () => visits.treatmentIdWithoutCard(ctx, input.idNumber, input.idempotencyKey)),
  }),
  cancelVisit: t.field({
    type: resultUnion('Mutation.cancelVisit', CancelledVisitRef),
    description: 'API 1.39 csUnGetSeqNumber: cancel a registration (退掛) within NHI’s cancellation rules (docs/reference/functions.md).',
    args: { input: t.arg({ type: CancelVisitInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.cancelVisit', () => visits.cancelVisit(ctx, input.visitTime, input.idempotencyKey)),
  }),
  writeTreatment: t.field({
    type: resultUnion('Mutation.writeTreatment', TreatmentWrittenRef),
    description: 'Write diagnoses (API 1.16) and fees (1.17), or both at once (1.47).',
    args: { input: t.arg({ type: WriteTreatmentInputRef, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.writeTreatment', () =>
        visits.writeTreatment(ctx, {
          idempotencyKey: input.idempotencyKey,
          visitTimeRoc: input.visitTime,
          idNumber: input.idNumber,
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
      ),
  }),
  verifySam: t.field({
    type: resultUnion('Mutation.verifySam', SamRef),
    description: 'API 2.1 csVerifySAMDC: authenticate the SAM with NHI’s IDC.',
    resolve: (_r, _a, ctx) => caught('Mutation.verifySam', () => visits.verifySam(ctx)),
  }),
  verifyProfessionalCardPin: t.field({
    type: resultUnion('Mutation.verifyProfessionalCardPin', ProfessionalCardRef),
    description: 'API 4.2 hpcVerifyHPCPIN: the control software asks for the PIN in its own dialog.',
    resolve: (_r, _a, ctx) => caught('Mutation.verifyProfessionalCardPin', () => visits.verifyProfessionalPin(ctx)),
  }),
  resetControlSoftware: t.field({
    type: resultUnion('Mutation.resetControlSoftware', ControlSoftwareResetRef),
    description: 'API 1.52 csSoftwareReset: reset the reader, SAM, professional card or health card session.',
    args: { input: t.arg({ type: ResetControlSoftwareInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.resetControlSoftware', () => visits.resetControlSoftware(ctx, input.target as ResetTarget)),
  }),
}));
