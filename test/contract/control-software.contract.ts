/**
 * One contract suite for every ControlSoftware implementation (the serialport-bindings pattern): the
 * simulator always, and the koffi adapter over the native fixture library. If the two drift apart, this fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { CARD_TYPE, type ControlSoftware } from '../../src/ports/control-software.ts';
import {
  decodeBasicData,
  decodeRegisterBasic,
  decodeRegisterBasic2,
  decodeLastSeqNum,
  decodeSeqNumber256,
  decodeSeqNumber256N1,
  decodeHpcChineseName,
} from '../../src/codecs/layouts.ts';
import { SIMULATED_PATIENTS, SIMULATED_PROFESSIONALS } from '../../src/adapters/simulator/patients.ts';

/** Test controls each implementation provides (simulator methods, or the fixture's control exports). */
export interface ContractHarness {
  readonly cs: ControlSoftware;
  insertHealthCard(patientKey: string): void | Promise<void>;
  removeHealthCard(): void | Promise<void>;
  insertProfessionalCard(key: string): void | Promise<void>;
  forceReturnCode(functionName: string, rc: number | null): void | Promise<void>;
  writeCount(visitTimeRoc: string): number | Promise<number>;
  dispose(): Promise<void>;
}

const standard = SIMULATED_PATIENTS.find((p) => p.key === 'STANDARD')!;
const physician = SIMULATED_PROFESSIONALS[0]!;

export function describeControlSoftwareContract(name: string, createHarness: () => Promise<ContractHarness>) {
  describe(`ControlSoftware contract: ${name}`, () => {
    let h: ContractHarness;
    beforeEach(async () => {
      h = await createHarness();
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('reports no health card, and 4013 for reads, before a card is inserted', async () => {
      expect(await h.cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(0);
      const out = await h.cs.hisGetBasicData();
      expect(out.rc).toBe(4013);
      expect(out.bytes.length).toBe(0);
    });

    it('reads basic data (72 B) and authenticates the card with the SAM on first use', async () => {
      await h.insertHealthCard('STANDARD');
      expect(await h.cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(1);
      const out = await h.cs.hisGetBasicData();
      expect(out.rc).toBe(0);
      expect(out.bytes.length).toBe(72);
      const basic = decodeBasicData(out.bytes);
      expect(basic.idNumber).toBe(standard.idNumber);
      expect(basic.name.text).toBe(standard.name);
      expect(basic.cardNumber).toBe(standard.cardNumber);
      expect(await h.cs.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(2);
      expect(await h.cs.hisGetCardStatus(CARD_TYPE.SAM)).toBe(2);
    });

    it('reads registration data (78 B), validity (9 B) and the last seq number (7 B)', async () => {
      await h.insertHealthCard('STANDARD');
      const reg = await h.cs.hisGetRegisterBasic();
      expect(reg.bytes.length).toBe(78);
      expect(decodeRegisterBasic(reg.bytes).remainingVisits).toBe(standard.remainingVisits);
      const validity = await h.cs.hisGetRegisterBasic2();
      expect(validity.bytes.length).toBe(9);
      expect(decodeRegisterBasic2(validity.bytes).remainingVisits).toBe(standard.remainingVisits);
      const last = await h.cs.hisGetLastSeqNum();
      expect(last.bytes.length).toBe(7);
      expect(Number(decodeLastSeqNum(last.bytes).seqNumber)).toBe(standard.lastSeqNumber);
    });

    it('takes a seq number (1.37, 296 B): next seq, one visit fewer, same-day flag on the second', async () => {
      await h.insertHealthCard('STANDARD');
      const first = await h.cs.hisGetSeqNumber256('01', ' ', '1');
      expect(first.rc).toBe(0);
      expect(first.bytes.length).toBe(296);
      const visit = decodeSeqNumber256(first.bytes);
      expect(Number(visit.seqNumber)).toBe(standard.lastSeqNumber + 1);
      expect(visit.signature).toMatch(/^[\x21-\x7e]{256}$/);
      expect(visit.sameDayVisit).toBe(false);
      expect(visit.treatmentId).toBeNull();
      const reg = decodeRegisterBasic2((await h.cs.hisGetRegisterBasic2()).bytes);
      expect(reg.remainingVisits).toBe(standard.remainingVisits - 1);
      const second = decodeSeqNumber256((await h.cs.hisGetSeqNumber256('01', ' ', '1')).bytes);
      expect(second.sameDayVisit).toBe(true);
      expect(second.visitTimeRoc).not.toBe(visit.visitTimeRoc);
      expect(Number(decodeLastSeqNum((await h.cs.hisGetLastSeqNum()).bytes).seqNumber)).toBe(standard.lastSeqNumber + 2);
    });

    it('1.53 adds a 20-character treatment ID (316 B), and 1.56 returns it for that visit only', async () => {
      await h.insertHealthCard('STANDARD');
      const out = await h.cs.hisGetSeqNumber256N1('01', ' ', '1');
      expect(out.bytes.length).toBe(316);
      const visit = decodeSeqNumber256N1(out.bytes);
      expect(visit.treatmentId).toMatch(/^\S{20}$/);
      const byVisit = await h.cs.hisGetTreatNumICCard(visit.visitTimeRoc);
      expect(byVisit.rc).toBe(0);
      expect(byVisit.bytes.length).toBe(20);
      expect((await h.cs.hisGetTreatNumICCard('1000101000000')).rc).toBe(5022);
    });

    it('refuses an unknown 就醫類別 with 6018', async () => {
      await h.insertHealthCard('STANDARD');
      expect((await h.cs.hisGetSeqNumber256('ZZ', ' ', '1')).rc).toBe(6018);
    });

    it('refuses registration on a cancelled card (5002) and with no visits left (5001)', async () => {
      await h.insertHealthCard('CANCELLED');
      expect((await h.cs.hisGetSeqNumber256('01', ' ', '1')).rc).toBe(5002);
      await h.removeHealthCard();
      await h.insertHealthCard('NO_VISITS_LEFT');
      expect((await h.cs.hisGetSeqNumber256('01', ' ', '1')).rc).toBe(5001);
    });

    it('cancels a visit once (1.39): 5150 unknown, 0, then 5153, and gives the visit back', async () => {
      await h.insertHealthCard('STANDARD');
      const visit = decodeSeqNumber256((await h.cs.hisGetSeqNumber256('01', ' ', '1')).bytes);
      expect(await h.cs.csUnGetSeqNumber('1000101000000')).toBe(5150);
      expect(await h.cs.csUnGetSeqNumber(visit.visitTimeRoc)).toBe(0);
      expect(await h.cs.csUnGetSeqNumber(visit.visitTimeRoc)).toBe(5153);
      const reg = decodeRegisterBasic2((await h.cs.hisGetRegisterBasic2()).bytes);
      expect(reg.remainingVisits).toBe(standard.remainingVisits);
    });

    it('writes treatment data only for the cardholder (5020) and an existing visit (5022)', async () => {
      await h.insertHealthCard('STANDARD');
      const visit = decodeSeqNumber256((await h.cs.hisGetSeqNumber256('01', ' ', '1')).bytes);
      const data = '1J069  ' + ' '.repeat(24);
      expect((await h.cs.hisWriteTreatmentCode(visit.visitTimeRoc, 'B223456782', standard.birthDateRoc, data)).rc).toBe(5020);
      expect((await h.cs.hisWriteTreatmentCode('1000101000000', standard.idNumber, standard.birthDateRoc, data)).rc).toBe(5022);
      const ok = await h.cs.hisWriteTreatmentCode(visit.visitTimeRoc, standard.idNumber, standard.birthDateRoc, data);
      expect(ok.rc).toBe(0);
      expect(await h.writeCount(visit.visitTimeRoc)).toBe(1);
    });

    it('passes a forced vendor code through unchanged', async () => {
      await h.insertHealthCard('STANDARD');
      await h.forceReturnCode('hisGetBasicData', 9240);
      const out = await h.cs.hisGetBasicData();
      expect(out.rc).toBe(9240);
      expect(out.bytes.length).toBe(0);
      await h.forceReturnCode('hisGetBasicData', null);
      expect((await h.cs.hisGetBasicData()).rc).toBe(0);
    });

    it('walks the professional card through inserted → SAM-authenticated → PIN verified, and resets it', async () => {
      expect(await h.cs.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD)).toBe(0);
      expect((await h.cs.hpcGetHPCStatus()).status).toBe(0);
      await h.insertProfessionalCard(physician.key);
      expect((await h.cs.hpcGetHPCStatus()).status).toBe(1);
      expect(await h.cs.csVerifySAMDC()).toBe(0);
      expect(await h.cs.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD)).toBe(2);
      expect(await h.cs.hpcVerifyHPCPIN()).toBe(0);
      expect(await h.cs.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD)).toBe(3);
      expect(decodeHpcChineseName((await h.cs.hpcGetHPCCNAME()).bytes).text).toBe(physician.name);
      expect(await h.cs.csSoftwareReset(2)).toBe(0);
      expect(await h.cs.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD)).toBe(2);
    });

    it('opens and closes the reader port', async () => {
      expect(await h.cs.csOpenCom(0)).toBe(0);
      expect(await h.cs.csCloseCom()).toBe(0);
      expect(await h.cs.csOpenCom(42)).toBe(-1);
    });

    it('reports a version and the hospital ID from the SAM', async () => {
      const { version } = await h.cs.csGetVersionEx();
      expect(version).toBeGreaterThanOrEqual(5150);
      const hosp = await h.cs.csGetHospID();
      expect(hosp.rc).toBe(0);
      expect(Buffer.from(hosp.bytes).toString('latin1')).toMatch(/^\d{10}$/);
    });

    it('1.30 card update: 4013 without a card, 0 for a card with no visits left', async () => {
      expect(await h.cs.csUpdateHCContents()).toBe(4013);
      await h.insertHealthCard('NO_VISITS_LEFT');
      expect(await h.cs.csUpdateHCContents()).toBe(0);
      // the card stays readable after the update's reset
      expect((await h.cs.hisGetRegisterBasic2()).rc).toBe(0);
    });

    it('3.1 upload: 6017 for a missing file, else a 50-byte receipt naming the SAM and the hospital', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nhi-upload-'));
      try {
        const file = join(dir, 'daily.xml');
        const xml = '<?xml version="1.0" encoding="Big5"?><RECS><REC/></RECS>';
        writeFileSync(file, xml);
        const missing = await h.cs.csUploadData(join(dir, 'absent.xml'), '10', '1');
        expect(missing.rc).toBe(6017);
        expect(missing.bytes.length).toBe(0);
        const out = await h.cs.csUploadData(file, String(Buffer.byteLength(xml)), '1');
        expect(out.rc).toBe(0);
        expect(out.bytes.length).toBe(50);
        const text = Buffer.from(out.bytes).toString('latin1');
        expect(text.slice(0, 12)).toBe(Buffer.from((await h.cs.csGetCardNo(CARD_TYPE.SAM)).bytes).toString('latin1'));
        expect(text.slice(12, 22)).toBe(Buffer.from((await h.cs.csGetHospID()).bytes).toString('latin1'));
        expect(text.slice(22)).toMatch(/^20\d{12}20\d{12}$/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
