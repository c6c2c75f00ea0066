/**
 * The access token: 32 random bytes (base64url) generated at first start into a file only this user can
 * read. Whoever can read the file is already this Windows/Unix user, so the token separates "this user's
 * HIS" from other web pages and other users of a shared workstation, without certificates or prompts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dataDirectory } from '../paths.ts';

export const TOKEN_FILE = 'token';
/** 32 bytes in base64url without padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Tokens handed over in code (tests, embedding) must be at least this long. */
export const MIN_TOKEN_LENGTH = 32;

/** `%LOCALAPPDATA%\nhi-gateway\token` on Windows, `$XDG_STATE_HOME/nhi-gateway/token` (or ~/.local/state/…) elsewhere. */
export function defaultTokenPath(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): string {
  return join(dataDirectory(env, platform), TOKEN_FILE);
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface LoadedToken {
  readonly token: string;
  readonly path: string;
  /** True when this start generated the file. */
  readonly created: boolean;
  /** Things the operator should know (e.g. permissions were tightened); never the token. */
  readonly warnings: readonly string[];
}

/**
 * Reads the token file, or creates it (exclusively, so two gateways starting at once agree on one token).
 * POSIX: the file is 0600 and its folder 0700; a file readable by others is tightened and reported.
 * Windows: the file lives in the user's profile (%LOCALAPPDATA%), whose inherited NTFS ACL grants only the
 * user, SYSTEM and Administrators; it is also marked read-only so a stray editor does not change it.
 * Throws an Error with a message for the operator when the file cannot be read, created or is not a token.
 */
export function loadOrCreateToken(path: string, options: { platform?: NodeJS.Platform } = {}): LoadedToken {
  const platform = options.platform ?? process.platform;
  const warnings: string[] = [];
  let created = false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw tokenFileError(path, error);
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, `${generateToken()}\n`, { mode: 0o600, flag: 'wx' });
      created = true;
      if (platform === 'win32') chmodSync(path, 0o444); // the read-only attribute
    } catch (createError) {
      // Another gateway created it between our read and write: use that one.
      if ((createError as NodeJS.ErrnoException).code !== 'EEXIST') throw tokenFileError(path, createError);
    }
    text = readFileSync(path, 'utf8');
  }
  const token = text.trim();
  if (!TOKEN_PATTERN.test(token)) {
    throw new Error(`${path} does not hold a gateway token (43 base64url characters); delete the file to generate a new one`);
  }
  if (platform !== 'win32') {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      chmodSync(path, 0o600);
      warnings.push(
        `token file ${path} was readable by other users (mode ${mode.toString(8)}); it is now 0600 — delete it and restart to rotate the token`,
      );
    }
  }
  return { token, path, created, warnings };
}

function tokenFileError(path: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`cannot read or create the token file ${path} (${reason}); use --token-file to put it elsewhere`, { cause: error });
}

/** Compares in constant time for tokens of the expected length (see {@link createTokenMatcher}). */
export function tokenMatches(expected: string, presented: string): boolean {
  return createTokenMatcher(expected)(presented);
}

/**
 * {@link tokenMatches} with the expected token prepared once: the gateway checks the same token on every
 * request. A presented token of another length is refused at once, which reveals only the token's length,
 * and that is public (43 characters for every generated token). One of the same length is compared over
 * every character, whatever differs where, so the time taken says nothing about how much of it was right.
 * (No Buffer per request, and no hash: this runs for every operation.)
 */
export function createTokenMatcher(expected: string): (presented: string) => boolean {
  const expectedCodes = new Uint16Array(expected.length);
  for (let i = 0; i < expected.length; i++) expectedCodes[i] = expected.charCodeAt(i);
  return (presented) => {
    if (presented.length !== expectedCodes.length) return false;
    let difference = 0;
    for (let i = 0; i < expectedCodes.length; i++) difference |= presented.charCodeAt(i) ^ expectedCodes[i]!;
    return difference === 0;
  };
}

export type PresentedToken =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  /** Something was sent but it is not `Bearer <token>` (e.g. Basic credentials): refused as TOKEN_INVALID. */
  | { readonly kind: 'malformed' };

/** Parses an Authorization header value or a graphql-ws `connectionParams.authorization`. */
export function parseAuthorization(value: unknown): PresentedToken {
  if (value === undefined || value === null || value === '') return { kind: 'none' };
  if (typeof value !== 'string') return { kind: 'malformed' };
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1] ? { kind: 'bearer', token: match[1] } : { kind: 'malformed' };
}
