/**
 * Controls of the embedded simulator, so a front-end developer can rehearse every screen without hardware.
 * Against a real backend they answer with GatewayError SIMULATOR_ONLY.
 */
import { builder } from './builder.ts';
import { ErrorCodeEnum, caught, resultUnion } from './errors.ts';
import { LightStateRef } from './cards.ts';
import {
  FORCIBLE_GATEWAY_CODES,
  SIMULATED_CARDS,
  SIMULATED_PROFESSIONAL_CARDS,
  type SimulatedCardDescription,
} from '../src/ports/simulator.ts';
import * as simulator from '../resolvers/simulator.ts';

const describeEach = (cards: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(cards).map(([key, description]) => [key, { description }]));

const SimulatedCardEnum = builder.enumType('SimulatedCard', {
  description: 'The simulator’s test health cards, each exercising an edge case.',
  values: describeEach(SIMULATED_CARDS),
});

const SimulatedProfessionalEnum = builder.enumType('SimulatedProfessionalCard', {
  values: describeEach(SIMULATED_PROFESSIONAL_CARDS),
});

const SimulatedPatientRef = builder.objectRef<SimulatedCardDescription>('SimulatedPatient').implement({
  fields: (t) => ({
    card: t.field({ type: SimulatedCardEnum, resolve: (p) => p.key as never }),
    description: t.exposeString('description'),
  }),
});

builder.queryField('simulatedCards', (t) =>
  t.field({
    type: [SimulatedPatientRef],
    description: 'The test cards the simulator can insert (empty unless the backend is the simulator).',
    resolve: (_r, _a, ctx) => (ctx.simulator ? [...ctx.simulator.patients] : []),
  }),
);

const SimulatorInsertHealthCardInput = builder.inputType('SimulatorInsertHealthCardInput', {
  fields: (t) => ({ card: t.field({ type: SimulatedCardEnum, required: true }) }),
});

const SimulatorInsertProfessionalCardInput = builder.inputType('SimulatorInsertProfessionalCardInput', {
  fields: (t) => ({ card: t.field({ type: SimulatedProfessionalEnum, defaultValue: 'PHYSICIAN' }) }),
});

const SimulatorForceReturnCodeInput = builder.inputType('SimulatorForceReturnCodeInput', {
  fields: (t) => ({
    function: t.string({ required: true, description: 'CSHIS export name, e.g. "hisGetSeqNumber256N1".' }),
    vendorCode: t.int({ required: false, description: 'The return code to force; null clears it.' }),
  }),
});

const SimulatorForceGatewayCodeInput = builder.inputType('SimulatorForceGatewayCodeInput', {
  fields: (t) => ({
    function: t.string({ required: true, description: 'CSHIS export name, e.g. "hisGetSeqNumber256N1".' }),
    code: t.field({
      type: ErrorCodeEnum,
      required: false,
      description: `The gateway code to raise: one of ${FORCIBLE_GATEWAY_CODES.join(', ')}; null clears it.`,
    }),
  }),
});

builder.mutationFields((t) => ({
  simulatorInsertHealthCard: t.field({
    type: resultUnion('Mutation.simulatorInsertHealthCard', LightStateRef),
    args: { input: t.arg({ type: SimulatorInsertHealthCardInput, required: true }) },
    resolve: (_r, { input }, ctx) => caught('Mutation.simulatorInsertHealthCard', () => simulator.insertHealthCard(ctx, String(input.card))),
  }),
  simulatorRemoveHealthCard: t.field({
    type: resultUnion('Mutation.simulatorRemoveHealthCard', LightStateRef),
    resolve: (_r, _a, ctx) => caught('Mutation.simulatorRemoveHealthCard', () => simulator.removeHealthCard(ctx)),
  }),
  simulatorInsertProfessionalCard: t.field({
    type: resultUnion('Mutation.simulatorInsertProfessionalCard', LightStateRef),
    args: { input: t.arg({ type: SimulatorInsertProfessionalCardInput, required: false }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.simulatorInsertProfessionalCard', () => simulator.insertProfessionalCard(ctx, String(input?.card ?? 'PHYSICIAN'))),
  }),
  simulatorRemoveProfessionalCard: t.field({
    type: resultUnion('Mutation.simulatorRemoveProfessionalCard', LightStateRef),
    resolve: (_r, _a, ctx) => caught('Mutation.simulatorRemoveProfessionalCard', () => simulator.removeProfessionalCard(ctx)),
  }),
  simulatorForceReturnCode: t.field({
    type: resultUnion('Mutation.simulatorForceReturnCode', LightStateRef),
    description: 'Make a control-software function return a vendor code (e.g. hisGetBasicData → 9240); null clears it.',
    args: { input: t.arg({ type: SimulatorForceReturnCodeInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.simulatorForceReturnCode', () => simulator.forceReturnCode(ctx, input.function, input.vendorCode ?? null)),
  }),
  simulatorForceGatewayCode: t.field({
    type: resultUnion('Mutation.simulatorForceGatewayCode', LightStateRef),
    description:
      'Make a control-software function fail with one of the gateway’s own codes, as a real backend raises it (e.g. hisGetSeqNumber256N1 → CALL_TIMEOUT, hisGetBasicData → CARD_REMOVED); null clears it. simulatorReset clears all.',
    args: { input: t.arg({ type: SimulatorForceGatewayCodeInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      caught('Mutation.simulatorForceGatewayCode', () => simulator.forceGatewayCode(ctx, input.function, (input.code as string | null | undefined) ?? null)),
  }),
  simulatorReset: t.field({
    type: resultUnion('Mutation.simulatorReset', LightStateRef),
    description: 'Back to power-on: no cards, SAM not authenticated, no forced codes.',
    resolve: (_r, _a, ctx) => caught('Mutation.simulatorReset', () => simulator.reset(ctx)),
  }),
}));
