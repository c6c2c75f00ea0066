import { describeControlSoftwareContract, type ContractHarness } from '../../contract/control-software.contract.ts';
import { describeCardRecordsContract } from '../../contract/card-records.contract.ts';
import { describeMedicationDay } from '../../contract/medication-day.scenario.ts';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';

const harness = async (): Promise<ContractHarness> => {
  const sim = new SimulatedWorkstation({ networkLatencyMs: 0 });
  return {
    cs: sim,
    insertHealthCard: (key) => sim.insertHealthCard(key),
    removeHealthCard: () => sim.removeHealthCard(),
    insertProfessionalCard: (key) => sim.insertProfessionalCard(key),
    forceReturnCode: (fn, rc) => sim.forceReturnCode(fn, rc),
    writeCount: (t) => sim.writeCount(t),
    dispose: () => sim[Symbol.asyncDispose](),
  };
};

describeControlSoftwareContract('embedded simulator', harness);
describeCardRecordsContract('embedded simulator', harness);
describeMedicationDay('embedded simulator', harness);
