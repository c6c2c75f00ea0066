import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardWriteJournal, type JournalRecord } from '../../../src/domain/card-write-journal.ts';
import { openJournal } from '../../../src/services.ts';

const HOUR = 60 * 60 * 1000;
const journalFile = () => join(mkdtempSync(join(tmpdir(), 'nhi-journal-')), 'card-writes.jsonl');
const recordsIn = (path: string): JournalRecord[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as JournalRecord);

/** A day's history: three finished writes long ago, one interrupted write long ago, one recent finished write. */
async function history(path: string, clock: { now: Date }) {
  const journal = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
  const old: string[] = [];
  for (const key of ['old-key-000001', 'old-key-000002', 'old-key-000003']) {
    const begin = await journal.begin({ op: 'startVisit', key, inputHash: 'h' });
    await journal.end(begin.id, 'OK', { result: { seqNumber: key.slice(-4) } });
    old.push(begin.id);
  }
  const interrupted = await journal.begin({ op: 'writeTreatment', key: 'crashed-key-0001', inputHash: 'h2' });
  clock.now = new Date(clock.now.getTime() + 1.5 * HOUR);
  const recent = await journal.begin({ op: 'startVisit', key: 'recent-key-0001', inputHash: 'h3' });
  await journal.end(recent.id, 'OK', { result: { seqNumber: '0009' } });
  return { old, interrupted, recent };
}

describe('card-write journal file', () => {
  it('compacts a large file at open to what is still remembered, keeping the old records once as .previous without results', async () => {
    const path = journalFile();
    const clock = { now: new Date('2026-11-26T08:00:00Z') };
    const { old, interrupted, recent } = await history(path, clock);
    const before = readFileSync(path, 'utf8');
    clock.now = new Date(clock.now.getTime() + 0.5 * HOUR);

    const reopened = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR, compactAboveBytes: 0 });

    expect(reopened.compaction).toMatchObject({ recordsDropped: 6, bytesBefore: Buffer.byteLength(before), previousPath: `${path}.previous` });
    const withoutResults = before
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        const { result: _r, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      });
    expect(recordsIn(`${path}.previous`)).toEqual(withoutResults);
    expect(readFileSync(`${path}.previous`, 'utf8')).not.toMatch(/seqNumber|old-key/);
    // The interrupted write (however old) and the recent one stay, records intact and in order.
    expect(recordsIn(path).map((r) => [r.t, r.id])).toEqual([
      ['begin', interrupted.id],
      ['begin', recent.id],
      ['end', recent.id],
    ]);
    expect(reopened.compaction?.bytesAfter).toBe(readFileSync(path).byteLength);
    expect(existsSync(`${path}.compacting`)).toBe(false);
    for (const id of old) expect(recordsIn(path).some((r) => r.id === id)).toBe(false);

    // Opening the compacted file gives the same state as the full one did.
    const again = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    expect(again.compaction).toBeNull();
    expect(again.unresolved().map((e) => e.begin.id)).toEqual([interrupted.id]);
    expect(again.forKey('recent-key-0001')?.end?.result).toEqual({ seqNumber: '0009' });
    expect(again.forKey('old-key-000001')).toBeUndefined();
    // And it goes on appending after the compacted records.
    const next = await again.begin({ op: 'cancelVisit', key: 'next-key-00001', inputHash: 'h4' });
    expect(recordsIn(path).at(-1)).toMatchObject({ t: 'begin', id: next.id });
  });

  it('leaves a file under the size threshold as it is (default 1 MiB) when nothing past the retention holds a result', async () => {
    const path = journalFile();
    const clock = { now: new Date('2026-11-26T08:00:00Z') };
    const journal = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    const failed = await journal.begin({ op: 'startVisit', key: 'failed-key-0001', inputHash: 'h' });
    await journal.end(failed.id, 'ERROR', { error: { code: 'HEALTH_CARD_NOT_INSERTED', vendorCode: null, retryable: true } });
    const before = readFileSync(path, 'utf8');
    clock.now = new Date(clock.now.getTime() + 10 * HOUR);
    const reopened = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    expect(reopened.compaction).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(existsSync(`${path}.previous`)).toBe(false);
  });

  it('drops results (treatment IDs, signatures) settled past the retention at open, however small the file', async () => {
    const path = journalFile();
    const clock = { now: new Date('2026-11-26T08:00:00Z') };
    const journal = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    const settled = await journal.begin({ op: 'startVisit', key: 'settled-key-01', inputHash: 'h' });
    await journal.end(settled.id, 'OK', { result: { treatmentId: 'IC-TREATMENT-1', signature: 'SIG-0123456789' } });
    // Within the retention the result must stay: the key replays it.
    expect(CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR }).forKey('settled-key-01')?.end?.result).toMatchObject({ treatmentId: 'IC-TREATMENT-1' });
    clock.now = new Date(clock.now.getTime() + 2 * HOUR);
    const reopened = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    expect(reopened.compaction).not.toBeNull();
    for (const file of [path, `${path}.previous`]) expect(readFileSync(file, 'utf8'), file).not.toMatch(/IC-TREATMENT-1|SIG-0123456789/);
  });

  it('stores idempotency keys only as HMAC-SHA256 under a 0600 per-install secret, and still finds them', async () => {
    const path = journalFile();
    const journal = CardWriteJournal.open({ path });
    const begin = await journal.begin({ op: 'startVisit', key: 'visit-A123456789-0001', inputHash: 'h' });
    await journal.end(begin.id, 'OK', { result: { seqNumber: '0001' } });
    expect(readFileSync(path, 'utf8')).not.toContain('A123456789');
    expect(recordsIn(path)[0]).toMatchObject({ key: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) as unknown });
    expect(journal.plainKey(journal.forKey('visit-A123456789-0001')!)).toBe('visit-A123456789-0001');
    const { mode } = statSync(`${path}.key`);
    expect(mode & 0o777).toBe(0o600);
    const reopened = CardWriteJournal.open({ path });
    expect(reopened.forKey('visit-A123456789-0001')?.begin.id).toBe(begin.id);
    expect(reopened.plainKey(reopened.entry(begin.id)!)).toBeNull();
    // Another install (another secret) hashes the same key differently.
    const elsewhere = journalFile();
    await CardWriteJournal.open({ path: elsewhere }).begin({ op: 'startVisit', key: 'visit-A123456789-0001', inputHash: 'h' });
    expect(recordsIn(elsewhere)[0]!.t === 'begin' && recordsIn(elsewhere)[0]).not.toEqual(recordsIn(path)[0]);
  });

  it('rewrites a journal from an older version that kept keys verbatim', async () => {
    const path = journalFile();
    const id = '00000000-0000-4000-8000-000000000001';
    appendFileSync(path, `${JSON.stringify({ t: 'begin', id, op: 'startVisit', key: 'visit-A123456789-0002', inputHash: 'h', at: new Date().toISOString() })}\n`);
    const journal = CardWriteJournal.open({ path });
    expect(journal.unresolved().map((e) => e.begin.id)).toEqual([id]);
    expect(journal.forKey('visit-A123456789-0002')?.begin.id).toBe(id);
    for (const file of [path, `${path}.previous`]) expect(readFileSync(file, 'utf8'), file).not.toContain('A123456789');
  });

  it('does not rewrite a large file that has nothing to drop', async () => {
    const path = journalFile();
    const clock = { now: new Date('2026-11-26T08:00:00Z') };
    await history(path, clock);
    const before = readFileSync(path, 'utf8');
    const reopened = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: 100 * HOUR, compactAboveBytes: 0 });
    expect(reopened.compaction).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('goes on with the file as it is when compacting fails, and says why', async () => {
    const path = journalFile();
    const clock = { now: new Date('2026-11-26T08:00:00Z') };
    await history(path, clock);
    const before = readFileSync(path, 'utf8');
    mkdirSync(`${path}.compacting`); // the new file cannot be created
    clock.now = new Date(clock.now.getTime() + 10 * HOUR);
    const reopened = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR, compactAboveBytes: 0 });
    expect(reopened.compaction).toBeNull();
    expect(reopened.compactionError).toBe('EISDIR');
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(reopened.unresolved()).toHaveLength(1);
  });

  it('ends a torn last line at open, so the next record is not appended onto it', async () => {
    const path = journalFile();
    const clock = { now: new Date('2026-11-26T08:00:00Z') };
    const journal = CardWriteJournal.open({ path, now: () => clock.now });
    const begin = await journal.begin({ op: 'startVisit', key: 'torn-key-000001', inputHash: 'h' });
    appendFileSync(path, `{"t":"end","id":"${begin.id}","at":"2026-11-26T08:0`); // the crash, mid-append
    const reopened = CardWriteJournal.open({ path, now: () => clock.now });
    expect(reopened.unresolved().map((e) => e.begin.id)).toEqual([begin.id]);
    const next = await reopened.begin({ op: 'startVisit', key: 'after-key-00001', inputHash: 'h2' });
    const third = CardWriteJournal.open({ path, now: () => clock.now });
    expect(third.entry(next.id)?.begin.key).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(third.forKey('after-key-00001')?.begin.id).toBe(next.id);
    expect(third.unresolved().map((e) => e.begin.id)).toEqual([begin.id, next.id]);
  });

  it('compacts a file over 1 MiB at the gateway\'s start and says so in the log', () => {
    const path = journalFile();
    // Months of finished writes, from long before the 24-hour retention.
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      lines.push(JSON.stringify({ t: 'begin', id, op: 'writeTreatment', key: `key-${String(i).padStart(10, '0')}`, inputHash: 'h'.repeat(64), at }));
      lines.push(JSON.stringify({ t: 'end', id, at, outcome: 'OK', result: { written: true } }));
    }
    appendFileSync(path, `${lines.join('\n')}\n`);
    const logged: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
    const note = (msg: string, fields?: Record<string, unknown>) => void logged.push({ msg, fields });
    const journal = openJournal({ journalPath: path, logger: { debug: note, info: note, warn: note, error: note } });
    expect(journal.unresolved()).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe('');
    expect(logged).toEqual([
      {
        msg: 'card-write journal compacted',
        fields: expect.objectContaining({ recordsDropped: 10_000, bytesAfter: 0, previousPath: `${path}.previous` }) as unknown,
      },
    ]);
  });
});
