/**
 * Prescriptions and allergies on the card (1.10, 1.41–1.44 reads; 1.18/1.45/1.48/1.49 and 1.20/1.46 writes).
 * Writes go through the card-write journal like writeTreatment (resolvers/visits.ts): idempotency key,
 * nothing written twice, input validated by the record codecs before any card call.
 */
import type { GatewayServices } from '../../src/context.ts';
import type { PrescriptionArea, WritePrescriptionsResult } from '../../src/ports/card-stack.ts';
import type { OutpatientPrescription, PrescriptionInput } from '../../src/domain/types.ts';
import { pastVisitTime, withInputNames } from '../input.ts';
import { cardholder, recordsOf, type Key } from './records-port.ts';

export function prescriptions(services: GatewayServices) {
  return recordsOf(services).prescriptions();
}

export function prescriptionRange(services: GatewayServices, area: PrescriptionArea, first: number, last: number) {
  return withInputNames(() => recordsOf(services).prescriptionRange(area, first, last));
}

/** 1.44 over all three slots. */
export async function allergies(services: GatewayServices) {
  return (await recordsOf(services).prescriptionRange('ALLERGIES', 1, 3)).allergies;
}

/** A written record and, for signed writes, its 40-character signature (to upload to NHI). */
export interface WrittenPrescription {
  readonly record: OutpatientPrescription;
  readonly signature: string | null;
}

export interface PrescriptionsWritten {
  readonly visitTimeRoc: string;
  readonly api: string;
  readonly prescriptions: readonly WrittenPrescription[];
}

export interface WritePrescriptionsArgs {
  readonly visitTimeRoc: string;
  readonly idNumber: string;
  readonly birthDate: string;
  readonly prescriptions: readonly PrescriptionInput[];
  readonly signed: boolean;
  readonly idempotencyKey?: Key;
}

/** Pairs each record with its own signature: the port returns them in the order written. */
function paired(result: WritePrescriptionsResult): PrescriptionsWritten {
  return {
    visitTimeRoc: result.visitTimeRoc,
    api: result.api,
    prescriptions: result.records.map((record, i) => ({ record, signature: result.signatures?.[i]?.signature ?? null })),
  };
}

export function writePrescriptions(services: GatewayServices, args: WritePrescriptionsArgs): Promise<PrescriptionsWritten> {
  return withInputNames(async () => {
    const input = {
      ...cardholder(args),
      visitTimeRoc: pastVisitTime(args.visitTimeRoc),
      prescriptions: args.prescriptions,
      signed: args.signed,
    };
    return services.writes.run({
      op: 'writePrescriptions',
      key: args.idempotencyKey,
      input,
      execute: async () => paired(await recordsOf(services).writePrescriptions(input)),
    });
  });
}

export interface AllergiesWritten {
  readonly slots: readonly number[];
  readonly doctorIdNumber: string | null;
  readonly writtenAt: string;
}

export function writeAllergies(
  services: GatewayServices,
  args: { idNumber: string; birthDate: string; names: readonly string[]; idempotencyKey?: Key },
): Promise<AllergiesWritten> {
  return withInputNames(() => {
    const input = { ...cardholder(args), names: args.names };
    return services.writes.run({
      op: 'writeAllergies',
      key: args.idempotencyKey,
      input,
      execute: async (): Promise<AllergiesWritten> => {
        const result = await recordsOf(services).writeAllergies(input);
        return { slots: args.names.map((_n, i) => i + 1), doctorIdNumber: result.doctorIdNumber, writtenAt: new Date().toISOString() };
      },
      // The professional's ID number stays out of the journal (as writeTreatment's).
      persistable: (result) => ({ ...result, doctorIdNumber: null }),
    });
  });
}

export function writeAllergy(
  services: GatewayServices,
  args: { idNumber: string; birthDate: string; slot: number; name: string; idempotencyKey?: Key },
): Promise<AllergiesWritten> {
  return withInputNames(() => {
    const input = { ...cardholder(args), slot: args.slot, name: args.name };
    return services.writes.run({
      op: 'writeAllergy',
      key: args.idempotencyKey,
      input,
      execute: async (): Promise<AllergiesWritten> => {
        const result = await recordsOf(services).writeAllergySlot(input);
        return { slots: [args.slot], doctorIdNumber: result.doctorIdNumber, writtenAt: new Date().toISOString() };
      },
      persistable: (result) => ({ ...result, doctorIdNumber: null }),
    });
  });
}
