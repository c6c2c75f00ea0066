/**
 * The documentation, run. Two parts:
 *
 * 1. Every fenced command line in README.md and docs/**.md that starts the gateway (`nhi-gateway …`, the
 *    executables, `npm start -- …`, `npx tsx src/main.ts …`, `node bin/…`) runs as a real process, as
 *    `node tsx src/main.ts <its options>`, with what it names replaced through SUBSTITUTIONS below (the native
 *    fixture for CSHIS.dll, the HTTPS stand-in for NHI's Web API and its CA, a free port, temporary HOME and
 *    state folders). Each must print the banner for the expected backend, answer /ready, and answer the one
 *    operation the example is about. An option or path the table does not know fails with "add a
 *    substitution", so a new example is never silently left out.
 * 2. Every ```graphql block of README.md and docs/ validates against schema/schema.graphql; those of README.md and
 *    docs/his-developers.md also run, in document order, against a fresh in-process simulator gateway and must
 *    answer without errors[] (a block fenced ```graphql error must answer with one). `"<field>"` in a block is the
 *    value the earlier answers gave for that field (e.g. "<visitTimeRoc>").
 * 3. The ```ts blocks of docs/his-developers.md type-check with the repository's tsconfig and run (tsx) against a
 *    simulator gateway on a real port.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import ts from 'typescript';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSchema, Kind, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createSimulatorServices, type RunningServices } from '../../src/services.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../helpers/auth.ts';
import { commandLines, documentationFiles, readBlocks, SHELL_LANGUAGES, type CommandLine, type FencedBlock } from '../helpers/doc-blocks.ts';
import { freePort } from '../helpers/free-port.ts';
import { createTestPki, type TestPki } from '../webapi/certs.ts';
import { startStandIn, type StandIn } from '../webapi/stand-in.ts';
import { ensureFixtureBuilt, FIXTURE_SO } from './cshis/helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const MAIN = join(ROOT, 'src/main.ts');
/** The simulator's and the native fixture's standard patient (src/adapters/simulator/patients.ts, test/native). */
const STANDARD_ID = 'A123456789';

// ---------------------------------------------------------------------------------------------------------
// Part 1: command lines
// ---------------------------------------------------------------------------------------------------------

/** Subcommands and flags that do not start the gateway (doctor, logon registration, pairings, where, help). */
const NOT_A_START = new Set(['doctor', 'install', 'uninstall', 'pairings', 'where', '--help', '-h', '--version', '-v']);

/** The options after the launcher, or null when the line does not run the gateway. */
function gatewayArguments(words: readonly string[]): string[] | null {
  const [first = '', ...rest] = words;
  if (/^(?:.*[\\/])?nhi-gateway(?:-win-x86\.exe|-win-x64\.exe|-linux-x64|\.exe)?$/i.test(first)) return rest;
  if (first === 'npx' && rest[0] === 'nhi-gateway') return rest.slice(1);
  if (first === 'npm' && rest[0] === 'start') return rest[1] === '--' ? rest.slice(2) : rest.slice(1);
  if (first === 'npx' && rest[0] === 'tsx' && rest[1] === 'src/main.ts') return rest.slice(2);
  if (first === 'node' && /^bin[\\/]/.test(rest[0] ?? '')) return rest.slice(1);
  return null;
}

interface TestBed {
  readonly port: number;
  readonly standIn: StandIn;
  readonly csdllIni: string;
}

type Substitute = (value: string, bed: TestBed) => string;
const keep: Substitute = (value) => value;

/** Paths the docs name → what stands in for them here. */
const PATHS: ReadonlyArray<{ readonly match: RegExp; readonly to: Substitute; readonly why: string }> = [
  { match: /(^|[\\/])cshis\d*\.dll$/i, to: () => FIXTURE_SO, why: 'the native fixture has CSHIS.dll’s exports' },
  { match: /(^|[\\/])csdll\.ini$/i, to: (_, bed) => bed.csdllIni, why: 'a csdll.ini with [CS] COM=COMX1' },
];

function substitutePath(value: string, bed: TestBed): string {
  const row = PATHS.find((p) => p.match.test(value));
  if (!row) throw new Error(`no stand-in for the path ${value}: add a substitution to PATHS in test/integration/docs-commands.test.ts`);
  return row.to(value, bed);
}

/** Every option a documented command may use: whether it takes a value and what the test passes instead. */
const SUBSTITUTIONS: Readonly<Record<string, { readonly value: boolean; readonly to?: Substitute }>> = {
  '--backend': { value: true, to: keep },
  '--visit-strategy': { value: true, to: keep },
  '--allowed-origin': { value: true, to: keep },
  '--no-card-treatment-id': { value: true, to: keep },
  '--webapi-service-code': { value: true, to: keep },
  '--host': { value: true, to: () => '127.0.0.1' },
  '--port': { value: true, to: (_, bed) => String(bed.port) },
  '--cshis-path': { value: true, to: substitutePath },
  '--csdll-ini': { value: true, to: substitutePath },
  '--webapi-url': { value: true, to: (_, bed) => bed.standIn.url },
  '--nhi-ca-file': { value: true, to: (_, bed) => bed.standIn.caFile },
  '--pcsc-wake': { value: false },
  '--no-graphiql': { value: false },
};

interface Plan {
  readonly args: string[];
  readonly backend: 'simulator' | 'cshis' | 'pcsc';
  readonly strategy: string | undefined;
  readonly origins: string[];
}

/** The documented options with the substitutions applied, and what the test expects from them. */
function plan(documented: readonly string[], bed: TestBed): Plan {
  const args: string[] = [];
  const given = new Map<string, string[]>();
  for (let i = 0; i < documented.length; i++) {
    const word = documented[i]!;
    const [name, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const row = SUBSTITUTIONS[name];
    if (!row) throw new Error(`unknown argument ${word}: add a substitution to SUBSTITUTIONS in test/integration/docs-commands.test.ts`);
    if (!row.value) {
      args.push(name);
      continue;
    }
    const value = inline ?? documented[++i];
    if (value === undefined) throw new Error(`${name} without a value`);
    given.set(name, [...(given.get(name) ?? []), value]);
    if (name !== '--port' && name !== '--host') args.push(name, row.to!(value, bed));
  }
  const chosen = given.get('--backend')?.[0] ?? 'auto';
  // `auto` picks cshis only when the control software is named (issue 12): on this machine there is none.
  const backend = chosen === 'auto' ? (given.has('--cshis-path') ? 'cshis' : 'simulator') : (chosen as Plan['backend']);
  // The documented default C:\NHI\LIB\CSHIS.dll does not exist here: the fixture takes its place.
  if (backend === 'cshis' && !given.has('--cshis-path')) args.push('--cshis-path', substitutePath('C:\\NHI\\LIB\\CSHIS.dll', bed));
  if (backend === 'cshis' && !given.has('--csdll-ini')) args.push('--csdll-ini', substitutePath('C:\\NHI\\INI\\csdll.ini', bed));
  args.push('--host', '127.0.0.1', '--port', String(bed.port));
  return { args, backend, strategy: given.get('--visit-strategy')?.[0], origins: given.get('--allowed-origin') ?? [] };
}

interface RunningGateway {
  readonly child: ChildProcess;
  readonly banner: string;
  readonly token: string;
  output(): string;
}

/** Every gateway process started, so none outlives the suite even when a test times out. */
const started = new Set<ChildProcess>();

/** Starts the gateway as a process and resolves once it printed its banner (or rejects with its output). */
function startProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunningGateway> {
  const child = spawn(process.execPath, [TSX, MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    const check = () => {
      if (!out.includes('Ctrl+C to stop')) return;
      child.stdout!.off('data', check);
      const tokenFile = /token:\s+(\S+)/.exec(out)?.[1];
      const token = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : '';
      resolvePromise({ child, banner: out, token, output: () => out });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code} before its banner:\n${out}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.removeAllListeners('exit');
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

async function post(port: number, query: string, headers: Record<string, string>) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

const READ_CARD = '{ healthCard { basicData { __typename ... on BasicData { idNumber } ... on Error { code } ... on VendorError { vendorCode } } } }';
const INSERT_STANDARD = 'mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }';
const START_VISIT = `mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT, idempotencyKey: "docs-commands-visit-1" }) {
  __typename ... on Visit { treatmentId treatmentIdSource treatmentIdPending } ... on Error { code message } ... on VendorError { vendorCode } } }`;

/** Pairs `origin` the way a HIS page does (docs/security.md, section 11), reading the code from the console. */
async function pair(port: number, gateway: RunningGateway, origin: string): Promise<string> {
  const headers = { 'content-type': 'application/json', origin };
  const requested = await fetch(`http://127.0.0.1:${port}/pair`, { method: 'POST', headers, body: '{}' });
  expect(requested.status, await requested.text()).toBe(202);
  const code = /pairing requested by \S+: code (\d{6})/.exec(gateway.output())?.[1];
  if (!code) throw new Error('the gateway printed no pairing code');
  const confirmed = await fetch(`http://127.0.0.1:${port}/pair/confirm`, { method: 'POST', headers, body: JSON.stringify({ code }) });
  const body = (await confirmed.json()) as { token?: string };
  expect(confirmed.status, JSON.stringify(body)).toBe(200);
  return body.token!;
}

/** The one operation each kind of example is about. */
async function checkOperation(p: Plan, gateway: RunningGateway, port: number): Promise<void> {
  const auth = { authorization: `Bearer ${gateway.token}` };
  if (p.backend === 'simulator') expect((await post(port, INSERT_STANDARD, auth)).errors).toBeUndefined();
  if (p.strategy === 'seq256-webapi') {
    const { data, errors } = await post(port, START_VISIT, auth);
    expect(errors).toBeUndefined();
    expect(data.startVisit).toMatchObject({ __typename: 'Visit', treatmentIdSource: 'WEB_API', treatmentIdPending: false });
    return;
  }
  if (p.origins.length > 0) {
    // An allowed Origin alone reads no identity; the page pairs and reads with its pairing token.
    const origin = p.origins[0]!;
    const refused = await post(port, READ_CARD, { origin });
    expect(refused.errors?.[0]?.extensions?.code).toBe('TOKEN_REQUIRED');
    const pairingToken = await pair(port, gateway, origin);
    const { data, errors } = await post(port, READ_CARD, { origin, authorization: `Bearer ${pairingToken}` });
    expect(errors).toBeUndefined();
    expect(data.healthCard.basicData.__typename).toBe('BasicData');
    return;
  }
  if (p.backend === 'pcsc') {
    // No smart-card service here (the socket is pointed nowhere): the gateway serves and says so in the union.
    const { data, errors } = await post(port, `{ gateway { backend } ${READ_CARD.slice(1, -1)} }`, auth);
    expect(errors).toBeUndefined();
    expect(data.gateway.backend).toBe('PCSC');
    expect(data.healthCard.basicData.code).toEqual(expect.any(String));
    return;
  }
  const { data, errors } = await post(port, READ_CARD, auth);
  expect(errors).toBeUndefined();
  expect(data.healthCard.basicData).toMatchObject({ __typename: 'BasicData', idNumber: STANDARD_ID });
}

/**
 * Examples that document what the gateway does not do yet, by `file: command`: the test still runs them and
 * expects them to fail, so it turns red (remove the entry) the day they work.
 */
const KNOWN_FAILING: Readonly<Record<string, string>> = {};

const documentedCommands: CommandLine[] = documentationFiles(ROOT).flatMap((file) =>
  readBlocks(ROOT, file)
    .filter((block) => SHELL_LANGUAGES.has(block.lang))
    .flatMap(commandLines)
    .filter((command) => {
      const args = gatewayArguments(command.words);
      return args !== null && !args.some((a) => NOT_A_START.has(a));
    }),
);

describe('every documented command line that starts the gateway', () => {
  let pki: TestPki;
  let standIn: StandIn;
  /** NHI's side for production cards (service code 11), for the control-software examples. */
  let standIn11: StandIn;
  let scratch: string;

  beforeAll(async () => {
    ensureFixtureBuilt();
    pki = createTestPki();
    standIn = await startStandIn({ pki });
    standIn11 = await startStandIn({ pki, serviceCode: '11' });
    scratch = mkdtempSync(join(tmpdir(), 'docs-commands-'));
  }, 180_000);
  afterAll(async () => {
    await Promise.all([...started].map(stopProcess));
    await standIn?.close();
    await standIn11?.close();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(pki?.dir ?? '', { recursive: true, force: true });
  });

  it('finds the examples (README’s npm start among them)', () => {
    expect(documentedCommands.map((c) => `${c.file}: ${c.text}`)).toContain('README.md: npm start');
  });

  const runs = documentedCommands.map((c) => ({ name: `${c.file}:${c.line} ${c.text}`, command: c, known: KNOWN_FAILING[`${c.file}: ${c.text}`] }));

  it('lists as known failures only examples that exist', () => {
    const present = new Set(documentedCommands.map((c) => `${c.file}: ${c.text}`));
    expect(Object.keys(KNOWN_FAILING).filter((k) => !present.has(k))).toEqual([]);
  });

  const runExample = async (command: CommandLine) => {
    const home = mkdtempSync(join(scratch, 'home-'));
    const csdllIni = join(home, 'csdll.ini');
    writeFileSync(csdllIni, '[CS]\r\nCOM=COMX1\r\n');
    const port = await freePort();
    const onControlSoftware = command.words.includes('cshis');
    const p = plan(gatewayArguments(command.words)!, { port, standIn: onControlSoftware ? standIn11 : standIn, csdllIni });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_STATE_HOME: join(home, 'state'),
      APPDATA: join(home, 'AppData', 'Roaming'),
      LOCALAPPDATA: join(home, 'AppData', 'Local'),
      TMPDIR: scratch,
      CSHIS_FIXTURE_INSERT_CARD: '1', // the fixture starts with the standard card in the reader
      PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.sock'), // never the machine's shared PC/SC test bed
      // No CsHisX off Windows: the signer talks to a fake COM object through koffi (src/backends/cshis.ts).
      NHI_GATEWAY_TEST_ONLY_COM_RUNTIME: join(ROOT, 'test/webapi/fake-com-runtime.ts'),
    };
    const gateway = await startProcess(p.args, env);
    try {
      expect(gateway.banner).toMatch(new RegExp(`backend:\\s+${p.backend}\\b`));
      expect(gateway.banner).toContain(`http://127.0.0.1:${port}/graphql`);
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      const body = (await ready.json()) as { ready: boolean; reasons: string[] };
      if (p.backend === 'pcsc') {
        expect(ready.status, JSON.stringify(body)).toBe(503);
        expect(body.reasons.length).toBeGreaterThan(0);
      } else {
        expect({ status: ready.status, ...body }).toMatchObject({ status: 200, ready: true, reasons: [] });
      }
      await checkOperation(p, gateway, port);
    } catch (error) {
      (error as Error).message += `\n--- gateway output ---\n${gateway.output()}`;
      throw error;
    } finally {
      await stopProcess(gateway.child);
    }
  };

  for (const run of runs) {
    if (run.known) it.fails(`${run.name} — known to fail: ${run.known}`, () => runExample(run.command), 180_000);
    else it(run.name, () => runExample(run.command), 180_000);
  }
});

describe('the substitution table', () => {
  const bed = { port: 1, standIn: { url: 'https://stand-in', caFile: '/ca.pem' } as StandIn, csdllIni: '/csdll.ini' };

  it('maps the Windows paths, the Web API and the port', () => {
    const p = plan(['--backend', 'cshis', '--webapi-url', 'https://medvpndti.nhi.gov.tw/V1000/<operation>', '--nhi-ca-file', 'C:\\NHI\\gateway\\nhi-ca.pem', '--port', '8737'], bed);
    expect(p.args).toEqual(['--backend', 'cshis', '--webapi-url', 'https://stand-in', '--nhi-ca-file', '/ca.pem', '--cshis-path', FIXTURE_SO, '--csdll-ini', '/csdll.ini', '--host', '127.0.0.1', '--port', '1']);
  });

  it('fails on an option or path it does not know, asking for a substitution', () => {
    expect(() => plan(['--log-dir', 'D:\\logs'], bed)).toThrow(/add a substitution/);
    expect(() => plan(['--cshis-path', 'D:\\HIS\\other.dll'], bed)).toThrow(/add a substitution/);
    expect(() => plan(['serve'], bed)).toThrow(/add a substitution/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Part 2: GraphQL blocks
// ---------------------------------------------------------------------------------------------------------

const GRAPHQL_DOCUMENTS = ['README.md', 'docs/his-developers.md'];

/** Validation errors of each operation of a block on its own (a block may show several to paste one by one). */
function validateEach(schema: GraphQLSchema, text: string): string[] {
  const document = parse(text);
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return document.definitions
    .filter((d) => d.kind === Kind.OPERATION_DEFINITION)
    .flatMap((operation) => validate(schema, { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] } as DocumentNode))
    .map((e) => e.message);
}

describe('every graphql block in README.md and docs/ validates against schema/schema.graphql', () => {
  const schema = buildSchema(readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8'));
  const blocks = documentationFiles(ROOT).flatMap((file) => readBlocks(ROOT, file).filter((b) => b.lang === 'graphql'));
  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))('%s', (_, block) => {
    expect(validateEach(schema, block.body.replace(/"<(\w+)>"/g, '"placeholder"'))).toEqual([]);
  });
});

/** Every scalar in an answer, by field name: the values later blocks may refer to as "<field>". */
function collect(value: unknown, into: Map<string, unknown>): void {
  if (Array.isArray(value)) value.forEach((v) => collect(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (v !== null && typeof v !== 'object') into.set(key, v);
      else collect(v, into);
    }
  }
}

function fillPlaceholders(text: string, values: Map<string, unknown>): string {
  return text.replace(/"<(\w+)>"/g, (_, name: string) => {
    if (!values.has(name)) throw new Error(`"<${name}>": no earlier block answered a field ${name}`);
    return JSON.stringify(values.get(name));
  });
}

/** POST a query, or for a subscription read the first SSE event and hang up. */
async function execute(fetcher: ReturnType<typeof createApp>, query: string): Promise<{ data?: any; errors?: any[] }> {
  const subscription = /^\s*subscription\b/.test(query);
  const response = await fetcher.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: subscription ? 'text/event-stream' : 'application/json', ...AUTH_HEADERS },
    body: JSON.stringify({ query }),
  });
  if (!subscription) return (await response.json()) as { data?: any; errors?: any[] };
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended without an event: ${text}`);
      text += decoder.decode(value, { stream: true });
      const event = /event: next\ndata: (.*)\n/.exec(text);
      if (event) return JSON.parse(event[1]!) as { data?: any; errors?: any[] };
    }
  } finally {
    await reader.cancel();
  }
}

describe.each(GRAPHQL_DOCUMENTS)('the GraphQL blocks of %s, in order, on the simulator', (file) => {
  const blocks: FencedBlock[] = readBlocks(ROOT, file).filter((b) => b.lang === 'graphql');
  const values = new Map<string, unknown>();
  let schema: GraphQLSchema;
  let services: RunningServices;
  let app: ReturnType<typeof createApp>;

  beforeAll(() => {
    schema = buildSchema(readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8'));
    services = createSimulatorServices({ strategy: 'N1' });
    app = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
  });
  afterAll(async () => {
    await services?.[Symbol.asyncDispose]();
  });

  it('has blocks', () => expect(blocks.length).toBeGreaterThan(0));

  it.each(blocks.map((b) => [`line ${b.line}${b.flags.includes('error') ? ' (shows an error)' : ''}`, b] as const))('%s', async (_, block) => {
    const query = fillPlaceholders(block.body, values);
    expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
    const result = await execute(app, query);
    if (block.flags.includes('error')) {
      expect(result.errors?.length, JSON.stringify(result)).toBeGreaterThan(0);
    } else {
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      collect(result.data, values);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Part 3: the client kit's TypeScript example
// ---------------------------------------------------------------------------------------------------------

const run = promisify(execFile);

/** TypeScript errors in `file` alone, as `line: message`, checked with the repository's compiler options. */
function typeErrors(file: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram([file], { ...config.options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

describe('the TypeScript blocks of docs/his-developers.md', () => {
  const blocks = readBlocks(ROOT, 'docs/his-developers.md').filter((b) => b.lang === 'ts' || b.lang === 'typescript');
  let dir: string;
  let services: RunningServices;
  let server: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'docs-ts-'));
    services = createSimulatorServices({ strategy: 'N1' });
    server = await startServer({ yoga: createApp(services, { graphiql: false, security: { token: TEST_TOKEN } }), host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await services?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the client-kit example', () => expect(blocks.length).toBeGreaterThan(0));

  it.each(blocks.map((b) => [`line ${b.line}`, b] as const))('%s type-checks and runs against the simulator', async (_, block) => {
    const file = join(dir, `block-${block.line}.mts`);
    writeFileSync(
      file,
      block.body
        .replaceAll("'./client/index.ts'", JSON.stringify(join(ROOT, 'client/index.ts')))
        .replaceAll('http://127.0.0.1:8737/graphql', `${server.url}/graphql`),
    );
    expect(typeErrors(file)).toEqual([]);
    const { stdout } = await run(process.execPath, [TSX, file], { cwd: ROOT, env: { ...process.env, ACCESS_TOKEN: TEST_TOKEN } });
    expect(stdout).toContain('王小明 A123456789');
    expect(stdout).toMatch(/^seq \d+ treatment ID \S+$/m);
    expect(stdout).toMatch(/^health-card light \w+$/m);
  }, 180_000);
});

// ---------------------------------------------------------------------------------------------------------
// Part 4: command lines that run a client example
// ---------------------------------------------------------------------------------------------------------

/** Client examples a documented `npx tsx <example> …` line may run, and what their output must show. */
const CLIENT_EXAMPLES: Readonly<Record<string, RegExp>> = {
  // The closing table: the standard card written, the patient who left cancelled, the expired card refused.
  'client/examples/desk-day.ts': /STANDARD.*WRITTEN[\s\S]*RARE_CHARACTER_NAME.*CANCELLED[\s\S]*EXPIRED.*HEALTH_CARD_EXPIRED/,
};

const exampleCommands: CommandLine[] = documentationFiles(ROOT).flatMap((file) =>
  readBlocks(ROOT, file)
    .filter((block) => SHELL_LANGUAGES.has(block.lang))
    .flatMap(commandLines)
    .filter((c) => c.words[0] === 'npx' && c.words[1] === 'tsx' && Object.hasOwn(CLIENT_EXAMPLES, c.words[2] ?? '')),
);

describe('every documented command line that runs a client example, against a simulator gateway process', () => {
  it('finds the desk day', () => expect(exampleCommands.map((c) => c.words[2])).toContain('client/examples/desk-day.ts'));

  it.each(exampleCommands.map((c) => [`${c.file}:${c.line} ${c.text}`, c] as const))('%s', async (_, command) => {
    const home = mkdtempSync(join(tmpdir(), 'docs-example-'));
    const port = await freePort();
    const env = { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: join(home, 'state'), TMPDIR: tmpdir() };
    const gateway = await startProcess(['--backend', 'simulator', '--host', '127.0.0.1', '--port', String(port)], env);
    try {
      // The documented gateway address is the default port's; the token is the one `export ACCESS_TOKEN=…` reads.
      const args = command.words.slice(3).map((w) => w.replace('http://127.0.0.1:8737/', `http://127.0.0.1:${port}/`));
      const { stdout } = await run(process.execPath, [TSX, command.words[2]!, ...args], { cwd: ROOT, env: { ...env, ACCESS_TOKEN: gateway.token } });
      expect(stdout).toMatch(CLIENT_EXAMPLES[command.words[2]!]!);
    } finally {
      await stopProcess(gateway.child);
      rmSync(home, { recursive: true, force: true });
    }
  }, 180_000);
});
