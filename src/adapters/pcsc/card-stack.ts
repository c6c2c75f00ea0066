/**
 * The CardStack over PC/SC alone, with no control software (issue 4): the health card's basic data read by APDU
 * (docs/reference/pcsc.md), decoded by the same codecs as the DLL path (docs/reference/buffers.md (1.1 / 1.2) layout, docs/reference/abi.md (Dates, Big5) Big5 with 造字 → PUA, never
 * rejecting a rare character). Everything the public APDUs cannot do — the SAM, the professional card, visits,
 * writes; all need the SAM + HPC mutual-authentication chain (docs/reference/pcsc.md) — rejects with NOT_SUPPORTED_BY_BACKEND.
 *
 * Card access uses its own PC/SC context (the watcher's blocks in SCardGetStatusChange, and pcsc-lite serialises
 * calls per context), one exchange at a time, in a transaction, in SHARED mode so NHI's control software on the
 * same workstation can use the card too (docs/reference/pcsc.md), and leaves the card as it was (SCARD_LEAVE_CARD).
 */
import type {
  CardStack,
  CardUpdateResult,
  ControlSoftwareDescription,
  LightState,
  ProfessionalCardInfo,
  SamInfo,
  TreatmentIdResult,
  Visit,
  WriteTreatmentResult,
  UploadReceipt,
} from '../../ports/card-stack.ts';
import type { PcscContext, PcscErrorCode, PcscFailure, PcscHandle, PcscPort, PcscProtocol } from '../../ports/pcsc.ts';
import type {
  BasicData,
  CardValidity,
  HealthCardStatus,
  LastSeqNumber,
  ProfessionalCardIdentity,
  RegisterData,
} from '../../domain/types.ts';
import type { CardKind } from '../../domain/light-monitor.ts';
import { decodeBasicData } from '../../codecs/layouts.ts';
import { cardIdentity } from '../../domain/card-sessions.ts';
import { gatewayError } from '../../errors/gateway-codes.ts';
import { lookupVendorCode } from '../../errors/vendor-codes.ts';
import { ERROR_CLASSES, GatewayError } from '../../errors/gateway-errors.ts';

// ---- docs/reference/pcsc.md APDUs ----

/** SELECT by AID: 00 A4 04 00 10 + D1 58 00 00 01 00 00 00 00 00 00 00 00 00 11 00 (the canonical padding, docs/reference/pcsc.md). */
export const SELECT_NHI_AID = Uint8Array.from([
  0x00, 0xa4, 0x04, 0x00, 0x10, 0xd1, 0x58, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00,
]);
/** READ basic data: 00 CA 11 00 02 00 00 → 57 data bytes + SW. */
export const READ_BASIC_DATA = Uint8Array.from([0x00, 0xca, 0x11, 0x00, 0x02, 0x00, 0x00]);
/** docs/reference/pcsc.md response length: card no 12, name 20 (Big5, NUL-padded), ID 10, birth 7, sex 1, issue 7. */
export const BASIC_DATA_LENGTH = 57;
/** Bounds the T=0 `61 xx` / `6C xx` loop against a card that never stops asking. */
const MAX_CHAINED_RESPONSES = 16;

export interface ApduResponse {
  readonly data: Uint8Array;
  /** SW1 SW2 as one number, e.g. 0x9000. */
  readonly sw: number;
}

/**
 * Sends one command and follows the T=0 conventions (docs/reference/pcsc.md "T=0 readers"): `61 xx` → GET RESPONSE `00 C0 00 00 xx`
 * (repeated while the card has more), `6C xx` → the same command again with Le = xx.
 */
export async function exchange(
  transmit: (command: Uint8Array) => Promise<Uint8Array>,
  command: Uint8Array,
): Promise<ApduResponse> {
  const chunks: Uint8Array[] = [];
  let next = command;
  for (let round = 0; round < MAX_CHAINED_RESPONSES; round++) {
    const response = await transmit(next);
    if (response.length < 2) return { data: concat(chunks), sw: 0 };
    const sw1 = response[response.length - 2] ?? 0;
    const sw2 = response[response.length - 1] ?? 0;
    const body = response.subarray(0, response.length - 2);
    if (sw1 === 0x61) {
      chunks.push(body);
      next = Uint8Array.from([0x00, 0xc0, 0x00, 0x00, sw2]);
      continue;
    }
    if (sw1 === 0x6c) {
      next = Uint8Array.from(next);
      next[next.length - 1] = sw2;
      continue;
    }
    chunks.push(body);
    return { data: concat(chunks), sw: (sw1 << 8) | sw2 };
  }
  return { data: concat(chunks), sw: 0 };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

// ---- presence, as the watcher reports it ----

export interface PcscPresenceView {
  /** Readers and cards as last seen (src/adapters/pcsc/reader-watcher.ts). */
  readers(): readonly {
    readonly name: string;
    readonly card: { readonly atr: string; readonly kind: CardKind; readonly session?: string } | null;
  }[];
  /** RUNNING when PC/SC is usable; otherwise why not. */
  status(): { readonly state: string; readonly reason: string | null };
  /** A read found another card number than before under `session` in `reader`: a swap PC/SC did not see. */
  cardChanged?(reader: string, session: string): void;
}

export interface PcscCardStackOptions {
  readonly presence: PcscPresenceView;
  /** Reported by describe(): the PC/SC library in use. */
  readonly libraryPath: string;
  /** Bounds one whole card read (connect … disconnect), in ms. @default 10000 */
  readonly readTimeoutMs?: number;
  /** After a transmission error, how long to wait for the reader to report the card gone, in ms. @default 1500 */
  readonly removalGraceMs?: number;
}

/** The typed error of a code the control-software table already knows, without pretending a vendor code. */
function tableError(vendorCode: number): GatewayError {
  const entry = lookupVendorCode(vendorCode);
  if (!entry) throw new Error(`no table entry for ${vendorCode}`);
  const ErrorClass = ERROR_CLASSES[entry.category];
  return new ErrorClass({ code: entry.code, vendorCode: null, text: entry.text, retryable: entry.retryable, hint: entry.hint });
}

const notInserted = (): GatewayError => tableError(4013); // HEALTH_CARD_NOT_INSERTED
const cardIoError = (): GatewayError => tableError(4043); // HEALTH_CARD_IO_ERROR
const notSupported = (): GatewayError => gatewayError('NOT_SUPPORTED_BY_BACKEND');

function failureCode(error: unknown): PcscErrorCode | null {
  return error instanceof Error && error.name === 'PcscError' ? (error as PcscFailure).code : null;
}

const CONTEXT_DEAD: ReadonlySet<PcscErrorCode> = new Set<PcscErrorCode>([
  'SCARD_E_NO_SERVICE',
  'SCARD_E_SERVICE_STOPPED',
  'SCARD_E_INVALID_HANDLE',
  'SCARD_F_COMM_ERROR',
  'SCARD_E_NO_READERS_AVAILABLE',
]);
/**
 * The card could not be powered up or did not answer its reset. A card pulled out while the reader powers it up
 * gives one of these before the reader reports it gone: pcsc-lite with vpcd answers SCardConnect with
 * SCARD_E_PROTO_MISMATCH (no ATR, so no protocol to agree on), other stacks "unpowered" or "unresponsive".
 */
const NOT_ANSWERING: ReadonlySet<PcscErrorCode> = new Set<PcscErrorCode>([
  'SCARD_W_UNPOWERED_CARD',
  'SCARD_W_UNRESPONSIVE_CARD',
  'SCARD_W_UNSUPPORTED_CARD',
  'SCARD_E_PROTO_MISMATCH',
  'SCARD_E_NOT_READY',
]);
const CARD_GONE: ReadonlySet<PcscErrorCode> = new Set<PcscErrorCode>(['SCARD_W_REMOVED_CARD', 'SCARD_E_NO_SMARTCARD', 'SCARD_W_RESET_CARD']);
/** The transmission broke: a card pulled out mid-APDU shows up as one of these before the reader notices. */
const TRANSMISSION_BROKE: ReadonlySet<PcscErrorCode> = new Set<PcscErrorCode>([
  'SCARD_E_NOT_TRANSACTED',
  'SCARD_F_COMM_ERROR',
  'SCARD_E_READER_UNAVAILABLE',
  'SCARD_E_UNKNOWN_READER',
  'SCARD_F_UNKNOWN_ERROR',
]);

class ContextLost extends Error {}

export class PcscCardStack implements CardStack {
  /** PC/SC alone reads basic data only: the record functions need the control software. */
  readonly records = null;
  private context: PcscContext | null = null;
  /** Card session → identity of the card first read under it (see checkSameCard). */
  private readonly identities = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly port: PcscPort,
    private readonly options: PcscCardStackOptions,
  ) {}

  async describe(): Promise<ControlSoftwareDescription> {
    return { backend: 'pcsc', version: null, libraryPath: this.options.libraryPath };
  }

  async healthCardStatus(): Promise<HealthCardStatus> {
    this.requireService();
    const cards = this.options.presence.readers().map((r) => r.card);
    // docs/reference/buffers.md (1.15) codes by meaning: an NHI card that nobody authenticated with a SAM is "1" (NOT_SAM_AUTHENTICATED).
    if (cards.some((c) => c?.kind === 'NHI_CARD')) return 'NOT_SAM_AUTHENTICATED';
    if (cards.some((c) => c !== null)) return 'NOT_A_HEALTH_CARD';
    return 'NOT_INSERTED';
  }

  /** docs/reference/pcsc.md: SELECT the NHI AID, READ the 57-byte basic data, decode like docs/reference/buffers.md (1.1). */
  async basicData(): Promise<BasicData> {
    this.requireService();
    const readers = this.options.presence.readers();
    const withCard = readers.filter((r) => r.card !== null);
    if (withCard.length === 0) throw notInserted();
    // Prefer a card the watcher already knows is an NHI card; several: the first reader by name.
    const chosen = (withCard.find((r) => r.card?.kind === 'NHI_CARD') ?? withCard[0])!;
    const reader = chosen.name;
    const session = chosen.card?.session;
    return this.withTimeout(this.serialized(async (context) => {
      const data = await this.readBasic(context, reader);
      // 57 bytes + blank 1.1 tail: the cancelled flag and the emergency phone are not in this file (docs/reference/pcsc.md).
      const basic = decodeBasicData(data);
      if (session !== undefined) this.checkSameCard(reader, session, cardIdentity(basic.cardNumber));
      return basic;
    }));
  }

  /**
   * ATR + card number: the first read under a card session remembers the card (a keyed hash of its number,
   * src/domain/card-sessions.ts); a later read under the same session that finds another number means the card
   * was swapped without PC/SC noticing. The watcher then announces the swap (new session) and this read fails
   * with CARD_REMOVED, so its data never goes out under the old session: read again.
   */
  private checkSameCard(reader: string, session: string, identity: string): void {
    const live = new Set(this.options.presence.readers().flatMap((r) => (r.card?.session ? [r.card.session] : [])));
    for (const known of this.identities.keys()) if (!live.has(known)) this.identities.delete(known);
    const before = this.identities.get(session);
    if (before === undefined) {
      if (live.has(session)) this.identities.set(session, identity);
      return;
    }
    if (before === identity) return;
    this.identities.delete(session);
    this.options.presence.cardChanged?.(reader, session);
    throw gatewayError('CARD_REMOVED');
  }

  /**
   * Tells an NHI card from another card by the SELECT of docs/reference/pcsc.md alone (no data read), for the watcher's CARD_INSERTED.
   * Never rejects: anything but a clean 90 00 is OTHER.
   */
  async classify(reader: string): Promise<CardKind> {
    if (this.disposed) return 'OTHER';
    try {
      return await this.serialized((context) =>
        // One APDU needs no transaction: two fewer round trips to the service before CARD_INSERTED goes out.
        this.withCard(
          context,
          reader,
          async (transmit) => ((await exchange(transmit, SELECT_NHI_AID)).sw === 0x9000 ? 'NHI_CARD' : 'OTHER'),
          { transaction: false },
        ),
      );
    } catch {
      return 'OTHER';
    }
  }

  async registerData(): Promise<RegisterData> {
    throw notSupported();
  }
  async cardValidity(): Promise<CardValidity> {
    throw notSupported();
  }
  async lastSeqNumber(): Promise<LastSeqNumber> {
    throw notSupported();
  }
  async professionalCard(): Promise<ProfessionalCardInfo> {
    throw notSupported();
  }
  async professionalIdentity(): Promise<ProfessionalCardIdentity> {
    throw notSupported();
  }
  async sam(): Promise<SamInfo> {
    throw notSupported();
  }

  /** Level 1 with an NHI card in any reader: without the control software nothing authenticates it (no 2/3). */
  async lightState(): Promise<LightState> {
    const nhi = this.options.presence.readers().some((r) => r.card?.kind === 'NHI_CARD');
    return {
      healthCard: nhi ? { level: 1, colour: 'BROWN' } : { level: 0, colour: 'WHITE' },
      professionalCard: { level: 0, colour: 'WHITE' },
    };
  }

  async startVisit(): Promise<Visit> {
    throw notSupported();
  }
  async quickInsuranceCheck(): Promise<void> {
    throw notSupported();
  }
  async treatmentIdForVisit(): Promise<TreatmentIdResult> {
    throw notSupported();
  }
  async treatmentIdWithoutCard(): Promise<TreatmentIdResult> {
    throw notSupported();
  }
  async cancelVisit(): Promise<void> {
    throw notSupported();
  }
  async writeTreatment(): Promise<WriteTreatmentResult> {
    throw notSupported();
  }
  async verifySam(): Promise<SamInfo> {
    throw notSupported();
  }
  async verifyProfessionalPin(): Promise<ProfessionalCardInfo> {
    throw notSupported();
  }
  async reset(): Promise<void> {
    throw notSupported();
  }
  async updateCard(): Promise<CardUpdateResult> {
    throw notSupported();
  }
  async uploadData(): Promise<UploadReceipt> {
    throw notSupported();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    await this.queue.catch(() => undefined);
    const context = this.context;
    this.context = null;
    if (context !== null) await this.port.releaseContext(context).catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------------------

  private requireService(): void {
    const status = this.options.presence.status();
    if (status.state !== 'RUNNING') {
      throw gatewayError('PCSC_UNAVAILABLE');
    }
  }

  private async readBasic(context: PcscContext, reader: string): Promise<Uint8Array> {
    return this.withCard(context, reader, async (transmit) => {
      const select = await exchange(transmit, SELECT_NHI_AID);
      // docs/reference/pcsc.md: anything but 90 00 to the SELECT means this is not an NHI card: say so, never decode garbage.
      if (select.sw !== 0x9000) throw gatewayError('NOT_AN_NHI_CARD');
      const read = await exchange(transmit, READ_BASIC_DATA);
      if (read.sw !== 0x9000 || read.data.length < BASIC_DATA_LENGTH) throw cardIoError();
      return read.data.subarray(0, BASIC_DATA_LENGTH);
    });
  }

  /**
   * Connect (SHARED, T=0 or T=1), transaction, `body`, end transaction, disconnect — errors typed. The transaction
   * keeps another application from selecting a different file between our SELECT and READ.
   */
  private async withCard<T>(
    context: PcscContext,
    reader: string,
    body: (transmit: (command: Uint8Array) => Promise<Uint8Array>) => Promise<T>,
    { transaction = true }: { readonly transaction?: boolean } = {},
  ): Promise<T> {
    let connection: { readonly handle: PcscHandle; readonly protocol: PcscProtocol };
    try {
      connection = await this.port.connect(context, reader, 'SHARED', ['T0', 'T1']);
    } catch (error) {
      throw await this.typed(error, context, reader);
    }
    const { handle, protocol } = connection;
    try {
      try {
        if (transaction) await this.port.beginTransaction(handle);
      } catch (error) {
        throw await this.typed(error, context, reader);
      }
      try {
        return await body(async (command) => {
          let response: Uint8Array;
          try {
            response = await this.port.transmit(handle, protocol, command);
          } catch (error) {
            throw await this.typed(error, context, reader);
          }
          // No status word at all: the exchange broke without an error code (vpcd reports a card that went away
          // mid-APDU this way). Same question as a broken transmission: is the card still there?
          if (response.length < 2) throw (await this.cardWentAway(context, reader)) ? gatewayError('CARD_REMOVED') : cardIoError();
          return response;
        });
      } finally {
        if (transaction) await this.port.endTransaction(handle, 'LEAVE').catch(() => undefined);
      }
    } finally {
      await this.port.disconnect(handle, 'LEAVE').catch(() => undefined);
    }
  }

  /** A PC/SC failure → the typed error the schema returns (or ContextLost, which `serialized` retries). */
  private async typed(error: unknown, context: PcscContext, reader: string): Promise<Error> {
    if (error instanceof GatewayError) return error;
    const code = failureCode(error);
    if (code === null) return error instanceof Error ? error : new Error(String(error));
    if (code === 'LIBRARY_UNAVAILABLE') return gatewayError('PCSC_UNAVAILABLE');
    if (CARD_GONE.has(code)) return gatewayError('CARD_REMOVED');
    if (code === 'SCARD_E_SHARING_VIOLATION') return gatewayError('CARD_IN_USE');
    if (TRANSMISSION_BROKE.has(code)) {
      // Pulled out mid-read: the exchange fails before the reader's presence poll notices. Give it a moment.
      if (await this.cardWentAway(context, reader)) return gatewayError('CARD_REMOVED');
      if (CONTEXT_DEAD.has(code)) return new ContextLost(code);
      return cardIoError();
    }
    if (CONTEXT_DEAD.has(code)) return new ContextLost(code);
    // "Unpowered", "unresponsive" or "protocol mismatch" also comes back when the card is pulled while the reader
    // powers it up: ask the reader whether the card is still there before calling it an I/O error.
    if (NOT_ANSWERING.has(code) && (await this.cardWentAway(context, reader))) return gatewayError('CARD_REMOVED');
    // Mute, unpowered, unsupported card, protocol mismatch: the chip did not answer usefully.
    return cardIoError();
  }

  /** True when `reader` reports no card within the grace period. */
  private async cardWentAway(context: PcscContext, reader: string): Promise<boolean> {
    try {
      const [now] = await this.port.getStatusChange(context, 0, [{ reader, currentState: 0 }]);
      if (!now || now.unavailable || !now.present) return true;
      const [later] = await this.port.getStatusChange(context, this.options.removalGraceMs ?? 1500, [
        { reader, currentState: now.eventState & ~0x2 },
      ]);
      return !later || later.unavailable || !later.present;
    } catch (error) {
      // TIMEOUT: still there after the grace period. A vanished reader took the card with it.
      const code = failureCode(error);
      return code === 'SCARD_E_UNKNOWN_READER' || code === 'SCARD_E_READER_UNAVAILABLE';
    }
  }

  /**
   * One card operation at a time on the card context, established on first use. A context that died with the
   * service is dropped and the operation tried once more on a new one.
   */
  private serialized<T>(operation: (context: PcscContext) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        const context = await this.cardContext();
        try {
          return await operation(context);
        } catch (error) {
          if (!(error instanceof ContextLost)) throw error;
          this.context = null;
          await this.port.releaseContext(context).catch(() => undefined);
          if (attempt >= 1) throw gatewayError('PCSC_UNAVAILABLE');
        }
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async cardContext(): Promise<PcscContext> {
    if (this.disposed) throw gatewayError('PCSC_UNAVAILABLE');
    if (this.context !== null) return this.context;
    try {
      this.context = await this.port.establishContext();
    } catch {
      throw gatewayError('PCSC_UNAVAILABLE');
    }
    return this.context;
  }

  /**
   * A card that never answers keeps SCardTransmit blocked, and nothing cancels a transmit; the caller gets an
   * I/O error after `readTimeoutMs` while later reads queue behind the stuck call until it returns.
   */
  private async withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(cardIoError()), this.options.readTimeoutMs ?? 10_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
