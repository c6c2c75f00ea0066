/**
 * Test certificates made at test time with the openssl CLI (no keys are checked in): a CA, a server
 * certificate it signs for 127.0.0.1 / localhost, and an unrelated CA for the "wrong CA" case.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** The stand-in's CA (what --nhi-ca-file points at). */
  readonly caFile: string;
  readonly caPem: string;
  readonly serverKeyPem: string;
  readonly serverCertPem: string;
  /** A CA that did not sign the server certificate. */
  readonly otherCaFile: string;
  readonly otherCaPem: string;
  /** The stand-in CA in DER form (Windows' "DER encoded binary X.509"). */
  readonly caDerFile: string;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new Error(missing ? 'the openssl CLI is needed to make the stand-in’s test certificates (apt-get install openssl)' : `openssl ${args[0]} failed: ${stderr}`);
  }
}

function makeCa(dir: string, name: string, subject: string): void {
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`,
      '-days', '2', '-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-standin-pki-'));
  makeCa(dir, 'ca', '/CN=Stand-in NHI test CA');
  makeCa(dir, 'other-ca', '/CN=Some other CA');
  writeFileSync(
    join(dir, 'server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'], dir);
  openssl(['x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der'], dir);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: read('ca.pem'),
    serverKeyPem: read('server.key'),
    serverCertPem: read('server.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    otherCaPem: read('other-ca.pem'),
    caDerFile: join(dir, 'ca.der'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
