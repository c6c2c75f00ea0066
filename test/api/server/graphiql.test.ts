import { gunzipSync } from 'node:zlib';
import { parse, validate } from 'graphql';
import { buildSchema } from '../../../schema/index.ts';
import { describe, expect, it } from 'vitest';
import { createTestGateway } from '../../helpers/stand-in-schema.ts';
import { GRAPHIQL_DEFAULT_QUERY } from '../../../src/yoga.ts';

const ALLOWED_URLS = [/^http:\/\/www\.w3\.org\/2000\/svg$/, /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])([:/]|$)/];

async function graphiqlHtml(yoga: ReturnType<typeof createTestGateway>['yoga']): Promise<Response> {
  return yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html,application/xhtml+xml' } });
}

/** The asset paths the page refers to (stylesheet, script, and the worker base). */
function assetPaths(html: string): { css: string; js: string; base: string } {
  const css = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
  const js = /<script src="([^"]+)"><\/script>/.exec(html)?.[1];
  if (!css || !js) throw new Error('asset links not found');
  return { css, js, base: js.slice(0, js.lastIndexOf('/') + 1) };
}

describe('offline GraphiQL', () => {
  it('serves a small page for Accept: text/html with no external URLs', async () => {
    const { yoga } = createTestGateway();
    const response = await graphiqlHtml(yoga);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html.length).toBeLessThan(8_000);
    const urls = html.match(/https?:\/\/[^\s"'<>)\\]*/g) ?? [];
    expect(urls.filter((url) => !ALLOWED_URLS.some((allowed) => allowed.test(url)))).toEqual([]);
    expect(html).not.toMatch(/unpkg|jsdelivr|cdn\.|githubusercontent/);
    expect(html).toContain('<title>NHI Card Gateway</title>');
    expect(html).toContain('<link rel="icon" href="data:image/svg+xml,');
  });

  it('configures GraphiQL for graphql-ws and the gateway default query', async () => {
    const { yoga } = createTestGateway();
    const html = await (await graphiqlHtml(yoga)).text();
    const json = /renderYogaGraphiQL\([^,]+, (\{.*\})\);/.exec(html)?.[1];
    expect(json).toBeDefined();
    const options = JSON.parse(json!);
    expect(options).toMatchObject({ subscriptionsProtocol: 'WS', title: 'NHI Card Gateway', defaultQuery: GRAPHIQL_DEFAULT_QUERY });
    // The walkthrough must stay valid against the real schema, or a developer's first click fails.
    const errors = validate(buildSchema(), parse(options.defaultQuery));
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(options.defaultQuery).toMatch(/mutation StartVisit/);
    expect(options.favicon).toBeUndefined(); // already in <link rel=icon>, not sent twice
  });

  it('serves the assets gzipped, with content types and immutable caching', async () => {
    const { yoga } = createTestGateway();
    const { base } = assetPaths(await (await graphiqlHtml(yoga)).text());
    expect(base).toMatch(/^\/graphiql-assets\/[0-9a-f]{12}\/$/);
    const expected: Record<string, { type: RegExp; contains: string }> = {
      'graphiql.js': { type: /^text\/javascript/, contains: 'renderYogaGraphiQL' },
      'graphiql.css': { type: /^text\/css/, contains: '.graphiql-container' },
      'editor.worker.js': { type: /^text\/javascript/, contains: 'self' },
      'json.worker.js': { type: /^text\/javascript/, contains: 'json' },
      'graphql.worker.js': { type: /^text\/javascript/, contains: 'graphql' },
    };
    for (const [name, { type, contains }] of Object.entries(expected)) {
      const response = await yoga.fetch(`http://localhost${base}${name}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type'), name).toMatch(type);
      expect(response.headers.get('content-encoding'), name).toBe('gzip');
      expect(response.headers.get('cache-control'), name).toContain('immutable');
      expect(response.headers.get('vary'), name).toMatch(/accept-encoding/i);
      const compressed = new Uint8Array(await response.arrayBuffer());
      expect(Number(response.headers.get('content-length')), name).toBe(compressed.byteLength);
      expect(gunzipSync(compressed).toString('utf8'), name).toContain(contains);
    }
  });

  it('serves identity bytes when gzip is not accepted', async () => {
    const { yoga } = createTestGateway();
    const { css } = assetPaths(await (await graphiqlHtml(yoga)).text());
    for (const acceptEncoding of [undefined, 'identity', 'gzip;q=0']) {
      const response = await yoga.fetch(`http://localhost${css}`, {
        headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
      });
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(await response.text()).toContain('.graphiql-container');
    }
  });

  it('404s unknown or stale asset paths', async () => {
    const { yoga } = createTestGateway();
    const { base } = assetPaths(await (await graphiqlHtml(yoga)).text());
    expect((await yoga.fetch(`http://localhost${base}nope.js`)).status).toBe(404);
    expect((await yoga.fetch('http://localhost/graphiql-assets/000000000000/graphiql.js')).status).toBe(404);
  });

  it('is off with graphiql: false (page and assets)', async () => {
    const on = createTestGateway();
    const { js } = assetPaths(await (await graphiqlHtml(on.yoga)).text());
    const { yoga } = createTestGateway({ graphiql: false });
    const page = await graphiqlHtml(yoga);
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect((await yoga.fetch(`http://localhost${js}`)).status).toBe(404);
  });
});
