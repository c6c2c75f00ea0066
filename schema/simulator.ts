/**
 * Controls of the embedded simulator, so a front-end developer can rehearse every screen without hardware.
 * Against a real backend they answer with ControlSoftwareError SIMULATOR_ONLY.
 */
import { builder } from './builder.ts';
import { cardErrors } from './errors.ts';
import { LightStateRef } from './cards.ts';
import { SIMULATED_PATIENTS, SIMULATED_PROFESSIONALS } from '../src/adapters/simulator/patients.ts';
import * as simulator from '../resolvers/simulator.ts';

const SimulatedCardEnum = builder.enumType('SimulatedCard', {
  description: 'The simulator’s test health cards, each exercising an edge case.',
  values: Object.fromEntries(SIMULATED_PATIENTS.map((p) => [p.key, { description: p.description }])),
});

const SimulatedProfessionalEnum = builder.enumType('SimulatedProfessionalCard', {
  values: Object.fromEntries(SIMULATED_PROFESSIONALS.map((p) => [p.key, { description: p.description }])),
});

const SimulatedPatientRef = builder
  .objectRef<(typeof SIMULATED_PATIENTS)[number]>('SimulatedPatient')
  .implement({
    fields: (t) => ({
      card: t.string({ resolve: (p) => p.key }),
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

builder.mutationFields((t) => ({
  simulatorInsertHealthCard: t.field({
    type: LightStateRef,
    errors: cardErrors,
    args: { card: t.arg({ type: SimulatedCardEnum, required: true }) },
    resolve: (_r, { card }, ctx) => simulator.insertHealthCard(ctx, String(card)),
  }),
  simulatorRemoveHealthCard: t.field({
    type: LightStateRef,
    errors: cardErrors,
    resolve: (_r, _a, ctx) => simulator.removeHealthCard(ctx),
  }),
  simulatorInsertProfessionalCard: t.field({
    type: LightStateRef,
    errors: cardErrors,
    args: { card: t.arg({ type: SimulatedProfessionalEnum, defaultValue: 'PHYSICIAN' }) },
    resolve: (_r, { card }, ctx) => simulator.insertProfessionalCard(ctx, String(card ?? 'PHYSICIAN')),
  }),
  simulatorRemoveProfessionalCard: t.field({
    type: LightStateRef,
    errors: cardErrors,
    resolve: (_r, _a, ctx) => simulator.removeProfessionalCard(ctx),
  }),
  simulatorForceReturnCode: t.field({
    type: LightStateRef,
    description: 'Make a control-software function return a vendor code (e.g. hisGetBasicData → 9240); null clears it.',
    errors: cardErrors,
    args: {
      function: t.arg.string({ required: true, description: 'CSHIS export name, e.g. "hisGetSeqNumber256N1".' }),
      vendorCode: t.arg.int({ required: false }),
    },
    resolve: (_r, args, ctx) => simulator.forceReturnCode(ctx, args.function, args.vendorCode ?? null),
  }),
  simulatorReset: t.field({
    type: LightStateRef,
    description: 'Back to power-on: no cards, SAM not authenticated, no forced codes.',
    errors: cardErrors,
    resolve: (_r, _a, ctx) => simulator.reset(ctx),
  }),
}));
