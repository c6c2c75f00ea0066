/**
 * The card path of `healthCard { basicData }` alone, without yoga: the resolver's `caught` over the card
 * stack as src/app.ts builds it (metrics wrapper, PIN gate, CshisCardStack, card-state hints, metrics wrapper
 * of the control software, simulator) down to decodeBasicData. Under callgrind (NHI_BENCH_CALLGRIND=1) the
 * count is switched on for the measured loop only, so what this path costs per call is read without the
 * noise of collections and JIT work a whole request's count carries (docs/performance.md).
 *   valgrind --tool=callgrind --instr-atstart=no node --expose-gc --import tsx bench/tools/card-path-loop.ts [--count=20000]
 */
import { callgrindCounting } from '../lib/in-process.ts';
import { createSimulatorServices } from '../../src/services.ts';
import { guardPinFlows } from '../../src/security/pin-gate.ts';
import { instrumentCardStack } from '../../src/metrics/instrument.ts';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.ts';
import { caught } from '../../schema/errors.ts';

const count = Number(process.argv.find((a) => a.startsWith('--count='))?.slice(8) ?? 20_000);
const services = createSimulatorServices({ strategy: 'N1' });
services.simulator?.insertHealthCard('STANDARD');
const cards = instrumentCardStack(guardPinFlows(services.cards).cards, services.metrics ?? new GatewayMetrics());
let ok = 0;
const once = async (): Promise<void> => {
  const data = (await caught('HealthCard.basicData', () => cards.basicData())) as { cardNumber?: string };
  if (data.cardNumber === '000012345678') ok++;
};
for (let i = 0; i < 5000; i++) await once();
const callgrind = process.env['NHI_BENCH_CALLGRIND'] === '1';
(globalThis as { gc?: () => void }).gc?.();
if (callgrind) await callgrindCounting('on');
const t0 = process.hrtime.bigint();
for (let i = 0; i < count; i++) await once();
const ns = Number(process.hrtime.bigint() - t0) / count;
if (callgrind) await callgrindCounting('off');
process.stdout.write(`RESULT ${JSON.stringify({ nsPerCall: Math.round(ns), ok, count })}\n`);
await services[Symbol.asyncDispose]();
process.exit(0);
