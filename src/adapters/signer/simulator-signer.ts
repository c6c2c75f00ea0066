/**
 * The simulator's Signer: deterministic, offline, and verifiable by the stand-in NHI Web API used in tests
 * and for rehearsals (test/webapi/stand-in.ts), exactly as NHI verifies a real SAM signature.
 *
 * - `sClientrandom` (X(20)): 8 hex digits of the issue time (Unix seconds) + 12 random hex digits. The real
 *   VPNGetRandomX's format is not public (docs/reference/webapi.md (CsHisX) says "hex"); putting the time in lets the stand-in answer
 *   8203 (signature too old) the way NHI does, without shared state.
 * - `sSignature` (X(512)): 512 upper-case hex digits = HMAC-SHA512 under a test key over
 *   `index|samId|clientRandom|cardType|serviceCode` for index 0..3, concatenated. It binds the SAM, the random
 *   and the service code (11 vs 12), so a signature for the wrong service or another SAM is refused (9002).
 *
 * The key is a published test constant shared with the stand-in, not a secret: nothing signed with it is
 * accepted by NHI.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SamSignature, Signer, SignerServiceCode, SignerStatus } from '../../ports/signer.ts';
import { SAM_CARD_TYPE } from './com-layout.ts';

export const SIMULATOR_SIGNING_KEY = 'nhi-card-gateway simulator signing key (test only; NHI never accepts it)';

export interface SimulatorSignatureInput {
  readonly samId: string;
  readonly clientRandom: string;
  readonly cardType: string;
  readonly serviceCode: string;
  readonly key?: string;
}

/** 512 upper-case hex characters (four HMAC-SHA512 blocks). */
export function simulatorSignature(input: SimulatorSignatureInput): string {
  const key = input.key ?? SIMULATOR_SIGNING_KEY;
  let out = '';
  for (let block = 0; block < 4; block++) {
    out += createHmac('sha512', key)
      .update(`${block}|${input.samId}|${input.clientRandom}|${input.cardType}|${input.serviceCode}`)
      .digest('hex');
  }
  return out.toUpperCase();
}

/** Constant-time check of a simulator signature (what the stand-in does with sSignature). */
export function verifySimulatorSignature(input: SimulatorSignatureInput & { readonly signature: string }): boolean {
  if (!/^[0-9A-Fa-f]{512}$/.test(input.signature)) return false;
  const expected = Buffer.from(simulatorSignature(input), 'hex');
  const actual = Buffer.from(input.signature, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A 20-character random that carries its issue time (see the module comment). */
export function simulatorClientRandom(now: Date, entropy: Uint8Array = randomBytes(6)): string {
  const seconds = Math.floor(now.getTime() / 1000) >>> 0;
  return `${seconds.toString(16).toUpperCase().padStart(8, '0')}${Buffer.from(entropy).toString('hex').toUpperCase().padEnd(12, '0').slice(0, 12)}`;
}

/** When a simulator random was issued, or null when it is not one. */
export function simulatorRandomIssuedAt(clientRandom: string): Date | null {
  if (!/^[0-9A-F]{20}$/.test(clientRandom)) return null;
  return new Date(parseInt(clientRandom.slice(0, 8), 16) * 1000);
}

export interface SimulatorSignerOptions {
  /** The SAM the signatures are made for (the simulator's SAM). */
  readonly samId: string;
  readonly key?: string;
  readonly now?: () => Date;
  /** Artificial signing latency in ms (the real one goes through the cloud SAM); 0 by default. */
  readonly latencyMs?: number;
}

export class SimulatorSigner implements Signer {
  readonly kind = 'simulator';
  private readonly now: () => Date;
  private signed = 0;
  private active = 0;
  private maxActive = 0;

  constructor(private readonly options: SimulatorSignerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** How many signatures were made (tests use it to prove reuse and single flight). */
  get signCount(): number {
    return this.signed;
  }

  /** The most signings ever in progress at once (must stay 1 under the cache). */
  get maxConcurrentSigns(): number {
    return this.maxActive;
  }

  async sign(serviceCode: SignerServiceCode): Promise<SamSignature> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const signedAt = this.now();
      if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
      const clientRandom = simulatorClientRandom(signedAt);
      const signature = simulatorSignature({
        samId: this.options.samId,
        clientRandom,
        cardType: SAM_CARD_TYPE,
        serviceCode,
        ...(this.options.key ? { key: this.options.key } : {}),
      });
      this.signed += 1;
      return { clientRandom, signature, serviceCode, signedAt };
    } finally {
      this.active -= 1;
    }
  }

  async status(): Promise<SignerStatus> {
    return { ready: true };
  }

  async [Symbol.asyncDispose](): Promise<void> {}
}
