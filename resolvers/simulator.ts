/**
 * Simulator controls. They return the lights after the change, which is what a rehearsing developer
 * wants to see, and refuse politely on real hardware.
 */
import type { GatewayServices } from '../src/context.ts';
import { FORCIBLE_GATEWAY_CODES, type ForcibleGatewayCode, type SimulatorControls } from '../src/ports/simulator.ts';
import { gatewayError } from '../src/errors/gateway-codes.ts';
import { InputError } from '../src/codecs/input-error.ts';

async function control(services: GatewayServices, change: (sim: SimulatorControls) => void) {
  if (!services.simulator) throw gatewayError('SIMULATOR_ONLY');
  change(services.simulator);
  await services.monitor.refresh();
  return services.cards.lightState();
}

export const insertHealthCard = (s: GatewayServices, card: string) => control(s, (sim) => sim.insertHealthCard(card));
export const removeHealthCard = (s: GatewayServices) => control(s, (sim) => sim.removeHealthCard());
export const insertProfessionalCard = (s: GatewayServices, card: string) =>
  control(s, (sim) => sim.insertProfessionalCard(card));
export const removeProfessionalCard = (s: GatewayServices) => control(s, (sim) => sim.removeProfessionalCard());
export const reset = (s: GatewayServices) => control(s, (sim) => sim.reset());

export function forceReturnCode(s: GatewayServices, functionName: string, vendorCode: number | null) {
  if (!CONTROL_SOFTWARE_EXPORT.test(functionName)) {
    throw new InputError('input.function', 'must be a control-software export name such as hisGetBasicData');
  }
  if (vendorCode !== null && (vendorCode < -1 || vendorCode > 99999)) {
    throw new InputError('input.vendorCode', 'must be between -1 and 99999');
  }
  return control(s, (sim) => sim.forceReturnCode(functionName, vendorCode));
}

const CONTROL_SOFTWARE_EXPORT = /^(his|cs|hpc)[A-Za-z0-9]+$/;

/** Rehearse a gateway-side failure of one control-software function (FORCIBLE_GATEWAY_CODES); null clears it. */
export function forceGatewayCode(s: GatewayServices, functionName: string, code: string | null) {
  if (!CONTROL_SOFTWARE_EXPORT.test(functionName)) {
    throw new InputError('input.function', 'must be a control-software export name such as hisGetBasicData');
  }
  if (code !== null && !(FORCIBLE_GATEWAY_CODES as readonly string[]).includes(code)) {
    throw new InputError('input.code', `must be one of ${FORCIBLE_GATEWAY_CODES.join(', ')}`);
  }
  return control(s, (sim) => sim.forceGatewayCode(functionName, code as ForcibleGatewayCode | null));
}
