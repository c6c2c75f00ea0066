/**
 * Reuses one SAM signature for its validity instead of signing per request, and never signs twice at once.
 *
 * The briefing (docs/reference/webapi.md (Treatment-ID Web API), sSignature: 簽章時效僅 8 小時) gives a signature 8 hours. A signing goes through CsHisX and
 * the cloud SAM to NHI's IDC, so signing per treatment ID would add that round trip to every visit and load
 * the SAM for nothing.
 *
 * - Validity is counted from when the gateway ASKED for the signature (conservative: a slow signing shortens
 *   it, never lengthens it).
 * - Fresh (more than `refreshMarginMs` left): returned as is.
 * - In the margin (still valid, less than the margin left): returned as is, and a refresh starts in the
 *   background, so requests never wait for a signing while a valid signature exists.
 * - Expired or none: the caller waits for a signing.
 * - Single flight: concurrent callers share the one signing in progress; a failed signing is not cached (the
 *   next call tries again) and a failed background refresh leaves the still-valid signature in place.
 * - `invalidate(sig)` drops a signature NHI refused (8203 too old, 9002 invalid…) — only if it is still the
 *   current one, so a refusal of an old signature never throws away a newer one.
 */
import type { SamSignature, Signer, SignerServiceCode } from '../../ports/signer.ts';
import { GatewayError } from '../../errors/gateway-errors.ts';

/** docs/reference/webapi.md (Treatment-ID Web API): 簽章時效僅 8 小時. */
export const SIGNATURE_LIFETIME_MS = 8 * 60 * 60 * 1000;
/** Default refresh margin: start re-signing 15 minutes before the 8 hours are up. */
export const DEFAULT_REFRESH_MARGIN_MS = 15 * 60 * 1000;

export interface SignatureCacheOptions {
  readonly signer: Signer;
  readonly serviceCode: SignerServiceCode;
  /** @default SIGNATURE_LIFETIME_MS */
  readonly lifetimeMs?: number;
  /** @default DEFAULT_REFRESH_MARGIN_MS; must be smaller than the lifetime. */
  readonly refreshMarginMs?: number;
  readonly now?: () => Date;
}

interface Cached {
  readonly signature: SamSignature;
  /** When the signing was asked for (the gateway's clock). */
  readonly validFrom: number;
}

export interface SignatureCacheState {
  /** ISO time the current signature stops being used, or null when there is none. */
  readonly expiresAt: string | null;
  /** The last signing failure, until a signing succeeds. */
  readonly lastError: GatewayError | null;
}

export class SignatureCache {
  private readonly lifetimeMs: number;
  private readonly marginMs: number;
  private readonly now: () => Date;
  private current: Cached | null = null;
  private inFlight: Promise<Cached> | null = null;
  private lastError: GatewayError | null = null;

  constructor(private readonly options: SignatureCacheOptions) {
    this.lifetimeMs = options.lifetimeMs ?? SIGNATURE_LIFETIME_MS;
    this.marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    if (!(this.marginMs >= 0 && this.marginMs < this.lifetimeMs)) {
      throw new RangeError(`refreshMarginMs must be ≥ 0 and < ${this.lifetimeMs} ms`);
    }
    this.now = options.now ?? (() => new Date());
  }

  get serviceCode(): SignerServiceCode {
    return this.options.serviceCode;
  }

  /** A signature valid now (see the module comment). Rejects with the signer's typed error. */
  async get(): Promise<SamSignature> {
    const cached = this.current;
    if (cached) {
      const left = cached.validFrom + this.lifetimeMs - this.now().getTime();
      if (left > this.marginMs) return cached.signature;
      if (left > 0) {
        // Refresh ahead of expiry; a failure here is remembered for /ready, the valid one stays in use.
        this.refresh().catch(() => undefined);
        return cached.signature;
      }
    }
    return (await this.refresh()).signature;
  }

  /** Forget `signature` if it is still the current one (NHI refused it). */
  invalidate(signature: SamSignature): void {
    if (this.current?.signature === signature) this.current = null;
  }

  state(): SignatureCacheState {
    const expiresAt = this.current ? new Date(this.current.validFrom + this.lifetimeMs).toISOString() : null;
    return { expiresAt, lastError: this.lastError };
  }

  private refresh(): Promise<Cached> {
    if (this.inFlight) return this.inFlight;
    const validFrom = this.now().getTime();
    const signing = this.options.signer.sign(this.options.serviceCode).then(
      (signature) => {
        const cached = { signature, validFrom };
        this.current = cached;
        this.lastError = null;
        return cached;
      },
      (error: unknown) => {
        if (error instanceof GatewayError) this.lastError = error;
        throw error;
      },
    );
    this.inFlight = signing;
    const clear = () => {
      if (this.inFlight === signing) this.inFlight = null;
    };
    signing.then(clear, clear);
    return signing;
  }
}
