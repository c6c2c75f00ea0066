/**
 * The pure parts of the card-record resolvers: the journal fold behind cardVisits (resolvers/records/card-visits.ts)
 * and the backend check (resolvers/records/records-port.ts).
 */
import { describe, expect, it } from 'vitest';
import { journalVisits } from '../../../resolvers/records/card-visits.ts';
import { recordsOf } from '../../../resolvers/records/records-port.ts';
import { GatewayError } from '../../../src/errors/gateway-errors.ts';
import type { JournalEntry } from '../../../src/domain/card-write-journal.ts';
import type { CardStack } from '../../../src/ports/card-stack.ts';

let n = 0;
const entry = (op: string, outcome: 'OK' | 'ERROR' | null, result?: unknown): JournalEntry => {
  const id = `e${++n}`;
  return {
    begin: { t: 'begin', id, op, key: null, inputHash: 'h', at: '2026-03-01T01:00:00.000Z' },
    end: outcome === null ? null : { t: 'end', id, at: '2026-03-01T01:30:00.000Z', outcome, ...(result === undefined ? {} : { result }) },
    resolution: null,
  } as JournalEntry;
};

describe('journalVisits', () => {
  const A = '1150301090000';
  const B = '1150301100000';

  it('folds registrations, treatment writes, prescriptions and cancellations by visit time', () => {
    const folded = journalVisits([
      entry('startVisit', 'OK', { visitTimeRoc: A, treatmentId: null, treatmentIdPending: true }),
      entry('writeTreatment', 'OK', { visitTimeRoc: A, apis: ['1.16'] }),
      entry('writePrescriptions', 'OK', { visitTimeRoc: A, prescriptions: [{}, {}] }),
      entry('writePrescriptions', 'OK', { visitTimeRoc: A, prescriptions: [{}] }),
      entry('startVisit', 'OK', { visitTimeRoc: B, treatmentId: 'T1', treatmentIdPending: false }),
      entry('cancelVisit', 'OK', { visitTimeRoc: B, cancelledAt: '2026-03-01T02:10:00.000Z' }),
    ]);
    expect(folded.get(A)).toEqual({
      visitTimeRoc: A,
      registeredByGateway: true,
      treatmentId: null,
      treatmentIdPending: true,
      diagnosesWrittenAt: '2026-03-01T01:30:00.000Z',
      prescriptionsWritten: 3,
      cancelledAt: null,
    });
    expect(folded.get(B)).toMatchObject({ treatmentId: 'T1', treatmentIdPending: false, cancelledAt: '2026-03-01T02:10:00.000Z' });
  });

  it('completes a pending treatment ID with the one fetched later (treatmentIdForVisit)', () => {
    const folded = journalVisits([
      entry('startVisit', 'OK', { visitTimeRoc: A, treatmentId: null, treatmentIdPending: true }),
      entry('treatmentIdForVisit', 'OK', { visitTimeRoc: A, treatmentId: 'T2', source: 'CONTROL_SOFTWARE_1_56' }),
    ]);
    expect(folded.get(A)).toMatchObject({ registeredByGateway: true, treatmentId: 'T2', treatmentIdPending: false });
  });

  it('ignores failed and unfinished operations and results without a visit time', () => {
    const folded = journalVisits([
      entry('writeTreatment', 'ERROR'),
      entry('writePrescriptions', null),
      entry('writeAllergies', 'OK', { slots: [1] }),
    ]);
    expect(folded.size).toBe(0);
  });
});

describe('recordsOf', () => {
  it('answers NOT_SUPPORTED_BY_BACKEND on a backend without the control software (PC/SC)', () => {
    const cards = { records: null } as unknown as CardStack;
    expect(() => recordsOf({ cards })).toThrow(GatewayError);
    try {
      recordsOf({ cards });
    } catch (error) {
      expect((error as GatewayError).code).toBe('NOT_SUPPORTED_BY_BACKEND');
    }
  });
});
