/** The token file (first start, permissions, a second start, damage) and token checks. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTokenPath, generateToken, loadOrCreateToken, parseAuthorization, tokenMatches } from '../../../src/security/token.ts';

const posix = process.platform !== 'win32';
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const fresh = (): string => (dir = mkdtempSync(join(tmpdir(), 'nhi-token-')));

describe('the token file', () => {
  it('is created at first start with 32 random bytes, readable by the user only, and kept after', () => {
    const path = join(fresh(), 'state', 'nhi-gateway', 'token');
    const first = loadOrCreateToken(path);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(first.token, 'base64url')).toHaveLength(32);
    expect(readFileSync(path, 'utf8').trim()).toBe(first.token);
    if (posix) {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    }
    const again = loadOrCreateToken(path);
    expect(again).toMatchObject({ token: first.token, created: false, warnings: [] });
    expect(generateToken()).not.toBe(first.token);
  });

  it.skipIf(!posix)('tightens a token file others could read, and says so without printing the token', () => {
    const path = join(fresh(), 'token');
    const { token } = loadOrCreateToken(path);
    chmodSync(path, 0o644);
    const loaded = loadOrCreateToken(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loaded.warnings.join(' ')).toMatch(/readable by other users/);
    expect(loaded.warnings.join(' ')).not.toContain(token);
  });

  it('marks the file read-only on Windows (its folder’s inherited NTFS ACL does the rest)', () => {
    const path = join(fresh(), 'token');
    loadOrCreateToken(path, { platform: 'win32' });
    if (posix) expect(statSync(path).mode & 0o222).toBe(0);
    expect(loadOrCreateToken(path, { platform: 'win32' }).created).toBe(false);
  });

  it('refuses a file that does not hold a token, naming the fix', () => {
    const path = join(fresh(), 'token');
    writeFileSync(path, 'password123\n', { mode: 0o600 });
    expect(() => loadOrCreateToken(path)).toThrow(/does not hold a gateway token.*delete the file/);
  });

  it('lives in the per-user data folder by default', () => {
    expect(defaultTokenPath({ LOCALAPPDATA: 'C:\\Users\\desk1\\AppData\\Local' }, 'win32')).toMatch(/AppData.Local.nhi-gateway.token$/);
    expect(defaultTokenPath({ XDG_STATE_HOME: '/home/desk1/.state' }, 'linux')).toBe('/home/desk1/.state/nhi-gateway/token');
    expect(defaultTokenPath({ NHI_GATEWAY_DATA_DIR: '/srv/gw' }, 'linux')).toBe('/srv/gw/token');
  });
});

describe('token checks', () => {
  it('compares tokens exactly', () => {
    const token = generateToken();
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${token} `)).toBe(false);
    expect(tokenMatches(token, token.slice(0, -1))).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    // Same length, one character off (first or last): still refused.
    const other = (c: string | undefined): string => (c === 'A' ? 'B' : 'A');
    expect(tokenMatches(token, `${token.slice(0, -1)}${other(token.at(-1))}`)).toBe(false);
    expect(tokenMatches(token, `${other(token[0])}${token.slice(1)}`)).toBe(false);
    // Same length, with a character outside ASCII: refused like any other mismatch.
    expect(tokenMatches(token, `${token.slice(0, -1)}é`)).toBe(false);
  });

  it('reads Bearer credentials and calls anything else malformed', () => {
    expect(parseAuthorization(undefined)).toEqual({ kind: 'none' });
    expect(parseAuthorization('')).toEqual({ kind: 'none' });
    expect(parseAuthorization('Bearer abc')).toEqual({ kind: 'bearer', token: 'abc' });
    expect(parseAuthorization('  bearer   abc ')).toEqual({ kind: 'bearer', token: 'abc' });
    expect(parseAuthorization('Basic YWJj')).toEqual({ kind: 'malformed' });
    expect(parseAuthorization('Bearer a b')).toEqual({ kind: 'malformed' });
    expect(parseAuthorization({ token: 'abc' })).toEqual({ kind: 'malformed' });
  });
});
