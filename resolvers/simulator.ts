/**
 * Simulator controls. They return the lights after the change, which is what a rehearsing developer
 * wants to see, and refuse politely on real hardware.
 */
import type { GatewayServices } from '../src/context.ts';
import type { SimulatorControls } from '../src/ports/simulator.ts';
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
  if (!/^(his|cs|hpc)[A-Za-z0-9]+$/.test(functionName)) {
    throw new InputError('input.function', 'must be a control-software export name such as hisGetBasicData');
  }
  if (vendorCode !== null && (vendorCode < -1 || vendorCode > 99999)) {
    throw new InputError('input.vendorCode', 'must be between -1 and 99999');
  }
  return control(s, (sim) => sim.forceReturnCode(functionName, vendorCode));
}
