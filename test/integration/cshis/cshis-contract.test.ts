/**
 * The shared ControlSoftware contract (test/contract/control-software.contract.ts) run against the koffi
 * adapter over the native fixture, so the simulator and the CSHIS.dll path cannot drift apart.
 * The simulator's test patients are encoded with the same §4.1 encoders the simulator uses.
 */
import { afterAll } from 'vitest';
import { createCshisControlSoftware } from '../../../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../../src/adapters/cshis/native.ts';
import { SIMULATED_PATIENTS, SIMULATED_PROFESSIONALS } from '../../../src/adapters/simulator/patients.ts';
import { encodeBig5 } from '../../../src/codecs/big5.ts';
import { encodeBasicData, encodeRegisterBasic } from '../../../src/codecs/layouts.ts';
import {
  PRENATAL_LAYOUT,
  PREVENTIVE_CARE_LAYOUT,
  VACCINATION_LAYOUT,
  encodeAllergySlots,
  formatRecord,
  type Layout,
} from '../../../src/codecs/records.ts';
import { seedFor } from '../../../src/adapters/simulator/card-records.ts';
import { describeCardRecordsContract } from '../../contract/card-records.contract.ts';
import { describeMedicationDay } from '../../contract/medication-day.scenario.ts';
import { dateToRocDateTime } from '../../../src/codecs/roc-date.ts';
import type { CshisExportName } from '../../../src/adapters/cshis/native.ts';
import { describeControlSoftwareContract, type ContractHarness } from '../../contract/control-software.contract.ts';
import { FIXTURE_SO, ensureFixtureBuilt } from './helpers.ts';

let fx: FixtureControls | null = null;
function controls(): FixtureControls {
  if (!fx) {
    ensureFixtureBuilt();
    fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
  }
  return fx;
}
afterAll(() => fx?.reset());

const rocDateDaysFromNow = (days: number): string =>
  dateToRocDateTime(new Date(Date.now() + days * 86_400_000)).slice(0, 7);

function insertPatient(key: string): void {
  const p = SIMULATED_PATIENTS.find((x) => x.key === key);
  if (!p) throw new Error(`unknown simulated patient ${key}`);
  const record = {
    ...p,
    cardValidUntilRoc: p.cardValidUntilRoc ?? rocDateDaysFromNow(365),
    newbornBirthDateRoc: p.newbornAgeDays === null ? null : rocDateDaysFromNow(-p.newbornAgeDays),
  };
  const c = controls();
  c.insertHealthCard(encodeBasicData(record), encodeRegisterBasic(record), p.lastSeqNumber);
  // The simulator's records for this card, laid out with the same codecs.
  const seed = seedFor(key);
  const area = <L extends Layout>(records: readonly object[], layout: L) =>
    Buffer.from(records.map((r) => formatRecord(r as never, layout)).join(''), 'latin1');
  c.setArea('allergy', encodeAllergySlots(seed.allergies));
  c.setArea('vaccination', area(seed.vaccinations, VACCINATION_LAYOUT));
  c.setArea('prevent', area(seed.preventiveCare, PREVENTIVE_CARE_LAYOUT));
  c.setArea('pregnant', area(seed.prenatal, PRENATAL_LAYOUT));
  c.setArea('ci', Buffer.from(seed.criticalIllnesses.map((x) => x.code.padEnd(7) + x.validFromRoc + x.validUntilRoc).join(''), 'latin1'));
  if (seed.organDonation !== '') c.setArea('organ', Buffer.from(seed.organDonation, 'latin1'));
  c.setPinSet(p.hasPin);
}

function insertProfessional(key: string): void {
  const h = SIMULATED_PROFESSIONALS.find((x) => x.key === key);
  if (!h) throw new Error(`unknown simulated professional ${key}`);
  controls().insertProfessionalCard({
    serial: h.serialNumber,
    id: h.idNumber,
    nameBig5: encodeBig5(h.name),
    englishName: h.englishName,
  });
  controls().setProfessionalPharmacist(h.kind === 'PHARMACIST');
}

const harness = async (): Promise<ContractHarness> => {
  const c = controls();
  c.reset();
  const cs = await createCshisControlSoftware({
    libraryPath: FIXTURE_SO,
    callTimeoutMs: 5000,
    readerPort: 0,
    openPolicy: 'per-operation',
  });
  return {
    cs,
    insertHealthCard: (key) => insertPatient(key),
    removeHealthCard: () => c.removeHealthCard(),
    insertProfessionalCard: (key) => insertProfessional(key),
    forceReturnCode: (fn, rc) => c.setForcedRc(fn as CshisExportName, rc ?? 0),
    writeCount: (visitTimeRoc) => c.writeCount(visitTimeRoc),
    dispose: async () => {
      c.reset();
      await cs[Symbol.asyncDispose]();
    },
  };
};

describeControlSoftwareContract('koffi adapter over the native CSHIS fixture', harness);
describeCardRecordsContract('koffi adapter over the native CSHIS fixture', harness);
describeMedicationDay('koffi adapter over the native CSHIS fixture', harness);
