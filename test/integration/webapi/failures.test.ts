/**
 * Every failure mode of the Web API path, through GraphQL, against the stand-in on a real HTTPS port:
 * timeouts, resets before and after the request, garbage, unknown and signature RtnCodes, TLS with the wrong
 * CA, bad input and a missing SAM refused before the network, and an unregistered COM signer on /ready.
 */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../webapi/certs.ts';
import { startStandIn, type StandIn } from '../../webapi/stand-in.ts';
import { createFakeCom } from '../../webapi/fake-com.ts';
import { SimulatorSigner } from '../../../src/adapters/signer/simulator-signer.ts';
import { ComSigner } from '../../../src/adapters/signer/com-signer.ts';
import { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { HRESULT } from '../../../src/adapters/signer/com-layout.ts';
import { FOR_VISIT, INSERT_STANDARD, LAST_SEQ, START_VISIT, WITHOUT_CARD, startGateway, type TestGateway } from './helpers.ts';

let pki: TestPki;
let standIn: StandIn;
let gateway: TestGateway | null = null;

beforeAll(async () => {
  pki = createTestPki();
  standIn = await startStandIn({ pki });
});
afterAll(async () => {
  await standIn.close();
  pki.cleanup();
});
afterEach(async () => {
  await gateway?.close();
  gateway = null;
  standIn.fault(null);
});

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function visitWithWebApi(g: TestGateway) {
  await g.gql(INSERT_STANDARD);
  return (await g.gql(START_VISIT)).data.startVisit;
}

describe('a Web API failure after 1.37 keeps the visit (no half-state)', () => {
  it('timeout: the visit comes back pending with a warning, nothing is retried, and treatmentIdForVisit completes it', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', standIn, webApi: { timeoutMs: 400 } });
    standIn.fault({ kind: 'slow', delayMs: 2000 });
    const before = standIn.requests.length;
    const visit = await visitWithWebApi(gateway);
    expect(visit).toMatchObject({
      __typename: 'Visit', seqNumber: '0042', treatmentId: null, treatmentIdSource: null, treatmentIdPending: true,
      warnings: [{ code: 'WEB_API_TIMEOUT', vendorCode: null }],
    });
    expect(visit.warnings[0].message).toContain('outcome is unknown');
    expect(standIn.requests.length).toBe(before + 1); // sent once, never repeated
    // The visit is on the card exactly once.
    expect((await gateway.gql(LAST_SEQ)).data.healthCard.lastSeqNumber.seqNumber).toBe('0042');

    standIn.fault(null);
    const done = (await gateway.gql(FOR_VISIT, { t: visit.visitTimeRoc })).data.treatmentIdForVisit;
    expect(done).toMatchObject({ __typename: 'TreatmentId', source: 'WEB_API', visitTimeRoc: visit.visitTimeRoc });
    expect(done.treatmentId).toMatch(/^NHI/);
    expect(standIn.requests.at(-1)).toMatchObject({ violations: [], answered: '0000', body: { sTreatDT: visit.visitTimeRoc, sPatientId: 'A123456789' } });
  });

  it('connection reset after the request: pending with WEB_API_CONNECTION_LOST, not retried', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', standIn });
    standIn.fault({ kind: 'reset-after-request' });
    const before = standIn.requests.length;
    const visit = await visitWithWebApi(gateway);
    expect(visit).toMatchObject({ treatmentIdPending: true, warnings: [{ code: 'WEB_API_CONNECTION_LOST' }] });
    expect(standIn.requests.length).toBe(before + 1);
  });

  it('connections dropped before TLS are retried (nothing was sent) and the visit gets its ID', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', standIn });
    standIn.fault({ kind: 'reset-before-tls', times: 2 });
    const before = { requests: standIn.requests.length, dropped: standIn.droppedBeforeTls };
    const visit = await visitWithWebApi(gateway);
    expect(visit).toMatchObject({ treatmentIdSource: 'WEB_API', treatmentIdPending: false });
    expect(standIn.droppedBeforeTls - before.dropped).toBe(2);
    expect(standIn.requests.length - before.requests).toBe(1);
  });

  it('garbage: pending with WEB_API_BAD_RESPONSE', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', standIn });
    standIn.fault({ kind: 'garbage', body: '<html><body>Service Unavailable</body></html>' });
    const visit = await visitWithWebApi(gateway);
    expect(visit).toMatchObject({ treatmentIdPending: true, warnings: [{ code: 'WEB_API_BAD_RESPONSE' }] });
    expect(visit.warnings[0].message).toContain('not JSON');
  });

  it('an unknown RtnCode stays typed, with its value', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', standIn });
    standIn.fault({ kind: 'rtn', rtnCode: '7777' });
    const visit = await visitWithWebApi(gateway);
    expect(visit).toMatchObject({ treatmentIdPending: true, warnings: [{ code: 'WEB_API_CODE_UNKNOWN', vendorCode: 7777 }] });
    const noCard = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(noCard).toMatchObject({ __typename: 'VendorError', code: 'WEB_API_CODE_UNKNOWN', vendorCode: 7777, category: 'UNKNOWN_VENDOR_CODE' });
  });
});

describe('signature refusals', () => {
  it('8203 (too old): signs anew and sends once more — safe, NHI refused before issuing anything', async () => {
    gateway = await startGateway({ strategy: 'N1', standIn });
    standIn.fault({ kind: 'rtn', rtnCode: '8203', times: 1 });
    const before = standIn.requests.length;
    const result = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(result).toMatchObject({ __typename: 'TreatmentId', source: 'WEB_API' });
    const sent = standIn.requests.slice(before);
    expect(sent.map((r) => r.answered)).toEqual(['8203', '0000']);
    expect(sent[0]!.body!['sClientrandom']).not.toBe(sent[1]!.body!['sClientrandom']);
  });

  it('a signature NHI really finds too old (the stand-in checks its age) is replaced', async () => {
    let first = true;
    // The first signing reports a random issued 9 hours ago, as a PC whose clock was wrong at signing time.
    const signer = new SimulatorSigner({
      samId: '001000000103',
      now: () => (first ? ((first = false), new Date(Date.now() - 9 * 3600_000)) : new Date()),
    });
    gateway = await startGateway({ strategy: 'N1', standIn, signer });
    const before = standIn.requests.length;
    const result = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(result).toMatchObject({ __typename: 'TreatmentId', source: 'WEB_API' });
    expect(standIn.requests.slice(before).map((r) => r.answered)).toEqual(['8203', '0000']);
    expect(signer.signCount).toBe(2);
  });

  it('8203 again after re-signing is reported, not repeated a third time (the clocks disagree)', async () => {
    gateway = await startGateway({ strategy: 'N1', standIn });
    standIn.fault({ kind: 'rtn', rtnCode: '8203' });
    const before = standIn.requests.length;
    const result = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(result).toMatchObject({ __typename: 'SamError', code: 'WEB_API_SIGNATURE_EXPIRED', vendorCode: 8203, hint: expect.stringContaining('clock') });
    expect(standIn.requests.length - before).toBe(2);
  });

  it('a signature for the wrong service code is refused by NHI (9002) and not repeated', async () => {
    gateway = await startGateway({ strategy: 'N1', standIn, webApi: { serviceCode: '11' } }); // the stand-in wants 12 (test cards)
    const before = standIn.requests.length;
    const result = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(result).toMatchObject({ __typename: 'SamError', code: 'WEB_API_SIGNATURE_INVALID', vendorCode: 9002 });
    expect(standIn.requests.length - before).toBe(1);
  });
});

describe('TLS: verification is always on', () => {
  it('a server certificate from another CA is a typed error, and no request reaches it', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', standIn, webApi: { caFile: pki.otherCaFile } });
    const before = { requests: standIn.requests.length, connections: standIn.connections };
    const result = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(result).toMatchObject({ __typename: 'NetworkError', code: 'WEB_API_TLS_UNTRUSTED', retryable: false, hint: expect.stringContaining('--nhi-ca-file') });
    expect(result.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    const visit = await visitWithWebApi(gateway);
    expect(visit).toMatchObject({ __typename: 'Visit', treatmentIdPending: true, warnings: [{ code: 'WEB_API_TLS_UNTRUSTED' }] });
    expect(standIn.requests.length).toBe(before.requests);
    expect(standIn.connections).toBe(before.connections);
  });

  it('without NHI’s CA file the system roots alone do not trust the server either', async () => {
    gateway = await startGateway({ strategy: 'N1', webApi: { url: standIn.url } });
    const result = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(result).toMatchObject({ code: 'WEB_API_TLS_UNTRUSTED' });
  });

  it('accepts NHI’s CA as a DER file too', async () => {
    gateway = await startGateway({ strategy: 'N1', webApi: { url: standIn.url, caFile: pki.caDerFile } });
    const result = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(result).toMatchObject({ __typename: 'TreatmentId', source: 'WEB_API' });
  });

  it('an unusable CA file is a typed error and a /ready reason', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', webApi: { url: standIn.url, caFile: `${pki.dir}/server.ext` } });
    const ready = await gateway.ready();
    expect(ready.status).toBe(503);
    expect(ready.body.reasons.join('\n')).toContain('WEB_API_CA_FILE_INVALID');
    await gateway.gql(INSERT_STANDARD);
    expect((await gateway.gql(START_VISIT)).data.startVisit).toMatchObject({ code: 'WEB_API_CA_FILE_INVALID' });
    expect((await gateway.gql(LAST_SEQ)).data.healthCard.lastSeqNumber.seqNumber).toBe('0041');
  });
});

describe('without a card: the 1.54 fallback only when NHI certainly issued nothing', () => {
  it('falls back to 1.54 when the Web API cannot be reached (nothing was sent)', async () => {
    const url = `https://127.0.0.1:${await deadPort()}/V1000/VNHI_TreatNum`;
    gateway = await startGateway({ strategy: 'N1', webApi: { url, caFile: pki.caFile }, noCardTreatmentId: 'WEB_API_THEN_1_54' });
    expect((await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard).toMatchObject({ source: 'CONTROL_SOFTWARE_1_54' });
    await gateway.close();
    gateway = await startGateway({ strategy: 'N1', webApi: { url, caFile: pki.caFile }, noCardTreatmentId: 'WEB_API' });
    expect((await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard).toMatchObject({
      __typename: 'NetworkError', code: 'WEB_API_UNREACHABLE', retryable: true,
    });
  });

  it('falls back after a definite refusal (an RtnCode), but not after a garbled answer', async () => {
    gateway = await startGateway({ strategy: 'N1', standIn, noCardTreatmentId: 'WEB_API_THEN_1_54' });
    standIn.fault({ kind: 'rtn', rtnCode: '9999' });
    expect((await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard).toMatchObject({ source: 'CONTROL_SOFTWARE_1_54' });
    standIn.fault({ kind: 'garbage', body: '{"RtnCode":"0000"' });
    expect((await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard).toMatchObject({
      __typename: 'NetworkError', code: 'WEB_API_BAD_RESPONSE',
    });
  });
});

describe('bad input and faults are refused before any network call', () => {
  it('an ID failing its check digit, a future or malformed time, a missing SAM', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', standIn });
    const before = standIn.requests.length;
    const badId = await gateway.gql(WITHOUT_CARD, { id: 'A123456788' });
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patientId', rule: 'check digit does not match' });
    const badResident = await gateway.gql(WITHOUT_CARD, { id: 'A800000015' });
    expect(badResident.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patientId' });
    await gateway.gql(INSERT_STANDARD);
    const future = await gateway.gql(FOR_VISIT, { t: '2991231235959' });
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'visitTime', rule: 'must not be in the future' });
    const malformed = await gateway.gql(FOR_VISIT, { t: '1150230095500' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'visitTime' });
    await gateway.gql('mutation { simulatorForceReturnCode(function: "csGetCardNo", vendorCode: 4012) { __typename } }');
    const noSam = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(noSam).toMatchObject({ __typename: 'SamError', code: 'SAM_NOT_INSERTED', vendorCode: 4012 });
    expect(standIn.requests.length).toBe(before);
  });
});

describe('the CsHisX COM signer is not registered', () => {
  it('/ready reports it with the regsvr32 fix, and 方式4 refuses the visit before 1.37', async () => {
    const fake = createFakeCom({ createHr: HRESULT.REGDB_E_CLASSNOTREG });
    const signer = new ComSigner({ loadRuntime: () => fake.runtime });
    const workstation = new SimulatedWorkstation();
    workstation.insertHealthCard('STANDARD');
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI', standIn, signer, controlSoftware: workstation });
    const ready = await gateway.ready();
    expect(ready.status).toBe(503);
    const reason = ready.body.reasons.find((r) => r.startsWith('SIGNER_UNAVAILABLE'));
    expect(reason).toContain('REGDB_E_CLASSNOTREG 0x80040154');
    expect(reason).toContain('register C:\\NHI\\LIB\\csHisX.dll: run C:\\Windows\\SysWOW64\\regsvr32.exe C:\\NHI\\LIB\\csHisX.dll');
    const visit = (await gateway.gql(START_VISIT)).data.startVisit;
    expect(visit).toMatchObject({ __typename: 'SamError', code: 'SIGNER_UNAVAILABLE', retryable: false });
    expect((await gateway.gql(LAST_SEQ)).data.healthCard.lastSeqNumber.seqNumber).toBe('0041');
    await gateway.close();
    gateway = null;
    fake.close();
  });
});
