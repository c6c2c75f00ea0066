/**
 * Visit operations as plain functions over the services: unit-testable without GraphQL.
 * Each one that changes card state asks the light monitor to look again, so status widgets see it at once.
 */
import type { GatewayServices } from '../src/context.ts';
import type { StartVisitInput, WriteTreatmentInput } from '../src/ports/card-stack.ts';
import type { ResetTarget } from '../src/ports/control-software.ts';
import type { TreatmentCategoryCode, TreatmentFees } from '../src/domain/types.ts';
import { visitTimeToRoc } from './input.ts';
import { InputError } from '../src/codecs/input-error.ts';

async function andRefresh<T>(services: GatewayServices, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } finally {
    void services.monitor.refresh();
  }
}

/** Without a key a request is still journaled; with one, a repeat returns the first result. */
type Key = string | null | undefined;

export function startVisit(services: GatewayServices, input: StartVisitInput, idempotencyKey?: Key) {
  return andRefresh(
    services,
    services.writes.run({
      op: 'startVisit',
      key: idempotencyKey,
      input,
      // 1.14 before the call: after a crash, a changed last seq number shows the visit was taken.
      before: async () => ({ lastSeqNumber: await services.cards.lastSeqNumber().then((l) => l.raw, () => null) }),
      execute: () => services.cards.startVisit(input),
    }),
  );
}

export function quickInsuranceCheck(services: GatewayServices, category: TreatmentCategoryCode) {
  return services.cards.quickInsuranceCheck(category).then(() => ({ category, insured: true }));
}

export function treatmentIdForVisit(services: GatewayServices, visitTime: string) {
  return services.cards.treatmentIdForVisit(visitTimeToRoc(visitTime, 'visitTime'));
}

export function treatmentIdWithoutCard(services: GatewayServices, patientId: string, idempotencyKey?: Key) {
  const id = patientId.trim().toUpperCase();
  return services.writes.run({
    op: 'treatmentIdWithoutCard',
    key: idempotencyKey,
    input: { patientId: id },
    execute: () => services.cards.treatmentIdWithoutCard(id),
  });
}

export async function cancelVisit(services: GatewayServices, visitTime: string, idempotencyKey?: Key) {
  const visitTimeRoc = visitTimeToRoc(visitTime, 'visitTime');
  return andRefresh(
    services,
    services.writes.run({
      op: 'cancelVisit',
      key: idempotencyKey,
      input: { visitTimeRoc },
      execute: async () => {
        await services.cards.cancelVisit(visitTimeRoc);
        return { visitTimeRoc, cancelled: true };
      },
    }),
  );
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
  readonly idempotencyKey?: Key;
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
  return services.writes.run({
    op: 'writeTreatment',
    key: args.idempotencyKey,
    input,
    execute: () => services.cards.writeTreatment(input),
    // The doctor's ID number stays out of the journal; a replay after a restart returns it as null.
    persistable: (result) => ({ ...result, doctorIdNumber: null }),
  });
}

/** Card writes whose outcome is unknown because the gateway stopped mid-call. */
export function unresolvedCardWrites(services: GatewayServices) {
  return services.writes.unresolved().map((e) => ({
    id: e.begin.id,
    operation: e.begin.op,
    // The journal keeps keys only hashed: known here for this process's own operations, null after a restart.
    idempotencyKey: services.writes.plainKey(e),
    startedAt: e.begin.at,
    checkable: e.begin.op === 'startVisit' && e.begin.before?.['lastSeqNumber'] != null,
  }));
}

/**
 * Settles an unknown startVisit by reading the card: if the last seq number (1.14) moved since the call
 * began, the visit was taken. Other operations can't be read back from the card without the professional
 * card, so they are confirmed by the operator (confirmCardWrite).
 */
export async function checkCardWrite(services: GatewayServices, id: string) {
  const entry = services.writes.unresolved().find((e) => e.begin.id === id);
  const before = entry?.begin.before?.['lastSeqNumber'];
  if (!entry || entry.begin.op !== 'startVisit' || before == null) {
    throw new InputError('id', 'is not an unresolved startVisit that can be checked on the card');
  }
  const now = await services.cards.lastSeqNumber();
  const resolution: 'APPLIED' | 'NOT_APPLIED' = now.raw !== before ? 'APPLIED' : 'NOT_APPLIED';
  await services.writes.resolve(id, resolution, 'CHECKED');
  return { id, resolution, how: 'CHECKED' as const };
}

export async function confirmCardWrite(services: GatewayServices, id: string, resolution: 'APPLIED' | 'NOT_APPLIED') {
  await services.writes.resolve(id, resolution, 'CONFIRMED_BY_OPERATOR');
  return { id, resolution, how: 'CONFIRMED_BY_OPERATOR' as const };
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
