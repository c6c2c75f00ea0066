/**
 * The status page plugin in-process: what it serves, its headers (no inline code, no CDN), the loopback-only
 * rule, and the widget script.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createSimulatorServices } from '../../src/services.ts';
import { createSchema, createYoga } from 'graphql-yoga';
import { isLoopbackClient, useStatusPage } from '../../src/plugins/use-status-page.ts';
import { STATUS_SCRIPT } from '../../src/status/script.ts';

const services = createSimulatorServices({ strategy: 'N1' });
const yoga = createApp(services, { graphiql: false });
afterAll(() => services[Symbol.asyncDispose]());

/** yoga.fetch with the Node server context a socket from `address` would give. */
function get(path: string, address = '127.0.0.1', method = 'GET') {
  return yoga.fetch(`http://127.0.0.1:8737${path}`, { method }, { req: { socket: { remoteAddress: address } } });
}

describe('status page plugin', () => {
  it('serves the page with a strict CSP, no inline code and nothing from other hosts', async () => {
    const res = await get('/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('connect-src \'self\' ws://127.0.0.1:8737');
    const html = await res.text();
    expect(html).toContain('<script src="/status/status.js" defer></script>');
    expect(html).not.toMatch(/<script>(?!<)/); // no inline script body
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // no CDN, no external font
    expect(html).toContain('data-testid="light-HEALTH_CARD"');
    expect(html).toContain('燈號說明');
    expect(html).toMatch(/class="full"/);
  });

  it('has a compact layout for iframes', async () => {
    const html = await (await get('/status?embed=1')).text();
    expect(html).toMatch(/<body class="embed">/);
    expect(html).not.toContain('id="events"');
    expect(html).toContain('id="last-event"');
  });

  it('serves its script, stylesheet, favicon and the widget loader', async () => {
    const js = await get('/status/status.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const body = await js.text();
    expect(body).toContain('graphql-transport-ws');
    expect(body).toContain('lightStateChanged');
    expect(body).toContain('"HEALTH_CARD":{"zh":"健保卡"');
    expect(() => new Function(body)).not.toThrow(); // valid JavaScript after the labels are filled in
    expect((await get('/status/status.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('/status/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml');
    const widget = await get('/status/widget.js');
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await widget.text()).toContain("'/status?embed=1'");
    expect((await get('/status/nope.js')).status).toBe(404);
    expect((await get('/status', '127.0.0.1', 'POST')).status).toBe(405);
  });

  it('is for loopback clients only, in the gateway and in the plugin on its own', async () => {
    expect((await get('/status', '192.168.1.20')).status).toBe(403);
    expect((await get('/status/widget.js', '10.0.0.5')).status).toBe(403);
    // the plugin keeps its own check when used without the gateway's access control
    const bare = createYoga({ schema: createSchema({ typeDefs: 'type Query { a: Int }' }), plugins: [useStatusPage()] });
    const remote = await bare.fetch('http://127.0.0.1:8737/status', {}, { req: { socket: { remoteAddress: '192.168.1.20' } } });
    expect(remote.status).toBe(403);
    expect(await remote.text()).toContain('狀態頁僅限本機瀏覽');
    expect((await get('/status', '::1')).status).toBe(200);
    expect((await get('/status', '::ffff:127.0.0.1')).status).toBe(200);
    expect(isLoopbackClient(new Request('http://x/status'), undefined)).toBe(true); // in-process: no socket
    expect(isLoopbackClient(new Request('http://x/status'), { req: {} })).toBe(false); // a socket we cannot see
  });

  it('leaves the other routes alone', async () => {
    expect((await get('/ready')).status).toBe(200);
    expect((await get('/statusx')).status).toBe(404);
    expect(STATUS_SCRIPT).not.toContain('__LABELS__');
  });
});
