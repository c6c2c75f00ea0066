/**
 * A gateway in-process (createApp + yoga.fetch) wired to the stand-in NHI Web API, on either bed:
 * - `simulator`: the embedded simulator and its signer;
 * - `fixture`: the cshis backend as `--backend cshis` composes it — the real command-line options through
 *   parseArgs, openCshis over the native fixture (test/native/cshis_fixture.c) through koffi, and the CsHisX COM
 *   signer over a fake COM object whose vtable holds real koffi callbacks (test/webapi/fake-com.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../src/app.ts';
import { parseArgs } from '../../../src/config.ts';
import { createServices, servicesOptionsFromConfig, type RunningServices, type ServicesOptions, type WebApiServiceOptions } from '../../../src/services.ts';
import { controlSoftwareBackend, openCshis } from '../../../src/backends/cshis.ts';
import { openSimulator } from '../../../src/backends/simulator.ts';
import type { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { ComSigner } from '../../../src/adapters/signer/com-signer.ts';
import { createConsoleLogger } from '../../../src/logger.ts';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../../src/adapters/cshis/native.ts';
import type { NoCardTreatmentIdPolicy, VisitStrategy } from '../../../src/ports/card-stack.ts';
import type { ControlSoftware } from '../../../src/ports/control-software.ts';
import type { Signer } from '../../../src/ports/signer.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import type { StandIn } from '../../webapi/stand-in.ts';
import { samBehindFakeCom } from '../../webapi/fake-com-runtime.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient } from '../cshis/helpers.ts';

export type Bed = 'simulator' | 'fixture';
export const BEDS: readonly Bed[] = ['simulator', 'fixture'];

export interface TestGateway {
  readonly services: RunningServices;
  /** Puts one of the simulator's test cards in the reader (on the fixture: the same card's bytes). */
  insertCard(key: string): Promise<void>;
  gql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }>;
  /** The app's own fetch (for SSE and graphql-ws clients). */
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  ready(): Promise<{ status: number; body: { ready: boolean; reasons: string[] } }>;
  /**
   * A gateway restart: these services stop (the backend closes the reader) and fresh ones start over the same
   * reader, with the same journal file (`journalPath`). The cards stay in the reader with what was written to
   * them; on the fixture the library also forgets what it kept for the old process (reader open, SAM
   * authenticated, PINs verified: cshis_fixture.c fixtureRestartLibrary). Returns the new gateway; this one is
   * closed.
   */
  restart(): Promise<TestGateway>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  readonly strategy: VisitStrategy;
  /** @default 'simulator' */
  readonly bed?: Bed;
  /** Web API settings; `standIn` fills in its URL and CA. */
  readonly standIn?: StandIn;
  readonly webApi?: Partial<WebApiServiceOptions>;
  /** The SAM signer instead of the bed's own. */
  readonly signer?: Signer;
  readonly noCardTreatmentId?: NoCardTreatmentIdPolicy;
  /** Another ControlSoftware instead of the simulator (no simulator controls then). */
  readonly controlSoftware?: ControlSoftware;
  /** The card-write journal file (kept across `restart()`); omitted keeps the journal in memory. */
  readonly journalPath?: string;
}

/** What a restart keeps: the simulator's workstation (its cards). */
interface BedState {
  workstation?: SimulatedWorkstation;
}

const STRATEGY_FLAGS: Record<VisitStrategy, string> = {
  N1: 'n1',
  SEQ256_TREATNUM: 'seq256-treatnum',
  SEQ256_QUICK_TREATNUM: 'seq256-quick-treatnum',
  SEQ256_WEBAPI: 'seq256-webapi',
};
const NO_CARD_FLAGS: Record<NoCardTreatmentIdPolicy, string> = {
  WEB_API: 'webapi',
  CONTROL_SOFTWARE_1_54: '1.54',
  WEB_API_THEN_1_54: 'webapi-then-1.54',
};

let fixture: FixtureControls | null = null;

export async function startGateway(options: GatewayOptions): Promise<TestGateway> {
  return start(options, {});
}

async function start(options: GatewayOptions, bed: BedState, restarted = false): Promise<TestGateway> {
  const { services, insertCard, cleanup } =
    (options.bed ?? 'simulator') === 'fixture' ? await onFixture(options, restarted) : onSimulator(options, bed);
  const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
  const gql: TestGateway['gql'] = async (query, variables) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH_HEADERS },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  };
  return {
    services,
    insertCard: (key) => insertCard(key, gql),
    gql,
    fetch: (input, init) => Promise.resolve(yoga.fetch(input as never, init ?? {})),
    async ready() {
      const response = await yoga.fetch('http://localhost/ready', { headers: { ...AUTH_HEADERS } });
      return { status: response.status, body: (await response.json()) as { ready: boolean; reasons: string[] } };
    },
    async restart() {
      await services[Symbol.asyncDispose]();
      cleanup({ keepCards: true });
      return start(options, bed, true);
    },
    async close() {
      await services[Symbol.asyncDispose]();
      cleanup({ keepCards: false });
    },
  };
}

function webApiFor(options: GatewayOptions): WebApiServiceOptions | undefined {
  if (!options.standIn && !options.webApi?.url) return undefined;
  return {
    url: options.standIn?.url ?? options.webApi!.url!,
    ...(options.standIn ? { caFile: options.standIn.caFile } : {}),
    ...options.webApi,
  };
}

function onSimulator(options: GatewayOptions, bed: BedState) {
  const webApi = webApiFor(options);
  const serviceOptions: ServicesOptions = {
    strategy: options.strategy,
    ...(options.journalPath ? { journalPath: options.journalPath } : {}),
    ...(webApi ? { webApi } : {}),
    ...(options.noCardTreatmentId ? { noCardTreatmentId: options.noCardTreatmentId } : {}),
  };
  const signer = options.signer;
  let services: RunningServices;
  if (options.controlSoftware) {
    services = createServices(controlSoftwareBackend(options.controlSoftware, signer ? { signer: () => signer } : {}), serviceOptions);
  } else {
    // The workstation outlives a restart, as the reader and its cards outlive the gateway process.
    const backend = openSimulator({}, undefined, bed.workstation);
    bed.workstation = backend.simulator as SimulatedWorkstation;
    services = createServices(signer ? { ...backend, signer: () => signer } : backend, serviceOptions);
  }
  return {
    services,
    insertCard: async (key: string, gql: TestGateway['gql']) => {
      await gql(`mutation { simulatorInsertHealthCard(input: { card: ${key} }) { __typename } }`);
    },
    cleanup: (_: { keepCards: boolean }) => undefined,
  };
}

/** The cshis backend from the command line a clinic would type, over the native fixture. */
async function onFixture(options: GatewayOptions, restarted: boolean) {
  ensureFixtureBuilt();
  fixture ??= loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
  const fx = fixture;
  // A restart finds the cards where the last gateway left them; the library forgets the old process.
  if (restarted) fx.restartLibrary();
  else fx.reset();
  const dir = mkdtempSync(join(tmpdir(), 'webapi-fixture-'));
  const csdllIni = join(dir, 'csdll.ini');
  writeFileSync(csdllIni, '[CS]\r\nCOM=COMX1\r\n', 'latin1');
  const webApi = webApiFor(options);
  const argv = [
    '--backend', 'cshis', '--cshis-path', FIXTURE_SO, '--csdll-ini', csdllIni, '--call-timeout-ms', '5000',
    '--visit-strategy', STRATEGY_FLAGS[options.strategy],
    // NHI's test cards sign for service 12, as a clinic's acceptance run on test cards would set it.
    '--webapi-service-code', '12',
    ...(webApi ? ['--webapi-url', webApi.url] : []),
    ...(webApi?.caFile ? ['--nhi-ca-file', webApi.caFile] : []),
    ...(options.noCardTreatmentId ? ['--no-card-treatment-id', NO_CARD_FLAGS[options.noCardTreatmentId]] : []),
  ];
  const parsed = parseArgs(argv, {});
  if (parsed.kind !== 'run') throw new Error(`config: ${JSON.stringify(parsed)}`);
  const config = parsed.config;
  const logger = createConsoleLogger({ write: () => undefined });
  const signer = options.signer ?? new ComSigner({ loadRuntime: () => samBehindFakeCom().runtime });
  const backend = await openCshis({
    libraryPath: FIXTURE_SO,
    csdllIni,
    callTimeoutMs: config.callTimeoutMs,
    strategy: options.strategy,
    signer: () => signer,
    logger,
  });
  const composed = servicesOptionsFromConfig(config, { logger, ...(options.journalPath ? { journalPath: options.journalPath } : {}) });
  // Test-only overrides the command line has no flag for (short timeouts, a wrong service code, a second CA).
  const overrides = { ...options.webApi };
  delete overrides.url;
  const services = createServices(backend, {
    ...composed,
    ...(composed.webApi ? { webApi: { ...composed.webApi, ...overrides } } : {}),
  });
  return {
    services,
    insertCard: async (key: string) => {
      insertSimulatedPatient(fx, key);
    },
    cleanup: ({ keepCards }: { keepCards: boolean }) => {
      if (!keepCards) fx.reset();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const INSERT_STANDARD = 'mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }';

export const START_VISIT = /* GraphQL */ `
  mutation {
    startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) {
      __typename
      ... on Visit { visitTime visitTimeRoc seqNumber samId hospitalId treatmentId treatmentIdSource treatmentIdPending strategy warnings { code vendorCode message messageZh } }
      ... on Error { code category retryable message hint } ... on VendorError { vendorCode }
    }
  }
`;

export const FOR_VISIT = /* GraphQL */ `
  mutation($t: DateTime!) {
    treatmentIdForVisit(input: { visitTime: $t }) {
      __typename
      ... on TreatmentId { treatmentId source visitTimeRoc hospitalId }
      ... on Error { code category retryable message } ... on VendorError { vendorCode }
    }
  }
`;

export const WITHOUT_CARD = /* GraphQL */ `
  mutation($id: String!) {
    treatmentIdWithoutCard(input: { idNumber: $id }) {
      __typename
      ... on TreatmentId { treatmentId source visitTimeRoc hospitalId }
      ... on Error { code category retryable message hint } ... on VendorError { vendorCode }
    }
  }
`;

export const LAST_SEQ = '{ healthCard { lastSeqNumber { ... on LastSeqNumber { seqNumber } } } }';
