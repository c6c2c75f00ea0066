/**
 * Nothing leaked into the files: a real gateway with the file logger at debug level and the audit log
 * reads the RARE_CHARACTER_NAME and STANDARD cards (HTTP and WebSocket), registers and writes a visit and
 * verifies a professional PIN; then gateway.log and audit.log are searched for the raw ID numbers, names
 * and birth dates.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { startServer, type RunningServer } from '../../../src/server.ts';
import { createAuditLog, createGatewayLogger } from '../../../src/logger.ts';
import { SIMULATED_PATIENTS, SIMULATED_PROFESSIONALS } from '../../../src/adapters/simulator/patients.ts';
import { subscribeWs } from '../../helpers/ws.ts';
import { AUTH_HEADERS, TEST_TOKEN, WS_AUTH } from '../../helpers/auth.ts';

const HIS = 'http://his.local:3000';
const rocToIso = (roc: string) => `${Number(roc.slice(0, 3)) + 1911}-${roc.slice(3, 5)}-${roc.slice(5, 7)}`;
const people = [...SIMULATED_PATIENTS.filter((p) => p.key === 'STANDARD' || p.key === 'RARE_CHARACTER_NAME')];
const RAW = [
  ...people.flatMap((p) => [p.idNumber, p.name, rocToIso(p.birthDateRoc), p.cardNumber]),
  ...SIMULATED_PROFESSIONALS.flatMap((p) => [p.idNumber, p.name, p.englishName]),
  TEST_TOKEN,
];

let dir: string;
let services: RunningServices;
let server: RunningServer;
let logger: ReturnType<typeof createGatewayLogger>;
let audit: ReturnType<typeof createAuditLog>;
let signature = '';
let gatewayLog = '';
let auditLog = '';

async function gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = AUTH_HEADERS) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

const READ = `{ healthCard {
  basicData { ... on BasicData { idNumber birthDate name { text rawHex } } }
  registerData { ... on RegisterData { idNumber name { text } cardValidUntil } }
} }`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-leak-'));
  logger = createGatewayLogger({ directory: dir, level: 'debug' });
  audit = createAuditLog({ directory: dir });
  services = createSimulatorServices({ strategy: 'SEQ256_TREATNUM' });
  const yoga = createApp(services, { graphiql: false, logger, security: { token: TEST_TOKEN, allowedOrigins: [HIS], audit } });
  server = await startServer({ yoga, host: '127.0.0.1', port: 0, logger });

  for (const patient of people) {
    await gql(`mutation { simulatorInsertHealthCard(input: { card: ${patient.key} }) { __typename } }`, undefined, {});
    const overHttp = await gql(READ);
    expect(overHttp.data.healthCard.basicData.idNumber).toBe(patient.idNumber);
    const [overWs] = await subscribeWs(`${server.url}/graphql`, READ, undefined, { headers: { origin: HIS }, connectionParams: WS_AUTH });
    expect((overWs?.data as any).healthCard.registerData.idNumber).toBe(patient.idNumber);
    const visit = await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ... on Visit { visitTimeRoc signature } } }');
    signature = visit.data.startVisit.signature;
    await gql('mutation($i: WriteTreatmentInput!) { writeTreatment(input: $i) { __typename } }', {
      i: { visitTime: visit.data.startVisit.visitTimeRoc, idNumber: patient.idNumber, birthDate: rocToIso(patient.birthDateRoc), diagnoses: ['J069'] },
    });
    // Bad input carrying the ID number, and an identity read refused for want of a token.
    await gql('mutation($p: String!) { treatmentIdWithoutCard(input: { idNumber: $p }) { __typename } }', { p: `${patient.idNumber.slice(0, 9)}0` });
    await gql(READ, undefined, {});
  }
  await gql('mutation { simulatorInsertProfessionalCard { __typename } }', undefined, {});
  await gql('mutation { verifyProfessionalCardPin { ... on ProfessionalCard { identity { ... on ProfessionalCardIdentity { idNumber name { text } englishName } } } } }');

  await server.close(100);
  await logger.close();
  await audit.close();
  const read = (prefix: string) =>
    readdirSync(dir)
      .filter((f) => f.startsWith(prefix))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
  gatewayLog = read('gateway.log');
  auditLog = read('audit.log');
});

afterAll(async () => {
  await services?.[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

describe('log files', () => {
  it('exist and hold JSON lines', () => {
    expect(gatewayLog.length).toBeGreaterThan(0);
    for (const line of [...gatewayLog.split('\n'), ...auditLog.split('\n')].filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    expect(signature).toHaveLength(256);
  });

  it('contain no raw ID number, name, birth date, card number, signature or token', () => {
    for (const value of [...RAW, signature]) {
      expect(gatewayLog, `gateway.log has ${value}`).not.toContain(value);
      expect(auditLog, `audit.log has ${value}`).not.toContain(value);
    }
  });

  it('audit every identity read and card write with the caller, fields and outcome', () => {
    const entries = auditLog
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { event: string; origin: string | null; transport: string; auth: string; fields?: Array<{ field: string; outcome: string }>; outcome: string });
    const reads = entries.filter((e) => e.event === 'operation' && e.fields?.some((f) => f.field === 'HealthCard.basicData'));
    expect(reads.map((e) => [e.transport, e.auth, e.origin])).toEqual([
      ['http', 'token', null],
      ['ws', 'token', HIS],
      ['http', 'token', null],
      ['ws', 'token', HIS],
    ]);
    expect(reads.every((e) => e.outcome === 'OK')).toBe(true);
    const writes = entries.filter((e) => e.fields?.some((f) => f.field === 'Mutation.startVisit' || f.field === 'Mutation.writeTreatment'));
    expect(writes).toHaveLength(4);
    expect(entries.filter((e) => e.fields?.[0]?.field === 'Mutation.treatmentIdWithoutCard').map((e) => e.outcome)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(entries.filter((e) => e.event === 'refused').map((e) => e.outcome)).toEqual(['TOKEN_REQUIRED', 'TOKEN_REQUIRED']);
    expect(entries.some((e) => e.fields?.some((f) => f.field === 'Mutation.verifyProfessionalCardPin' && f.outcome === 'OK'))).toBe(true);
  });
});
