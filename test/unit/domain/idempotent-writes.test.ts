import { mkdtempSync, readFileSync, mkdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimulatorServices } from '../../../src/services.ts';
import * as visits from '../../../resolvers/visits.ts';
import { CardWriteJournal } from '../../../src/domain/card-write-journal.ts';
import { IdempotentWrites, hashInput } from '../../../src/domain/idempotent-writes.ts';
import { errorForWebApiRtnCode } from '../../../src/errors/webapi-codes.ts';
import { errorForVendorCode } from '../../../src/errors/vendor-codes.ts';

const journalFile = () => join(mkdtempSync(join(tmpdir(), 'nhi-journal-')), 'card-writes.jsonl');
const OUTPATIENT = { category: '01', newborn: false, lateCard: false } as const;

function countingServices(journalPath?: string) {
  const services = createSimulatorServices({ strategy: 'N1', ...(journalPath ? { journalPath } : {}) });
  services.simulator!.insertHealthCard('STANDARD');
  let seqCalls = 0;
  const original = services.cards.startVisit.bind(services.cards);
  services.cards.startVisit = (input) => {
    seqCalls += 1;
    return original(input);
  };
  return { services, seqCalls: () => seqCalls };
}

describe('idempotent card writes', () => {
  it('returns the first result for a repeated key without a second native call', async () => {
    const { services, seqCalls } = countingServices();
    const first = await visits.startVisit(services, OUTPATIENT, 'visit-key-0001');
    const again = await visits.startVisit(services, OUTPATIENT, 'visit-key-0001');
    expect(again).toEqual(first);
    expect(seqCalls()).toBe(1);
    const other = await visits.startVisit(services, OUTPATIENT, 'visit-key-0002');
    expect(other.seqNumber).not.toBe(first.seqNumber);
    expect(seqCalls()).toBe(2);
  });

  it('shares one call between concurrent repeats', async () => {
    const { services, seqCalls } = countingServices();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => visits.startVisit(services, OUTPATIENT, 'visit-key-concurrent')));
    expect(a).toEqual(b);
    expect(b).toEqual(c);
    expect(seqCalls()).toBe(1);
  });

  it('refuses the same key with different input', async () => {
    const { services } = countingServices();
    await visits.startVisit(services, OUTPATIENT, 'visit-key-0003');
    await expect(visits.startVisit(services, { ...OUTPATIENT, category: '02' } as never, 'visit-key-0003')).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT',
    });
  });

  it('lets a retryable failure go again under the same key, and replays a final one', async () => {
    const { services, seqCalls } = countingServices();
    services.simulator!.removeHealthCard();
    await expect(visits.startVisit(services, OUTPATIENT, 'visit-key-0004')).rejects.toMatchObject({ vendorCode: 4013 });
    services.simulator!.insertHealthCard('STANDARD');
    const visit = await visits.startVisit(services, OUTPATIENT, 'visit-key-0004');
    expect(visit.seqNumber).toBe('0042');

    services.simulator!.insertHealthCard('CANCELLED');
    await expect(visits.startVisit(services, OUTPATIENT, 'visit-key-0005')).rejects.toMatchObject({ vendorCode: 5002 });
    const callsBefore = seqCalls();
    await expect(visits.startVisit(services, OUTPATIENT, 'visit-key-0005')).rejects.toMatchObject({ vendorCode: 5002 });
    expect(seqCalls()).toBe(callsBefore);
  });

  it('survives a restart: the journal replays results, and a mid-call crash is never repeated', async () => {
    const path = journalFile();
    const { services } = countingServices(path);
    const visit = await visits.startVisit(services, OUTPATIENT, 'visit-key-restart');

    // A second gateway process over the same journal: the key's result comes back without a native call.
    const restarted = countingServices(path);
    expect(await visits.startVisit(restarted.services, OUTPATIENT, 'visit-key-restart')).toEqual(JSON.parse(JSON.stringify(visit)));
    expect(restarted.seqCalls()).toBe(0);

    // Simulate a crash: a begin record flushed, no end.
    const journal = CardWriteJournal.open({ path });
    const inputHash = hashInput({ op: 'startVisit', input: OUTPATIENT });
    const begin = await journal.begin({ op: 'startVisit', key: 'visit-key-crashed', inputHash, before: { lastSeqNumber: '1150042' } });
    appendFileSync(path, '{"t":"end","id":"torn'); // a torn last line must not break the replay
    const afterCrash = countingServices(path);
    const unresolved = visits.unresolvedCardWrites(afterCrash.services);
    expect(unresolved.map((u) => u.id)).toEqual([begin.id]);
    expect(unresolved[0]).toMatchObject({ operation: 'startVisit', checkable: true });
    await expect(visits.startVisit(afterCrash.services, OUTPATIENT, 'visit-key-crashed')).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(afterCrash.seqCalls()).toBe(0);

    // The card's last seq number differs from the recorded one: the visit was applied.
    const settled = await visits.checkCardWrite(afterCrash.services, begin.id);
    expect(settled).toEqual({ id: begin.id, resolution: 'APPLIED', how: 'CHECKED', settledAt: expect.any(Date) });
    expect(visits.unresolvedCardWrites(afterCrash.services)).toEqual([]);
    expect(readFileSync(path, 'utf8')).toContain('"t":"resolve"');
  });

  it('reports OUTCOME_UNKNOWN for a retry of an interrupted operation with the same input', async () => {
    const path = journalFile();
    const journal = CardWriteJournal.open({ path });
    const writes = new IdempotentWrites(journal);
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const hung = writes.run({
      op: 'writeTreatment',
      key: 'write-key-0001',
      input: { a: 1 },
      execute: () => {
        entered(); // the begin record is on disk once execute runs
        return new Promise<string>((r) => (release = () => r('done')));
      },
    });
    await inside;
    // "Crash": another process opens the journal while the call is still inside the card.
    const other = new IdempotentWrites(CardWriteJournal.open({ path }));
    let executed = false;
    await expect(other.run({ op: 'writeTreatment', key: 'write-key-0001', input: { a: 1 }, execute: async () => { executed = true; return 'again'; } })).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(executed).toBe(false);
    await other.resolve(other.unresolved()[0]!.begin.id, 'NOT_APPLIED', 'CONFIRMED_BY_OPERATOR');
    await expect(other.run({ op: 'writeTreatment', key: 'write-key-0001', input: { a: 1 }, execute: async () => 'again' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_SPENT' });
    release();
    expect(await hung).toBe('done');
  });

  it('does not touch the card when the journal cannot be written', async () => {
    const path = journalFile();
    const writes = new IdempotentWrites(CardWriteJournal.open({ path }));
    // Something takes the journal's place after start-up (EISDIR on append; works as root, unlike chmod).
    mkdirSync(path);
    let executed = false;
    await expect(writes.run({ op: 'startVisit', key: null, input: {}, execute: async () => { executed = true; } })).rejects.toMatchObject({
      code: 'JOURNAL_UNAVAILABLE',
    });
    expect(executed).toBe(false);
  });

  it('replays a stored failure as the same typed error, from the table it came from', async () => {
    const writes = new IdempotentWrites(CardWriteJournal.open({ path: null }));
    const webApi5004 = errorForWebApiRtnCode('5004');
    const cshis5004 = errorForVendorCode(5004);
    expect(webApi5004.code).not.toBe(cshis5004.code);
    const fail = (error: Error) => () => Promise.reject(error);
    for (const [key, error] of [['webapi-5004-key', webApi5004], ['cshis-5004-key', cshis5004], ['unknown-777-key', errorForVendorCode(777)]] as const) {
      const first = await writes.run({ op: 'treatmentIdWithoutCard', key, input: {}, execute: fail(error) }).catch((e) => e);
      const replay = await writes.run({ op: 'treatmentIdWithoutCard', key, input: {}, execute: async () => 'executed again' }).catch((e) => e);
      expect([replay.code, replay.vendorCode, replay.constructor]).toEqual([first.code, first.vendorCode, first.constructor]);
    }
  });

  it('answers a retry in the same process with the full first result, the doctor’s ID included', async () => {
    const { services } = countingServices(journalFile());
    services.simulator!.insertProfessionalCard('PHYSICIAN');
    await services.cards.verifyProfessionalPin();
    const visit = await visits.startVisit(services, OUTPATIENT, 'visit-key-doctor');
    const args = {
      visitTimeRoc: visit.visitTimeRoc, idNumber: 'A123456789', birthDate: '1980-05-12', lateCard: false,
      diagnoses: ['J069'], fees: null, layout: 'ICD10' as const, combined: false, idempotencyKey: 'write-key-doctor',
    };
    const first = await visits.writeTreatment(services, args);
    const retry = await visits.writeTreatment(services, args);
    expect(retry).toEqual(first);
    expect(retry.doctorIdNumber).toBe('A223456781');
    expect(services.simulator!.writeCount(visit.visitTimeRoc)).toBe(1);
  });

  it('forgets finished keys after the retention, but never an unresolved operation', async () => {
    let now = new Date('2026-11-26T08:00:00Z');
    const path = journalFile();
    const journal = CardWriteJournal.open({ path, now: () => now, retentionMs: 60 * 60 * 1000 });
    const writes = new IdempotentWrites(journal);
    await writes.run({ op: 'startVisit', key: 'old-key-000001', input: {}, execute: async () => 'first' });
    const unresolved = await journal.begin({ op: 'writeTreatment', key: 'crashed-key-0001', inputHash: 'h' });
    now = new Date('2026-11-26T10:00:00Z');
    journal.prune(true);
    expect(journal.forKey('old-key-000001')).toBeUndefined();
    expect(journal.entry(unresolved.id)).toBeDefined();
    // A forgotten key is a new request again.
    expect(await writes.run({ op: 'startVisit', key: 'old-key-000001', input: {}, execute: async () => 'second' })).toBe('second');
    // A restart replays the file within the same retention.
    const reopened = CardWriteJournal.open({ path, now: () => now, retentionMs: 60 * 60 * 1000 });
    expect(reopened.unresolved().map((e) => e.begin.id)).toEqual([unresolved.id]);
    expect(reopened.forKey('old-key-000001')?.end?.result).toBe('second');
  });

  it('refuses a malformed idempotency key, naming the field', async () => {
    const { services } = countingServices();
    await expect(visits.startVisit(services, OUTPATIENT, 'short')).rejects.toMatchObject({ field: 'input.idempotencyKey' });
  });

  it('keeps ID numbers out of the journal', async () => {
    const path = journalFile();
    const { services } = countingServices(path);
    services.simulator!.insertProfessionalCard('PHYSICIAN');
    await services.cards.verifyProfessionalPin();
    const visit = await visits.startVisit(services, OUTPATIENT, 'visit-key-noid');
    const written = await visits.writeTreatment(services, {
      visitTimeRoc: visit.visitTimeRoc, idNumber: 'A123456789', birthDate: '1980-05-12', lateCard: false,
      diagnoses: ['J069'], fees: null, layout: 'ICD10', combined: false, idempotencyKey: 'write-key-noid',
    });
    expect(written.doctorIdNumber).toBe('A223456781');
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('A123456789');
    expect(text).not.toContain('A223456781');
  });
});
