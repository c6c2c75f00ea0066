/**
 * The embedded simulator as the schema sees it: its test cards by key (the `SimulatedCard` and
 * `SimulatedProfessionalCard` enums) and the controls a rehearsing developer uses. The simulator adapter
 * (src/adapters/simulator/) implements the controls and holds each card's fictitious data under these keys.
 */

/** The test health cards, each exercising an edge case a registration screen must handle. */
export const SIMULATED_CARDS = {
  STANDARD: 'An ordinary insured adult with visits left',
  RARE_CHARACTER_NAME: 'A name with a rare character from the Big5 user-defined area (造字)',
  NEWBORN_ATTACHED: "A mother's card carrying a newborn attachment (新生兒依附), born 15 days ago",
  EXPIRED: 'A card past its validity date: reads work, registration fails with 5003',
  NO_VISITS_LEFT: 'No remaining visits: registration fails with 5001 until the card is updated',
  CANCELLED: 'A cancelled card (註銷): registration fails with 5002',
  NOT_INSURED: 'Coverage suspended: the real-time insurance check fails with 9094',
} as const;

export type SimulatedCardKey = keyof typeof SIMULATED_CARDS;

/** The test professional cards. */
export const SIMULATED_PROFESSIONAL_CARDS = {
  PHYSICIAN: 'A physician card (醫師卡)',
  PHARMACIST: 'A pharmacist card (藥師卡): allergy writes and critical-illness codes are refused with 9100',
} as const;

export type SimulatedProfessionalCardKey = keyof typeof SIMULATED_PROFESSIONAL_CARDS;

/** A test card as listed to clients: its key and what it exercises (no card data). */
export interface SimulatedCardDescription {
  readonly key: string;
  readonly description: string;
}

/**
 * The gateway's own codes a control-software call can end with on a real backend (resolvers/field-errors.ts,
 * CARD_STACK), which the simulator can force for rehearsal. The others come from other layers and are
 * rehearsed there: CARD_CHANGED by swapping cards, the journal's codes by reusing an idempotency key, the Web
 * API's with the Web API stand-in.
 */
export const FORCIBLE_GATEWAY_CODES = [
  'CALL_TIMEOUT',
  'CONTROL_SOFTWARE_UNAVAILABLE',
  'CONTROL_SOFTWARE_TOO_OLD',
  'MISSING_EXPORT',
  'CARD_REMOVED',
  'NOT_AN_NHI_CARD',
  'CARD_IN_USE',
  'READER_NOT_FOUND',
  'ACTION_PENDING',
  'NOT_SUPPORTED_BY_BACKEND',
  'PCSC_UNAVAILABLE',
] as const;

export type ForcibleGatewayCode = (typeof FORCIBLE_GATEWAY_CODES)[number];

/** What the simulator's GraphQL controls may do. */
export interface SimulatorControls {
  readonly patients: readonly SimulatedCardDescription[];
  readonly professionals: readonly SimulatedCardDescription[];
  insertHealthCard(patientKey: string): void;
  removeHealthCard(): void;
  insertProfessionalCard(professionalKey: string): void;
  removeProfessionalCard(): void;
  /** Make every later call of `functionName` return `rc` without doing anything; null clears it. */
  forceReturnCode(functionName: string, rc: number | null): void;
  /**
   * Make every later call of `functionName` fail with one of the gateway's own codes (e.g. CALL_TIMEOUT,
   * CARD_REMOVED) as the real backend raises it, without doing anything; null clears it.
   */
  forceGatewayCode(functionName: string, code: ForcibleGatewayCode | null): void;
  /** Back to power-on: no cards, SAM not authenticated, no forced codes. */
  reset(): void;
  /** Called after every state change that could move a light (insert, remove, authenticate, PIN). */
  onChange(listener: () => void): () => void;
  /** Number of card writes recorded for a visit (tests use it to prove nothing is written twice). */
  writeCount(visitTimeRoc: string): number;
}
