/**
 * Where one subscription stands in a resumable stream (docs/protocol.md). The transport fills `after` from
 * the client (SSE `Last-Event-ID`, or `extensions.lastEventId` in a graphql-ws subscribe); the stream says how
 * the resume went and, as each item is handed out, which id it carries, so the transport can label it.
 */
export type ResumeOutcome =
  /**
   * Every item the gateway recorded after `after` was replayed. It records while somebody subscribes and for
   * the replay window after the last one leaves, so within that window nothing was lost.
   */
  | 'REPLAYED'
  /** `after` was unknown (another gateway run) or too old: items may have been lost; the current state follows. */
  | 'GAP';

export interface StreamCursor {
  /** The last id the client saw, or null for a fresh subscription. */
  readonly after: string | null;
  /** Set by the stream when `after` was given. */
  resume: ResumeOutcome | null;
  /** The item most recently handed out: its id and whether it is a replay of something published earlier. */
  current: { readonly id: string; readonly replayed: boolean } | null;
}

/** Longest id accepted from a client; anything longer cannot be one of ours. */
export const MAX_EVENT_ID_LENGTH = 64;

export function createStreamCursor(after: string | null | undefined): StreamCursor {
  const valid = typeof after === 'string' && after.length > 0 && after.length <= MAX_EVENT_ID_LENGTH;
  return { after: valid ? after : null, resume: null, current: null };
}
