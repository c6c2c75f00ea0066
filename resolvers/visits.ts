/**
 * Visit operations as plain functions over the services: unit-testable without GraphQL.
 * Each one that changes card state asks the light monitor to look again, so status widgets see it at once.
 */
import type { GatewayServices } from '../src/context.ts';
import type { StartVisitInput, WriteTreatmentInput } from '../src/ports/card-stack.ts';
import type { ResetTarget } from '../src/ports/control-software.ts';
import type { TreatmentCategoryCode, TreatmentFees } from '../src/domain/types.ts';
import { pastVisitTime, withInputNames } from './input.ts';
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
    withInputNames(() => services.writes.run({
      op: 'startVisit',
      key: idempotencyKey,
      input,
      // 1.14 before the call: after a crash, a changed last seq number shows the visit was taken.
      before: async () => ({ lastSeqNumber: await services.cards.lastSeqNumber().then((l) => l.raw, () => null) }),
      execute: () => services.cards.startVisit(input),
    })),
  );
}

/** The patient was insured for `category` when the check ran. */
export interface InsuranceCheck {
  readonly category: TreatmentCategoryCode;
  readonly checkedAt: Date;
}

export async function quickInsuranceCheck(services: GatewayServices, category: TreatmentCategoryCode): Promise<InsuranceCheck> {
  await services.cards.quickInsuranceCheck(category);
  return { category, checkedAt: new Date() };
}

/**
 * `visitTimeRoc`: the 13-digit ROC form the DateTime scalar parsed. The ID fetched is journaled (no card was
 * written, so as a note, not a begin/end pair), so cardVisits shows the visit completed, after a restart too.
 */
export async function treatmentIdForVisit(services: GatewayServices, visitTimeRoc: string) {
  const result = await withInputNames(() => services.cards.treatmentIdForVisit(pastVisitTime(visitTimeRoc)));
  // The same fields the journal keeps of startVisit's result: the visit's time and its treatment ID, no identity.
  await services.writes.note('treatmentIdForVisit', { visitTimeRoc: result.visitTimeRoc }, {
    visitTimeRoc: result.visitTimeRoc,
    treatmentId: result.treatmentId,
    source: result.source,
  });
  return result;
}

export function treatmentIdWithoutCard(services: GatewayServices, idNumber: string, idempotencyKey?: Key) {
  const id = idNumber.trim().toUpperCase();
  return withInputNames(() =>
    services.writes.run({
      op: 'treatmentIdWithoutCard',
      key: idempotencyKey,
      input: { patientId: id },
      execute: () => services.cards.treatmentIdWithoutCard(id),
    }),
  );
}

/** A cancelled registration: which visit, and when (ISO, Taiwan time). */
export interface CancelledVisit {
  readonly visitTimeRoc: string;
  readonly cancelledAt: string;
}

export async function cancelVisit(services: GatewayServices, visitTimeRoc: string, idempotencyKey?: Key): Promise<CancelledVisit> {
  pastVisitTime(visitTimeRoc);
  return andRefresh(
    services,
    withInputNames(() =>
      services.writes.run({
        op: 'cancelVisit',
        key: idempotencyKey,
        input: { visitTimeRoc },
        execute: async (): Promise<CancelledVisit> => {
          await services.cards.cancelVisit(visitTimeRoc);
          // A string, so a replay from the journal after a restart reads the same.
          return { visitTimeRoc, cancelledAt: new Date().toISOString() };
        },
      }),
    ),
  );
}

export interface TreatmentWritten {
  readonly visitTimeRoc: string;
  readonly apis: readonly string[];
  readonly doctorIdNumber: string | null;
}

export interface WriteTreatmentArgs {
  /** The 13-digit ROC form the DateTime scalar parsed. */
  readonly visitTimeRoc: string;
  readonly idNumber: string;
  readonly birthDate: string;
  readonly lateCard: boolean;
  readonly diagnoses: readonly string[];
  readonly fees: TreatmentFees | null | undefined;
  readonly layout: 'ICD10' | 'DEFAULT';
  readonly combined: boolean;
  readonly idempotencyKey?: Key;
}

export function writeTreatment(services: GatewayServices, args: WriteTreatmentArgs): Promise<TreatmentWritten> {
  const input: WriteTreatmentInput = {
    visitTimeRoc: pastVisitTime(args.visitTimeRoc),
    patientId: args.idNumber.trim().toUpperCase(),
    birthDate: args.birthDate,
    lateCard: args.lateCard,
    diagnoses: args.diagnoses.map((d) => d.trim().toUpperCase()),
    ...(args.fees ? { fees: args.fees } : {}),
    layout: args.layout,
    combined: args.combined,
  };
  return withInputNames(() =>
    services.writes.run({
      op: 'writeTreatment',
      key: args.idempotencyKey,
      input,
      execute: () => services.cards.writeTreatment(input),
      // The doctor's ID number stays out of the journal; a replay after a restart returns it as null.
      persistable: (result) => ({ ...result, doctorIdNumber: null }),
    }),
  );
}

/** Card writes whose outcome is unknown because the gateway stopped mid-call. */
export function unresolvedCardWrites(services: GatewayServices) {
  return services.writes.unresolved().map((e) => ({
    id: e.begin.id,
    operation: e.begin.op,
    // The journal keeps keys only hashed: known here for this process's own operations, null after a restart.
    idempotencyKey: services.writes.plainKey(e),
    startedAt: e.begin.at as string,
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
    throw new InputError('input.id', 'is not an unresolved startVisit that can be checked on the card');
  }
  const now = await services.cards.lastSeqNumber();
  const resolution: 'APPLIED' | 'NOT_APPLIED' = now.raw !== before ? 'APPLIED' : 'NOT_APPLIED';
  await services.writes.resolve(id, resolution, 'CHECKED');
  return { id, resolution, how: 'CHECKED' as const, settledAt: new Date() };
}

export async function confirmCardWrite(services: GatewayServices, id: string, resolution: 'APPLIED' | 'NOT_APPLIED') {
  await services.writes.resolve(id, resolution, 'CONFIRMED_BY_OPERATOR');
  return { id, resolution, how: 'CONFIRMED_BY_OPERATOR' as const, settledAt: new Date() };
}

export function verifySam(services: GatewayServices) {
  return andRefresh(services, services.cards.verifySam());
}

export function verifyProfessionalPin(services: GatewayServices) {
  return andRefresh(services, services.cards.verifyProfessionalPin());
}

export interface ControlSoftwareReset {
  readonly target: ResetTarget;
  readonly resetAt: Date;
}

export async function resetControlSoftware(services: GatewayServices, target: ResetTarget): Promise<ControlSoftwareReset> {
  await andRefresh(services, services.cards.reset(target));
  return { target, resetAt: new Date() };
}
