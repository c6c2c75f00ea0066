/**
 * src/metrics/pending-histogram.ts: observations totalled in plain numbers and handed to prom-client at
 * scrape time give the same exposition, byte for byte, as a Histogram observing each value.
 */
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PendingHistogram } from '../../../src/metrics/pending-histogram.ts';
import { CALL_DURATION_BUCKETS } from '../../../src/metrics/gateway-metrics.ts';

const NAME = 'nhi_gateway_control_software_call_duration_seconds';
const HELP = 'Control-software call latency, including the wait in the call queue.';

function pair() {
  const plainRegistry = new Registry();
  const plain = new Histogram({ name: NAME, help: HELP, labelNames: ['function'], buckets: CALL_DURATION_BUCKETS, registers: [plainRegistry] });
  const pendingRegistry = new Registry();
  const pending = new PendingHistogram('function', CALL_DURATION_BUCKETS);
  pending.attach(
    new Histogram({
      name: NAME,
      help: HELP,
      labelNames: ['function'],
      buckets: CALL_DURATION_BUCKETS,
      registers: [pendingRegistry],
      collect() {
        pending.handOver();
      },
    }),
  );
  return { plain, plainRegistry, pending, pendingRegistry };
}

const seconds = fc.oneof(
  fc.constantFrom(0, ...CALL_DURATION_BUCKETS, 1e-9, 0.1 + 0.2, 1000, Number.MAX_VALUE),
  fc.double({ min: 0, max: 200, noNaN: true }),
  fc.double({ min: 0, max: 0.01, noNaN: true }),
);
const step = fc.oneof(
  { weight: 8, arbitrary: fc.record({ fn: fc.constantFrom('hisGetBasicData', 'csGetCardNo', 'hisGetCardStatus', 'csOpenCom'), seconds }) },
  { weight: 1, arbitrary: fc.constant('scrape' as const) },
);

describe('PendingHistogram', () => {
  it('scrapes to the exposition a Histogram observing each value gives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { plain, plainRegistry, pending, pendingRegistry } = pair();
        for (const s of [...steps, 'scrape' as const]) {
          if (s === 'scrape') {
            expect(await pendingRegistry.metrics()).toBe(await plainRegistry.metrics());
            expect(await pendingRegistry.getMetricsAsJSON()).toEqual(await plainRegistry.getMetricsAsJSON());
          } else {
            plain.observe({ function: s.fn }, s.seconds);
            pending.observe(s.fn, s.seconds);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('sums in the order observed (floating point), across scrapes', async () => {
    const { plain, plainRegistry, pending, pendingRegistry } = pair();
    for (const value of [0.1, 0.2, 0.3, 1e-17, 0.7]) {
      plain.observe({ function: 'hisGetBasicData' }, value);
      pending.observe('hisGetBasicData', value);
      expect(await pendingRegistry.metrics()).toBe(await plainRegistry.metrics());
    }
    expect(await pendingRegistry.metrics()).toContain(`${NAME}_sum{function="hisGetBasicData"} 1.3`);
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    const { plain, pending } = pair();
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => plain.observe({ function: 'csOpenCom' }, value)).toThrow(TypeError);
      expect(() => pending.observe('csOpenCom', value)).toThrow(/Value is not a valid number/);
    }
  });
});
