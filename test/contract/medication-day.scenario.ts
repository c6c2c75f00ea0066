/**
 * A day with medication at the domain level (CshisCardStack + its CardRecords) over any ControlSoftware:
 * register, read history and allergies, write diagnoses and fees, signed prescriptions (single and multiple),
 * add an allergy, upload, cancel one visit, then a fresh stack over the same card (a gateway restart) lists
 * the visits the card holds. Run over the simulator and over the native fixture through koffi.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CshisCardStack } from '../../src/domain/cshis-card-stack.ts';
import { SIMULATED_PATIENTS } from '../../src/adapters/simulator/patients.ts';
import { rocDateToIso } from '../../src/codecs/roc-date.ts';
import type { PrescriptionInput } from '../../src/domain/types.ts';
import type { ContractHarness } from './control-software.contract.ts';

const standard = SIMULATED_PATIENTS.find((p) => p.key === 'STANDARD')!;
const cardholder = { patientId: standard.idNumber, birthDate: rocDateToIso(standard.birthDateRoc, 'birthDate') };
const amoxicillin: PrescriptionInput = { orderType: '1', itemCode: 'AC45856100', usage: 'TID', days: 3, total: 9, dispensing: '01' };
const statin: PrescriptionInput = { orderType: '2', itemCode: 'BC24356100', usage: 'QD', days: 28, total: 28, dispensing: '02' };

export function describeMedicationDay(name: string, createHarness: () => Promise<ContractHarness>) {
  describe(`a day with medication: ${name}`, () => {
    it('register, history, diagnoses and fees, signed prescriptions, allergy, upload, cancel, recover after restart', async () => {
      const h = await createHarness();
      const dir = mkdtempSync(join(tmpdir(), 'nhi-day-'));
      try {
        await h.insertHealthCard('STANDARD');
        await h.insertProfessionalCard('PHYSICIAN');
        const stack = new CshisCardStack(h.cs, { strategy: 'N1' });
        const records = stack.records;

        const morning = await stack.startVisit({ category: '01', newborn: false, lateCard: false });
        const history = await records.treatmentHistory();
        expect(history.visits.map((v) => v.visitTimeRoc)).toEqual([morning.visitTimeRoc]);
        expect((await records.prescriptions()).allergies.map((a) => a.name.text)).toEqual(['盤尼西林']);

        await stack.verifyProfessionalPin();
        await stack.writeTreatment({
          ...cardholder,
          visitTimeRoc: morning.visitTimeRoc,
          layout: 'ICD10',
          combined: true,
          lateCard: false,
          diagnoses: ['J069', 'G44201'],
          fees: { outpatientFee: 480, outpatientCopay: 50, inpatientFee: 0, inpatientCopayShortStay: 0, inpatientCopayLongStay: 0 },
        });
        const single = await records.writePrescriptions({ ...cardholder, visitTimeRoc: morning.visitTimeRoc, prescriptions: [amoxicillin], signed: true });
        const multiple = await records.writePrescriptions({
          ...cardholder,
          visitTimeRoc: morning.visitTimeRoc,
          prescriptions: [statin, { ...amoxicillin, itemCode: 'AC12345100' }],
          signed: true,
        });
        const signatures = [...single.signatures!, ...multiple.signatures!];
        expect(signatures.map((s) => [s.record.itemCode, /^[0-9A-F]{40}$/.test(s.signature)])).toEqual([
          ['AC45856100', true],
          ['BC24356100', true],
          ['AC12345100', true],
        ]);
        const allergy = await records.writeAllergySlot({ ...cardholder, slot: 2, name: '阿斯匹靈' });
        expect(allergy.doctorIdNumber).not.toBeNull();

        // The HIS builds its daily XML from the visit and the signatures; the gateway uploads the file as is.
        const file = join(dir, 'daily.xml');
        const xml = `<?xml version="1.0" encoding="Big5"?><RECS>${signatures.map((s) => `<REC><S>${s.signature}</S></REC>`).join('')}</RECS>`;
        writeFileSync(file, xml);
        const receipt = await stack.uploadData({ file, fileSize: Buffer.byteLength(xml), recordCount: signatures.length });
        expect(receipt.hospitalId).toBe('3501200000');

        const afternoon = await stack.startVisit({ category: '01', newborn: false, lateCard: false });
        await stack.cancelVisit(afternoon.visitTimeRoc);

        // A gateway restart: a new stack over the same card remembers nothing but what the card holds.
        const restarted = new CshisCardStack(h.cs, { strategy: 'N1' }).records;
        const visits = (await restarted.treatmentHistory()).visits;
        expect(visits.map((v) => [v.visitTimeRoc, v.seqNumber, v.fees.outpatientFee])).toEqual([[morning.visitTimeRoc, morning.seqNumber, 480]]);
        const diagnoses = await restarted.treatmentDiagnoses('ICD10');
        expect(diagnoses.visits).toEqual([{ visitTime: morning.visitTime, visitTimeRoc: morning.visitTimeRoc, diagnoses: ['J069', 'G44201'] }]);
        const areas = await restarted.prescriptions();
        expect(areas.outpatient.map((p) => p.itemCode)).toEqual(['AC45856100', 'BC24356100', 'AC12345100']);
        expect(areas.longTerm.map((p) => p.drugCode)).toEqual(['BC24356100']);
        expect(areas.allergies.map((a) => [a.slot, a.name.text])).toEqual([
          [1, '盤尼西林'],
          [2, '阿斯匹靈'],
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await h.dispose();
      }
    });
  });
}
