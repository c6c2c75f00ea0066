/**
 * bench/light-delay.ts pairs the fixture's stamped card changes with the light events a subscriber received:
 * each off↔on flip belongs to the latest change in its direction made before it; changes no flip reports are
 * missed (in and out again between two polls); changes before the first event are not measured.
 */
import { describe, expect, it } from 'vitest';
import { matchLightChanges } from '../../../bench/light-delay.ts';
import type { FixtureStateChange } from '../../../src/adapters/cshis/native.ts';

const change = (n: number, inserted: boolean, atMs: number, slot: FixtureStateChange['slot'] = 'PROFESSIONAL_CARD'): FixtureStateChange => ({
  n,
  slot,
  inserted,
  atUs: atMs * 1000,
});

describe('matchLightChanges', () => {
  it('measures each flip from the change it reports', () => {
    const changes = [change(0, true, 1000), change(1, false, 3000), change(2, true, 5000, 'HEALTH_CARD')];
    const events = [
      { atMs: 500, level: 0 },
      { atMs: 1200, level: 1 },
      { atMs: 1700, level: 2 }, // SAM authenticated: no flip
      { atMs: 3450, level: 0 },
    ];
    expect(matchLightChanges(changes, events)).toEqual({ delaysMs: [200, 450], missed: 0 });
  });

  it('counts a change no flip reported as missed, and gives a later flip to the later change', () => {
    // in at 1000 and out at 1200 between two polls; in again at 3000, seen at 3300
    const changes = [change(0, true, 1000), change(1, false, 1200), change(2, true, 3000)];
    const events = [
      { atMs: 500, level: 0 },
      { atMs: 3300, level: 1 },
    ];
    expect(matchLightChanges(changes, events)).toEqual({ delaysMs: [300], missed: 2 });
  });

  it('does not measure changes made before the first event', () => {
    const changes = [change(0, true, 100), change(1, false, 2000)];
    const events = [
      { atMs: 500, level: 1 },
      { atMs: 2100, level: 0 },
    ];
    expect(matchLightChanges(changes, events)).toEqual({ delaysMs: [100], missed: 0 });
  });
});
