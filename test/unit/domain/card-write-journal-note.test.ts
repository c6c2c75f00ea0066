/**
 * Journal notes (src/domain/card-write-journal.ts NoteRecord): an operation that touched no card, recorded in one
 * line, is remembered across a reopen, is never an unresolved write, and follows the same retention and privacy
 * rules as begin/end pairs (its result leaves the file once the retention has passed, `.previous` keeps none).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardWriteJournal } from '../../../src/domain/card-write-journal.ts';

const HOUR = 60 * 60 * 1000;
const RESULT = { visitTimeRoc: '1151202093000', treatmentId: 'IC0123456789', source: 'CONTROL_SOFTWARE_1_56' };

describe('journal notes', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('are one finished operation, remembered after a reopen, never unresolved', async () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-note-'));
    const path = join(dir, 'j.jsonl');
    const clock = { now: new Date('2026-12-02T01:00:00Z') };
    const journal = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    await journal.note({ op: 'treatmentIdForVisit', inputHash: 'h', result: RESULT });
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ t: 'note', op: 'treatmentIdForVisit', result: RESULT });

    const reopened = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    expect(reopened.unresolved()).toEqual([]);
    const [entry] = reopened.remembered();
    expect(entry?.begin).toMatchObject({ op: 'treatmentIdForVisit', key: null });
    expect(entry?.end).toMatchObject({ outcome: 'OK', result: RESULT });
  });

  it('lose their result past the retention, and .previous keeps none', async () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-note-'));
    const path = join(dir, 'j.jsonl');
    const clock = { now: new Date('2026-12-02T01:00:00Z') };
    const journal = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    await journal.note({ op: 'treatmentIdForVisit', inputHash: 'h', result: RESULT });
    clock.now = new Date(clock.now.getTime() + 2 * HOUR);
    const later = CardWriteJournal.open({ path, now: () => clock.now, retentionMs: HOUR });
    expect(later.remembered()).toEqual([]);
    expect(later.compaction).not.toBeNull();
    expect(readFileSync(path, 'utf8')).not.toContain(RESULT.treatmentId);
    expect(readFileSync(`${path}.previous`, 'utf8')).not.toContain(RESULT.treatmentId);
  });
});
