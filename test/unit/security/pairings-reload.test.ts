/**
 * A revocation written by `nhi-gateway pairings revoke` (another PairingStore over the same file) is seen by the
 * running gateway even when the file's mtime did not move: file systems stamp mtimes in coarse ticks, and two
 * saves within one tick used to look like no change (src/security/pairings.ts, fileStamp).
 */
import { mkdtempSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PairingStore } from '../../../src/security/pairings.ts';

const ORIGIN = 'https://his.example.test';

describe('PairingStore reload', () => {
  it('sees another writer’s revocation saved within the same mtime tick', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nhi-pairings-')), 'pairings.json');
    const gateway = new PairingStore(file);
    const { code } = gateway.request(ORIGIN);
    const confirmed = gateway.confirm(ORIGIN, code);
    if (!confirmed.ok) throw new Error('pairing failed');
    // One whole second as the mtime, read back by the gateway: the tick both saves will share.
    const tick = Math.floor(statSync(file).mtimeMs / 1000) - 10;
    utimesSync(file, tick, tick);
    expect(gateway.check(confirmed.token, ORIGIN)).toBe('valid');

    const cli = new PairingStore(file);
    const [pairing] = cli.list();
    expect(cli.revoke(pairing!.id)).toBe(true);
    utimesSync(file, tick, tick);
    expect(statSync(file).mtimeMs).toBe(tick * 1000);

    expect(gateway.check(confirmed.token, ORIGIN)).toBe('unknown');
    expect(gateway.list()).toEqual([]);
  });
});
