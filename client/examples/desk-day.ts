/**
 * A day at the registration desk (掛號櫃台) with the client kit only (docs/his-developers.md): lights over graphql-ws
 * and reader events over SSE all day; every simulator test card through the doctor's PIN, card read, insurance
 * check, visit, diagnoses and fees (each write sent twice with one idempotency key: the retry must answer the
 * same), a cancellation, and the refusals in zh-TW. Give one gateway URL per visit strategy; ACCESS_TOKEN the token.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  CancelVisitDocument, createGatewayClient, describeError, isGatewayError, LightsChangedDocument, ProfessionalCardStateDocument,
  QuickInsuranceCheckDocument, ReadCardDocument, ReaderEventsDocument, SimulatedCardsDocument, SimulatorInsertHealthCardDocument,
  SimulatorInsertProfessionalCardDocument, SimulatorRemoveHealthCardDocument, StartVisitDocument, VerifyProfessionalCardPinDocument,
  WriteTreatmentDocument, type GatewayClient, type GatewayClientOptions, type SimulatedCard,
} from '../index.ts';

/** One gateway per visit strategy; the first one is also watched all day. */
export type DeskGateway = Pick<GatewayClientOptions, 'url' | 'token' | 'backoff'>;
export interface DeskDayOptions {
  readonly log?: (line: string) => void;
  /** After each patient (a test restarts the gateway here). */
  readonly afterPatient?: (gateway: number, patient: number) => Promise<void>;
}
/** WRITTEN, CANCELLED, or the code of the error the desk showed. */
export interface Outcome { readonly gateway: number; readonly card: SimulatedCard; readonly outcome: string }

const category = 'WESTERN_MEDICINE_OUTPATIENT';

/** Sends a card write twice with the same idempotency key, as after a lost answer: both answers must agree. */
async function twice<T>(send: () => Promise<T>): Promise<T> {
  const first = await send();
  if (JSON.stringify(first) !== JSON.stringify(await send())) throw new Error('a retried write answered differently');
  return first;
}

export async function deskDay(gateways: readonly DeskGateway[], options: DeskDayOptions = {}): Promise<Outcome[]> {
  const log = options.log ?? console.log;
  const ws = createGatewayClient({ ...gateways[0]!, transport: 'ws', webSocketImpl: WebSocket, onStateChange: (s) => log(`ws ${s.state}`) });
  const sse = createGatewayClient({ ...gateways[0]!, transport: 'sse', onStateChange: (s) => log(`sse ${s.state}`) });
  const watching = Promise.all([
    (async () => { for await (const { data } of ws.subscribe(LightsChangedDocument)) log(`light ${data?.lightStateChanged.healthCard.colour}`); })(),
    (async () => { for await (const { data } of sse.subscribe(ReaderEventsDocument)) log(`reader ${data?.readerEvents.kind}`); })(),
  ]);
  const outcomes: Outcome[] = [];
  for (const [g, gateway] of gateways.entries()) {
    const desk = createGatewayClient(gateway);
    for (const [p, { card }] of (await desk.request(SimulatedCardsDocument)).simulatedCards.entries()) {
      outcomes.push({ gateway: g, card, outcome: await patient(desk, card, log) });
      await options.afterPatient?.(g, p);
    }
    await desk.dispose();
  }
  await Promise.all([ws.dispose(), sse.dispose(), watching]);
  return outcomes;
}

async function patient(desk: GatewayClient, card: SimulatedCard, log: (line: string) => void): Promise<string> {
  const refused = ({ code }: { code: string }) => {
    const { message, hint } = describeError(code, 'zh');
    log(`${card}: ${code} ${message}${hint ? `（${hint}）` : ''}`);
    return code;
  };
  await desk.request(SimulatorInsertHealthCardDocument, { card });
  try {
    // The doctor's card must be verified again after a gateway restart.
    const hpc = (await desk.request(ProfessionalCardStateDocument)).professionalCard;
    if (isGatewayError(hpc) || !hpc.pinVerified) {
      await desk.request(SimulatorInsertProfessionalCardDocument);
      const pin = (await desk.request(VerifyProfessionalCardPinDocument)).verifyProfessionalCardPin;
      if (isGatewayError(pin)) return refused(pin);
    }
    const { basicData, registerData } = (await desk.request(ReadCardDocument)).healthCard;
    if (isGatewayError(basicData)) return refused(basicData);
    if (isGatewayError(registerData)) return refused(registerData);
    const insurance = (await desk.request(QuickInsuranceCheckDocument, { category })).quickInsuranceCheck;
    if (isGatewayError(insurance)) return refused(insurance);
    const newborn = registerData.newbornBirthDate !== null;
    const visitKey = randomUUID();
    const { startVisit: visit } = await twice(() => desk.request(StartVisitDocument, { category, newborn, idempotencyKey: visitKey }));
    if (isGatewayError(visit)) return refused(visit);
    log(`${card}: ${visit.strategy} seq ${visit.seqNumber}, treatment ID from ${visit.treatmentIdSource ?? 'later'}`);
    if (card === 'RARE_CHARACTER_NAME') {
      // This patient leaves before the consultation: the visit is cancelled instead of written.
      const cancel = { visitTime: visit.visitTime, idempotencyKey: `${visitKey}-cancel` };
      const { cancelVisit } = await twice(() => desk.request(CancelVisitDocument, cancel));
      return isGatewayError(cancelVisit) ? refused(cancelVisit) : 'CANCELLED';
    }
    const input = { visitTime: visit.visitTime, idNumber: basicData.idNumber, birthDate: basicData.birthDate ?? '', diagnoses: ['J069'],
      fees: { outpatientFee: 350, outpatientCopay: 50 }, idempotencyKey: `${visitKey}-write` };
    const { writeTreatment } = await twice(() => desk.request(WriteTreatmentDocument, { input }));
    return isGatewayError(writeTreatment) ? refused(writeTreatment) : 'WRITTEN';
  } finally {
    await desk.request(SimulatorRemoveHealthCardDocument);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.table(await deskDay(process.argv.slice(2).map((url) => ({ url, token: process.env['ACCESS_TOKEN'] }))));
}
