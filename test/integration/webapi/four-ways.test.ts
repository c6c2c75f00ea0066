/**
 * The briefing's four ways (方式1–4) end to end through GraphQL, and the treatment ID without a card, with the
 * stand-in NHI Web API on a real HTTPS port (its own CA).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../webapi/certs.ts';
import { rocDateTimeToDate } from '../../../src/codecs/roc-date.ts';
import { startStandIn, type StandIn } from '../../webapi/stand-in.ts';
import { BEDS, FOR_VISIT, LAST_SEQ, START_VISIT, WITHOUT_CARD, startGateway, type TestGateway } from './helpers.ts';

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

// Each bed: the simulator, and the cshis backend over the native fixture as `--backend cshis` composes it.
describe.each(BEDS)('on the %s', (bed) => {
describe('the four ways (briefing 方式1–4)', () => {
  it.each([
    ['方式1 1.55 + 1.37 + 1.56', 'SEQ256_QUICK_TREATNUM', 'CONTROL_SOFTWARE_1_56'],
    ['方式2 1.37 + 1.56', 'SEQ256_TREATNUM', 'CONTROL_SOFTWARE_1_56'],
    ['方式3 1.53', 'N1', 'CONTROL_SOFTWARE_1_53'],
  ] as const)('%s: the control software gives the treatment ID, NHI’s Web API is not called', async (_name, strategy, source) => {
    const before = standIn.requests.length;
    gateway = await startGateway({ bed, strategy, standIn });
    await gateway.insertCard('STANDARD');
    const visit = (await gateway.gql(START_VISIT)).data.startVisit;
    expect(visit).toMatchObject({ __typename: 'Visit', strategy, treatmentIdSource: source, treatmentIdPending: false, seqNumber: '0042', warnings: [] });
    expect(visit.treatmentId).toHaveLength(20);
    const later = (await gateway.gql(FOR_VISIT, { t: visit.visitTimeRoc })).data.treatmentIdForVisit;
    expect(later).toMatchObject({ __typename: 'TreatmentId', source: 'CONTROL_SOFTWARE_1_56', treatmentId: visit.treatmentId });
    expect(standIn.requests.length).toBe(before);
  });

  it('方式4 1.37 + Web API: the stand-in gets exactly the briefing’s fields, signed, and answers the treatment ID', async () => {
    gateway = await startGateway({ bed, strategy: 'SEQ256_WEBAPI', standIn });
    await gateway.insertCard('STANDARD');
    const before = standIn.requests.length;
    const visit = (await gateway.gql(START_VISIT)).data.startVisit;
    expect(visit).toMatchObject({
      __typename: 'Visit', strategy: 'SEQ256_WEBAPI', treatmentIdSource: 'WEB_API', treatmentIdPending: false,
      seqNumber: '0042', samId: '001000000103', hospitalId: '3501200000', warnings: [],
    });
    expect(visit.treatmentId).toMatch(new RegExp(`^NHI${visit.visitTimeRoc.slice(0, 7)}[0-9A-F]{10}$`));
    expect(standIn.requests.length).toBe(before + 1);
    const sent = standIn.requests.at(-1)!;
    expect(sent.violations).toEqual([]);
    expect(sent.answered).toBe('0000');
    expect(sent.contentType).toMatch(/^application\/json/);
    expect(sent.body).toMatchObject({
      sSamid: '001000000103', sHospid: '3501200000', sCardType: '3', sCardId: '000012345678',
      sPatientId: 'A123456789', sTreatDT: visit.visitTimeRoc,
    });
    expect(Object.keys(sent.body!)).toHaveLength(8);

    // treatmentIdForVisit goes the same way (Web API, patient from the card) and NHI gives the same ID.
    const again = (await gateway.gql(FOR_VISIT, { t: visit.visitTime })).data.treatmentIdForVisit;
    expect(again).toEqual({ __typename: 'TreatmentId', source: 'WEB_API', treatmentId: visit.treatmentId, visitTimeRoc: visit.visitTimeRoc, hospitalId: '3501200000' });

    // A second visit reuses the signature (valid 8 h) instead of signing again.
    const second = (await gateway.gql(START_VISIT)).data.startVisit;
    expect(second).toMatchObject({ treatmentIdSource: 'WEB_API', seqNumber: '0043' });
    const randoms = standIn.requests.slice(before).map((r) => r.body?.['sClientrandom']);
    expect(new Set(randoms).size).toBe(1);
    expect(randoms).toHaveLength(3);
  });

});

describe('treatment ID without a card (例外就醫)', () => {
  it('uses the Web API when it is configured, with no card number and now as sTreatDT', async () => {
    gateway = await startGateway({ bed, strategy: 'N1', standIn });
    const result = (await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard;
    expect(result).toMatchObject({ __typename: 'TreatmentId', source: 'WEB_API', hospitalId: '3501200000' });
    expect(result.treatmentId).toHaveLength(20);
    const sent = standIn.requests.at(-1)!;
    expect(sent).toMatchObject({ violations: [], answered: '0000' });
    expect(sent.body).toMatchObject({ sCardId: '', sPatientId: 'A123456789', sTreatDT: result.visitTimeRoc, sSamid: '001000000103' });
    expect(Math.abs(rocDateTimeToDate(result.visitTimeRoc, 't').getTime() - Date.now())).toBeLessThan(5000);
  });

  it('uses API 1.54 when configured so, or when no Web API is configured', async () => {
    const before = standIn.requests.length;
    gateway = await startGateway({ bed, strategy: 'N1', standIn, noCardTreatmentId: 'CONTROL_SOFTWARE_1_54' });
    expect((await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard).toMatchObject({ source: 'CONTROL_SOFTWARE_1_54' });
    await gateway.close();
    gateway = await startGateway({ bed, strategy: 'N1' });
    expect((await gateway.gql(WITHOUT_CARD, { id: 'A123456789' })).data.treatmentIdWithoutCard).toMatchObject({ source: 'CONTROL_SOFTWARE_1_54' });
    expect(standIn.requests.length).toBe(before);
    expect((await gateway.ready()).body).toMatchObject({ ready: true, reasons: [] });
  });
});
});

// On the cshis backend 方式4 without --webapi-url uses NHI's host (docs/webapi.md): only the simulator has no Web API then.
describe('the simulator without a stand-in', () => {
  it('方式4 without a Web API refuses the visit before 1.37 (nothing taken) and /ready says why', async () => {
    gateway = await startGateway({ strategy: 'SEQ256_WEBAPI' });
    await gateway.insertCard('STANDARD');
    const visit = (await gateway.gql(START_VISIT)).data.startVisit;
    expect(visit).toMatchObject({ __typename: 'ControlSoftwareError', code: 'WEB_API_NOT_CONFIGURED', hint: expect.stringContaining('--webapi-url') });
    expect((await gateway.gql(LAST_SEQ)).data.healthCard.lastSeqNumber.seqNumber).toBe('0041');
    const ready = await gateway.ready();
    expect(ready.status).toBe(503);
    expect(ready.body.reasons.join('\n')).toContain('WEB_API_NOT_CONFIGURED');
  });
});
