/**
 * The single executables built by `npm run build` (reused when dist/ is up to date):
 *
 * - win-x64 under Wine 8: loads the mingw-built test CSHIS.dll through koffi (extracted from the executable),
 *   answers GraphQL over HTTP from Linux with the test library's card data, delivers a subscription event
 *   over SSE, serves the embedded GraphiQL files, refuses a second instance (same port; same data folder),
 *   and registers/unregisters itself in the Wine registry's HKCU Run key with install/uninstall.
 *   Skipped (pending) only when wine64 is not installed.
 * - win-x86: checked structurally, since these machines cannot run 32-bit code (docs/windows.md).
 * - linux-x64: a corrupt embedded asset is refused when first used (test/integration/sea-memory-release.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../../build/lib/ensure-built.ts';
import { inspectExecutable, readSeaBlobBytes, sha256Hex } from '../../../build/lib/inspect.ts';
import { parseSeaBlob, SeaBlobError } from '../../../build/lib/sea-blob.ts';
import { TARGETS } from '../../../build/lib/targets.ts';
import { listResources } from '../../../build/lib/pe-image.ts';
import { drawIcon, encodePng, RT_ICON } from '../../../build/lib/icon.ts';
import { prepareWinePrefix, runUnderWine, startUnderWine, WINE64, wineInstalled, windowsPath, type WineProcess } from '../../../build/lib/wine.ts';
import { readPeHeaderFromFile, readPeMachine } from '../../../src/adapters/cshis/pe.ts';
import { GRAPHIQL_ASSET_PREFIX, KOFFI_ASSET } from '../../../src/sea-setup.ts';
import { RUN_KEY, RUN_VALUE, parseRegQuery } from '../../../src/install/logon.ts';
import { collectSse } from '../../helpers/sse.ts';
import { freePort } from '../../helpers/free-port.ts';

const ROOT = join(import.meta.dirname, '../../..');
const DIST = join(ROOT, 'dist');
const X64_EXE = join(DIST, TARGETS['win-x64'].output);
const X86_EXE = join(DIST, TARGETS['win-x86'].output);
const FIXTURE_X64 = join(ROOT, 'test/native/out/win-x64/CSHIS.dll');
const BUILD_TIMEOUT = 10 * 60_000;


/**
 * Polls until the gateway has finished starting; returns the milliseconds it took. `/health` answers as soon as
 * the port is open (src/early-server.ts), before the banner and the token exist, so this waits for `/ready` to
 * stop saying "starting" (it may still be 503 for another reason).
 */
async function waitHealthy(url: string, gateway: WineProcess, timeoutMs = 90_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (gateway.child.exitCode !== null) throw new Error(`the gateway exited with ${gateway.child.exitCode}:\n${gateway.log()}`);
    try {
      const ready = (await (await fetch(`${url}/ready`)).json()) as { reasons?: string[] };
      if (!(ready.reasons ?? []).includes('starting')) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not started at ${url}/ready within ${timeoutMs} ms:\n${gateway.log()}`);
}

let built = false;
beforeAll(() => {
  ensureBuilt(ROOT);
  built = true;
}, BUILD_TIMEOUT);

describe('win-x86 executable (structural: 32-bit code cannot run on these machines)', () => {
  it('is an i386 PE with the SEA fuse flipped, our Authenticode signature and version resource, and Node 22.23.2', () => {
    expect(built).toBe(true);
    expect(readPeHeaderFromFile(X86_EXE)).toEqual({ machine: 0x014c, architecture: 'i386' });
    const report = inspectExecutable(X86_EXE, 4);
    expect(report.format).toBe('pe');
    expect(report.fuse).toBe('flipped');
    // node.exe's signature was removed before injection; the build then signed it (build/lib/sign.ts).
    expect(report.signed).toBe(true);
    // Our version resource (build/lib/version-resource.ts) replaced node.exe's: it carries the gateway's version.
    expect(report.fileVersion).toBe(report.manifest?.gatewayVersion);
    // Our icon (build/lib/icon.ts) in node.exe's 256 px slot.
    const bytes = readFileSync(X86_EXE);
    const png = listResources(bytes).find((r) => r.type === RT_ICON && bytes[r.offset] === 0x89);
    expect(png && Buffer.from(bytes.subarray(png.offset, png.offset + png.size)).equals(Buffer.from(encodePng(drawIcon(256))))).toBe(true);
  });

  it('holds a NODE_SEA_BLOB laid out for a 32-bit size_t, with the same gateway as the x64 build', () => {
    const x86 = inspectExecutable(X86_EXE, 4);
    expect(x86.blobError).toBeNull();
    expect(x86.manifest).toMatchObject({ target: 'win-x86', platform: 'win32', arch: 'ia32' });
    const x64 = inspectExecutable(X64_EXE, 8);
    expect(Buffer.from(x86.blob!.main).equals(Buffer.from(x64.blob!.main))).toBe(true);
    // The same bytes read with a 64-bit size_t do not parse: the blob really was re-encoded for node.exe x86.
    const raw = readSeaBlobBytes(readFileSync(X86_EXE))!;
    expect(() => parseSeaBlob(raw, 8, { allowTrailingZeros: true })).toThrow(SeaBlobError);
  });

  it('embeds koffi ia32 (an i386 PE module) and the GraphiQL files listed in its manifest', () => {
    const { blob, manifest } = inspectExecutable(X86_EXE, 4);
    const koffi = blob!.assets.get(KOFFI_ASSET)!;
    expect(readPeMachine(koffi)?.architecture).toBe('i386');
    const packaged = readFileSync(join(ROOT, '.cache/npm', `koromix-koffi-win32-ia32-${manifest!.koffiVersion}/package/win32_ia32/koffi.node`));
    expect(sha256Hex(koffi)).toBe(sha256Hex(packaged));
    const graphiql = [...blob!.assets.keys()].filter((key) => key.startsWith(GRAPHIQL_ASSET_PREFIX));
    expect(graphiql.sort()).toEqual(
      ['editor.worker.js', 'graphiql.css', 'graphiql.js', 'graphql.worker.js', 'json.worker.js'].map((f) => `${GRAPHIQL_ASSET_PREFIX}${f}`),
    );
    for (const [key, entry] of Object.entries(manifest!.assets)) {
      expect(sha256Hex(blob!.assets.get(key)!), key).toBe(entry.sha256);
    }
  });
});

const pending = wineInstalled() ? null : `pending: ${WINE64} is not installed (apt-get install -y wine64)`;

describe.skipIf(pending !== null)(`win-x64 executable under Wine 8${pending ? ` (${pending})` : ''}`, () => {
  let prefix: string;
  let work: string;
  let port: number;
  let url: string;
  let dataDir: string;
  let gateway: WineProcess;
  let readyMs: number;

  beforeAll(async () => {
    prefix = prepareWinePrefix(join(ROOT, '.cache'));
    work = mkdtempSync(join(tmpdir(), 'nhi-wine-'));
    dataDir = join(work, 'data');
    // A clinic PC has csdll.ini (the control software reads its reader port from it; /ready says so without it).
    const csdllIni = join(work, 'csdll.ini');
    writeFileSync(csdllIni, '[CS]\r\nCOM=COMX1\r\n', 'latin1');
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    gateway = startUnderWine(X64_EXE, ['--backend', 'cshis', '--cshis-path', windowsPath(FIXTURE_X64), '--csdll-ini', windowsPath(csdllIni), '--port', String(port)], {
      prefix,
      logFile: join(work, 'gateway.log'),
      // The fixture's documented preload (test/native/README.md): a health card is in at load.
      env: { CSHIS_FIXTURE_INSERT_CARD: '1', NHI_GATEWAY_DATA_DIR: windowsPath(dataDir) },
    });
    readyMs = await waitHealthy(url, gateway);
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function graphql(query: string): Promise<{ data?: Record<string, any>; errors?: unknown[] }> {
    // The gateway's own origin, as GraphiQL served by it sends, with the access token from the data folder:
    // identity reads need a credential from every caller (docs/security.md).
    const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url, authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  }

  it('starts, prints its banner to the log file, and answers from the test CSHIS.dll through koffi', async () => {
    expect(readyMs).toBeGreaterThan(0);
    expect(gateway.log()).toContain(`backend:   cshis (${windowsPath(FIXTURE_X64)}; `);
    const result = await graphql(
      '{ gateway { ready backend controlSoftware { ... on ControlSoftware { version versionCode libraryPath } } } sam { ... on Sam { hospitalId samId } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      gateway: {
        ready: true,
        backend: 'CSHIS',
        controlSoftware: { version: '5.1.5.8', versionCode: 5158, libraryPath: windowsPath(FIXTURE_X64) },
      },
      sam: { hospitalId: '3501200000', samId: '001000000103' },
    });
  });

  it("reads the fixture's health card (Big5 name decoded) over HTTP", async () => {
    const result = await graphql(
      '{ healthCard { basicData { __typename ... on BasicData { cardNumber idNumber birthDate sex name { text rawHex } } ... on Error { code } ... on VendorError { vendorCode } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['healthCard']).toEqual({
      basicData: {
        __typename: 'BasicData',
        cardNumber: '000012345678',
        idNumber: 'A123456789',
        birthDate: '1980-05-12',
        sex: 'MALE',
        name: { text: '王小明', rawHex: 'A4FDA470A9FA' },
      },
    });
  });

  it('delivers a lightStateChanged event over SSE', async () => {
    const events = await collectSse<{ lightStateChanged: { healthCard: { level: number; colour: string } } }>(
      `${url}/graphql`,
      'subscription { lightStateChanged { healthCard { level colour } professionalCard { level colour } } }',
      undefined,
      { take: 1, signal: AbortSignal.timeout(30_000) },
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.errors).toBeUndefined();
    expect(events[0]?.data?.lightStateChanged.healthCard.level).toBeGreaterThanOrEqual(1); // a card is in
    expect(events[0]?.data?.lightStateChanged.healthCard.colour).toMatch(/^[A-Z]+$/);
  });

  it('serves GraphiQL from the gzipped files embedded in the executable', async () => {
    const page = await (await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } })).text();
    const script = /<script src="([^"]+graphiql\.js)"><\/script>/.exec(page)?.[1];
    expect(script).toMatch(/^\/graphiql-assets\/[0-9a-f]{12}\/graphiql\.js$/);
    const response = await fetch(`${url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes gzip itself; the body is the GraphiQL bundle.
    expect(await response.text()).toContain('renderYogaGraphiQL');
    const plain = await fetch(`${url}${script!.replace('graphiql.js', 'graphiql.css')}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toContain('.graphiql-container');
  });

  it('a second instance on the same port exits non-zero with a clear message', async () => {
    const { code, output } = await runUnderWine(X64_EXE, ['--backend', 'simulator', '--port', String(port)], {
      prefix,
      logFile: join(work, 'second-port.log'),
      env: { NHI_GATEWAY_DATA_DIR: windowsPath(join(work, 'other-data')) },
    });
    expect(code).toBe(1);
    expect(output).toContain(`port ${port} is already in use — is another gateway running? (use --port)`);
  });

  it('a second instance for the same data folder exits non-zero, naming the running one', async () => {
    const otherPort = await freePort();
    const { code, output } = await runUnderWine(X64_EXE, ['--backend', 'simulator', '--port', String(otherPort)], {
      prefix,
      logFile: join(work, 'second-lock.log'),
      env: { NHI_GATEWAY_DATA_DIR: windowsPath(dataDir) },
    });
    expect(code).toBe(1);
    expect(output).toMatch(new RegExp(`another NHI Card Gateway is already running for this user \\(pid \\d+, port ${port},`));
  });

  it('install registers it in HKCU\\...\\Run with its options, and uninstall removes it', async () => {
    const reg = (args: string[]) =>
      runUnderWine('reg', args, { prefix, logFile: join(work, 'reg.log') }).then(({ code, output }) => ({ code, output }));
    const installed = await runUnderWine(X64_EXE, ['install', '--port', '8745', '--backend', 'simulator'], {
      prefix,
      logFile: join(work, 'install.log'),
    });
    expect(installed.output).toContain('will start when');
    expect(installed.code).toBe(0);
    // Exactly what the logon entry will run (read with Wine's reg.exe, as Windows would store it).
    const query = await reg(['query', RUN_KEY, '/v', RUN_VALUE]);
    expect(query.code).toBe(0);
    expect(parseRegQuery(query.output)).toBe(`${windowsPath(X64_EXE)} --port 8745 --backend simulator`);

    const removed = await runUnderWine(X64_EXE, ['uninstall'], { prefix, logFile: join(work, 'uninstall.log') });
    expect(removed.output).toContain('no longer starts at logon');
    expect(removed.code).toBe(0);
    expect(parseRegQuery((await reg(['query', RUN_KEY, '/v', RUN_VALUE])).output)).toBeNull();
    const again = await runUnderWine(X64_EXE, ['uninstall'], { prefix, logFile: join(work, 'uninstall2.log') });
    expect(again.code).toBe(0);
    expect(again.output).toContain('nothing to remove');
  });
});
