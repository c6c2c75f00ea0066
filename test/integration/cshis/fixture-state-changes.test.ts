/**
 * The native fixture's test controls behind the restart and light-delay tests, through koffi: it stamps every
 * card insertion and removal on CLOCK_REALTIME (µs, the clock Date.now reads), and fixtureRestartLibrary drops
 * what the library kept for the old process (reader open, SAM authenticated, PIN verified) but keeps the cards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../../src/adapters/cshis/native.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient } from './helpers.ts';

describe('native fixture: state-change stamps and library restart', () => {
  let fx: FixtureControls;
  let lib: ReturnType<typeof loadCshisLibrary>;
  beforeAll(() => {
    ensureFixtureBuilt();
    lib = loadCshisLibrary(FIXTURE_SO);
    fx = loadFixtureControls(lib);
  });

  it('stamps each card change on the realtime clock, in order', () => {
    fx.reset();
    const before = Date.now() * 1000;
    insertSimulatedPatient(fx, 'STANDARD');
    fx.insertProfessionalCard({ serial: '0000000001', id: 'A234567890', nameBig5: new Uint8Array([0xa4, 0xfd]), englishName: 'DOC' });
    fx.removeProfessionalCard();
    fx.removeHealthCard();
    const after = Date.now() * 1000 + 1000;
    const changes = fx.stateChanges();
    expect(changes.map((c) => [c.n, c.slot, c.inserted])).toEqual([
      [0, 'HEALTH_CARD', true],
      [1, 'PROFESSIONAL_CARD', true],
      [2, 'PROFESSIONAL_CARD', false],
      [3, 'HEALTH_CARD', false],
    ]);
    for (const c of changes) {
      expect(c.atUs).toBeGreaterThanOrEqual(before);
      expect(c.atUs).toBeLessThanOrEqual(after);
    }
    expect(changes.map((c) => c.atUs)).toEqual([...changes.map((c) => c.atUs)].sort((a, b) => a - b));
    fx.reset();
    expect(fx.stateChanges()).toEqual([]);
  });

  it('a library restart closes the reader and forgets authentication; the card and its state stay', () => {
    fx.reset();
    insertSimulatedPatient(fx, 'STANDARD');
    fx.setRequireOpen(true);
    expect(lib.call('csOpenCom', 1)).toBe(0);
    expect(lib.call('csVerifySAMDC')).toBe(0);
    expect(lib.call('hisGetCardStatus', 1)).toBe(2); // SAM authenticated
    expect(lib.call('hisGetCardStatus', 2)).toBeGreaterThanOrEqual(1);

    fx.restartLibrary();
    expect(fx.readerOpen()).toBe(false);
    expect(lib.call('hisGetCardStatus', 2)).toBe(4000); // the new process has not opened the reader yet
    expect(lib.call('csOpenCom', 1)).toBe(0);
    expect(lib.call('hisGetCardStatus', 1)).toBe(1); // authenticate again
    expect(lib.call('hisGetCardStatus', 2)).toBeGreaterThanOrEqual(1); // the card is still in
    expect(fx.stateChanges().map((c) => [c.slot, c.inserted])).toEqual([['HEALTH_CARD', true]]);
    fx.reset();
  });
});
