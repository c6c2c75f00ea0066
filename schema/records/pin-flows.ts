/**
 * Patient and professional PIN flows (1.27–1.29, 1.36, 4.3, 4.4) and the card update without reset (1.40) as long
 * operations that stream their stages (operationProgress), like updateHealthCard. Guide: docs/card/pin-flows.md.
 */
import { builder } from '../builder.ts';
import { caught, resultUnion } from '../errors.ts';
import { HealthCardRef } from '../cards.ts';
import { OperationRef } from '../operations.ts';
import { withInputNames } from '../../resolvers/input.ts';
import * as pins from '../../resolvers/records/pin-flows.ts';

const HealthCardPinRef = builder.objectRef<{ pinSet: boolean }>('HealthCardPin').implement({
  description: 'API 1.36 csISSetPIN.',
  fields: (t) => ({ pinSet: t.exposeBoolean('pinSet', { description: 'Whether the patient has set a health-card PIN.' }) }),
});

builder.objectFields(HealthCardRef, (t) => ({
  pin: t.field({
    type: resultUnion('HealthCard.pin', HealthCardPinRef),
    resolve: (_h, _a, ctx) => caught('HealthCard.pin', () => pins.healthCardPinStatus(ctx)),
  }),
}));

const UpdateHealthCardWithoutResetInput = builder.inputType('UpdateHealthCardWithoutResetInput', {
  fields: (t) => ({
    idempotencyKey: t.string({
      description: 'A client-chosen unique key, 8–128 printable ASCII characters: repeating the request with it returns the operation already started.',
    }),
  }),
});

const PIN_FLOW =
  ' The control software shows its own PIN dialog; returns at once, follow it with operationProgress(id) (stage WAITING_FOR_PIN). ' +
  'Never retried; failures (wrong PIN, cancelled) arrive in Operation.error.';

builder.mutationFields((t) => ({
  verifyHealthCardPin: t.field({
    type: OperationRef,
    description: `API 1.27 csVerifyHCPIN: the patient enters the health-card PIN.${PIN_FLOW}`,
    resolve: (_r, _a, ctx) => pins.startPinFlow(ctx, 'HEALTH_CARD_PIN_VERIFY'),
  }),
  setHealthCardPin: t.field({
    type: OperationRef,
    description: `API 1.28 csInputHCPIN: the patient sets or changes the health-card PIN.${PIN_FLOW}`,
    resolve: (_r, _a, ctx) => pins.startPinFlow(ctx, 'HEALTH_CARD_PIN_SET'),
  }),
  disableHealthCardPin: t.field({
    type: OperationRef,
    description: `API 1.29 csDisableHCPIN: the patient turns the health-card PIN off.${PIN_FLOW}`,
    resolve: (_r, _a, ctx) => pins.startPinFlow(ctx, 'HEALTH_CARD_PIN_DISABLE'),
  }),
  changeProfessionalCardPin: t.field({
    type: OperationRef,
    description: `API 4.3 hpcInputHPCPIN: change the professional card’s PIN.${PIN_FLOW}`,
    resolve: (_r, _a, ctx) => pins.startPinFlow(ctx, 'PROFESSIONAL_CARD_PIN_CHANGE'),
  }),
  unlockProfessionalCard: t.field({
    type: OperationRef,
    description: `API 4.4 hpcUnlockHPC: unlock a professional card locked by wrong PINs.${PIN_FLOW}`,
    resolve: (_r, _a, ctx) => pins.startPinFlow(ctx, 'PROFESSIONAL_CARD_UNLOCK'),
  }),
  updateHealthCardWithoutReset: t.field({
    type: OperationRef,
    description:
      'API 1.40 csUpdateHCNoReset: the online card update without the card reset (ask the patient to re-insert the card afterwards). ' +
      'Returns at once; follow it with operationProgress(id). Failures arrive in Operation.error.',
    args: { input: t.arg({ type: UpdateHealthCardWithoutResetInput, required: false }) },
    resolve: (_r, { input }, ctx) => withInputNames(() => pins.startCardUpdateWithoutReset(ctx, input?.idempotencyKey)),
  }),
}));
