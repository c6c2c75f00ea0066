/**
 * Authenticode signing of the Windows executables and the MSI (osslsigncode), and a detached CMS signature
 * of SHA256SUMS (openssl), with one certificate:
 *
 * - a release build signs with the clinic-trusted certificate from the environment: `NHI_SIGN_PFX` (path
 *   of a PKCS#12 file) and `NHI_SIGN_PASS` (its password), optionally `NHI_SIGN_TIMESTAMP_URL` (an RFC 3161
 *   time-stamping server, so signatures outlive the certificate) and `NHI_SIGN_CA_FILE` (the chain to verify
 *   against; default the system's roots);
 * - otherwise (CI, a developer's machine) with a throwaway self-signed code-signing certificate made here
 *   by openssl, which proves the signing step works and which no Windows PC trusts.
 *
 * `NHI_SIGN_REQUIRE=1` makes a missing release certificate an error (the release pipeline sets it).
 * Every signature is verified after signing (`osslsigncode verify`, `openssl cms -verify`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningIdentity {
  /** 'release' (certificate from the environment) or 'throwaway' (self-signed, made now). */
  readonly kind: 'release' | 'throwaway';
  readonly pfx: string;
  readonly password: string;
  /** PEM certificate and key for the CMS signature of SHA256SUMS. */
  readonly certPem: string;
  readonly keyPem: string;
  /** CA bundle that verification trusts. */
  readonly caFile: string;
  readonly timestampUrl: string | null;
}

export class SigningError extends Error {
  override readonly name = 'SigningError';
}

/** The product name and URL shown in Windows' signature dialog. */
export const SIGNED_DESCRIPTION = 'NHI Card Gateway';
export const SIGNED_URL = 'https://github.com/nhi-card-gateway';

function tool(file: string, args: readonly string[], what: string, env?: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(file, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string; code?: string };
    if (e.code === 'ENOENT') throw new SigningError(`${what}: ${file} is not installed`);
    throw new SigningError(`${what} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/** The identity to sign with: the release certificate from `env`, or a throwaway one under `workDir`. */
export function signingIdentity(env: NodeJS.ProcessEnv, workDir: string): SigningIdentity {
  const pfx = env['NHI_SIGN_PFX'];
  if (pfx) {
    if (!existsSync(pfx)) throw new SigningError(`NHI_SIGN_PFX=${pfx}: no such file`);
    const password = env['NHI_SIGN_PASS'] ?? '';
    mkdirSync(workDir, { recursive: true });
    const certPem = join(workDir, 'release-cert.pem');
    const keyPem = join(workDir, 'release-key.pem');
    const passEnv = { ...process.env, NHI_SIGN_PASS: password };
    tool('openssl', ['pkcs12', '-in', pfx, '-passin', 'env:NHI_SIGN_PASS', '-clcerts', '-nokeys', '-out', certPem], 'reading NHI_SIGN_PFX', passEnv);
    tool('openssl', ['pkcs12', '-in', pfx, '-passin', 'env:NHI_SIGN_PASS', '-nocerts', '-nodes', '-out', keyPem], 'reading NHI_SIGN_PFX', passEnv);
    return {
      kind: 'release',
      pfx,
      password,
      certPem,
      keyPem,
      caFile: env['NHI_SIGN_CA_FILE'] ?? '/etc/ssl/certs/ca-certificates.crt',
      timestampUrl: env['NHI_SIGN_TIMESTAMP_URL'] ?? null,
    };
  }
  if (env['NHI_SIGN_REQUIRE'] === '1') {
    throw new SigningError('NHI_SIGN_REQUIRE=1 but NHI_SIGN_PFX is not set: a release build needs the signing certificate (docs/windows.md)');
  }
  return throwawayIdentity(workDir);
}

/** A self-signed code-signing certificate for CI, made once per work folder. */
export function throwawayIdentity(workDir: string): SigningIdentity {
  mkdirSync(workDir, { recursive: true });
  const keyPem = join(workDir, 'throwaway-key.pem');
  const certPem = join(workDir, 'throwaway-cert.pem');
  const pfx = join(workDir, 'throwaway.pfx');
  const password = 'throwaway';
  if (!existsSync(pfx)) {
    const config = join(workDir, 'throwaway.cnf');
    writeFileSync(
      config,
      [
        '[req]',
        'distinguished_name = dn',
        'x509_extensions = ext',
        'prompt = no',
        '[dn]',
        'CN = NHI Card Gateway TEST SIGNING (not trusted)',
        'O = NHI Card Gateway CI',
        '[ext]',
        'basicConstraints = critical, CA:TRUE',
        'keyUsage = critical, digitalSignature, keyCertSign',
        'extendedKeyUsage = codeSigning',
        'subjectKeyIdentifier = hash',
        '',
      ].join('\n'),
    );
    tool('openssl', ['req', '-x509', '-newkey', 'rsa:3072', '-nodes', '-days', '30', '-sha256', '-config', config, '-keyout', keyPem, '-out', certPem], 'making the throwaway certificate');
    const partial = `${pfx}.partial`;
    tool('openssl', ['pkcs12', '-export', '-inkey', keyPem, '-in', certPem, '-passout', `pass:${password}`, '-out', partial], 'packing the throwaway certificate');
    renameSync(partial, pfx);
  }
  return { kind: 'throwaway', pfx, password, certPem, keyPem, caFile: certPem, timestampUrl: null };
}

/** Signs `file` (a PE executable or an MSI) in place with Authenticode (SHA-256), then verifies it. */
export function signFile(file: string, identity: SigningIdentity, description = SIGNED_DESCRIPTION): void {
  const signed = `${file}.signed`;
  rmSync(signed, { force: true });
  tool(
    'osslsigncode',
    [
      'sign',
      '-pkcs12', identity.pfx,
      '-pass', identity.password,
      '-h', 'sha256',
      '-n', description,
      '-i', SIGNED_URL,
      ...(identity.timestampUrl ? ['-ts', identity.timestampUrl] : []),
      '-in', file,
      '-out', signed,
    ],
    `osslsigncode sign ${file}`,
  );
  renameSync(signed, file);
  verifyFile(file, identity.caFile);
}

/** `osslsigncode verify` against `caFile`; throws when the signature or its chain does not verify. */
export function verifyFile(file: string, caFile: string): string {
  const output = tool('osslsigncode', ['verify', '-in', file, '-CAfile', caFile], `osslsigncode verify ${file}`);
  if (!/Signature verification: ok/.test(output)) throw new SigningError(`osslsigncode verify ${file}: ${output.trim()}`);
  return output;
}

/** A detached DER CMS signature of `file` at `<file>.p7s`, verified after writing. */
export function signDetached(file: string, identity: SigningIdentity): string {
  const signature = `${file}.p7s`;
  tool('openssl', ['cms', '-sign', '-binary', '-md', 'sha256', '-in', file, '-signer', identity.certPem, '-inkey', identity.keyPem, '-outform', 'DER', '-out', signature], `openssl cms -sign ${file}`);
  verifyDetached(file, signature, identity.caFile);
  return signature;
}

export function verifyDetached(file: string, signature: string, caFile: string): void {
  tool(
    'openssl',
    ['cms', '-verify', '-binary', '-inform', 'DER', '-in', signature, '-content', file, '-CAfile', caFile, '-purpose', 'any', '-out', '/dev/null'],
    `openssl cms -verify ${signature}`,
  );
}
