/**
 * The simulator's stored reads (src/adapters/simulator/workstation.ts `storedBytes`): encoded once per card
 * state, handed out as copies. Each read's bytes are the caller's own, whatever the caller does with them,
 * and a change of the card's state is read at once.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { decodeBasicData, decodeRegisterBasic } from '../../../src/codecs/layouts.ts';

describe('stored reads', () => {
  it('hand each caller bytes of its own: writing into one read changes neither the next read nor an earlier one', async () => {
    const sim = new SimulatedWorkstation({ networkLatencyMs: 0 });
    sim.insertHealthCard('STANDARD');
    const first = await sim.hisGetBasicData();
    const pristine = Uint8Array.from(first.bytes);
    expect(first.bytes.length).toBe(72);
    first.bytes.fill(0x41);
    const second = await sim.hisGetBasicData();
    expect(Uint8Array.from(second.bytes)).toEqual(pristine);
    second.bytes.fill(0x42);
    // Many reads in a row (past the slab the copies are cut from): each one whole and correct.
    const reads = [];
    for (let i = 0; i < 300; i++) reads.push(await sim.hisGetBasicData());
    for (const read of reads) expect(Uint8Array.from(read.bytes)).toEqual(pristine);
    expect(first.bytes.every((b) => b === 0x41)).toBe(true);
    expect(decodeBasicData(reads[299]!.bytes).cardNumber).toBe('000012345678');
    await sim[Symbol.asyncDispose]();
  });

  it('read the new state after a visit used one up', async () => {
    const sim = new SimulatedWorkstation({ networkLatencyMs: 0 });
    sim.insertHealthCard('STANDARD');
    const before = decodeRegisterBasic((await sim.hisGetRegisterBasic()).bytes).remainingVisits;
    expect(before).not.toBeNull();
    expect((await sim.hisGetSeqNumber256('01', ' ', '1')).rc).toBe(0);
    const after = decodeRegisterBasic((await sim.hisGetRegisterBasic()).bytes).remainingVisits;
    expect(after).toBe(before! - 1);
    await sim[Symbol.asyncDispose]();
  });
});
