import { describeControlSoftwareContract } from '../../contract/control-software.contract.ts';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';

describeControlSoftwareContract('embedded simulator', async () => {
  const sim = new SimulatedWorkstation();
  return {
    cs: sim,
    insertHealthCard: (key) => sim.insertHealthCard(key),
    removeHealthCard: () => sim.removeHealthCard(),
    insertProfessionalCard: (key) => sim.insertProfessionalCard(key),
    forceReturnCode: (fn, rc) => sim.forceReturnCode(fn, rc),
    writeCount: (t) => sim.writeCount(t),
    dispose: () => sim[Symbol.asyncDispose](),
  };
});
