import { describe, expect, it } from 'vitest';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { CshisCardStack, lightStateFromStatusCodes } from '../../../src/domain/cshis-card-stack.ts';
import type { VisitStrategy } from '../../../src/ports/card-stack.ts';
import { CardError, InsuranceError, VisitError, CardWriteError, ControlSoftwareError } from '../../../src/errors/gateway-errors.ts';
import { InputError } from '../../../src/codecs/input-error.ts';

function setup(strategy: VisitStrategy = 'N1', patient = 'STANDARD') {
  const sim = new SimulatedWorkstation();
  sim.insertHealthCard(patient);
  return { sim, cards: new CshisCardStack(sim, { strategy }) };
}

describe('CshisCardStack over the simulator', () => {
  it('decodes basic data, including a rare-character name with its raw bytes', async () => {
    const { cards } = setup('N1', 'RARE_CHARACTER_NAME');
    const basic = await cards.basicData();
    expect(basic.name.text).toBe('林\uE000華');
    expect(basic.name.hasRareCharacters).toBe(true);
    expect(basic.name.rawHex).toContain('FA40');
    expect(basic.birthDate).toBe('1986-08-30');
  });

  it('reports the newborn attachment in registration data', async () => {
    const { cards } = setup('N1', 'NEWBORN_ATTACHED');
    const reg = await cards.registerData();
    expect(reg.newbornBirthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(reg.newbornBirthOrder).toBe('1');
  });

  it('N1 (方式3) returns seq number, signature and treatment ID from 1.53', async () => {
    const { cards } = setup('N1');
    const visit = await cards.startVisit({ category: '01', newborn: false, lateCard: false });
    expect(visit.treatmentIdSource).toBe('CONTROL_SOFTWARE_1_53');
    expect(visit.treatmentId).toHaveLength(20);
    expect(visit.signature).toHaveLength(256);
    expect(visit.seqNumber).toBe('0042');
    expect(visit.visitTime).toMatch(/\+08:00$/);
    expect(visit.treatmentIdPending).toBe(false);
  });

  it('SEQ256_TREATNUM (方式2) gets the treatment ID from 1.56 after 1.37', async () => {
    const { cards } = setup('SEQ256_TREATNUM');
    const visit = await cards.startVisit({ category: '01', newborn: false, lateCard: false });
    expect(visit.treatmentIdSource).toBe('CONTROL_SOFTWARE_1_56');
    const again = await cards.treatmentIdForVisit(visit.visitTimeRoc);
    expect(again.treatmentId).toBe(visit.treatmentId);
  });

  it('keeps the visit when 1.56 fails, flagged pending, and completes it later', async () => {
    const { sim, cards } = setup('SEQ256_TREATNUM');
    sim.forceReturnCode('hisGetTreatNumICCard', 5174);
    const visit = await cards.startVisit({ category: '01', newborn: false, lateCard: false });
    expect(visit.treatmentId).toBeNull();
    expect(visit.treatmentIdPending).toBe(true);
    expect(visit.warnings.map((w) => w.vendorCode)).toContain(5174);
    sim.forceReturnCode('hisGetTreatNumICCard', null);
    const completed = await cards.treatmentIdForVisit(visit.visitTimeRoc);
    expect(completed.treatmentId).toHaveLength(20);
  });

  it('SEQ256_QUICK_TREATNUM (方式1) stops before taking a seq number when the insurance check fails', async () => {
    const { sim, cards } = setup('SEQ256_QUICK_TREATNUM', 'NOT_INSURED');
    await expect(cards.startVisit({ category: '01', newborn: false, lateCard: false })).rejects.toBeInstanceOf(InsuranceError);
    expect(sim.writeCount('x')).toBe(0);
    const validity = await cards.cardValidity();
    expect(validity.remainingVisits).toBe(6);
  });

  it('maps the edge cards to typed errors', async () => {
    await expect(setup('N1', 'EXPIRED').cards.startVisit({ category: '01', newborn: false, lateCard: false })).rejects.toMatchObject({ vendorCode: 5003 });
    await expect(setup('N1', 'CANCELLED').cards.startVisit({ category: '01', newborn: false, lateCard: false })).rejects.toBeInstanceOf(CardError);
    await expect(setup('N1', 'NO_VISITS_LEFT').cards.startVisit({ category: '01', newborn: false, lateCard: false })).rejects.toBeInstanceOf(VisitError);
    await expect(setup('N1', 'STANDARD').cards.startVisit({ category: '01', newborn: true, lateCard: false })).rejects.toMatchObject({ vendorCode: 5004 });
  });

  it('returns an unknown vendor code typed, with its number', async () => {
    const { sim, cards } = setup();
    sim.forceReturnCode('hisGetBasicData', 12345);
    await expect(cards.basicData()).rejects.toMatchObject({ code: 'VENDOR_CODE_UNKNOWN', vendorCode: 12345 });
  });

  it('treats 5010 (same-day visit to a second department) as a warning on a registered visit', async () => {
    const { cards } = setup('N1');
    const first = await cards.startVisit({ category: '01', newborn: false, lateCard: false });
    expect(first.warnings).toEqual([]);
    const dental = await cards.startVisit({ category: '02', newborn: false, lateCard: false });
    expect(dental.warnings.map((w) => w.vendorCode)).toEqual([5010]);
    expect(dental.seqNumber).toBe('0043');
    expect(dental.sameDayVisit).toBe(true);
    expect(dental.treatmentId).toHaveLength(20);
  });

  it('writes diagnoses and fees with 1.16 + 1.17 or 1.47, once per call, and refuses another person (5020)', async () => {
    const { sim, cards } = setup('N1');
    const visit = await cards.startVisit({ category: '01', newborn: false, lateCard: false });
    const base = {
      visitTimeRoc: visit.visitTimeRoc,
      patientId: 'A123456789',
      birthDate: '1980-05-12',
      lateCard: false,
      diagnoses: ['J069', 'R05'],
      fees: { outpatientFee: 350, outpatientCopay: 50, inpatientFee: 0, inpatientCopayShortStay: 0, inpatientCopayLongStay: 0 },
      layout: 'ICD10' as const,
    };
    const separate = await cards.writeTreatment({ ...base, combined: false });
    expect(separate.apis).toEqual(['1.16', '1.17']);
    expect(sim.writeCount(visit.visitTimeRoc)).toBe(2);
    const combined = await cards.writeTreatment({ ...base, combined: true });
    expect(combined.apis).toEqual(['1.47']);
    expect(sim.writeCount(visit.visitTimeRoc)).toBe(3);
    await expect(cards.writeTreatment({ ...base, patientId: 'B223456782', combined: true })).rejects.toBeInstanceOf(CardWriteError);
  });

  it('refuses bad input before any native call, naming the field', async () => {
    const { sim, cards } = setup('N1');
    const visit = await cards.startVisit({ category: '01', newborn: false, lateCard: false });
    const before = sim.writeCount(visit.visitTimeRoc);
    const bad = {
      visitTimeRoc: visit.visitTimeRoc,
      patientId: 'A123456789',
      birthDate: '1980-05-12',
      lateCard: false,
      diagnoses: ['J06.9'],
      layout: 'ICD10' as const,
      combined: false,
    };
    await expect(cards.writeTreatment(bad)).rejects.toMatchObject({ field: 'diagnoses[0]' });
    await expect(cards.writeTreatment({ ...bad, diagnoses: ['J069'], patientId: 'A123456788' })).rejects.toMatchObject({ field: 'patientId' });
    await expect(cards.treatmentIdForVisit('2991231235959')).rejects.toBeInstanceOf(InputError);
    await expect(cards.treatmentIdWithoutCard('Z999')).rejects.toMatchObject({ field: 'patientId' });
    expect(sim.writeCount(visit.visitTimeRoc)).toBe(before);
  });

  it('gets a treatment ID without a card (1.54) for a valid ID', async () => {
    const { cards } = setup('N1');
    const result = await cards.treatmentIdWithoutCard('A123456789');
    expect(result.source).toBe('CONTROL_SOFTWARE_1_54');
    expect(result.treatmentId).toHaveLength(20);
    expect(result.hospitalId).toBe('3501200000');
  });

  it('cancels a visit and refuses a second cancellation with 5153', async () => {
    const { cards } = setup('N1');
    const visit = await cards.startVisit({ category: '01', newborn: false, lateCard: false });
    await cards.cancelVisit(visit.visitTimeRoc);
    await expect(cards.cancelVisit(visit.visitTimeRoc)).rejects.toMatchObject({ vendorCode: 5153 });
  });

  it('reports SAM and professional card state', async () => {
    const { sim, cards } = setup('N1');
    const sam = await cards.verifySam();
    expect(sam).toMatchObject({ hospitalId: '3501200000', samId: '001000000103', authenticated: true });
    await expect(cards.professionalIdentity()).rejects.toMatchObject({ vendorCode: 4014 });
    sim.insertProfessionalCard('PHYSICIAN');
    const verified = await cards.verifyProfessionalPin();
    expect(verified).toMatchObject({ pinVerified: true, status: 'PIN_VERIFIED' });
    expect((await cards.professionalIdentity()).name.text).toBe('李醫師');
  });

  it('uses SIMULATOR_ONLY-style typed errors for a missing Web API configuration', async () => {
    const { cards } = setup('SEQ256_WEBAPI');
    await expect(cards.startVisit({ category: '01', newborn: false, lateCard: false })).rejects.toBeInstanceOf(ControlSoftwareError);
  });
});

describe('light state from docs/reference/buffers.md (1.15) status codes', () => {
  it.each([
    [0, 0, 0, 'WHITE', 0, 'WHITE'],
    [1, 1, 1, 'BROWN', 1, 'BROWN'],
    [2, 2, 2, 'GREEN', 2, 'ORANGE'],
    [2, 3, 3, 'PURPLE', 3, 'PURPLE'],
    [2, 0, 2, 'GREEN', 0, 'WHITE'],
    [0, 3, 0, 'WHITE', 3, 'PURPLE'],
  ])('hc=%i hpc=%i → %i %s / %i %s', (hc, hpc, hcLevel, hcColour, hpcLevel, hpcColour) => {
    const state = lightStateFromStatusCodes(hc, hpc);
    expect(state.healthCard).toEqual({ level: hcLevel, colour: hcColour });
    expect(state.professionalCard).toEqual({ level: hpcLevel, colour: hpcColour });
  });
});
