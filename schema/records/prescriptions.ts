/**
 * Prescriptions and allergies on the health card: reads under `healthCard` (1.10, 1.41–1.44) and the writes
 * (1.18 / 1.45 / 1.48 / 1.49, 1.20 / 1.46). Layouts: docs/reference/card-functions.md; guide: docs/card/prescriptions.md.
 */
import { builder } from '../builder.ts';
import { caught, resultUnion } from '../errors.ts';
import { DecodedTextRef, HealthCardRef } from '../cards.ts';
import { DateScalar, DateTimeScalar, RocDateScalar, RocDateTimeScalar } from '../scalars.ts';
import { EXPECTED_CARD_SESSION_DOC, IDEMPOTENCY_KEY_DOC, PersonRef } from '../visits.ts';
import {
  DISPENSING_CODES,
  ORDER_TYPES,
  type AllergyRecord,
  type DispensingCode,
  type ImportantOrder,
  type LongTermPrescription,
  type OrderType,
  type OutpatientPrescription,
  type PrescriptionAreas,
} from '../../src/domain/types.ts';
import type { PrescriptionArea } from '../../src/ports/card-stack.ts';
import * as rx from '../../resolvers/records/prescriptions.ts';

const ORDER_TYPE_NAMES: Record<OrderType, string> = {
  '1': 'DRUG',
  '2': 'LONG_TERM_DRUG',
  '3': 'PROCEDURE',
  '4': 'SPECIAL_MATERIAL',
  '5': 'IMPORTANT_ORDER',
  A: 'PHARMACY_DRUG',
  B: 'PHARMACY_LONG_TERM_DRUG',
};

export const PrescriptionOrderTypeEnum = builder.enumType('PrescriptionOrderType', {
  description:
    '醫令類別 of an outpatient prescription record. 2 also fills the long-term area and 5 the important-orders area ' +
    '(docs/reference/card-functions.md, uncertain points 3–4).',
  values: Object.fromEntries(
    (Object.keys(ORDER_TYPES) as OrderType[]).map((code) => [ORDER_TYPE_NAMES[code], { value: code, description: `${code} ${ORDER_TYPES[code]}` }]),
  ) as Record<string, { value: OrderType; description: string }>,
});

const DISPENSING_NAMES: Record<DispensingCode, string> = { '01': 'SELF_DISPENSED', '02': 'DISPENSED_ELSEWHERE', '03': 'SELF_PERFORMED' };

export const DispensingEnum = builder.enumType('Dispensing', {
  description: '交付處方註記 (values as production clinic systems use them; not in the official manual: docs/reference/card-functions.md).',
  values: Object.fromEntries(
    (Object.keys(DISPENSING_CODES) as DispensingCode[]).map((code) => [DISPENSING_NAMES[code], { value: code, description: `${code} ${DISPENSING_CODES[code]}` }]),
  ) as Record<string, { value: DispensingCode; description: string }>,
});

const known = <K extends string>(table: Record<K, unknown>, code: string): K | null => (Object.hasOwn(table, code) ? (code as K) : null);

export const OutpatientPrescriptionRef = builder.objectRef<OutpatientPrescription>('OutpatientPrescription').implement({
  description: 'One outpatient prescription record (61 bytes; 1.10 area 1, 1.41).',
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, nullable: true, description: 'The visit it belongs to; null when unreadable.', resolve: (r) => (r.visitTime ? r.visitTimeRoc : null) }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, nullable: true, resolve: (r) => (r.visitTime ? r.visitTimeRoc : null) }),
    orderType: t.field({ type: PrescriptionOrderTypeEnum, nullable: true, description: 'Null for a code the gateway does not know (see orderTypeCode).', resolve: (r) => known(ORDER_TYPES, r.orderType) }),
    orderTypeCode: t.exposeString('orderType', { description: 'The character on the card.' }),
    itemCode: t.exposeString('itemCode', { description: '診療項目代號 (drug, procedure or material code).' }),
    site: t.exposeString('site', { description: '診療部位.' }),
    usage: t.exposeString('usage', { description: '用法, e.g. TID.' }),
    days: t.exposeInt('days', { nullable: true }),
    total: t.exposeString('total', { description: '總量 as written (up to 7 characters).' }),
    dispensing: t.field({ type: DispensingEnum, nullable: true, resolve: (r) => known(DISPENSING_CODES, r.dispensing) }),
    dispensingCode: t.exposeString('dispensing'),
  }),
});

const LongTermPrescriptionRef = builder.objectRef<LongTermPrescription>('LongTermPrescription').implement({
  description: 'One long-term prescription record (44 bytes; 1.10 area 2, 1.42).',
  fields: (t) => ({
    issueDate: t.field({ type: DateScalar, nullable: true, resolve: (r) => r.issueDate }),
    issueDateRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (r) => r.issueDate }),
    drugCode: t.exposeString('drugCode'),
    usage: t.exposeString('usage'),
    days: t.exposeInt('days', { nullable: true }),
    total: t.exposeString('total'),
  }),
});

const ImportantOrderRef = builder.objectRef<ImportantOrder>('ImportantOrder').implement({
  description: 'One important order (重要醫令, 36 bytes; 1.10 area 3, 1.43).',
  fields: (t) => ({
    date: t.field({ type: DateScalar, nullable: true, resolve: (r) => r.date }),
    dateRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (r) => r.date }),
    hospitalId: t.exposeString('hospitalId'),
    itemCode: t.exposeString('itemCode'),
    site: t.exposeString('site'),
    total: t.exposeString('total'),
  }),
});

const AllergyRef = builder.objectRef<AllergyRecord>('Allergy').implement({
  description: 'One allergy slot (過敏藥物, 40 bytes of Big5 text; 1.10 area 4, 1.44).',
  fields: (t) => ({
    slot: t.exposeInt('slot', { description: '1–3.' }),
    name: t.field({ type: DecodedTextRef, resolve: (a) => a.name }),
  }),
});

const PrescriptionAreasRef = builder.objectRef<PrescriptionAreas>('Prescriptions').implement({
  description: 'The card’s four prescription areas (blank records left out).',
  fields: (t) => ({
    outpatient: t.field({ type: [OutpatientPrescriptionRef], description: 'Up to 60 records.', resolve: (p) => [...p.outpatient] }),
    longTerm: t.field({ type: [LongTermPrescriptionRef], description: 'Up to 30 records.', resolve: (p) => [...p.longTerm] }),
    importantOrders: t.field({ type: [ImportantOrderRef], description: 'Up to 10 records.', resolve: (p) => [...p.importantOrders] }),
    allergies: t.field({ type: [AllergyRef], description: 'Up to 3 records.', resolve: (p) => [...p.allergies] }),
  }),
});

const AllergyListRef = builder.objectRef<{ allergies: readonly AllergyRecord[] }>('AllergyList').implement({
  fields: (t) => ({ allergies: t.field({ type: [AllergyRef], resolve: (a) => [...a.allergies] }) }),
});

const PrescriptionAreaEnum = builder.enumType('PrescriptionArea', {
  values: {
    OUTPATIENT: { description: 'API 1.41 hisReadPrescriptMain, records 1–60.' },
    LONG_TERM: { description: 'API 1.42 hisReadPrescriptLongTerm, records 1–30.' },
    IMPORTANT_ORDERS: { description: 'API 1.43 hisReadPrescriptHVE, records 1–10.' },
    ALLERGIES: { description: 'API 1.44 hisReadPrescriptAllergic, records 1–3.' },
  } as const,
});

builder.objectFields(HealthCardRef, (t) => ({
  prescriptions: t.field({
    type: resultUnion('HealthCard.prescriptions', PrescriptionAreasRef),
    description: 'API 1.10 hisReadPrescription: all four areas in one call.',
    resolve: (_h, _a, ctx) => caught('HealthCard.prescriptions', () => rx.prescriptions(ctx)),
  }),
  prescriptionRange: t.field({
    type: resultUnion('HealthCard.prescriptionRange', PrescriptionAreasRef),
    description: 'APIs 1.41–1.44: records first..last (1-based) of one area; the other areas come back empty.',
    args: {
      area: t.arg({ type: PrescriptionAreaEnum, required: true }),
      first: t.arg.int({ required: true }),
      last: t.arg.int({ required: true }),
    },
    resolve: (_h, args, ctx) =>
      caught('HealthCard.prescriptionRange', () => rx.prescriptionRange(ctx, args.area as PrescriptionArea, args.first, args.last)),
  }),
  allergies: t.field({
    type: resultUnion('HealthCard.allergies', AllergyListRef),
    description: 'API 1.44 hisReadPrescriptAllergic over the three slots.',
    resolve: (_h, _a, ctx) => caught('HealthCard.allergies', async () => ({ allergies: await rx.allergies(ctx) })),
  }),
}));

// ---- writes ----

const PrescriptionInputRef = builder.inputType('PrescriptionInput', {
  description: 'One prescription line (61-byte record; the visit time comes from the write).',
  fields: (t) => ({
    orderType: t.field({ type: PrescriptionOrderTypeEnum, required: true }),
    itemCode: t.string({ required: true, description: 'NHI drug / procedure / material code: 1–12 upper-case letters or digits.' }),
    site: t.string({ description: '診療部位, up to 6 ASCII characters.' }),
    usage: t.string({ description: '用法, up to 18 ASCII characters (e.g. TID).' }),
    days: t.int({ required: true, description: '0–99 (0 for a procedure).' }),
    total: t.float({ required: true, description: '總量: positive, written in at most 7 characters (21, 10.5).' }),
    dispensing: t.field({ type: DispensingEnum, required: true }),
  }),
});

const WritePrescriptionsInputRef = builder.inputType('WritePrescriptionsInput', {
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, required: true, description: 'The visit the records belong to (startVisit’s visitTime); it must be on the card.' }),
    idNumber: t.string({ required: true, description: 'The cardholder’s ID number; the control software compares it with the card (5020).' }),
    birthDate: t.field({ type: DateScalar, required: true }),
    prescriptions: t.field({ type: [PrescriptionInputRef], required: true, description: '1 to 60 records.' }),
    signed: t.boolean({
      defaultValue: false,
      description: 'Use the signing writes (1.48 / 1.49): each record comes back with its 40-character signature for the upload to NHI.',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DOC }),
    expectedCardSession: t.id({ description: EXPECTED_CARD_SESSION_DOC }),
  }),
});

const WrittenPrescriptionRef = builder.objectRef<rx.WrittenPrescription>('WrittenPrescription').implement({
  fields: (t) => ({
    record: t.field({ type: OutpatientPrescriptionRef, resolve: (w) => w.record }),
    signature: t.exposeString('signature', {
      nullable: true,
      description: 'Signed writes: this record’s 40-character signature (upload it to NHI with the record); null for unsigned writes.',
    }),
  }),
});

const PrescriptionsWrittenRef = builder.objectRef<rx.PrescriptionsWritten>('PrescriptionsWritten').implement({
  fields: (t) => ({
    visitTime: t.field({ type: DateTimeScalar, resolve: (w) => w.visitTimeRoc }),
    visitTimeRoc: t.field({ type: RocDateTimeScalar, resolve: (w) => w.visitTimeRoc }),
    api: t.exposeString('api', { description: 'The export called: hisWritePrescription, hisWriteMultiPrescript, hisWritePrescriptionSign or hisWriteMultiPrescriptSign.' }),
    prescriptions: t.field({ type: [WrittenPrescriptionRef], description: 'In the order written.', resolve: (w) => [...w.prescriptions] }),
  }),
});

const WriteAllergiesInputRef = builder.inputType('WriteAllergiesInput', {
  fields: (t) => ({
    idNumber: t.string({ required: true }),
    birthDate: t.field({ type: DateScalar, required: true }),
    allergies: t.stringList({ required: true, description: 'Drug names for slots 1.. (1–3 names, Big5-encodable, up to 40 bytes each).' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DOC }),
    expectedCardSession: t.id({ description: EXPECTED_CARD_SESSION_DOC }),
  }),
});

const WriteAllergyInputRef = builder.inputType('WriteAllergyInput', {
  fields: (t) => ({
    idNumber: t.string({ required: true }),
    birthDate: t.field({ type: DateScalar, required: true }),
    slot: t.int({ required: true, description: '1–3.' }),
    name: t.string({ required: true, description: 'Drug name, Big5-encodable, up to 40 bytes.' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DOC }),
    expectedCardSession: t.id({ description: EXPECTED_CARD_SESSION_DOC }),
  }),
});

const AllergiesWrittenRef = builder.objectRef<rx.AllergiesWritten>('AllergiesWritten').implement({
  fields: (t) => ({
    slots: t.exposeIntList('slots', { description: 'The slots written.' }),
    writtenAt: t.field({ type: DateTimeScalar, resolve: (w) => w.writtenAt }),
    writtenAtRoc: t.field({ type: RocDateTimeScalar, resolve: (w) => w.writtenAt }),
    doctor: t.field({
      type: PersonRef,
      nullable: true,
      description: 'The verified professional the control software returned (pBufferDocID); null on a replay after a restart.',
      resolve: (w) => (w.doctorIdNumber ? { idNumber: w.doctorIdNumber } : null),
    }),
  }),
});

builder.mutationFields((t) => ({
  writePrescriptions: t.field({
    type: resultUnion('Mutation.writePrescriptions', PrescriptionsWrittenRef),
    description: 'Write prescription records for a visit on the card: 1.18 / 1.45, or signed 1.48 / 1.49 (chosen by count and `signed`).',
    args: { input: t.arg({ type: WritePrescriptionsInputRef, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.writePrescriptions', () =>
        rx.writePrescriptions(ctx, {
          visitTimeRoc: input.visitTime,
          idNumber: input.idNumber,
          birthDate: input.birthDate,
          signed: input.signed ?? false,
          idempotencyKey: input.idempotencyKey,
          prescriptions: input.prescriptions.map((p) => ({
            orderType: p.orderType as OrderType,
            itemCode: p.itemCode,
            site: p.site ?? '',
            usage: p.usage ?? '',
            days: p.days,
            total: p.total,
            dispensing: p.dispensing as DispensingCode,
          })),
        }),
      ),
  }),
  writeAllergies: t.field({
    type: resultUnion('Mutation.writeAllergies', AllergiesWrittenRef),
    description: 'API 1.20 hisWriteAllergicMedicines: the allergy slots at once (needs a verified professional card).',
    args: { input: t.arg({ type: WriteAllergiesInputRef, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.writeAllergies', () =>
        rx.writeAllergies(ctx, { idNumber: input.idNumber, birthDate: input.birthDate, names: input.allergies, idempotencyKey: input.idempotencyKey }),
      ),
  }),
  writeAllergy: t.field({
    type: resultUnion('Mutation.writeAllergy', AllergiesWrittenRef),
    description: 'API 1.46 hisWriteAllergicNum: one allergy slot (needs a verified professional card).',
    args: { input: t.arg({ type: WriteAllergyInputRef, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.writeAllergy', () =>
        rx.writeAllergy(ctx, { idNumber: input.idNumber, birthDate: input.birthDate, slot: input.slot, name: input.name, idempotencyKey: input.idempotencyKey }),
      ),
  }),
}));
