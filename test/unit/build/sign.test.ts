/**
 * build/lib/sign.ts with real osslsigncode and openssl: the throwaway certificate in CI, a release
 * certificate taken from NHI_SIGN_PFX/NHI_SIGN_PASS, NHI_SIGN_REQUIRE refusing to fall back, and every
 * signature verified (a tampered file fails).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDetached, signFile, signingIdentity, SigningError, throwawayIdentity, verifyDetached, verifyFile } from '../../../build/lib/sign.ts';
import { ensureFixtureBuilt, mingwInstalled, WIN_X64_DLL } from '../../integration/cshis/helpers.ts';

const tools = (() => {
  try {
    execFileSync('osslsigncode', ['--version'], { stdio: 'ignore' });
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return mingwInstalled();
  } catch {
    return false;
  }
})();

describe.skipIf(!tools)(`signing${tools ? '' : ' (pending: osslsigncode, openssl or mingw-w64 not installed)'}`, () => {
  let work: string;
  beforeAll(() => {
    ensureFixtureBuilt(); // a small PE to sign: the mingw-built test CSHIS.dll
    work = mkdtempSync(join(tmpdir(), 'nhi-sign-'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('signs a PE with the throwaway certificate and verifies it; a changed byte fails verification', () => {
    const identity = signingIdentity({}, join(work, 'ci'));
    expect(identity.kind).toBe('throwaway');
    const pe = join(work, 'a.dll');
    copyFileSync(WIN_X64_DLL, pe);
    signFile(pe, identity);
    expect(verifyFile(pe, identity.caFile)).toMatch(/Signature verification: ok/);
    const bytes = readFileSync(pe);
    bytes[0x200] = bytes[0x200]! ^ 0xff;
    writeFileSync(pe, bytes);
    expect(() => verifyFile(pe, identity.caFile)).toThrow(SigningError);
  });

  it('takes the release certificate from NHI_SIGN_PFX/NHI_SIGN_PASS, and signs the sums with it', () => {
    const pfx = throwawayIdentity(join(work, 'release-source')).pfx; // any PKCS#12 will do as "the release certificate"
    const env = { NHI_SIGN_PFX: pfx, NHI_SIGN_PASS: 'throwaway', NHI_SIGN_CA_FILE: join(work, 'release-source/throwaway-cert.pem') };
    const identity = signingIdentity(env, join(work, 'release'));
    expect(identity).toMatchObject({ kind: 'release', pfx, caFile: env.NHI_SIGN_CA_FILE, timestampUrl: null });
    const pe = join(work, 'b.dll');
    copyFileSync(WIN_X64_DLL, pe);
    signFile(pe, identity);
    const sums = join(work, 'SHA256SUMS');
    writeFileSync(sums, 'abc  b.dll\n');
    const signature = signDetached(sums, identity);
    writeFileSync(sums, 'abd  b.dll\n');
    expect(() => verifyDetached(sums, signature, identity.caFile)).toThrow(SigningError);
  });

  it('refuses a wrong password, a missing file, and a required release certificate that is not there', () => {
    const pfx = throwawayIdentity(join(work, 'release-source')).pfx;
    expect(() => signingIdentity({ NHI_SIGN_PFX: pfx, NHI_SIGN_PASS: 'wrong' }, join(work, 'x'))).toThrow(SigningError);
    expect(() => signingIdentity({ NHI_SIGN_PFX: join(work, 'none.pfx') }, join(work, 'x'))).toThrow(/no such file/);
    expect(() => signingIdentity({ NHI_SIGN_REQUIRE: '1' }, join(work, 'x'))).toThrow(/NHI_SIGN_PFX is not set/);
  });
});
