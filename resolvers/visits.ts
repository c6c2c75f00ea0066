/**
 * Visit operations as plain functions over the services: unit-testable without GraphQL.
 * Each one that changes card state asks the light monitor to look again, so status widgets see it at once.
 */
import type { GatewayServices } from '../src/context.ts';
import type { StartVisitInput, WriteTreatmentInput } from '../src/ports/card-stack.ts';
import type { ResetTarget } from '../src/ports/control-software.ts';
import type { TreatmentCategoryCode, TreatmentFees } from '../src/domain/types.ts';
import { visitTimeToRoc } from './input.ts';

async function andRefresh<T>(services: GatewayServices, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } finally {
    void services.monitor.refresh();
  }
}

export function startVisit(services: GatewayServices, input: StartVisitInput) {
  return andRefresh(services, services.cards.startVisit(input));
}

export function quickInsuranceCheck(services: GatewayServices, category: TreatmentCategoryCode) {
  return services.cards.quickInsuranceCheck(category).then(() => ({ category, insured: true }));
}

export function treatmentIdForVisit(services: GatewayServices, visitTime: string) {
  return services.cards.treatmentIdForVisit(visitTimeToRoc(visitTime, 'visitTime'));
}

export function treatmentIdWithoutCard(services: GatewayServices, patientId: string) {
  return services.cards.treatmentIdWithoutCard(patientId.trim().toUpperCase());
}

export async function cancelVisit(services: GatewayServices, visitTime: string) {
  const visitTimeRoc = visitTimeToRoc(visitTime, 'visitTime');
  await andRefresh(services, services.cards.cancelVisit(visitTimeRoc));
  return { visitTimeRoc, cancelled: true };
}

export interface WriteTreatmentArgs {
  readonly visitTime: string;
  readonly patientId: string;
  readonly birthDate: string;
  readonly lateCard: boolean;
  readonly diagnoses: readonly string[];
  readonly fees: TreatmentFees | null | undefined;
  readonly layout: 'ICD10' | 'DEFAULT';
  readonly combined: boolean;
}

export function writeTreatment(services: GatewayServices, args: WriteTreatmentArgs) {
  const input: WriteTreatmentInput = {
    visitTimeRoc: visitTimeToRoc(args.visitTime, 'visitTime'),
    patientId: args.patientId.trim().toUpperCase(),
    birthDate: args.birthDate,
    lateCard: args.lateCard,
    diagnoses: args.diagnoses.map((d) => d.trim().toUpperCase()),
    ...(args.fees ? { fees: args.fees } : {}),
    layout: args.layout,
    combined: args.combined,
  };
  return services.cards.writeTreatment(input);
}

export function verifySam(services: GatewayServices) {
  return andRefresh(services, services.cards.verifySam());
}

export function verifyProfessionalPin(services: GatewayServices) {
  return andRefresh(services, services.cards.verifyProfessionalPin());
}

export async function resetControlSoftware(services: GatewayServices, target: ResetTarget) {
  await andRefresh(services, services.cards.reset(target));
  return { target, done: true };
}
