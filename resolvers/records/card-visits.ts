/**
 * `cardVisits`: the visit records the card holds (1.5, the ring of 6) joined, by visit time, with what the
 * card-write journal remembers of them (treatment IDs still pending, diagnoses and prescriptions written,
 * cancellations), so a HIS can pick up where it was after its own crash. The journal keeps results, not inputs
 * (src/domain/idempotent-writes.ts), so what is joined is what the writes returned.
 */
import type { GatewayServices } from '../../src/context.ts';
import type { CardVisitRecord } from '../../src/domain/types.ts';
import type { JournalEntry } from '../../src/domain/card-write-journal.ts';
import { recordsOf } from './records-port.ts';

/** What the journal knows of one visit (by its 13-digit ROC time). */
export interface JournalVisit {
  readonly visitTimeRoc: string;
  readonly registeredByGateway: boolean;
  readonly treatmentId: string | null;
  readonly treatmentIdPending: boolean;
  readonly diagnosesWrittenAt: string | null;
  readonly prescriptionsWritten: number;
  readonly cancelledAt: string | null;
}

export interface CardVisitEntry {
  readonly card: CardVisitRecord;
  readonly journal: JournalVisit | null;
}

export interface CardVisits {
  /**
   * Only visits the inserted card holds: the journal does not record whose card a write was for, so listing the
   * journal's other visits could show another patient's.
   */
  readonly visits: readonly CardVisitEntry[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function resultOf(entry: JournalEntry): Record<string, unknown> | null {
  const result = entry.end?.outcome === 'OK' ? entry.end.result : null;
  return result && typeof result === 'object' ? (result as Record<string, unknown>) : null;
}

/** Folds the journal's successful visit operations into one view per visit time. */
export function journalVisits(entries: readonly JournalEntry[]): Map<string, JournalVisit> {
  const byTime = new Map<string, Mutable<JournalVisit>>();
  const at = (roc: string) => {
    let v = byTime.get(roc);
    if (!v) {
      v = {
        visitTimeRoc: roc,
        registeredByGateway: false,
        treatmentId: null,
        treatmentIdPending: false,
        diagnosesWrittenAt: null,
        prescriptionsWritten: 0,
        cancelledAt: null,
      };
      byTime.set(roc, v);
    }
    return v;
  };
  for (const entry of entries) {
    const result = resultOf(entry);
    const roc = typeof result?.['visitTimeRoc'] === 'string' ? (result['visitTimeRoc'] as string) : null;
    if (!result || !roc) continue;
    const v = at(roc);
    switch (entry.begin.op) {
      case 'startVisit':
        v.registeredByGateway = true;
        v.treatmentId = (result['treatmentId'] as string | null) ?? null;
        v.treatmentIdPending = result['treatmentIdPending'] === true;
        break;
      case 'treatmentIdForVisit':
        // Completed later: the visit's treatment ID is no longer pending.
        v.treatmentId = (result['treatmentId'] as string | null) ?? v.treatmentId;
        v.treatmentIdPending = false;
        break;
      case 'writeTreatment':
        v.diagnosesWrittenAt = entry.end?.at ?? null;
        break;
      case 'writePrescriptions':
        v.prescriptionsWritten += Array.isArray(result['prescriptions']) ? result['prescriptions'].length : 0;
        break;
      case 'cancelVisit':
        v.cancelledAt = (result['cancelledAt'] as string | undefined) ?? entry.end?.at ?? null;
        break;
    }
  }
  return byTime;
}

export async function cardVisits(services: GatewayServices): Promise<CardVisits> {
  const history = await recordsOf(services).treatmentHistory();
  const known = journalVisits(services.writes.remembered());
  return { visits: history.visits.map((card) => ({ card, journal: known.get(card.visitTimeRoc) ?? null })) };
}
