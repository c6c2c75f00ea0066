/**
 * Vaccinations (1.11, 1.26), organ donation (1.12, 1.21), emergency phone (1.13, 1.23), preventive care (1.3, 1.22),
 * prenatal records (1.4, 1.24, 1.25) and the newborn attachment (1.19). Guide: docs/card/health-records.md.
 */
import { builder } from '../builder.ts';
import { caught, resultUnion } from '../errors.ts';
import { HealthCardRef } from '../cards.ts';
import { DateScalar, DateTimeScalar, RocDateScalar, RocDateTimeScalar } from '../scalars.ts';
import { EXPECTED_CARD_SESSION_DOC, IDEMPOTENCY_KEY_DOC } from '../visits.ts';
import type { OrganDonationFlag, PrenatalRecord, PreventiveCareRecord, VaccinationRecord } from '../../src/domain/types.ts';
import * as records from '../../resolvers/records/health-records.ts';

const VaccinationRef = builder.objectRef<VaccinationRecord>('Vaccination').implement({
  description: 'One vaccination record (1.11; the card holds 40).',
  fields: (t) => ({
    vaccineType: t.exposeString('vaccineType', { description: '疫苗種類.' }),
    date: t.field({ type: DateScalar, nullable: true, resolve: (r) => r.date }),
    dateRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (r) => r.date }),
    hospitalId: t.exposeString('hospitalId'),
    lotNumber: t.exposeString('lotNumber', { description: '疫苗批號.' }),
  }),
});

const PreventiveCareRef = builder.objectRef<PreventiveCareRecord>('PreventiveCare').implement({
  description: 'One preventive-care record (1.3; the card holds 6).',
  fields: (t) => ({
    serviceItem: t.exposeString('serviceItem', { description: '保健服務項目註記.' }),
    date: t.field({ type: DateScalar, nullable: true, resolve: (r) => r.date }),
    dateRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (r) => r.date }),
    hospitalId: t.exposeString('hospitalId'),
    itemCode: t.exposeString('itemCode', { description: '檢查項目代碼.' }),
  }),
});

const PrenatalRecordRef = builder.objectRef<PrenatalRecord>('PrenatalRecord').implement({
  description: 'One prenatal check record (1.4; the card holds 11; female cardholders only).',
  fields: (t) => ({
    date: t.field({ type: DateScalar, nullable: true, resolve: (r) => r.date }),
    dateRoc: t.field({ type: RocDateScalar, nullable: true, resolve: (r) => r.date }),
    hospitalId: t.exposeString('hospitalId'),
    itemCode: t.exposeString('itemCode'),
  }),
});


const VaccinationListRef = builder.objectRef<{ items: readonly VaccinationRecord[] }>('VaccinationList').implement({
  fields: (t) => ({ vaccinations: t.field({ type: [VaccinationRef], resolve: (l) => [...l.items] }) }),
});
const PreventiveCareListRef = builder.objectRef<{ items: readonly PreventiveCareRecord[] }>('PreventiveCareList').implement({
  fields: (t) => ({ preventiveCare: t.field({ type: [PreventiveCareRef], resolve: (l) => [...l.items] }) }),
});
const PrenatalRecordListRef = builder.objectRef<{ items: readonly PrenatalRecord[] }>('PrenatalRecordList').implement({
  fields: (t) => ({ prenatalRecords: t.field({ type: [PrenatalRecordRef], resolve: (l) => [...l.items] }) }),
});

const OrganDonationRef = builder.objectRef<OrganDonationFlag>('OrganDonation').implement({
  description:
    'API 1.12: the card’s organ-donation / hospice-care flag. Its values are not public, so the raw character is returned ' +
    '(docs/reference/card-functions.md, uncertain point 5).',
  fields: (t) => ({ flag: t.exposeString('raw', { nullable: true, description: 'The character on the card; null when blank.' }) }),
});

const EmergencyPhoneRef = builder.objectRef<{ phone: string | null }>('EmergencyPhone').implement({
  description: 'API 1.13: the emergency contact phone on the card.',
  fields: (t) => ({ emergencyPhone: t.exposeString('phone', { nullable: true, description: 'Null when blank.' }) }),
});

builder.objectFields(HealthCardRef, (t) => ({
  vaccinations: t.field({
    type: resultUnion('HealthCard.vaccinations', VaccinationListRef),
    description: 'API 1.11 hisGetInoculateData.',
    resolve: (_h, _a, ctx) => caught('HealthCard.vaccinations', async () => ({ items: await records.vaccinations(ctx) })),
  }),
  organDonation: t.field({
    type: resultUnion('HealthCard.organDonation', OrganDonationRef),
    description: 'API 1.12 hisGetOrganDonate.',
    resolve: (_h, _a, ctx) => caught('HealthCard.organDonation', () => records.organDonation(ctx)),
  }),
  emergencyPhone: t.field({
    type: resultUnion('HealthCard.emergencyPhone', EmergencyPhoneRef),
    description: 'API 1.13 hisGetEmergentTel.',
    resolve: (_h, _a, ctx) => caught('HealthCard.emergencyPhone', () => records.emergencyPhone(ctx)),
  }),
  preventiveCare: t.field({
    type: resultUnion('HealthCard.preventiveCare', PreventiveCareListRef),
    description: 'API 1.3 hisGetRegisterPrevent.',
    resolve: (_h, _a, ctx) => caught('HealthCard.preventiveCare', async () => ({ items: await records.preventiveCare(ctx) })),
  }),
  prenatalRecords: t.field({
    type: resultUnion('HealthCard.prenatalRecords', PrenatalRecordListRef),
    description: 'API 1.4 hisGetRegisterPregnant (female cardholders).',
    resolve: (_h, _a, ctx) => caught('HealthCard.prenatalRecords', async () => ({ items: await records.prenatalRecords(ctx) })),
  }),
}));

// ---- writes ----

const CardRecordKindEnum = builder.enumType('CardRecordKind', {
  values: {
    NEWBORN_ATTACHMENT: { description: 'API 1.19 hisWriteNewBorn.' },
    ORGAN_DONATION: { description: 'API 1.21 hisWriteOrganDonate.' },
    PREVENTIVE_CARE: { description: 'API 1.22 hisWriteHealthInsurance.' },
    EMERGENCY_PHONE: { description: 'API 1.23 hisWriteEmergentTel.' },
    PRENATAL_CHECKUP: { description: 'API 1.24 hisWritePredeliveryCheckup.' },
    PRENATAL_RECORDS_DELETED: { description: 'API 1.25 hisDeletePredeliveryData.' },
    VACCINATION: { description: 'API 1.26 hisWriteInoculateData.' },
  } as const,
});

const CardRecordWrittenRef = builder.objectRef<records.CardRecordWritten>('CardRecordWritten').implement({
  description: 'What a record write changed on the card, and when.',
  fields: (t) => ({
    record: t.field({ type: CardRecordKindEnum, resolve: (w) => w.record }),
    writtenAt: t.field({ type: DateTimeScalar, resolve: (w) => w.writtenAt }),
    writtenAtRoc: t.field({ type: RocDateTimeScalar, resolve: (w) => w.writtenAt }),
  }),
});

/** The fields every record write starts with: the cardholder (checked by the control software: 5020) and the key. */
const holderFields = (t: PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.ts').BuilderTypes>, 'InputObject'>) => ({
  idNumber: t.string({ required: true, description: 'The cardholder’s ID number; the control software compares it with the card.' }),
  birthDate: t.field({ type: DateScalar, required: true, description: 'The cardholder’s birth date.' }),
  idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DOC }),
    expectedCardSession: t.id({ description: EXPECTED_CARD_SESSION_DOC }),
});

const NewbornInputRef = builder.inputType('NewbornInput', {
  fields: (t) => ({
    birthDate: t.field({ type: DateScalar, required: true, description: 'The newborn’s birth date (not in the future).' }),
    birthOrder: t.string({ required: true, description: '胞胎註記: one digit 1–9 (1 for a single birth).' }),
  }),
});

const WriteNewbornAttachmentInput = builder.inputType('WriteNewbornAttachmentInput', {
  fields: (t) => ({ ...holderFields(t), newborn: t.field({ type: NewbornInputRef, required: true }) }),
});
const WriteOrganDonationInput = builder.inputType('WriteOrganDonationInput', {
  fields: (t) => ({ ...holderFields(t), flag: t.string({ required: true, description: 'One upper-case letter or digit (values not public).' }) }),
});
const WritePreventiveCareInput = builder.inputType('WritePreventiveCareInput', {
  fields: (t) => ({
    ...holderFields(t),
    serviceItem: t.string({ required: true, description: '保健服務項目註記: 2 upper-case letters or digits.' }),
    itemCode: t.string({ required: true, description: '檢查項目代碼: 2 upper-case letters or digits.' }),
  }),
});
const WriteEmergencyPhoneInput = builder.inputType('WriteEmergencyPhoneInput', {
  fields: (t) => ({ ...holderFields(t), emergencyPhone: t.string({ required: true, description: '2–14 characters: digits, optionally + - ( ) # and spaces.' }) }),
});
const WritePrenatalRecordInput = builder.inputType('WritePrenatalRecordInput', {
  fields: (t) => ({ ...holderFields(t), itemCode: t.string({ required: true, description: '檢查項目代碼: 2 upper-case letters or digits.' }) }),
});
const DeletePrenatalRecordsInput = builder.inputType('DeletePrenatalRecordsInput', { fields: (t) => holderFields(t) });
const WriteVaccinationInput = builder.inputType('WriteVaccinationInput', {
  fields: (t) => ({
    ...holderFields(t),
    vaccineType: t.string({ required: true, description: '疫苗種類: 1–6 letters, digits or -.' }),
    lotNumber: t.string({ required: true, description: '疫苗批號: 1–12 printable ASCII characters without spaces.' }),
  }),
});

builder.mutationFields((t) => ({
  writeNewbornAttachment: t.field({
    type: resultUnion('Mutation.writeNewbornAttachment', CardRecordWrittenRef),
    description: 'API 1.19 hisWriteNewBorn: attach a newborn to the parent’s card.',
    args: { input: t.arg({ type: WriteNewbornAttachmentInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.writeNewbornAttachment', () => records.writeNewbornAttachment(ctx, input)),
  }),
  writeOrganDonation: t.field({
    type: resultUnion('Mutation.writeOrganDonation', CardRecordWrittenRef),
    description: 'API 1.21 hisWriteOrganDonate (needs a SAM with that permission).',
    args: { input: t.arg({ type: WriteOrganDonationInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.writeOrganDonation', () => records.writeOrganDonation(ctx, input)),
  }),
  writePreventiveCare: t.field({
    type: resultUnion('Mutation.writePreventiveCare', CardRecordWrittenRef),
    description: 'API 1.22 hisWriteHealthInsurance: a preventive-care record (date from the reader, hospital from the SAM).',
    args: { input: t.arg({ type: WritePreventiveCareInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.writePreventiveCare', () => records.writePreventiveCare(ctx, input)),
  }),
  writeEmergencyPhone: t.field({
    type: resultUnion('Mutation.writeEmergencyPhone', CardRecordWrittenRef),
    description: 'API 1.23 hisWriteEmergentTel.',
    args: { input: t.arg({ type: WriteEmergencyPhoneInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.writeEmergencyPhone', () => records.writeEmergencyPhone(ctx, input)),
  }),
  writePrenatalRecord: t.field({
    type: resultUnion('Mutation.writePrenatalRecord', CardRecordWrittenRef),
    description: 'API 1.24 hisWritePredeliveryCheckup (female cardholders: 5079 otherwise).',
    args: { input: t.arg({ type: WritePrenatalRecordInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.writePrenatalRecord', () => records.writePrenatalRecord(ctx, input)),
  }),
  deletePrenatalRecords: t.field({
    type: resultUnion('Mutation.deletePrenatalRecords', CardRecordWrittenRef),
    description: 'API 1.25 hisDeletePredeliveryData: clear the prenatal records.',
    args: { input: t.arg({ type: DeletePrenatalRecordsInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.deletePrenatalRecords', () => records.deletePrenatalRecords(ctx, input)),
  }),
  writeVaccination: t.field({
    type: resultUnion('Mutation.writeVaccination', CardRecordWrittenRef),
    description: 'API 1.26 hisWriteInoculateData (date from the reader, hospital from the SAM).',
    args: { input: t.arg({ type: WriteVaccinationInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.writeVaccination', () => records.writeVaccination(ctx, input)),
  }),
}));
