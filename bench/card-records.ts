/**
 * The largest card read through the gateway (issue 14): 1.10, every prescription area full (60 outpatient
 * records, 30 long-term, 10 important orders, 3 allergies), as `healthCard { prescriptions }` over GraphQL
 * in-process (createApp + yoga.fetch) against the port call alone (`cards.records.prescriptions()`), in the same
 * run on the simulator. The figure is the ratio: what the GraphQL layer adds to decoding the biggest buffer.
 */
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.ts';
import { createSimulatorServices } from '../src/services.ts';
import { benchToken } from './lib/bench-token.ts';
import type { BenchContext, BenchModule, BenchReport } from './lib/types.ts';

const QUERY = `{ healthCard { prescriptions { __typename ... on Prescriptions {
  outpatient { visitTimeRoc orderType itemCode usage days total dispensing }
  longTerm { drugCode days } importantOrders { itemCode } allergies { slot name { text rawHex } } } } } }`;

const line = (i: number) => ({ orderType: 'DRUG', itemCode: `AC${String(i).padStart(6, '0')}00`, usage: 'TID', days: 3, total: 9, dispensing: 'SELF_DISPENSED' });

async function run(ctx: BenchContext): Promise<BenchReport> {
  const services = createSimulatorServices({ strategy: 'N1', simulator: { networkLatencyMs: 0 } });
  const token = benchToken();
  const yoga = createApp(services, { graphiql: false, security: { token, identityRate: false } });
  const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` };
  const gql = async (query: string, variables?: unknown) =>
    (await (await yoga.fetch('http://localhost/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) })).json()) as { data?: any; errors?: unknown[] };
  try {
    await gql('mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }');
    await gql('mutation { simulatorInsertProfessionalCard { __typename } }');
    await gql('mutation { verifyProfessionalCardPin { __typename } }');
    // Fill the outpatient area: 60 records over 6 visits of 10.
    for (let v = 0; v < 6; v++) {
      const visit = await gql('mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ... on Visit { visitTimeRoc } } }');
      const visitTime = visit.data?.startVisit?.visitTimeRoc;
      const written = await gql('mutation W($i: WritePrescriptionsInput!) { writePrescriptions(input: $i) { __typename } }', {
        i: { visitTime, idNumber: 'A123456789', birthDate: '1980-05-12', prescriptions: Array.from({ length: 10 }, (_, k) => line(v * 10 + k)) },
      });
      if (written.data?.writePrescriptions?.__typename !== 'PrescriptionsWritten') throw new Error(`seeding: ${JSON.stringify(written)}`);
    }
    const sample = await gql(QUERY);
    const outpatient = sample.data?.healthCard?.prescriptions?.outpatient?.length ?? 0;
    const records = services.cards.records!;
    const rounds = ctx.quick ? 200 : 2000;
    const measure = async (work: () => Promise<unknown>): Promise<number> => {
      for (let i = 0; i < rounds / 10; i++) await work();
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) await work();
      return ((performance.now() - t0) * 1000) / rounds;
    };
    // Alternate A/B three times; medians.
    const port: number[] = [];
    const gateway: number[] = [];
    for (let i = 0; i < 3; i++) {
      port.push(await measure(() => records.prescriptions()));
      gateway.push(await measure(() => gql(QUERY)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    const p = median(port);
    const g = median(gateway);
    ctx.log(`  port ${p.toFixed(1)} µs, gateway ${g.toFixed(1)} µs`);
    const text = `1.10 full read (${outpatient} outpatient records): port call ${p.toFixed(1)} µs, through GraphQL ${g.toFixed(1)} µs (${(g / p).toFixed(2)} × the port call)\n`;
    const markdown = [
      `1.10 (hisReadPrescription) with the outpatient area full (${outpatient} records) on the simulator, ${rounds} reads per round, 3 alternating rounds, medians:`,
      '',
      '| path | µs per read | rounds |',
      '|---|---|---|',
      `| port call alone (\`cards.records.prescriptions()\`: simulator + decode) | ${p.toFixed(1)} | ${port.map((x) => x.toFixed(1)).join(' / ')} |`,
      `| through the gateway (\`healthCard { prescriptions }\`, createApp in-process, token, audit off) | ${g.toFixed(1)} | ${gateway.map((x) => x.toFixed(1)).join(' / ')} |`,
      `| **ratio** | **${(g / p).toFixed(2)} ×** | |`,
    ].join('\n');
    return { text, markdown };
  } finally {
    await services[Symbol.asyncDispose]();
  }
}

export const benchmark: BenchModule = { title: 'The largest card read through the gateway (1.10, issue 14)', section: 'card-records', run };
