/**
 * The metrics' pieces in process: label folding to closed sets, the strict text parser the scrape tests
 * rely on, and /metrics refusing a peer that is not on loopback.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callFailureLabel, operationResult, returnCodeLabel } from '../../../src/metrics/result-labels.ts';
import { GatewayMetrics } from '../../../src/metrics/gateway-metrics.ts';
import { instrumentCardStack } from '../../../src/metrics/instrument.ts';
import { createSimulatorServices } from '../../../src/services.ts';
import { createApp } from '../../../src/app.ts';
import { InputError } from '../../../src/codecs/input-error.ts';
import { errorForVendorCode } from '../../../src/errors/vendor-codes.ts';
import { parsePrometheusText, PrometheusParseError, sampleValue } from '../../helpers/prometheus-text.ts';
import { TEST_TOKEN } from '../../helpers/auth.ts';
import type { CardStack } from '../../../src/ports/card-stack.ts';

describe('label values', () => {
  it('keep return codes to the catalogue and small status values', () => {
    expect(returnCodeLabel(0)).toBe('0');
    expect(returnCodeLabel({ rc: 4013, bytes: new Uint8Array() })).toBe('4013');
    expect(returnCodeLabel(-1)).toBe('-1');
    expect(returnCodeLabel(123456789)).toBe('OTHER');
    expect(returnCodeLabel({ version: 5158, path: '/x' })).toBe('OK');
  });

  it('name operation results by our codes only', () => {
    expect(operationResult()).toBe('OK');
    expect(operationResult(errorForVendorCode(4013))).toBe(errorForVendorCode(4013).code);
    expect(operationResult(new InputError('patientId', 'must be 10 characters'))).toBe('BAD_USER_INPUT');
    expect(operationResult(new Error('A123456789 broke'))).toBe('INTERNAL');
    expect(callFailureLabel(new Error('anything'))).toBe('FAILED');
  });

  it('count a rejected card operation by its code and pass other members through', async () => {
    const metrics = new GatewayMetrics();
    const failing = { basicData: () => Promise.reject(errorForVendorCode(4013)), marker: 7 } as unknown as CardStack;
    const cards = instrumentCardStack(failing, metrics);
    await expect(cards.basicData()).rejects.toMatchObject({ code: errorForVendorCode(4013).code });
    expect((cards as unknown as { marker: number }).marker).toBe(7);
    const families = parsePrometheusText(await metrics.render());
    expect(sampleValue(families, 'nhi_gateway_card_operations_total', { operation: 'basicData', result: errorForVendorCode(4013).code })).toBe(1);
  });

  it('count a card operation that throws synchronously as a rejection, and pass the arguments and this through', async () => {
    const metrics = new GatewayMetrics();
    const stack = {
      seen: [] as unknown[],
      startVisit(...args: unknown[]) {
        this.seen.push(...args);
        throw new InputError('treatItem', 'must be 2 characters');
      },
    };
    const cards = instrumentCardStack(stack as unknown as CardStack, metrics);
    const call = (cards.startVisit as unknown as (...a: unknown[]) => Promise<unknown>)('01', { x: 1 });
    expect(call).toBeInstanceOf(Promise);
    await expect(call).rejects.toBeInstanceOf(InputError);
    expect(stack.seen).toEqual(['01', { x: 1 }]);
    const families = parsePrometheusText(await metrics.render());
    expect(sampleValue(families, 'nhi_gateway_card_operations_total', { operation: 'startVisit', result: 'BAD_USER_INPUT' })).toBe(1);
  });
});

describe('parsePrometheusText', () => {
  it('reads samples, labels with escapes and histogram suffixes', () => {
    const families = parsePrometheusText(
      '# HELP a_total A \\\\ counter\n# TYPE a_total counter\na_total{x="q\\"uote",y="n\\nl"} 3\n' +
        '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 0.5\nh_count 2\n',
    );
    expect(families.get('a_total')).toEqual({
      name: 'a_total',
      type: 'counter',
      help: 'A \\ counter',
      samples: [{ name: 'a_total', labels: { x: 'q"uote', y: 'n\nl' }, value: 3 }],
    });
    expect(sampleValue(families, 'h_bucket', { le: '+Inf' })).toBe(2);
  });

  it.each([
    ['an undeclared family', 'x 1\n'],
    ['a bad value', '# TYPE x gauge\nx one\n'],
    ['an unquoted label', '# TYPE x gauge\nx{a=b} 1\n'],
    ['a bad escape', '# TYPE x gauge\nx{a="\\t"} 1\n'],
    ['a missing final newline', '# TYPE x gauge\nx 1'],
    ['a second TYPE', '# TYPE x gauge\n# TYPE x gauge\n'],
  ])('refuses %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow(PrometheusParseError);
  });
});

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

describe('/metrics access', () => {
  it('answers a loopback peer and refuses another one with LOOPBACK_ONLY', async () => {
    const services = createSimulatorServices({ strategy: 'N1' });
    try {
      const app = createApp(services, { security: { token: TEST_TOKEN }, logger: SILENT });
      const peer = (remoteAddress: string) => ({ req: { socket: { remoteAddress } } });
      const local = await app.fetch('http://127.0.0.1:8737/metrics', {}, peer('127.0.0.1'));
      expect(local.status).toBe(200);
      expect(parsePrometheusText(await local.text()).has('nhi_gateway_build_info')).toBe(true);
      const remote = await app.fetch('http://127.0.0.1:8737/metrics', {}, peer('10.0.0.5'));
      expect(remote.status).toBe(403);
      expect(await remote.text()).toContain('LOOPBACK_ONLY');
    } finally {
      await services[Symbol.asyncDispose]();
    }
  });
});

describe('docs', () => {
  it('the Grafana dashboard and docs/metrics.md name only metrics the gateway exports, and the docs name all of them', () => {
    const exported = new Set(new GatewayMetrics().registry.getMetricsAsArray().map((m) => m.name));
    const root = join(import.meta.dirname, '../../..');
    const named = (file: string) =>
      new Set([...readFileSync(join(root, file), 'utf8').matchAll(/nhi_gateway_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
    const dashboard = named('docs/grafana-dashboard.json');
    const docs = named('docs/metrics.md');
    expect(dashboard.size).toBeGreaterThan(5);
    for (const name of [...dashboard, ...docs]) expect(exported).toContain(name);
    for (const name of exported) expect(docs).toContain(name);
    expect(() => JSON.parse(readFileSync(join(root, 'docs/grafana-dashboard.json'), 'utf8'))).not.toThrow();
  });
});
