/**
 * NHI's certificate chain as extra trust anchors (`--nhi-ca-file`).
 *
 * TLS verification is always on. medvpndti.nhi.gov.tw's chain is presumably not in public trust stores (public
 * samples turn verification off instead, docs/reference/webapi.md (Upload and download) — a security review item we do not repeat), so the
 * clinic installs NHI's CA certificate(s) as a file and the gateway trusts them IN ADDITION to Node's bundled
 * roots. The file may hold PEM certificates (one or more "BEGIN CERTIFICATE" blocks, as Windows' "Base-64
 * encoded X.509 (.CER)" export writes them) or a single DER certificate (Windows' "DER encoded binary").
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gatewayError } from '../../errors/gateway-codes.ts';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM certificates parsed from file contents; throws WEB_API_CA_FILE_INVALID when there are none. */
export function parseCaCertificates(contents: Uint8Array): string[] {
  const text = Buffer.from(contents).toString('latin1');
  const blocks = text.match(PEM_BLOCK);
  try {
    if (blocks) {
      // Parsing each one proves it is a certificate, not just the armour.
      return blocks.map((block) => new X509Certificate(block).toString());
    }
    return [new X509Certificate(Buffer.from(contents)).toString()];
  } catch {
    throw gatewayError('WEB_API_CA_FILE_INVALID');
  }
}

export function readCaFile(path: string): string[] {
  let contents: Buffer;
  try {
    contents = readFileSync(path);
  } catch {
    throw gatewayError('WEB_API_CA_FILE_INVALID');
  }
  return parseCaCertificates(contents);
}
