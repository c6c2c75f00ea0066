/**
 * `extensions` of errors never carry patient data: every error path we can provoke (typed card errors,
 * bad input, refusals at the door, limits, PIN busy, idempotency misuse, masked crashes) is collected and
 * scanned for the simulator's ID numbers, names, birth dates, card numbers and the IDs sent as input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { SIMULATED_PATIENTS, SIMULATED_PROFESSIONALS } from '../../../src/adapters/simulator/patients.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

type GqlError = { message: string; extensions?: Record<string, unknown> };
type Body = { data?: Record<string, unknown>; errors?: GqlError[] };

const rocToIso = (roc: string) => `${Number(roc.slice(0, 3)) + 1911}-${roc.slice(3, 5)}-${roc.slice(5, 7)}`;
/** What the cards hold: must never appear in an error, message or extensions. */
const CARD_DATA = [
  ...SIMULATED_PATIENTS.flatMap((p) => [p.idNumber, p.name, p.cardNumber, rocToIso(p.birthDateRoc), p.birthDateRoc]),
  ...SIMULATED_PROFESSIONALS.flatMap((p) => [p.idNumber, p.name, p.englishName, p.serialNumber]),
];
/** What clients sent: may be echoed in a message to the sender at most, never in extensions. */
const INPUT_DATA = ['A123456788', 'Q987654321', '1980-13-40'];

const ERROR_FIELDS = '__typename ... on Error { code message messageZh hint hintZh category retryable } ... on VendorError { vendorCode }';

let services: RunningServices;
let yoga: ReturnType<typeof createApp>;
/** Every top-level error and every union error object seen. */
const collected: { errors: GqlError[]; unionErrors: unknown[] } = { errors: [], unionErrors: [] };

async function send(query: string, headers: Record<string, string> = AUTH_HEADERS, init: RequestInit = {}, app = yoga, url = 'http://localhost/graphql'): Promise<Body> {
  const response = await app.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
    ...init,
  });
  const body = (await response.json()) as Body;
  collected.errors.push(...(body.errors ?? []));
  collectUnionErrors(body.data);
  return body;
}

function collectUnionErrors(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(collectUnionErrors);
  if (value && typeof value === 'object') {
    if ('code' in value && 'messageZh' in value) collected.unionErrors.push(value);
    Object.values(value).forEach(collectUnionErrors);
  }
}

beforeAll(async () => {
  services = createSimulatorServices({ strategy: 'N1', simulator: { latencyMs: 30 } });
  yoga = createApp(services, {
    graphiql: true,
    logger: createMemoryLogger(),
    security: { token: TEST_TOKEN, allowedOrigins: ['https://his.example'], identityRate: { perMinute: 60, burst: 3 } },
  });
  const sim = services.simulator!;

  // Typed card errors: each edge card through a visit and a read.
  for (const patient of SIMULATED_PATIENTS) {
    sim.insertHealthCard(patient.key);
    await send(`mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERROR_FIELDS} } }`);
    await send(`{ healthCard { basicData { ${ERROR_FIELDS} } registerData { ${ERROR_FIELDS} } validity { ${ERROR_FIELDS} } } }`);
    await send(`mutation { quickInsuranceCheck(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERROR_FIELDS} } }`);
  }
  // Forced vendor codes, known and unknown.
  sim.insertHealthCard('STANDARD');
  for (const [fn, code] of [['hisGetBasicData', 4043], ['hisGetSeqNumber256N1', 9240], ['hisGetBasicData', 31337]] as const) {
    sim.forceReturnCode(fn, code);
    await send(`{ healthCard { basicData { ${ERROR_FIELDS} } } }`);
    await send(`mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERROR_FIELDS} } }`);
    sim.forceReturnCode(fn, null);
  }
  // A write for another patient than the card's, and bad input of every kind.
  const visit = (await send('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ... on Visit { visitTimeRoc } } }')).data?.['startVisit'] as { visitTimeRoc: string };
  const write = (patientId: string, birthDate: string, visitTime = visit.visitTimeRoc) =>
    send('', AUTH_HEADERS, {
      body: JSON.stringify({
        query: `mutation($i: WriteTreatmentInput!) { writeTreatment(input: $i) { ${ERROR_FIELDS} } }`,
        variables: { i: { visitTime, patientId, birthDate, diagnoses: ['J069'] } },
      }),
    });
  await write('Q987654321', '1980-05-12');
  await write('A123456788', '1980-05-12');
  await write('A123456789', '1980-13-40');
  await write('A123456789', '1980-05-12', '2999-01-01T00:00:00+08:00');
  await send('mutation { treatmentIdWithoutCard(input: { idNumber: "A123456788" }) { __typename } }');
  await send('mutation { cancelVisit(input: { visitTime: "not a time" }) { __typename } }');
  // Idempotency misuse.
  await send('mutation { cancelVisit(input: { visitTime: "' + visit.visitTimeRoc + '", idempotencyKey: "k-000000000001" }) { __typename } }');
  await send('mutation { cancelVisit(input: { visitTime: "1150101093000", idempotencyKey: "k-000000000001" }) { ' + ERROR_FIELDS + ' } }');
  // PIN busy.
  sim.insertProfessionalCard('PHYSICIAN');
  const pin = `mutation { verifyProfessionalCardPin { ${ERROR_FIELDS} ... on ProfessionalCard { identity { ${ERROR_FIELDS} } } } }`;
  await Promise.all([send(pin), send(pin)]);
  // Refusals at the door and per operation.
  await send('{ healthCard { basicData { __typename } } }', {});
  await send('mutation { startVisit(input: { treatmentCategory: EMERGENCY }) { __typename } }', { origin: 'https://his.example' });
  await send('{ gateway { version } }', { authorization: 'Bearer A123456789' });
  await send('{ gateway { version } }', { origin: 'https://evil.example' });
  await send('{ gateway { version } }', {}, {}, yoga, 'http://evil.example/graphql');
  await send('', {}, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7Bgateway%7Bversion%7D%7D' });
  for (let i = 0; i < 5; i++) await send('{ healthCard { state { __typename } } }', { origin: 'https://his.example' });
  await send(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: gateway { version }`).join(' ')} }`);
  await send('{ healthCard { basicData { ... on BasicData { idNumbr } } } }');
  const remote = await yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } }, { req: { socket: { remoteAddress: '10.0.0.9' } } });
  collected.errors.push(...(((await remote.json()) as Body).errors ?? []));
  // A crash whose message carries an ID number and a name: masked.
  const broken = createApp({ ...services, cards: { ...services.cards, basicData: () => Promise.reject(new Error('secret A123456789 王小明')) } } as unknown as RunningServices, {
    graphiql: false,
    logger: createMemoryLogger(),
    security: { token: TEST_TOKEN },
  });
  await send('{ healthCard { basicData { __typename } } }', AUTH_HEADERS, {}, broken);
});

afterAll(async () => {
  await services[Symbol.asyncDispose]();
});

describe('errors carry no patient data', () => {
  it('provoked every kind of error (so the scan below means something)', () => {
    const codes = new Set([...collected.errors.map((e) => e.extensions?.['code']), ...collected.unionErrors.map((e) => (e as { code: string }).code)]);
    for (const code of [
      'HEALTH_CARD_EXPIRED',
      'NO_REMAINING_VISITS',
      'HEALTH_CARD_CANCELLED',
      'BAD_USER_INPUT',
      'IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT',
      'ACTION_PENDING',
      'TOKEN_REQUIRED',
      'TOKEN_INVALID',
      'ORIGIN_NOT_ALLOWED',
      'HOST_NOT_ALLOWED',
      'CSRF_HEADER_MISSING',
      'RATE_LIMITED',
      'TOO_MANY_ALIASES',
      'GRAPHQL_VALIDATION_FAILED',
      'LOOPBACK_ONLY',
      'INTERNAL_SERVER_ERROR',
    ]) {
      expect(codes, code).toContain(code);
    }
    expect(collected.errors.length + collected.unionErrors.length).toBeGreaterThan(30);
  });

  it('has no card data anywhere in errors, and no patient data at all in extensions', () => {
    const everything = JSON.stringify(collected);
    for (const value of CARD_DATA) expect(everything, value).not.toContain(value);
    const extensions = JSON.stringify([...collected.errors.map((e) => e.extensions), ...collected.unionErrors]);
    for (const value of [...CARD_DATA, ...INPUT_DATA]) expect(extensions, value).not.toContain(value);
  });
});
