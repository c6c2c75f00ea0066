/**
 * The doctor's smart-card checks against a real pcscd: the PC/SC test bed (pcscd + vsmartcard's vpcd, test/pcsc)
 * through the real PC/SC port. Pending where pcscd is not installed, as the PC/SC suite itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/config.ts';
import { runChecks } from '../../src/doctor/run.ts';
import { createNodeEnvironment } from '../../src/doctor/environment.ts';
import { READERS, acquireTestBed, pcscdMissing, type TestBed } from '../pcsc/test-bed.ts';

const BED_WAIT_MS = 240_000;

describe.skipIf(pcscdMissing() !== null)(`doctor over the PC/SC test bed${pcscdMissing() ? ` — PENDING: ${pcscdMissing()}` : ''}`, () => {
  let bed: TestBed;
  beforeAll(async () => {
    // The bed is one per machine: other PC/SC suites may hold it for a while (acquireTestBed waits).
    bed = await acquireTestBed(BED_WAIT_MS);
    await bed.startPcscd();
  }, BED_WAIT_MS + 30_000);
  afterAll(async () => {
    await bed?.dispose();
  });

  it('sees pcscd running and lists the readers it offers', async () => {
    // --backend pcsc: the doctor checks PC/SC for the backend that uses it (auto on Linux is the simulator).
    const parsed = parseArgs(['doctor', '--backend', 'pcsc'], {}, { platform: 'linux' });
    if (parsed.kind !== 'doctor') throw new Error(parsed.kind);
    const results = await runChecks(parsed.config, parsed.doctor, createNodeEnvironment());
    expect(results.find((r) => r.id === 'pcsc-library')?.detail).toMatch(/^libpcsclite\.so\.1 /);
    expect(results.find((r) => r.id === 'smartcard-service')?.status).toBe('pass');
    expect(results.find((r) => r.id === 'readers')).toMatchObject({ status: 'pass', detail: READERS.join(', ') });
  });
});
