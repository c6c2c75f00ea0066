/**
 * `cardVisits` (schema/records/card-visits.ts): the card's visit ring joined with the card-write journal, and the
 * same list after a gateway restart (a second gateway over the same workstation and journal file).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../src/app.ts';
import { createServices, type RunningServices } from '../../../src/services.ts';
import { controlSoftwareBackend } from '../../../src/backends/cshis.ts';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { ERR, STANDARD } from './helpers.ts';

const LIST = `{ cardVisits { ${ERR} ... on CardVisits { visits {
  card { visitTimeRoc treatmentCategory seqNumber }
  journal { registeredByGateway treatmentId treatmentIdPending diagnosesWrittenAt prescriptionsWritten cancelledAt }
} } } }`;

describe('cardVisits', () => {
  const opened: RunningServices[] = [];
  let dir: string | null = null;
  afterEach(async () => {
    for (const s of opened.splice(0)) await s[Symbol.asyncDispose]();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const gateway = (workstation: SimulatedWorkstation, journalPath: string) => {
    const services = createServices(controlSoftwareBackend(workstation), { strategy: 'N1', journalPath });
    opened.push(services);
    const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
    return async (query: string) => {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH_HEADERS },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as { data?: any; errors?: any[] };
    };
  };

  it('joins the card’s visits with the journal, and still does after a gateway restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'card-visits-'));
    const journalPath = join(dir, 'card-writes.jsonl');
    const workstation = new SimulatedWorkstation();
    workstation.insertHealthCard('STANDARD');
    workstation.insertProfessionalCard('PHYSICIAN');
    const gql = gateway(workstation, journalPath);
    await gql('mutation { verifyProfessionalCardPin { __typename } }');

    const before = await gql(LIST);
    expect(before.errors).toBeUndefined();
    const known = before.data.cardVisits.visits.map((v: any) => v.card.visitTimeRoc);
    for (const v of before.data.cardVisits.visits) expect(v.journal).toBeNull();

    const started = await gql(`mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT, idempotencyKey: "cv-visit-0001" }) { ${ERR} ... on Visit { visitTimeRoc treatmentId } } }`);
    const visitTime = started.data.startVisit.visitTimeRoc;
    const treated = await gql(
      `mutation { writeTreatment(input: { visitTime: "${visitTime}", idNumber: "${STANDARD.idNumber}", birthDate: "${STANDARD.birthDate}", diagnoses: ["J069"] }) { ${ERR} } }`,
    );
    expect(treated.data.writeTreatment.__typename).toBe('TreatmentWritten');

    const expected = {
      card: { visitTimeRoc: visitTime, treatmentCategory: 'WESTERN_MEDICINE_OUTPATIENT' },
      journal: {
        registeredByGateway: true,
        treatmentId: started.data.startVisit.treatmentId,
        treatmentIdPending: false,
        diagnosesWrittenAt: expect.stringMatching(/\+08:00$/),
        prescriptionsWritten: 0,
        cancelledAt: null,
      },
    };
    const after = await gql(LIST);
    const ours = after.data.cardVisits.visits.find((v: any) => v.card.visitTimeRoc === visitTime);
    expect(ours).toMatchObject(expected);
    expect(after.data.cardVisits.visits.filter((v: any) => known.includes(v.card.visitTimeRoc)).every((v: any) => v.journal === null)).toBe(true);

    // the gateway restarts; the card and the journal file stay
    await opened.shift()![Symbol.asyncDispose]();
    const again = gateway(workstation, journalPath);
    const recovered = await again(LIST);
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data.cardVisits.visits.find((v: any) => v.card.visitTimeRoc === visitTime)).toMatchObject(expected);
  });

  it('needs identity access: refused without a token or an allowed origin', async () => {
    dir = mkdtempSync(join(tmpdir(), 'card-visits-'));
    const services = createServices(controlSoftwareBackend(new SimulatedWorkstation()), { strategy: 'N1', journalPath: join(dir, 'j.jsonl') });
    opened.push(services);
    const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ cardVisits { __typename } }' }),
    });
    const body = (await response.json()) as { data?: any; errors?: any[] };
    expect(body.errors?.[0]?.extensions?.code).toMatch(/TOKEN_REQUIRED|ORIGIN_NOT_ALLOWED/);
  });
});
