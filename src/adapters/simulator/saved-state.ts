/**
 * The simulator's workstation kept across a gateway restart (docs/simulator.md): which test cards are in the
 * readers and what the rehearsal wrote on each (visits, counters, records), as a real card keeps them when the
 * gateway restarts. Patients are stored by their built-in key only (never an ID number or a name); nothing
 * else about a person is in the file. Power-on state is not kept: SAM and PIN authentication, forced codes.
 *
 * One JSON file in the private data folder, written 0600 through a temporary file and a rename, so a crash
 * leaves the old or the new file, never half of one.
 */
import { readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';

/** Bumped when the shape changes; a file of another version is ignored (the simulator starts empty). */
export const SAVED_STATE_VERSION = 1;

export interface SavedVisit {
  readonly visitTimeRoc: string;
  readonly startedAt: string;
  readonly category: string;
  readonly seqNumber: number;
  readonly treatmentId: string;
  readonly cancelled: boolean;
  readonly writes: readonly string[];
  readonly newborn: boolean;
  readonly lateCard: boolean;
}

/** The card-record areas (card-records.ts) as plain data; `pinVerified` is power-on state and not kept. */
export interface SavedRecords {
  readonly outpatient: readonly unknown[];
  readonly longTerm: readonly unknown[];
  readonly importantOrders: readonly unknown[];
  readonly allergies: readonly string[];
  readonly vaccinations: readonly unknown[];
  readonly preventiveCare: readonly unknown[];
  readonly prenatal: readonly unknown[];
  readonly criticalIllnesses: readonly unknown[];
  readonly organDonation: string;
  readonly emergencyPhone: string | null;
  readonly pinSet: boolean;
  readonly newborn: { readonly birthDateRoc: string; readonly birthOrder: string } | null;
}

export interface SavedCard {
  /** The built-in test card's key (patients.ts), e.g. STANDARD. */
  readonly patient: string;
  readonly remainingVisits: number;
  readonly lastSeqNumber: number;
  readonly validUntilRoc: string | null;
  readonly visits: readonly SavedVisit[];
  readonly records: SavedRecords;
}

export interface SavedWorkstation {
  readonly version: typeof SAVED_STATE_VERSION;
  /** Keys of the cards in the readers, or null. */
  readonly healthCard: string | null;
  readonly professionalCard: string | null;
  readonly lastVisitSecond: number | null;
  readonly cards: readonly SavedCard[];
}

export type LoadedState = { readonly state: SavedWorkstation } | { readonly state: null; readonly problem: string | null };

/** Reads the saved workstation; a missing file is a first start, anything unreadable is reported and ignored. */
export function loadSavedState(path: string): LoadedState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: null, problem: null };
    return { state: null, problem: `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    // A file copied in with looser permissions is private again from now on (it is rewritten 0600 anyway).
    chmodSync(path, 0o600);
  } catch {
    // not ours to change (another owner): reading it is still fine
  }
  try {
    const parsed = JSON.parse(text) as Partial<SavedWorkstation>;
    if (parsed.version !== SAVED_STATE_VERSION || !Array.isArray(parsed.cards)) {
      return { state: null, problem: `unknown format (version ${String(parsed.version)})` };
    }
    return { state: parsed as SavedWorkstation };
  } catch {
    return { state: null, problem: 'not valid JSON' };
  }
}

/** Writes the workstation (0600) atomically. */
export function writeSavedState(path: string, state: SavedWorkstation): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  // The mode of `writeFileSync` applies only to a new file: an old temporary keeps its own.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
