/**
 * The card's other records: visit history (1.5, 1.8), critical illness (1.33/1.50), cumulative data and fees
 * (1.6, 1.7), vaccinations (1.11, 1.26), organ donation (1.12, 1.21), emergency phone (1.13, 1.23),
 * preventive care (1.3, 1.22), prenatal records (1.4, 1.24, 1.25) and the newborn attachment (1.19).
 * Every write runs through the card-write journal (src/domain/idempotent-writes.ts) like writeTreatment.
 */
import type { GatewayServices } from '../../src/context.ts';
import type { CardholderRef, CardRecords, DiagnosisWidth } from '../../src/ports/card-stack.ts';
import { InputError } from '../../src/codecs/input-error.ts';
import { encodeNewbornInput } from '../../src/codecs/record-inputs.ts';
import { withInputNames } from '../input.ts';
import { cardholder, recordsOf, type Key } from './records-port.ts';

// ---- reads ----

export const treatmentHistory = (s: GatewayServices) => recordsOf(s).treatmentHistory();
export const treatmentDiagnoses = (s: GatewayServices, width: DiagnosisWidth) => recordsOf(s).treatmentDiagnoses(width);
export const cumulativeData = (s: GatewayServices) => recordsOf(s).cumulativeData();
export const cumulativeFees = (s: GatewayServices) => recordsOf(s).cumulativeFees();
export const vaccinations = (s: GatewayServices) => recordsOf(s).vaccinations();
export const organDonation = (s: GatewayServices) => recordsOf(s).organDonation();
export const preventiveCare = (s: GatewayServices) => recordsOf(s).preventiveCare();
export const prenatalRecords = (s: GatewayServices) => recordsOf(s).prenatalRecords();

export async function emergencyPhone(s: GatewayServices) {
  return { phone: await recordsOf(s).emergencyPhone() };
}

/** 1.33, or 1.50 when the cardholder is named (the control software then checks it against the card: 5020). */
export function criticalIllness(
  s: GatewayServices,
  width: DiagnosisWidth,
  holder: { idNumber: string; birthDate: string } | null | undefined,
) {
  return withInputNames(() => recordsOf(s).criticalIllnesses(width, holder ? cardholder(holder) : undefined));
}

// ---- writes ----

/** What a record write did and when (no always-true booleans: docs/api-conventions.md §2). */
export type CardRecordKind =
  | 'NEWBORN_ATTACHMENT'
  | 'ORGAN_DONATION'
  | 'PREVENTIVE_CARE'
  | 'EMERGENCY_PHONE'
  | 'PRENATAL_CHECKUP'
  | 'PRENATAL_RECORDS_DELETED'
  | 'VACCINATION';

export interface CardRecordWritten {
  readonly record: CardRecordKind;
  /** ISO string, so a replay from the journal after a restart reads the same. */
  readonly writtenAt: string;
}

interface HolderArgs {
  readonly idNumber: string;
  readonly birthDate: string;
  readonly idempotencyKey?: Key;
}

function journaled(
  s: GatewayServices,
  op: string,
  record: CardRecordKind,
  args: HolderArgs,
  extra: Record<string, unknown>,
  call: (records: CardRecords, holder: CardholderRef) => Promise<void>,
): Promise<CardRecordWritten> {
  return withInputNames(() => {
    const holder = cardholder(args);
    return s.writes.run({
      op,
      key: args.idempotencyKey,
      input: { ...holder, ...extra },
      execute: async (): Promise<CardRecordWritten> => {
        await call(recordsOf(s), holder);
        return { record, writtenAt: new Date().toISOString() };
      },
    });
  });
}

export function writeNewbornAttachment(s: GatewayServices, args: HolderArgs & { newborn: { birthDate: string; birthOrder: string } }) {
  // The newborn's fields are checked here so an error names them, not the cardholder's birthDate.
  try {
    encodeNewbornInput(args.newborn, new Date());
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`input.newborn.${error.field}`, error.rule);
    throw error;
  }
  return journaled(s, 'writeNewbornAttachment', 'NEWBORN_ATTACHMENT', args, { newborn: args.newborn }, (r, h) =>
    r.writeNewborn({ ...h, newborn: args.newborn }),
  );
}

export function writeOrganDonation(s: GatewayServices, args: HolderArgs & { flag: string }) {
  return journaled(s, 'writeOrganDonation', 'ORGAN_DONATION', args, { flag: args.flag }, (r, h) => r.writeOrganDonation({ ...h, flag: args.flag }));
}

export function writePreventiveCare(s: GatewayServices, args: HolderArgs & { serviceItem: string; itemCode: string }) {
  const record = { serviceItem: args.serviceItem, itemCode: args.itemCode };
  return journaled(s, 'writePreventiveCare', 'PREVENTIVE_CARE', args, record, (r, h) => r.writePreventiveCare({ ...h, record }));
}

export function writeEmergencyPhone(s: GatewayServices, args: HolderArgs & { emergencyPhone: string }) {
  return journaled(s, 'writeEmergencyPhone', 'EMERGENCY_PHONE', args, { emergencyPhone: args.emergencyPhone }, (r, h) =>
    r.writeEmergencyPhone({ ...h, emergencyPhone: args.emergencyPhone }),
  );
}

export function writePrenatalRecord(s: GatewayServices, args: HolderArgs & { itemCode: string }) {
  return journaled(s, 'writePrenatalRecord', 'PRENATAL_CHECKUP', args, { itemCode: args.itemCode }, (r, h) =>
    r.writePrenatalCheckup({ ...h, itemCode: args.itemCode }),
  );
}

export function deletePrenatalRecords(s: GatewayServices, args: HolderArgs) {
  return journaled(s, 'deletePrenatalRecords', 'PRENATAL_RECORDS_DELETED', args, {}, (r, h) => r.deletePrenatalRecords(h));
}

export function writeVaccination(s: GatewayServices, args: HolderArgs & { vaccineType: string; lotNumber: string }) {
  const vaccination = { vaccineType: args.vaccineType, lotNumber: args.lotNumber };
  return journaled(s, 'writeVaccination', 'VACCINATION', args, vaccination, (r, h) => r.writeVaccination({ ...h, vaccination }));
}
