import { describe, expect, it } from 'vitest';
import { SignatureCache, SIGNATURE_LIFETIME_MS } from '../../../src/adapters/signer/signature-cache.ts';
import {
  SimulatorSigner,
  simulatorClientRandom,
  simulatorRandomIssuedAt,
  simulatorSignature,
  verifySimulatorSignature,
} from '../../../src/adapters/signer/simulator-signer.ts';
import type { SamSignature, Signer } from '../../../src/ports/signer.ts';
import { gatewayError } from '../../../src/errors/gateway-codes.ts';

const HOUR = 60 * 60 * 1000;

function clock(start = Date.parse('2026-03-01T01:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

describe('simulator signer', () => {
  it('signs the SAM, the random and the service code into 512 hex characters the stand-in can verify', async () => {
    const c = clock();
    const signer = new SimulatorSigner({ samId: '001000000103', now: c.now });
    const sig = await signer.sign('12');
    expect(sig.clientRandom).toMatch(/^[0-9A-F]{20}$/);
    expect(sig.signature).toMatch(/^[0-9A-F]{512}$/);
    expect(simulatorRandomIssuedAt(sig.clientRandom)?.getTime()).toBe(c.now().getTime());
    const base = { samId: '001000000103', clientRandom: sig.clientRandom, cardType: '3', serviceCode: '12', signature: sig.signature };
    expect(verifySimulatorSignature(base)).toBe(true);
    expect(verifySimulatorSignature({ ...base, serviceCode: '11' })).toBe(false);
    expect(verifySimulatorSignature({ ...base, samId: '001000000104' })).toBe(false);
    expect(verifySimulatorSignature({ ...base, signature: base.signature.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')) })).toBe(false);
    expect(verifySimulatorSignature({ ...base, key: 'another key' })).toBe(false);
    // Deterministic: the same inputs give the same signature.
    expect(simulatorSignature(base)).toBe(sig.signature);
    expect(simulatorClientRandom(new Date(0x12345678 * 1000), new Uint8Array([1, 2, 3, 4, 5, 6]))).toBe('12345678010203040506');
    expect(simulatorRandomIssuedAt('not hex')).toBeNull();
  });
});

describe('signature cache (8 hours, single flight)', () => {
  it('reuses one signature instead of signing per request', async () => {
    const c = clock();
    const signer = new SimulatorSigner({ samId: '001000000103', now: c.now });
    const cache = new SignatureCache({ signer, serviceCode: '12', now: c.now });
    const first = await cache.get();
    c.advance(7 * HOUR);
    expect(await cache.get()).toBe(first);
    expect(signer.signCount).toBe(1);
    expect(cache.state().expiresAt).toBe(new Date(Date.parse('2026-03-01T01:00:00Z') + SIGNATURE_LIFETIME_MS).toISOString());
  });

  it('refreshes in the background inside the margin, and signs (waiting) once expired', async () => {
    const c = clock();
    const signer = new SimulatorSigner({ samId: '001000000103', now: c.now, latencyMs: 20 });
    const cache = new SignatureCache({ signer, serviceCode: '12', now: c.now, refreshMarginMs: 30 * 60 * 1000 });
    const first = await cache.get();
    c.advance(8 * HOUR - 10 * 60 * 1000); // 10 minutes left: inside the 30-minute margin
    expect(await cache.get()).toBe(first); // still valid: returned at once …
    expect(signer.signCount).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60)); // … while a refresh runs
    expect(signer.signCount).toBe(2);
    const second = await cache.get();
    expect(second).not.toBe(first);
    c.advance(SIGNATURE_LIFETIME_MS + 1); // expired: the caller waits for a new one
    const third = await cache.get();
    expect(third).not.toBe(second);
    expect(signer.signCount).toBe(3);
  });

  it('never signs twice at once, and does not cache a failure', async () => {
    const c = clock();
    const signer = new SimulatorSigner({ samId: '001000000103', now: c.now, latencyMs: 30 });
    const cache = new SignatureCache({ signer, serviceCode: '11', now: c.now });
    const all = await Promise.all(Array.from({ length: 10 }, () => cache.get()));
    expect(new Set(all).size).toBe(1);
    expect(signer.signCount).toBe(1);
    expect(signer.maxConcurrentSigns).toBe(1);

    let fail = true;
    let calls = 0;
    const flaky: Signer = {
      kind: 'test',
      sign: async (serviceCode) => {
        calls += 1;
        if (fail) throw gatewayError('SIGNER_FAILED');
        return { clientRandom: 'A'.repeat(20), signature: 'B'.repeat(512), serviceCode, signedAt: c.now() };
      },
      status: async () => ({ ready: true }),
      [Symbol.asyncDispose]: async () => {},
    };
    const flakyCache = new SignatureCache({ signer: flaky, serviceCode: '11', now: c.now });
    await expect(Promise.all([flakyCache.get(), flakyCache.get()])).rejects.toMatchObject({ code: 'SIGNER_FAILED' });
    expect(calls).toBe(1);
    expect(flakyCache.state().lastError?.code).toBe('SIGNER_FAILED');
    fail = false;
    await expect(flakyCache.get()).resolves.toMatchObject({ clientRandom: 'A'.repeat(20) });
    expect(calls).toBe(2);
    expect(flakyCache.state().lastError).toBeNull();
  });

  it('drops a refused signature only if it is still the current one', async () => {
    const c = clock();
    const signer = new SimulatorSigner({ samId: '001000000103', now: c.now });
    const cache = new SignatureCache({ signer, serviceCode: '12', now: c.now });
    const first: SamSignature = await cache.get();
    cache.invalidate(first);
    c.advance(1000); // a different random (it carries the time)
    const second = await cache.get();
    expect(second.clientRandom).not.toBe(first.clientRandom);
    cache.invalidate(first); // a late refusal of the old one must not throw away the new one
    expect(await cache.get()).toBe(second);
    expect(signer.signCount).toBe(2);
  });

  it('refuses a margin that is not shorter than the lifetime', () => {
    const signer = new SimulatorSigner({ samId: '001000000103' });
    expect(() => new SignatureCache({ signer, serviceCode: '12', refreshMarginMs: SIGNATURE_LIFETIME_MS })).toThrow(RangeError);
  });
});
