/**
 * What ordinary card calls prove about the cards reaches the light monitor at once (issue 15: 4013 → no health
 * card, 4014 → no professional card, a successful card call → that card is in).
 */
import { describe, expect, it } from 'vitest';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { CshisCardStack } from '../../../src/domain/cshis-card-stack.ts';
import { watchCardState } from '../../../src/domain/card-state-hints.ts';
import { LightMonitor, type CardSlot } from '../../../src/domain/light-monitor.ts';
import type { ControlSoftware } from '../../../src/ports/control-software.ts';

const raw = (rc: number) => ({ rc, bytes: new Uint8Array(0) });

describe('watchCardState', () => {
  it('reports 4013/4014 as that card out and a successful card call as that card in; status reads and cs… calls prove nothing', async () => {
    const port = {
      hisGetBasicData: async () => raw(0),
      hisGetRegisterBasic: async () => raw(4013),
      hpcGetHPCSN: async () => raw(0),
      hpcVerifyHPCPIN: async () => 4014,
      hisWriteTreatmentCode: async () => raw(4014),
      hisGetCardStatus: async () => 0,
      hpcGetHPCStatus: async () => ({ rc: 0, status: 0 }),
      csGetCardNo: async () => raw(4013),
      hisQuickInsurence: async () => { throw new Error('reader gone'); },
    } as unknown as ControlSoftware;
    const proofs: [CardSlot, boolean][] = [];
    const cs = watchCardState(port, (slot, present) => proofs.push([slot, present])) as unknown as Record<string, () => Promise<unknown>>;
    for (const name of ['hisGetBasicData', 'hisGetRegisterBasic', 'hpcGetHPCSN', 'hpcVerifyHPCPIN', 'hisWriteTreatmentCode', 'hisGetCardStatus', 'hpcGetHPCStatus', 'csGetCardNo']) {
      await cs[name]!();
    }
    await expect(cs['hisQuickInsurence']!()).rejects.toThrow('reader gone');
    await Promise.resolve();
    expect(proofs).toEqual([
      ['HEALTH_CARD', true],
      ['HEALTH_CARD', false],
      ['PROFESSIONAL_CARD', true],
      ['PROFESSIONAL_CARD', false],
      ['PROFESSIONAL_CARD', false],
    ]);
  });
});

describe('watchCardState: one watching function per card function', () => {
  it('hands out the same function on every read, and watches a replaced method afresh under its own name', async () => {
    const ok = async () => raw(0);
    const port: Record<string, () => Promise<unknown>> = { hisGetBasicData: ok, hpcGetHPCSN: async () => raw(4014) };
    const proofs: [CardSlot, boolean][] = [];
    const cs = watchCardState(port as unknown as ControlSoftware, (slot, present) => proofs.push([slot, present])) as unknown as Record<
      string,
      () => Promise<unknown>
    >;
    expect(cs['hisGetBasicData']).toBe(cs['hisGetBasicData']);
    await cs['hisGetBasicData']!();
    port['hisGetBasicData'] = async () => raw(4013);
    await cs['hisGetBasicData']!();
    // The same function under another name proves that name's slot, not the first one's.
    port['hpcGetHPCSN'] = ok;
    await cs['hpcGetHPCSN']!();
    await Promise.resolve();
    expect(proofs).toEqual([
      ['HEALTH_CARD', true],
      ['HEALTH_CARD', false],
      ['PROFESSIONAL_CARD', true],
    ]);
  });
});

describe('LightMonitor.cardSeen', () => {
  it('reads the lights at once when a proof contradicts them, and not when it agrees', async () => {
    const sim = new SimulatedWorkstation();
    sim.insertHealthCard('STANDARD');
    sim.insertProfessionalCard('PHYSICIAN');
    const cards = new CshisCardStack(sim, { strategy: 'N1' });
    let reads = 0;
    const monitor = new LightMonitor({
      read: async () => {
        reads++;
        return cards.lightState();
      },
      readers: {
        HEALTH_CARD: { id: 'hc', name: 'HC reader', slot: 'HEALTH_CARD' },
        PROFESSIONAL_CARD: { id: 'hpc', name: 'HPC reader', slot: 'PROFESSIONAL_CARD' },
      },
      intervalMs: 60_000, // no poll during the test: only a proof can make it read
    });
    const lights = monitor.lightStates();
    const first = (await lights.next()).value;
    expect(first.professionalCard.level).toBeGreaterThan(0);
    const readsBefore = reads;

    monitor.cardSeen('PROFESSIONAL_CARD', true);
    monitor.cardSeen('HEALTH_CARD', true);
    expect(reads).toBe(readsBefore);

    sim.removeProfessionalCard(); // silently: no change signal, and the next poll is a minute away
    monitor.cardSeen('PROFESSIONAL_CARD', false);
    const next = (await lights.next()).value;
    expect(next.professionalCard.level).toBe(0);
    expect(reads).toBe(readsBefore + 1);
    await lights.return?.();
    await monitor[Symbol.asyncDispose]();
  });
});
