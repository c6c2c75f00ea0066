/**
 * The simulator's kept workstation (src/adapters/simulator/saved-state.ts) at the port level: what one
 * workstation saves, the next one restores (cards in, visits, records; not the power-on state), and a file it
 * cannot use is reported once and ignored (empty readers) rather than stopping the gateway.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CARD_TYPE } from '../../../src/ports/control-software.ts';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { decodeSeqNumber256 } from '../../../src/codecs/layouts.ts';
import { encodeAllergySlotInput } from '../../../src/codecs/record-inputs.ts';

describe('the simulator’s kept workstation', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nhi-sim-state-'));
    file = join(dir, 'simulator-state.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('restores the cards in the readers and what was written on them, not SAM or PIN authentication', async () => {
    const problems: string[] = [];
    const first = new SimulatedWorkstation({ stateFile: file, networkLatencyMs: 0, onStateProblem: (m) => problems.push(m) });
    first.insertHealthCard('STANDARD');
    first.insertProfessionalCard('PHYSICIAN');
    expect(await first.hpcVerifyHPCPIN()).toBe(0);
    const visit = decodeSeqNumber256((await first.hisGetSeqNumber256('01', ' ', '1')).bytes);
    const allergy = encodeAllergySlotInput(3, '碘');
    expect((await first.hisWriteAllergicNum('A123456789', '0690512', allergy.data, 3)).rc).toBe(0);
    await first[Symbol.asyncDispose]();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = new SimulatedWorkstation({ stateFile: file, networkLatencyMs: 0, onStateProblem: (m) => problems.push(m) });
    expect(await second.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(1);
    expect(await second.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD)).toBe(1);
    expect(await second.hisGetTreatNumICCard(visit.visitTimeRoc)).toMatchObject({ rc: 0 });
    const allergies = await second.hisReadPrescriptAllergic(1, 3);
    expect(allergies.count).toBe(3);
    // The next visit is later than the one before the restart.
    const next = decodeSeqNumber256((await second.hisGetSeqNumber256('01', ' ', '1')).bytes);
    expect(next.visitTimeRoc > visit.visitTimeRoc).toBe(true);
    expect(Number(next.seqNumber)).toBe(Number(visit.seqNumber) + 1);
    await second[Symbol.asyncDispose]();
    expect(problems).toEqual([]);
  });

  it('a reset leaves empty readers for the next start', async () => {
    const first = new SimulatedWorkstation({ stateFile: file });
    first.insertHealthCard('EXPIRED');
    first.reset();
    await first[Symbol.asyncDispose]();
    const second = new SimulatedWorkstation({ stateFile: file });
    expect(await second.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ healthCard: null, professionalCard: null, cards: [] });
  });

  it.each([
    ['not JSON', '{ half a file', /not valid JSON/],
    ['another version', JSON.stringify({ version: 99, cards: [] }), /unknown format \(version 99\)/],
  ])('a file that is %s is reported and ignored', async (_, content, message) => {
    writeFileSync(file, content, { mode: 0o600 });
    const problems: string[] = [];
    const sim = new SimulatedWorkstation({ stateFile: file, onStateProblem: (m) => problems.push(m) });
    expect(await sim.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(0);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('makes a loose file private again when it reads it', async () => {
    writeFileSync(file, JSON.stringify({ version: 1, healthCard: null, professionalCard: null, lastVisitSecond: null, cards: [] }), { mode: 0o644 });
    chmodSync(file, 0o644);
    new SimulatedWorkstation({ stateFile: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('skips a card key it does not know (a file from another version of the test cards)', async () => {
    writeFileSync(file, JSON.stringify({ version: 1, healthCard: 'GONE', professionalCard: 'GONE', lastVisitSecond: null, cards: [] }), { mode: 0o600 });
    const sim = new SimulatedWorkstation({ stateFile: file });
    expect(await sim.hisGetCardStatus(CARD_TYPE.HEALTH_CARD)).toBe(0);
    expect(await sim.hisGetCardStatus(CARD_TYPE.PROFESSIONAL_CARD)).toBe(0);
  });
});
