/**
 * The simulator across a real gateway restart (docs/simulator.md): the test cards stay in their readers and keep
 * what the rehearsal wrote on them (the visit, its fees, the counter), as real cards do when the gateway restarts,
 * so the card-write journal that survives the restart still matches the cards. Power-on state is not kept (SAM
 * and PIN authentication). A subscriber that resumes after the restart is told it may have missed events
 * (resume GAP) and gets the present lights, the card in; the card gets a new session, so a write aimed at the
 * old one is refused. The state file is private (0600) and names the built-in test cards by key only.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.ts';
import { freePort } from '../helpers/free-port.ts';
import { collectSse } from '../helpers/sse.ts';
import { SIMULATED_PATIENTS, SIMULATED_PROFESSIONALS } from '../../src/adapters/simulator/patients.ts';
import { SIMULATOR_STATE_FILE } from '../../src/backends/simulator.ts';

const STANDARD = SIMULATED_PATIENTS.find((p) => p.key === 'STANDARD')!;
const HOLDER = 'idNumber: "A123456789", birthDate: "1980-05-12"';
const LIGHTS = 'subscription { lightStateChanged { healthCard { level } professionalCard { level } } }';

describe('the simulator across a gateway restart', () => {
  let home: string;
  let dataDir: string;
  let port: number;
  let gateway: GatewayProcess | null = null;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'nhi-sim-restart-'));
    dataDir = join(home, 'data');
    port = await freePort();
  });

  afterAll(async () => {
    await gateway?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  async function start(): Promise<void> {
    gateway = startGatewayProcess(['--backend', 'simulator', '--port', String(port), '--data-dir', dataDir], { HOME: home, NODE_ENV: 'production' });
    const ready = await gateway.ready;
    if (ready.kind !== 'started') throw new Error(`gateway did not start: ${JSON.stringify(gateway.output())}`);
  }

  async function stop(): Promise<void> {
    await gateway?.stop();
    gateway = null;
  }

  function headers(): Record<string, string> {
    const token = readFileSync(join(dataDir, 'token-simulator'), 'utf8').trim();
    return { authorization: `Bearer ${token}`, 'x-nhi-gateway': 'test' };
  }

  async function gql(query: string): Promise<any> {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers() },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data;
  }

  /** The first lightStateChanged result, with the extensions the gateway adds (eventId, resume). */
  const lights = async (extra: Record<string, string> = {}) =>
    (await collectSse<any>(`http://127.0.0.1:${port}/graphql`, LIGHTS, undefined, { headers: { ...headers(), ...extra }, take: 1 })) as {
      data?: any;
      extensions?: Record<string, unknown>;
    }[];

  const remainingVisits = async (): Promise<number> =>
    (await gql('{ healthCard { validity { ... on CardValidity { remainingVisits } } } }')).healthCard.validity.remainingVisits;

  it('keeps the cards in their readers and what was written on them; resumers see the card, a new session', async () => {
    await start();
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    await gql('mutation { simulatorInsertProfessionalCard { __typename } }');
    await gql('mutation { verifyProfessionalCardPin { __typename } }');
    const visitsBefore = await remainingVisits();
    const visit = (await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ... on Visit { visitTimeRoc seqNumber } } }')).startVisit;
    expect(visit.visitTimeRoc).toMatch(/^\d{13}$/);
    const written = await gql(
      `mutation { writeTreatment(input: { visitTime: "${visit.visitTimeRoc}", ${HOLDER}, diagnoses: ["J069"], combined: true, fees: { outpatientFee: 350, outpatientCopay: 50 } }) { __typename ... on TreatmentWritten { doctor { idNumber } } } }`,
    );
    expect(written.writeTreatment.__typename).toBe('TreatmentWritten');
    const sessionBefore = (await gql('{ healthCard { cardSession } }')).healthCard.cardSession as string;
    const [seen] = await lights();
    const lastEventId = seen!.extensions!['eventId'] as string;
    expect(lastEventId).toEqual(expect.any(String));
    await stop();

    // The file: private, and no person in it but by the built-in card key.
    const file = join(dataDir, SIMULATOR_STATE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = readFileSync(file, 'utf8');
    expect(saved).toContain('"STANDARD"');
    for (const person of [...SIMULATED_PATIENTS, ...SIMULATED_PROFESSIONALS]) {
      for (const value of [person.idNumber, person.name, 'cardNumber' in person ? person.cardNumber : person.serialNumber]) {
        expect(saved).not.toContain(value);
      }
    }

    await start();
    // A subscriber resuming with its last id from before the restart: told of the gap, then the present lights.
    const [resumed] = await lights({ 'last-event-id': lastEventId });
    expect(resumed!.extensions).toMatchObject({ resume: 'GAP' });
    expect(resumed!.data.lightStateChanged).toEqual({ healthCard: { level: 1 }, professionalCard: { level: 1 } });
    // The card kept its visit (with the fees written) and its counter.
    expect(await remainingVisits()).toBe(visitsBefore - 1);
    const history = await gql('{ healthCard { visits { ... on VisitHistory { visits { visitTimeRoc seqNumber fees { outpatientFee } } } } } }');
    expect(history.healthCard.visits.visits).toContainEqual({ visitTimeRoc: visit.visitTimeRoc, seqNumber: visit.seqNumber, fees: { outpatientFee: 350 } });
    // A new process, a new session: a write aimed at the card as it was before the restart is refused unwritten.
    const sessionAfter = (await gql('{ healthCard { cardSession } }')).healthCard.cardSession as string;
    expect(sessionAfter).not.toBe(sessionBefore);
    const stale = await gql(
      `mutation { writeTreatment(input: { visitTime: "${visit.visitTimeRoc}", ${HOLDER}, diagnoses: ["J069"], expectedCardSession: "${sessionBefore}" }) { __typename ... on Error { code } } }`,
    );
    expect(stale.writeTreatment).toEqual({ __typename: 'GatewayError', code: 'CARD_CHANGED' });
    // Power-on state: the professional card's PIN must be verified again.
    expect((await gql('{ professionalCard { ... on ProfessionalCard { pinVerified } } }')).professionalCard.pinVerified).toBe(false);

    // simulatorReset is power-on with no cards, and that is what the next start finds.
    await gql('mutation { simulatorReset { __typename } }');
    await stop();
    await start();
    const [empty] = await lights();
    expect(empty!.data.lightStateChanged).toEqual({ healthCard: { level: 0 }, professionalCard: { level: 0 } });
    await stop();
  }, 60_000);
});
