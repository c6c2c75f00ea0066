/**
 * The cshis backend's start-up faults, in-process over the native fixture through koffi: a control software
 * installed after the gateway started is picked up without a restart, and a library that is not NHI's control
 * software is called that (not "update it").
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCshis } from '../../../src/backends/cshis.ts';
import { createServices, type RunningServices } from '../../../src/services.ts';
import { createApp } from '../../../src/app.ts';
import { createConsoleLogger } from '../../../src/logger.ts';
import { loadCshisLibrary, loadFixtureControls } from '../../../src/adapters/cshis/native.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { FIXTURE_SO, ensureFixtureBuilt, insertSimulatedPatient } from '../cshis/helpers.ts';

let dir: string;
let services: RunningServices | null = null;
const logLines: string[] = [];
const logger = createConsoleLogger({ write: (line) => logLines.push(line) });

beforeAll(() => ensureFixtureBuilt());
afterEach(async () => {
  await services?.[Symbol.asyncDispose]();
  services = null;
  rmSync(dir, { recursive: true, force: true });
});

async function start(libraryPath: string) {
  writeFileSync(join(dir, 'csdll.ini'), '[CS]\r\nCOM=COMX1\r\n', 'latin1');
  const backend = await openCshis({
    libraryPath,
    csdllIni: join(dir, 'csdll.ini'),
    callTimeoutMs: 2000,
    strategy: 'N1',
    reloadBackoffMs: { initial: 50, max: 200 },
    logger,
  });
  services = createServices(backend, { strategy: 'N1', logger });
  const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
  return {
    async basicData() {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
        body: JSON.stringify({ query: '{ healthCard { basicData { __typename ... on BasicData { cardNumber } ... on Error { code message } } } }' }),
      });
      return ((await response.json()) as any).data.healthCard.basicData;
    },
    async ready() {
      const response = await yoga.fetch('http://localhost/ready');
      return { status: response.status, body: (await response.json()) as { reasons: string[] } };
    },
  };
}

describe('the cshis backend when the control software is missing or foreign', () => {
  it('serves, explains on /ready, and picks up a control software installed later without a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cshis-backend-'));
    const later = join(dir, 'CSHIS.so');
    const gateway = await start(later);
    expect(await gateway.basicData()).toMatchObject({ __typename: 'ControlSoftwareError', code: 'CONTROL_SOFTWARE_UNAVAILABLE' });
    const before = await gateway.ready();
    expect(before.status).toBe(503);
    expect(before.body.reasons.join('\n')).toContain(later);

    // The clinic installs the control software now.
    copyFileSync(FIXTURE_SO, later);
    const fx = loadFixtureControls(loadCshisLibrary(later));
    fx.reset();
    insertSimulatedPatient(fx, 'STANDARD');
    await expect.poll(async () => (await gateway.ready()).status, { timeout: 10_000 }).toBe(200);
    expect(await gateway.basicData()).toMatchObject({ __typename: 'BasicData', cardNumber: '000012345678' });
    expect(logLines.join('\n')).toContain('control software loaded');
  });

  it('calls a library without the control software’s functions "not NHI’s control software", and never "update it"', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cshis-backend-'));
    const source = join(dir, 'other.c');
    const other = join(dir, 'libother.so');
    writeFileSync(source, 'int some_other_function(void) { return 42; }\n');
    execFileSync('gcc', ['-shared', '-fPIC', '-o', other, source]);
    const gateway = await start(other);
    const reason = (await gateway.ready()).body.reasons.join('\n');
    expect(reason).toMatch(/is not NHI's control software: it has 0 of the \d+ CSHIS\.dll functions/);
    expect(reason).not.toMatch(/update/i);
    expect(await gateway.basicData()).toMatchObject({ code: 'CONTROL_SOFTWARE_UNAVAILABLE' });
  });
});
