/**
 * PIN flows (1.27–1.29, 4.3, 4.4) and the card update without reset (1.40) as long operations: each returns its
 * snapshot at once and streams its stages (operationProgress), like updateHealthCard. A PIN flow waits on a person
 * at the control software's keypad dialog, so it is never retried or coalesced; 1.40 is journaled like 1.30.
 */
import type { GatewayServices } from '../../src/context.ts';
import type { CardRecords } from '../../src/ports/card-stack.ts';
import type { OperationSnapshot, PinFlowKind } from '../../src/ports/long-operations.ts';
import { operationTracker } from '../../src/domain/long-operations.ts';
import { InputError } from '../../src/codecs/input-error.ts';
import { recordsOf } from './records-port.ts';

const PIN_CALLS: Record<PinFlowKind, (records: CardRecords) => Promise<void>> = {
  HEALTH_CARD_PIN_VERIFY: (r) => r.verifyPatientPin(),
  HEALTH_CARD_PIN_SET: (r) => r.setPatientPin(),
  HEALTH_CARD_PIN_DISABLE: (r) => r.disablePatientPin(),
  PROFESSIONAL_CARD_PIN_CHANGE: (r) => r.changeProfessionalPin(),
  PROFESSIONAL_CARD_UNLOCK: (r) => r.unlockProfessionalCard(),
};

export function startPinFlow(services: GatewayServices, kind: PinFlowKind): OperationSnapshot {
  const records = recordsOf(services); // a backend without the control software fails the mutation, not the operation
  return operationTracker(services).start(kind, async (onStage) => {
    onStage('WAITING_FOR_PIN');
    try {
      await PIN_CALLS[kind](records);
    } finally {
      void Promise.resolve(services.monitor.refresh()).catch(() => undefined);
    }
    return { kind, completedAt: new Date().toISOString() };
  });
}

export function startCardUpdateWithoutReset(services: GatewayServices, idempotencyKey?: string | null): OperationSnapshot {
  if (idempotencyKey != null && !/^[\x21-\x7e]{8,128}$/.test(idempotencyKey)) {
    throw new InputError('input.idempotencyKey', 'must be 8–128 printable ASCII characters (a UUID is a good choice)');
  }
  const records = recordsOf(services);
  return operationTracker(services).start(
    'CARD_UPDATE_WITHOUT_RESET',
    async (onStage) => ({
      kind: 'CARD_UPDATE_WITHOUT_RESET',
      ...(await services.writes.run({
        op: 'updateHealthCardWithoutReset',
        key: idempotencyKey,
        input: {},
        execute: () => records.updateCardWithoutReset(onStage),
      })),
    }),
    idempotencyKey,
  );
}

export async function healthCardPinStatus(services: GatewayServices) {
  return { pinSet: await recordsOf(services).patientPinSet() };
}
