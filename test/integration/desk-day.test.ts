/**
 * Issue 13's "done when", run: client/examples/desk-day.ts (the kit only, under 100 lines) against real gateway
 * processes, one per visit strategy (方式4 with the HTTPS stand-in for NHI's Web API), every simulator test card,
 * each card write retried with its idempotency key, and the first gateway stopped with SIGTERM and started again on
 * the same port in the middle of the day. The desk must keep receiving the lights over graphql-ws and the reader
 * events over SSE after the restart, every card must end as expected, and the gateways' own counters must show each
 * retried write reached the card once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskDay, type DeskGateway, type Outcome } from '../../client/examples/desk-day.ts';
import { describeError } from '../../client/index.ts';
import { childHome, ROOT, type ChildHome } from '../helpers/gateway-child.ts';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.ts';
import { freePort } from '../helpers/free-port.ts';
import { createTestPki, type TestPki } from '../webapi/certs.ts';
import { startStandIn, type StandIn } from '../webapi/stand-in.ts';

const STRATEGIES = ['n1', 'seq256-treatnum', 'seq256-quick-treatnum', 'seq256-webapi'] as const;
const STRATEGY_ENUM = ['N1', 'SEQ256_TREATNUM', 'SEQ256_QUICK_TREATNUM', 'SEQ256_WEBAPI'];
/** What the desk must end with for each test card (src/adapters/simulator/patients.ts describes them). */
const EXPECTED: Record<string, string> = {
  STANDARD: 'WRITTEN',
  RARE_CHARACTER_NAME: 'CANCELLED', // the desk example's patient who leaves before the consultation
  NEWBORN_ATTACHED: 'WRITTEN',
  EXPIRED: 'HEALTH_CARD_EXPIRED',
  NO_VISITS_LEFT: 'NO_REMAINING_VISITS',
  CANCELLED: 'HEALTH_CARD_CANCELLED',
  NOT_INSURED: 'COVERAGE_SUSPENDED_OR_WITHDRAWN',
};
/** The first gateway restarts after this many patients (STANDARD, RARE_CHARACTER_NAME): NEWBORN_ATTACHED is written after it. */
const RESTART_AFTER = 2;

interface Bed {
  readonly home: ChildHome;
  readonly port: number;
  readonly args: string[];
  process: GatewayProcess;
  token: string;
  /** Counter values scraped from /metrics before each stop, summed over the gateway's runs. */
  readonly counted: Map<string, number>;
}

async function start(bed: Pick<Bed, 'home' | 'args'>): Promise<{ process: GatewayProcess; token: string }> {
  const process = startGatewayProcess(bed.args, bed.home.env);
  const ready = await process.ready;
  if (ready.kind !== 'started') throw new Error(`the gateway exited (${ready.code}):\n${JSON.stringify(process.output())}`);
  const tokenFile = /token:\s+(\S+)/.exec(process.output().stdout)?.[1];
  if (!tokenFile) throw new Error(`no token file in the banner:\n${process.output().stdout}`);
  return { process, token: readFileSync(tokenFile, 'utf8').trim() };
}

/** Adds this run's card-operation and control-software counters to `bed.counted` (they start at 0 each run). */
async function scrape(bed: Bed): Promise<void> {
  const text = await (await fetch(`http://127.0.0.1:${bed.port}/metrics`)).text();
  for (const match of text.matchAll(/^nhi_gateway_(card_operations_total|control_software_calls_total)\{([^}]*)\} (\d+)$/gm)) {
    const key = `${match[1]}{${match[2]}}`;
    bed.counted.set(key, (bed.counted.get(key) ?? 0) + Number(match[3]));
  }
}

const count = (bed: Bed, key: string): number => bed.counted.get(key) ?? 0;

/** The desk's printed lines, with a way to wait for one. */
function lineLog() {
  const lines: string[] = [];
  const waiters: { from: number; line: string; resolve: () => void }[] = [];
  return {
    lines,
    log(line: string) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (lines.indexOf(waiter.line, waiter.from) < 0) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    /** Resolves once `line` is printed at or after index `from`. */
    until(line: string, from: number): Promise<void> {
      if (lines.indexOf(line, from) >= 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ from, line, resolve }));
    },
  };
}

describe('the HIS desk day with the client kit (client/examples/desk-day.ts)', () => {
  let pki: TestPki;
  let standIn: StandIn;
  const beds: Bed[] = [];

  beforeAll(async () => {
    pki = createTestPki();
    standIn = await startStandIn({ pki });
    await Promise.all(
      STRATEGIES.map(async (strategy, i) => {
        const port = await freePort();
        const home = childHome();
        const webApi = strategy === 'seq256-webapi' ? ['--webapi-url', standIn.url, '--nhi-ca-file', standIn.caFile] : [];
        const args = ['--backend', 'simulator', '--host', '127.0.0.1', '--port', String(port), '--visit-strategy', strategy, ...webApi];
        beds[i] = { home, port, args, counted: new Map(), ...(await start({ home, args })) };
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(beds.map((bed) => bed?.process.stop()));
    for (const bed of beds) bed?.home.dispose();
    await standIn?.close();
    pki?.cleanup();
  });

  it('is under 100 lines', () => {
    const lines = readFileSync(join(ROOT, 'client/examples/desk-day.ts'), 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    expect(lines.length).toBeLessThan(100);
  });

  it('runs every test card on each visit strategy, retries writes once, and keeps receiving events over a restart', async () => {
    const { lines, log, until } = lineLog();
    let restartedAt = -1;
    const first = beds[0]!;
    const gateways: DeskGateway[] = beds.map((bed) => ({ url: `http://127.0.0.1:${bed.port}/graphql`, token: bed.token, backoff: { initialMs: 50, maxMs: 400 } }));
    const webApiRequestsBefore = standIn.requests.length;

    const outcomes: Outcome[] = await deskDay(gateways, {
      log,
      afterPatient: async (gateway, patient) => {
        if (gateway !== 0 || patient !== RESTART_AFTER - 1) return;
        await scrape(first);
        restartedAt = lines.length;
        await first.process.stop();
        Object.assign(first, await start(first)); // same port, same data folder: the same token
        await Promise.all([until('ws resumed', restartedAt), until('sse resumed', restartedAt)]);
      },
    });
    await Promise.all(beds.map(scrape));

    // Every card on every gateway, with the outcome the desk should reach.
    expect(outcomes.map((o) => [o.gateway, o.card, o.outcome])).toEqual(
      beds.flatMap((_, g) => Object.keys(EXPECTED).map((card) => [g, card, EXPECTED[card]])),
    );
    for (const code of new Set(Object.values(EXPECTED))) {
      if (code !== 'WRITTEN' && code !== 'CANCELLED') expect(lines.join('\n')).toContain(describeError(code, 'zh').message);
    }
    // Each visit took its strategy's way; 方式4's treatment IDs came from the Web API.
    STRATEGY_ENUM.forEach((strategy, g) => {
      const visits = lines.filter((l) => l.startsWith('STANDARD: ') && l.includes(` ${strategy} seq `));
      expect(visits, `gateway ${g}`).toHaveLength(1);
    });
    expect(lines).toContain('STANDARD: SEQ256_WEBAPI seq 0042, treatment ID from WEB_API');

    // The restart: reported on both transports, and events kept coming on both afterwards.
    expect(restartedAt).toBeGreaterThan(0);
    const after = lines.slice(restartedAt);
    for (const transport of ['ws', 'sse']) {
      expect(after.indexOf(`${transport} reconnecting`), after.join('\n')).toBeGreaterThanOrEqual(0);
      expect(after.indexOf(`${transport} resumed`)).toBeGreaterThan(after.indexOf(`${transport} reconnecting`));
    }
    const resumed = Math.max(after.indexOf('ws resumed'), after.indexOf('sse resumed'));
    const later = after.slice(resumed);
    // A card inserted after the restart lights up (BROWN, then PURPLE once read with the doctor's card verified) …
    const lit = later.findIndex((l) => /^light (BROWN|GREEN|PURPLE)$/.test(l));
    expect(lit, later.join('\n')).toBeGreaterThanOrEqual(0);
    expect(later.slice(lit)).toContain('light WHITE'); // … and goes out when it is removed
    expect(later.some((l) => /^reader CARD_(INSERTED|AUTHENTICATED)$/.test(l)), later.join('\n')).toBe(true);
    expect(later).toContain('reader CARD_REMOVED');

    // The doctor's PIN was verified again after the restart, and a visit was written.
    expect(lines.findIndex((l) => l.startsWith('NEWBORN_ATTACHED: N1 seq '))).toBeGreaterThan(restartedAt);

    // Each write was sent twice but reached the card once: the gateways' counters, summed over the restart.
    const writes = (g: number, outcome: string) => outcomes.filter((o) => o.gateway === g && o.outcome === outcome).length;
    beds.forEach((bed, g) => {
      expect(count(bed, 'card_operations_total{operation="startVisit",result="OK"}'), `gateway ${g}`).toBe(writes(g, 'WRITTEN') + writes(g, 'CANCELLED'));
      expect(count(bed, 'card_operations_total{operation="writeTreatment",result="OK"}')).toBe(writes(g, 'WRITTEN'));
      expect(count(bed, 'card_operations_total{operation="cancelVisit",result="OK"}')).toBe(writes(g, 'CANCELLED'));
      expect(count(bed, 'control_software_calls_total{function="hisWriteTreatmentCode",rc="0"}')).toBe(writes(g, 'WRITTEN'));
      expect(count(bed, 'control_software_calls_total{function="csUnGetSeqNumber",rc="0"}')).toBe(writes(g, 'CANCELLED'));
    });
    // 方式4 asked NHI once per visit.
    expect(standIn.requests.length - webApiRequestsBefore).toBe(writes(3, 'WRITTEN') + writes(3, 'CANCELLED'));
  }, 300_000);
});
