/**
 * A stand-in for NHI's 就醫識別碼 Web API: a real HTTPS server on 127.0.0.1 with its own CA (made at test time,
 * test/webapi/certs.ts), checking every request the way the briefing specifies (docs/reference/webapi.md (Treatment-ID Web API) (四)資料定義) and answering
 * RtnCode + TreatNum (docs/reference/webapi.md (Treatment-ID Web API) (五)). It verifies that the signature came from the simulator signer (same SAM, same
 * random, same service code) and that it is not too old, and it can misbehave on demand: be slow, drop the
 * connection before TLS or after reading the request, answer garbage, or answer any RtnCode.
 *
 * What it checks (a violation is recorded and answered with RtnCode 9999):
 *   POST to the configured path, Content-Type application/json, a JSON object with exactly the keys
 *   sSamid X(12), sHospid X(10), sClientrandom X(20), sSignature X(512) hex, sCardType "3", sCardId X(12) or
 *   empty/absent, sPatientId X(10) with a valid Taiwan ID / resident-certificate check digit, sTreatDT X(13)
 *   a real ROC date-time not later than now (one minute of slack, as the gateway).
 * Then, like NHI: an unknown SAM or one of another hospital → 5004; a signature that does not verify → 9002;
 * a random older than `maxSignatureAgeMs` → 8203. Otherwise RtnCode 0000 and a TreatNum that depends only on
 * hospital, patient and visit time (asking again for the same visit gives the same ID).
 *
 * Run it by itself to rehearse 方式4 with the gateway's simulator:
 *   npx tsx test/webapi/stand-in.ts [--port 9443]
 * It prints the URL and the CA file to pass as --webapi-url and --nhi-ca-file.
 */
import { createHash } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_WEBAPI_URL } from '../../src/config.ts';
import { SIMULATED_HOSPITAL } from '../../src/adapters/simulator/patients.ts';
import { simulatorRandomIssuedAt, verifySimulatorSignature } from '../../src/adapters/signer/simulator-signer.ts';
import { validateTaiwanId } from '../../src/codecs/write-inputs.ts';
import { rocDateTimeToDate } from '../../src/codecs/roc-date.ts';
import { createTestPki, type TestPki } from './certs.ts';

export type StandInFault =
  /** Answer only after `delayMs` (the client's deadline passes first). */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** Read the whole request, then destroy the connection without answering (outcome unknown to the client). */
  | { readonly kind: 'reset-after-request' }
  /** Drop the next `times` new connections before the TLS handshake (nothing was sent). */
  | { readonly kind: 'reset-before-tls'; readonly times: number }
  /** Answer this body (and status) instead of JSON. */
  | { readonly kind: 'garbage'; readonly body: string; readonly status?: number }
  /** Answer this RtnCode with TreatNum null, `times` times (default: until cleared). */
  | { readonly kind: 'rtn'; readonly rtnCode: string; readonly times?: number };

export interface StandInOptions {
  readonly pki: TestPki;
  /** The service code signatures must be made for: '12' (NHI test cards, the simulator's) by default. */
  readonly serviceCode?: '11' | '12';
  /** SAM card number → hospital code. Default: the simulator's SAM and hospital. */
  readonly sams?: Readonly<Record<string, string>>;
  readonly signingKey?: string;
  /** Signatures whose random is older are refused with 8203. Default 8 h (docs/reference/webapi.md (Treatment-ID Web API)). */
  readonly maxSignatureAgeMs?: number;
  /** The operation path. Default: the path of the gateway's DEFAULT_WEBAPI_URL. */
  readonly path?: string;
  readonly now?: () => Date;
  /** Listen on this port (0 = any free one). */
  readonly port?: number;
}

export interface RecordedRequest {
  /** The parsed body, or null when it was not JSON. */
  readonly body: Readonly<Record<string, unknown>> | null;
  readonly contentType: string | undefined;
  /** Specification violations found (empty for a correct request). */
  readonly violations: readonly string[];
  /** What the stand-in did: an RtnCode, or the fault's kind. */
  readonly answered: string;
}

export interface StandIn {
  readonly url: string;
  readonly caFile: string;
  readonly requests: readonly RecordedRequest[];
  /** TLS connections accepted (dropped ones not counted). */
  readonly connections: number;
  /** New connections dropped before TLS. */
  readonly droppedBeforeTls: number;
  /** The TreatNums issued so far. */
  readonly issued: readonly string[];
  fault(fault: StandInFault | null): void;
  close(): Promise<void>;
}

const FIELDS = ['sSamid', 'sHospid', 'sClientrandom', 'sSignature', 'sCardType', 'sCardId', 'sPatientId', 'sTreatDT'] as const;

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const serviceCode = options.serviceCode ?? '12';
  const sams = options.sams ?? { [SIMULATED_HOSPITAL.samId]: SIMULATED_HOSPITAL.hospitalId };
  const maxAgeMs = options.maxSignatureAgeMs ?? 8 * 60 * 60 * 1000;
  const path = options.path ?? new URL(DEFAULT_WEBAPI_URL).pathname;
  const now = options.now ?? (() => new Date());

  const requests: RecordedRequest[] = [];
  const issued: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let current: StandInFault | null = null;
  let rtnLeft = Infinity;
  let dropsLeft = 0;
  let connections = 0;
  let droppedBeforeTls = 0;

  const server = https.createServer({ key: options.pki.serverKeyPem, cert: options.pki.serverCertPem });
  server.on('connection', (socket: Socket) => {
    if (dropsLeft > 0) {
      dropsLeft -= 1;
      droppedBeforeTls += 1;
      socket.destroy();
    }
  });
  server.on('secureConnection', () => {
    connections += 1;
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'https://x').pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const text = await readBody(req);
    let body: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = null;
    }
    const record = (answered: string, violations: string[] = []) =>
      requests.push({ body, contentType: req.headers['content-type'], violations, answered });

    const fault = current;
    if (fault?.kind === 'reset-after-request') {
      record('reset-after-request');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'garbage') {
      record('garbage');
      res.writeHead(fault.status ?? 200, { 'content-type': 'application/json' }).end(fault.body);
      return;
    }

    const violations = validate(req, body);
    let rtnCode: string;
    if (violations.length > 0) rtnCode = '9999';
    else if (fault?.kind === 'rtn' && rtnLeft > 0) {
      rtnLeft -= 1;
      if (rtnLeft === 0) current = null;
      rtnCode = fault.rtnCode;
    } else rtnCode = authenticate(body!);

    let treatNum: string | null = null;
    if (rtnCode === '0000') {
      const b = body!;
      const digest = createHash('sha256').update(`${b['sHospid']}|${b['sPatientId']}|${b['sTreatDT']}`).digest('hex').toUpperCase();
      treatNum = `NHI${String(b['sTreatDT']).slice(0, 7)}${digest.slice(0, 10)}`;
      issued.push(treatNum);
    }
    record(rtnCode, violations);
    const answer = () => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ RtnCode: rtnCode, TreatNum: treatNum }));
    };
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, fault.delayMs);
      timers.add(timer);
    } else answer();
  }

  function validate(req: IncomingMessage, body: Record<string, unknown> | null): string[] {
    const v: string[] = [];
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) v.push('Content-Type is not application/json');
    if (!body) return [...v, 'body is not a JSON object'];
    for (const key of Object.keys(body)) if (!(FIELDS as readonly string[]).includes(key)) v.push(`unexpected field ${key}`);
    const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : null);
    const need = (key: string, pattern: RegExp, rule: string) => {
      const value = str(key);
      if (value === null) v.push(`${key} missing or not a string`);
      else if (!pattern.test(value)) v.push(`${key} ${rule}`);
    };
    need('sSamid', /^[A-Za-z0-9]{12}$/, 'is not X(12)');
    need('sHospid', /^[A-Za-z0-9]{10}$/, 'is not X(10)');
    need('sClientrandom', /^[\x21-\x7e]{20}$/, 'is not X(20)');
    need('sSignature', /^[0-9A-Fa-f]{512}$/, 'is not 512 hex characters');
    need('sCardType', /^3$/, 'is not "3"');
    if (body['sCardId'] !== undefined) need('sCardId', /^(|[A-Za-z0-9]{12})$/, 'is not X(12) or empty');
    need('sPatientId', /^[A-Z][A-Z0-9]\d{8}$/, 'is not X(10)');
    const patientId = str('sPatientId');
    if (patientId && /^[A-Z][A-Z0-9]\d{8}$/.test(patientId)) {
      try {
        validateTaiwanId(patientId, 'sPatientId');
      } catch {
        v.push('sPatientId fails the ID check digit');
      }
    }
    need('sTreatDT', /^\d{13}$/, 'is not 13 digits');
    const treatDt = str('sTreatDT');
    if (treatDt && /^\d{13}$/.test(treatDt)) {
      try {
        if (rocDateTimeToDate(treatDt, 'sTreatDT').getTime() > now().getTime() + 60_000) v.push('sTreatDT is in the future');
      } catch {
        v.push('sTreatDT is not a real ROC date-time');
      }
    }
    return v;
  }

  /** NHI's side of the signature: which SAM, whether it verifies, how old it is. */
  function authenticate(body: Record<string, unknown>): string {
    const samId = body['sSamid'] as string;
    const hospital = sams[samId];
    if (hospital === undefined || hospital !== body['sHospid']) return '5004';
    const clientRandom = body['sClientrandom'] as string;
    const ok = verifySimulatorSignature({
      samId,
      clientRandom,
      cardType: '3',
      serviceCode,
      signature: body['sSignature'] as string,
      ...(options.signingKey ? { key: options.signingKey } : {}),
    });
    if (!ok) return '9002';
    const issuedAt = simulatorRandomIssuedAt(clientRandom);
    if (issuedAt === null || now().getTime() - issuedAt.getTime() > maxAgeMs) return '8203';
    return '0000';
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}${path}`,
    caFile: options.pki.caFile,
    requests,
    get connections() {
      return connections;
    },
    get droppedBeforeTls() {
      return droppedBeforeTls;
    },
    issued,
    fault(fault) {
      current = fault;
      rtnLeft = fault?.kind === 'rtn' ? (fault.times ?? Infinity) : Infinity;
      dropsLeft = fault?.kind === 'reset-before-tls' ? fault.times : 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 65_536) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---- stand-alone: npx tsx test/webapi/stand-in.ts [--port 9443] ----

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const pki = createTestPki();
  const standIn = await startStandIn({ pki, port: values.port ? Number(values.port) : 0 });
  process.stdout.write(
    [
      'Stand-in NHI treatment-ID Web API (test only: it accepts only the simulator signer)',
      `  URL:     ${standIn.url}`,
      `  CA file: ${standIn.caFile}`,
      '',
      'Rehearse 方式4 against it:',
      `  npm start -- --backend simulator --visit-strategy seq256-webapi --webapi-url ${standIn.url} --nhi-ca-file ${standIn.caFile}`,
      'Ctrl+C to stop',
      '',
    ].join('\n'),
  );
  const stop = () => {
    void standIn.close().finally(() => {
      pki.cleanup();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
