/**
 * The pairings of HIS web pages as the schema sees them: list and revoke (src/security/pairings.ts keeps
 * them). No tokens here, only what the owner needs to recognise a pairing.
 */
export interface PairingInfo {
  readonly id: string;
  /** `scheme://host[:port]` the pairing token is bound to. */
  readonly origin: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface PairingRegistry {
  list(): PairingInfo[];
  /** False when there is no pairing with that id. */
  revoke(id: string): boolean;
}
