/**
 * The whole GraphQL API over the REAL koffi adapter and the native CSHIS fixture (no simulator anywhere):
 * services composed as `--backend cshis` composes them (src/backends/cshis.ts: csdll.ini, queue, readiness),
 * requests through yoga.fetch in-process. Cards are the simulator's test patients, encoded with the same
 * §4.1 encoders (helpers.ts), so both backends answer from one behaviour model.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { parseArgs, type GatewayConfig } from '../../../src/config.ts';
import { controlSoftwareBackend, openCshis } from '../../../src/backends/cshis.ts';
import { createServices, createSimulatorServices, servicesOptionsFromConfig, type RunningServices } from '../../../src/services.ts';
import { createCshisControlSoftware } from '../../../src/adapters/cshis/cshis-control-software.ts';
import { loadCshisLibrary, loadFixtureControls, type FixtureControls } from '../../../src/adapters/cshis/native.ts';
import { rocDateToIso } from '../../../src/codecs/roc-date.ts';
import type { VisitStrategy } from '../../../src/ports/card-stack.ts';
import { createConsoleLogger } from '../../../src/logger.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import {
  FIXTURE_SO,
  MINIMAL_SO,
  WIN_IA32_DLL,
  ensureFixtureBuilt,
  insertSimulatedPatient,
  mingwInstalled,
  sleep,
} from './helpers.ts';

/** NHI's 5.1.5.7 sample csdll.ini (briefing 2022-11), CRLF. */
const CSDLL_INI = [
  '[CS]',
  'READER=PC/SC',
  'COM=COMX1',
  'HCA=ENABLE',
  'CSFSIM=ENABLE',
  'MSGSHOW=ENABLE',
  'HPCFASTAUTH=DISABLE',
  'CSWATCH=DISABLE',
  'CSTIMEOUT=120',
  'CSAUTOVSAM=ENABLE',
  'CSOFFAUTH=DISABLE',
  'CSREMOTE=DISABLE',
  'CLSCSFSIM=ENABLE',
  '',
].join('\r\n');

let fx: FixtureControls;
let dir: string;
let iniPath: string;
let services: RunningServices | null = null;
let yoga: ReturnType<typeof createApp>;
let logLines: string[] = [];

beforeAll(() => {
  ensureFixtureBuilt();
  fx = loadFixtureControls(loadCshisLibrary(FIXTURE_SO));
});

beforeEach(() => {
  fx.reset();
  dir = mkdtempSync(join(tmpdir(), 'gql-fixture-'));
  iniPath = join(dir, 'csdll.ini');
  writeFileSync(iniPath, Buffer.from(CSDLL_INI, 'latin1'));
  logLines = [];
});

afterEach(async () => {
  fx.reset(); // releases a hung call before disposal
  await services?.[Symbol.asyncDispose]();
  services = null;
  rmSync(dir, { recursive: true, force: true });
});

afterAll(() => fx.reset());

function configFor(args: string[], cshisPath = FIXTURE_SO): GatewayConfig {
  const parsed = parseArgs(['--backend', 'cshis', '--cshis-path', FIXTURE_SO, '--csdll-ini', iniPath, ...args], {});
  if (parsed.kind !== 'run') throw new Error(`config: ${JSON.stringify(parsed)}`);
  // Parsed with the fixture's path (so the configuration is the one a real start would have); a load failure
  // (missing file or dependency, wrong bitness) is what the gateway must survive, so swap the path in here.
  return { ...parsed.config, cshisPath };
}

async function start(options: { args?: string[]; cshisPath?: string; strategy?: VisitStrategy } = {}): Promise<void> {
  const logger = createConsoleLogger({ write: (line) => logLines.push(line) });
  const config = configFor(options.args ?? ['--call-timeout-ms', '1000'], options.cshisPath);
  const strategy = options.strategy ?? 'N1';
  const backend = await openCshis({
    libraryPath: config.cshisPath!,
    csdllIni: config.csdllIni,
    callTimeoutMs: config.callTimeoutMs,
    strategy,
    openPolicy: 'per-operation',
    logger,
  });
  services = createServices(backend, { ...servicesOptionsFromConfig(config, { logger }), strategy });
  yoga = createApp(services, { graphiql: false, logger, security: { token: TEST_TOKEN } });
}

async function gql(query: string, variables?: Record<string, unknown>) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH_HEADERS },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

async function ready(): Promise<{ status: number; body: { ready: boolean; reasons: string[] } }> {
  const response = await yoga.fetch('http://localhost/ready');
  return { status: response.status, body: (await response.json()) as { ready: boolean; reasons: string[] } };
}

const QUEUE = /* GraphQL */ `{ gateway { ready readinessReasons controlSoftwareQueue {
  depth stuck inFlight { name timedOut elapsedMs } coalescedCalls missingExports versionCode openPolicy readerPort readerPortSource
  callTimeoutMs callTimeoutSource slowCallTimeoutMs functions { name count errors timeouts lastMs maxMs p50Ms } } } }`;

describe('GraphQL over the koffi adapter and the native fixture', () => {
  it('runs a whole visit: basicData, startVisit, treatmentIdForVisit, writeTreatment, cancelVisit', async () => {
    await start();
    const patient = insertSimulatedPatient(fx, 'STANDARD');

    const basic = await gql('{ healthCard { basicData { __typename ... on BasicData { cardNumber idNumber sex birthDate name { text } } } } }');
    expect(basic.errors).toBeUndefined();
    expect(basic.data.healthCard.basicData).toEqual({
      __typename: 'BasicData',
      cardNumber: patient.cardNumber,
      idNumber: patient.idNumber,
      sex: 'MALE',
      birthDate: rocDateToIso(patient.birthDateRoc, 'birthDate'),
      name: { text: patient.name },
    });

    const visit = (
      await gql(
        `mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename
          ... on Visit { visitTime visitTimeRoc seqNumber hospitalId signature samId treatmentId treatmentIdSource strategy }
          ... on Error { code message } } }`,
      )
    ).data.startVisit;
    expect(visit).toMatchObject({ __typename: 'Visit', seqNumber: String(patient.lastSeqNumber + 1).padStart(4, '0'), treatmentIdSource: 'CONTROL_SOFTWARE_1_53', strategy: 'N1' });
    expect(visit.signature).toHaveLength(256);
    expect(visit.treatmentId).toHaveLength(20);

    const byVisit = await gql('mutation($t: DateTime!) { treatmentIdForVisit(input: { visitTime: $t }) { __typename ... on TreatmentId { treatmentId source } } }', { t: visit.visitTime });
    expect(byVisit.data.treatmentIdForVisit).toEqual({ __typename: 'TreatmentId', treatmentId: visit.treatmentId, source: 'CONTROL_SOFTWARE_1_56' });

    const write = await gql(
      'mutation($input: WriteTreatmentInput!) { writeTreatment(input: $input) { __typename ... on TreatmentWritten { apis visitTimeRoc } ... on Error { code } ... on VendorError { vendorCode } } }',
      {
        input: {
          visitTime: visit.visitTimeRoc,
          idNumber: patient.idNumber,
          birthDate: rocDateToIso(patient.birthDateRoc, 'birthDate'),
          diagnoses: ['J069', 'R05'],
          fees: { outpatientFee: 350, outpatientCopay: 50 },
        },
      },
    );
    expect(write.data.writeTreatment).toEqual({ __typename: 'TreatmentWritten', apis: ['1.16', '1.17'], visitTimeRoc: visit.visitTimeRoc });
    expect(fx.writeCount(visit.visitTimeRoc)).toBe(2);

    const cancel = await gql('mutation($t: DateTime!) { cancelVisit(input: { visitTime: $t }) { __typename ... on CancelledVisit { cancelledAt } } }', { t: visit.visitTimeRoc });
    expect(cancel.data.cancelVisit).toEqual({ __typename: 'CancelledVisit', cancelled: true });
    const again = await gql('mutation($t: DateTime!) { cancelVisit(input: { visitTime: $t }) { __typename ... on Error { code } ... on VendorError { vendorCode } } }', { t: visit.visitTimeRoc });
    expect(again.data.cancelVisit).toMatchObject({ __typename: 'VisitError', vendorCode: 5153 });

    // The queue saw every call, one at a time.
    const { data } = await gql(QUEUE);
    expect(data.gateway).toMatchObject({ ready: true, readinessReasons: [] });
    const queue = data.gateway.controlSoftwareQueue;
    expect(queue).toMatchObject({
      depth: 0,
      stuck: false,
      inFlight: null,
      missingExports: [],
      versionCode: 5158,
      openPolicy: 'PER_OPERATION',
      readerPort: 0,
      readerPortSource: 'CSDLL_INI',
      callTimeoutMs: 1000,
      callTimeoutSource: 'OPTION',
      slowCallTimeoutMs: 120_000,
    });
    const byName = Object.fromEntries(queue.functions.map((f: { name: string }) => [f.name, f]));
    for (const name of ['hisGetBasicData', 'hisGetSeqNumber256N1', 'hisGetTreatNumICCard', 'hisWriteTreatmentCode', 'hisWriteTreatmentFee', 'csUnGetSeqNumber']) {
      expect(byName[name], name).toMatchObject({ errors: 0, timeouts: 0 });
      expect(byName[name].count, name).toBeGreaterThanOrEqual(1);
      expect(byName[name].maxMs).toBeGreaterThanOrEqual(byName[name].p50Ms);
    }
    expect(fx.overlapCount()).toBe(0);
  });

  it('a hung call: the caller gets CALL_TIMEOUT in the union, /ready is 503 with the reason, then ready again after release', async () => {
    await start();
    insertSimulatedPatient(fx, 'STANDARD');
    fx.hang('hisGetBasicData', true);

    const hung = await gql('{ healthCard { basicData { __typename ... on Error { code category retryable message } } } }');
    expect(hung.errors).toBeUndefined();
    expect(hung.data.healthCard.basicData).toMatchObject({ __typename: 'ControlSoftwareError', code: 'CALL_TIMEOUT', category: 'CONTROL_SOFTWARE', retryable: true });
    expect(hung.data.healthCard.basicData.message).toMatch(/hisGetBasicData within 1000 ms/);

    const notReady = await ready();
    expect(notReady).toMatchObject({ status: 503, body: { ready: false, reasons: ['a control-software call timed out: hisGetBasicData; recovering'] } });
    const during = (await gql(QUEUE)).data.gateway;
    expect(during).toMatchObject({ ready: false, readinessReasons: ['a control-software call timed out: hisGetBasicData; recovering'] });
    expect(during.controlSoftwareQueue).toMatchObject({ stuck: true, inFlight: { name: 'hisGetBasicData', timedOut: true } });

    fx.hang('hisGetBasicData', false);
    let after = await ready();
    for (let i = 0; i < 100 && after.status !== 200; i++) {
      await sleep(20);
      after = await ready();
    }
    expect(after).toMatchObject({ status: 200, body: { ready: true, reasons: [] } });
    const basic = await gql('{ healthCard { basicData { __typename } } }');
    expect(basic.data.healthCard.basicData.__typename).toBe('BasicData');
    const stats = (await gql(QUEUE)).data.gateway.controlSoftwareQueue;
    expect(stats.functions.find((f: { name: string }) => f.name === 'hisGetBasicData')).toMatchObject({ timeouts: 1 });
    expect(stats.functions.find((f: { name: string }) => f.name === 'recovery')).toMatchObject({ count: 1, errors: 0 });
    expect(logLines.join('\n')).toMatch(/WARN control-software call timed out.*"function":"hisGetBasicData"/);
    expect(logLines.join('\n')).toMatch(/INFO the stuck control-software call returned.*"function":"hisGetBasicData"/);
    expect(fx.overlapCount()).toBe(0);
  });

  it('takes the reader port from COM= and the call timeout from CSTIMEOUT when --call-timeout-ms is not given', async () => {
    writeFileSync(iniPath, Buffer.from(CSDLL_INI.replace('COM=COMX1', 'COM=COMX3').replace('CSTIMEOUT=120', 'CSTIMEOUT=45'), 'latin1'));
    await start({ args: [] });
    const queue = (await gql(QUEUE)).data.gateway.controlSoftwareQueue;
    expect(queue).toMatchObject({ readerPort: 2, readerPortSource: 'CSDLL_INI', callTimeoutMs: 50_000, callTimeoutSource: 'CSTIMEOUT' });
    expect(logLines.join('\n')).toMatch(/control software loaded.*"readerPort":"2 \(COM=COMX3\)".*"callTimeoutMs":"50000 \(CSTIMEOUT\)"/);
  });

  it('the composition the brief names (createServices over createCshisControlSoftware) answers the same reads', async () => {
    const cs = await createCshisControlSoftware({ libraryPath: FIXTURE_SO, callTimeoutMs: 2000, readerPort: 0, openPolicy: 'keep-open' });
    services = createServices(controlSoftwareBackend(cs), { strategy: 'N1' });
    yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
    insertSimulatedPatient(fx, 'RARE_CHARACTER_NAME');
    const { data } = await gql('{ gateway { ready controlSoftwareQueue { depth } } healthCard { basicData { ... on BasicData { name { text hasRareCharacters } } } } csdllIni { __typename } }');
    expect(data.gateway).toEqual({ ready: true, controlSoftwareQueue: null });
    expect(data.healthCard.basicData.name).toEqual({ text: '林\uE000華', hasRareCharacters: true });
    expect(data.csdllIni).toBeNull();
  });
});

describe('csdll.ini through GraphQL', () => {
  const INI = /* GraphQL */ `{ csdllIni { __typename ... on CsdllIni {
    path exists readOnly encoding lineEnding reader { value type } com { value kind number openComIndex }
    hca csfsim msgShow hpcFastAuth csWatch csTimeoutSeconds csAutoVsam csOffAuth csRemote clsCsfsim
    entries { section key value } problems { key rule } backupPath
    lastExternalChange { at removed changedKeys { section key before after } } } ... on Error { code message } } }`;
  const UPDATE = /* GraphQL */ `mutation($input: CsdllIniChange!) { updateCsdllIni(input: $input) { __typename
    ... on CsdllIniUpdate { backupPath changedKeys { key before after } csdllIni { com { value openComIndex } csWatch csTimeoutSeconds } }
    ... on Error { code message hint } } }`;

  it('reads every key typed', async () => {
    await start();
    const { data, errors } = await gql(INI);
    expect(errors).toBeUndefined();
    expect(data.csdllIni).toMatchObject({
      __typename: 'CsdllIni',
      path: iniPath,
      exists: true,
      readOnly: false,
      encoding: 'ANSI',
      lineEnding: 'CRLF',
      reader: { value: 'PC/SC', type: 'PC_SC' },
      com: { value: 'COMX1', kind: 'CLOUD_SAM_SLOT', number: 1, openComIndex: 0 },
      hca: 'ENABLE',
      csfsim: 'ENABLE',
      msgShow: 'ENABLE',
      hpcFastAuth: 'DISABLE',
      csWatch: 'DISABLE',
      csTimeoutSeconds: 120,
      csAutoVsam: 'ENABLE',
      csOffAuth: 'DISABLE',
      csRemote: 'DISABLE',
      clsCsfsim: 'ENABLE',
      problems: [],
      backupPath: null,
      lastExternalChange: null,
    });
    expect(data.csdllIni.entries).toHaveLength(12);
  });

  it('updates keys atomically with a backup, keeping CRLF; refuses bad values naming the key', async () => {
    await start();
    const updated = await gql(UPDATE, { input: { com: 'comx2', csWatch: 'ENABLE', csTimeoutSeconds: 90 } });
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateCsdllIni).toEqual({
      __typename: 'CsdllIniUpdate',
      backupPath: `${iniPath}.bak`,
      changedKeys: [
        { key: 'COM', before: 'COMX1', after: 'COMX2' },
        { key: 'CSWATCH', before: 'DISABLE', after: 'ENABLE' },
        { key: 'CSTIMEOUT', before: '120', after: '90' },
      ],
      csdllIni: { com: { value: 'COMX2', openComIndex: 1 }, csWatch: 'ENABLE', csTimeoutSeconds: 90 },
    });
    expect(readFileSync(iniPath, 'latin1')).toBe(
      CSDLL_INI.replace('COM=COMX1', 'COM=COMX2').replace('CSWATCH=DISABLE', 'CSWATCH=ENABLE').replace('CSTIMEOUT=120', 'CSTIMEOUT=90'),
    );
    expect(readFileSync(`${iniPath}.bak`, 'latin1')).toBe(CSDLL_INI);
    expect((await gql(INI)).data.csdllIni.lastExternalChange).toBeNull(); // our own write is not "external"

    for (const [input, field] of [
      [{ csTimeoutSeconds: 0 }, 'CSTIMEOUT'],
      [{ com: 'COMX11' }, 'COM'],
      [{ reader: 'DEDICATED' }, 'READER'],
      [{}, 'input'],
    ] as const) {
      const bad = await gql(UPDATE, { input });
      expect(bad.data?.updateCsdllIni ?? null).toBeNull();
      expect(bad.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(readFileSync(iniPath, 'latin1')).toContain('COM=COMX2');
  });

  it.runIf(process.platform !== 'win32')('refuses a read-only csdll.ini with a typed error that says so', async () => {
    await start();
    chmodSync(iniPath, 0o444);
    const { data } = await gql(UPDATE, { input: { com: 'COMX2' } });
    expect(data.updateCsdllIni).toMatchObject({ __typename: 'ControlSoftwareError', code: 'CSDLL_INI_READ_ONLY' });
    expect(data.updateCsdllIni.message).toMatch(/read-only/);
    expect(data.updateCsdllIni.hint).toMatch(/NHI advises keeping csdll.ini read-only/);
    expect(readFileSync(iniPath, 'latin1')).toBe(CSDLL_INI);
    expect((await gql(INI)).data.csdllIni.readOnly).toBe(true);
  });

  it('reports another program rewriting COM= with before and after', async () => {
    await start();
    writeFileSync(iniPath, Buffer.from(CSDLL_INI.replace('COM=COMX1', 'COM=COMX4'), 'latin1'));
    const { data } = await gql(INI);
    expect(data.csdllIni.com.value).toBe('COMX4');
    expect(data.csdllIni.lastExternalChange).toMatchObject({ removed: false, changedKeys: [{ section: 'CS', key: 'COM', before: 'COMX1', after: 'COMX4' }] });
    expect(logLines.join('\n')).toMatch(/WARN csdll.ini was rewritten by another program.*COMX1 → COMX4/);
  });
});

describe('a control software that cannot be used', () => {
  it('missing DLL: the gateway still answers, /ready and readinessReasons say why with the fix, card fields answer CONTROL_SOFTWARE_UNAVAILABLE', async () => {
    const missing = join(dir, 'NHI', 'LIB', 'CSHIS.dll');
    await start({ cshisPath: missing });
    expect(logLines.join('\n')).toMatch(/WARN control software not loaded: Cannot load the control software library .*CSHIS\.dll: file not found\. Fix: Install the NHI card-reader control software/);

    const { data, errors } = await gql(`{ gateway { backend ready readinessReasons controlSoftwareQueue { depth } }
      healthCard { basicData { __typename ... on Error { code category message } } } }`);
    expect(errors).toBeUndefined();
    expect(data.gateway.backend).toBe('cshis');
    expect(data.gateway.ready).toBe(false);
    expect(data.gateway.controlSoftwareQueue).toBeNull();
    expect(data.gateway.readinessReasons).toEqual([expect.stringMatching(/^control software unavailable \(CONTROL_SOFTWARE_UNAVAILABLE\): .*file not found\. Fix: Install/)]);
    expect(data.healthCard.basicData).toMatchObject({ __typename: 'ControlSoftwareError', code: 'CONTROL_SOFTWARE_UNAVAILABLE' });

    const visit = await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename ... on Error { code } } }');
    expect(visit.data.startVisit).toEqual({ __typename: 'ControlSoftwareError', code: 'CONTROL_SOFTWARE_UNAVAILABLE' });
    const r = await ready();
    expect(r.status).toBe(503);
    expect(r.body.reasons[0]).toMatch(/file not found/);
    // csdll.ini needs no DLL
    expect((await gql('{ csdllIni { ... on CsdllIni { com { value } } } }')).data.csdllIni.com.value).toBe('COMX1');
  });

  it.runIf(mingwInstalled() && process.arch === 'x64' && existsSync(WIN_IA32_DLL))(
    'wrong bitness: the reason names the architectures and the executable to use',
    async () => {
      await start({ cshisPath: WIN_IA32_DLL });
      const { data } = await gql('{ gateway { ready readinessReasons } healthCard { basicData { __typename ... on Error { code } } } }');
      expect(data.gateway.ready).toBe(false);
      expect(data.gateway.readinessReasons[0]).toMatch(/CSHIS\.dll is 32-bit \(i386\) but this gateway is x64: use nhi-gateway-win-x86\.exe\. Fix: Start nhi-gateway-win-x86\.exe/);
      expect(data.healthCard.basicData).toEqual({ __typename: 'ControlSoftwareError', code: 'CONTROL_SOFTWARE_UNAVAILABLE' });
      expect(logLines.join('\n')).toMatch(/WARN control software not loaded: CSHIS\.dll is 32-bit/);
    },
  );

  it('a DLL too old for the N1 strategy: /ready mentions it, startVisit answers CONTROL_SOFTWARE_TOO_OLD', async () => {
    await start({ cshisPath: MINIMAL_SO }); // csGetVersionEx → 3013 (3.0-era), no 1.53
    const { data } = await gql(`{ gateway { ready readinessReasons controlSoftwareQueue { versionCode missingExports } } }`);
    expect(data.gateway.ready).toBe(false);
    expect(data.gateway.readinessReasons).toEqual([expect.stringMatching(/version code 3013\) is too old for the N1 visit strategy: hisGetSeqNumber256N1 needs 5\.1\.5\.1 or later \(CONTROL_SOFTWARE_TOO_OLD\)/)]);
    expect(data.gateway.controlSoftwareQueue.versionCode).toBe(3013);
    expect(data.gateway.controlSoftwareQueue.missingExports).toContain('hisGetBasicData');
    const visit = await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { __typename ... on Error { code message hint } } }');
    expect(visit.data.startVisit).toMatchObject({ __typename: 'ControlSoftwareError', code: 'CONTROL_SOFTWARE_TOO_OLD' });
    expect(visit.data.startVisit.message).toMatch(/3\.0\.1\.3 \(version code 3013\) is too old for hisGetSeqNumber256N1: it needs 5\.1\.5\.1/);
    const basic = await gql('{ healthCard { basicData { __typename ... on Error { code } } } }');
    expect(basic.data.healthCard.basicData).toEqual({ __typename: 'ControlSoftwareError', code: 'MISSING_EXPORT' });
    expect(logLines.join('\n')).toMatch(/WARN control software 3\.0\.1\.3 \(version code 3013\) is too old for the N1 visit strategy/);
  });
});

describe('the simulator has no csdll.ini and no native queue (and keeps working)', () => {
  it('answers null for csdllIni and controlSoftwareQueue, a typed error for updateCsdllIni, and is ready', async () => {
    services = createSimulatorServices({ strategy: 'N1' });
    yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
    const { data, errors } = await gql('{ gateway { ready controlSoftwareQueue { depth } } csdllIni { __typename } }');
    expect(errors).toBeUndefined();
    expect(data).toEqual({ gateway: { ready: true, controlSoftwareQueue: null }, csdllIni: null });
    const update = await gql('mutation { updateCsdllIni(input: { com: "COMX2" }) { __typename ... on Error { code message } } }');
    expect(update.data.updateCsdllIni).toEqual({
      __typename: 'ControlSoftwareError',
      code: 'CSDLL_INI_NOT_CONFIGURED',
      message: 'This backend has no csdll.ini (the simulator does not use one)',
    });
  });
});
