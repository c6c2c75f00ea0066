/**
 * What the executable's esbuild options (build/lib/bundle.ts) change about the modules it bundles, checked by
 * bundling small entries with exactly those options and running the result:
 * - graphql-js is bundled once (its ES modules), even for a deep CommonJS require, so an error thrown by a
 *   deep-required parser is the GraphQLError the rest of the gateway checks against;
 * - the Big5 codec still works with the unused iconv-lite tables left out, and asking for one of those
 *   encodings fails loudly, naming the table;
 * - a yoga server answers without Node ever loading its internal undici (no `globalThis.Request` probe);
 * - Node's https and tls are loaded only when a TLS connection is first made: not by yoga, node-fetch, ws,
 *   prom-client or the Web API client at start, yet each still connects (build/lib/bundle.ts lazy-tls-requires);
 * - koffi loads and works without its node:util import loading util's lazy parts (koffi-plain-util).
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayBundleOptions, lazyRequireLine } from '../../../build/lib/bundle.ts';
import { pinnedNode } from '../../../bench/lib/startup-pair.ts';

const ROOT = join(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'nhi-bundle-options-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bundles `contents` (TypeScript, resolved from the repository root) as the executable's bundle is made; returns its exports. */
async function bundled<T>(name: string, contents: string): Promise<T> {
  const outfile = join(work, `${name}.cjs`);
  const { entryPoints: _unused, ...options } = gatewayBundleOptions(ROOT, 'src/bin.ts', outfile);
  await build({ ...options, stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: `${name}.ts` } });
  return createRequire(import.meta.url)(outfile) as T;
}

describe("the executable's bundle options", () => {
  it("serve yoga without loading Node's internal undici (fetch), which the gateway never uses", async () => {
    const outfile = join(work, 'yoga-undici.cjs');
    const { entryPoints: _unused, ...options } = gatewayBundleOptions(ROOT, 'src/bin.ts', outfile);
    const contents = `
      import { createSchema, createYoga } from 'graphql-yoga';
      const yoga = createYoga({ schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }) });
      const loaded = () => (process as unknown as { moduleLoadList: string[] }).moduleLoadList.some((m) => m.includes('undici'));
      const before = loaded();
      void Promise.resolve(yoga.fetch('http://localhost/graphql', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ok }' }),
      })).then((r) => r.text()).then((text) => process.stdout.write(JSON.stringify({ text, before, after: loaded() })));
    `;
    await build({ ...options, stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'yoga-undici.ts' } });
    const out = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' })) as { text: string; before: boolean; after: boolean };
    expect(JSON.parse(out.text)).toEqual({ data: { ok: true } });
    expect(out).toMatchObject({ before: false, after: false });
  });

  it("load Node's https and tls at the first TLS connection, not at start", async () => {
    const outfile = join(work, 'lazy-tls.cjs');
    const { entryPoints: _unused, ...options } = gatewayBundleOptions(ROOT, 'src/bin.ts', outfile);
    const contents = `
      import { createSchema, createYoga } from 'graphql-yoga';
      import { WebSocket, WebSocketServer } from 'ws';
      import { Registry, Pushgateway } from 'prom-client';
      import { HttpsJsonClient } from './src/adapters/webapi/https-transport.ts';
      const loaded = () => (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((m) => /^NativeModule (https|tls)$/.test(m));
      const yoga = createYoga({ schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }) });
      new WebSocketServer({ noServer: true }).close();
      new Registry();
      const client = new HttpsJsonClient({ url: 'https://127.0.0.1:1/token', maxAttempts: 1 });
      void (async () => {
        const text = await (await yoga.fetch('http://localhost/graphql', {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ok }' }),
        })).text();
        const atStart = loaded();
        const webApi = await client.post({}).then(() => 'answered', (error: { code?: string }) => error.code);
        const ws = await new Promise((resolve) => new WebSocket('wss://127.0.0.1:1').on('error', (error: { code?: string }) => resolve(error.code)));
        const https = (await import('node:https')).default;
        const agent = new https.Agent();
        // yoga's Request: @whatwg-node/node-fetch's, as the gateway bundles it (its CommonJS build).
        const keptAgent = (new yoga.fetchAPI.Request('https://localhost/', { agent } as RequestInit) as unknown as { agent: unknown }).agent === agent;
        const push = typeof new Pushgateway('https://127.0.0.1:1').pushAdd;
        client.destroy();
        process.stdout.write(JSON.stringify({ text, atStart, webApi, ws, keptAgent, push, after: loaded() }));
      })();
    `;
    await build({ ...options, stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'lazy-tls.ts' } });
    const out = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(JSON.parse(out['text'] as string)).toEqual({ data: { ok: true } });
    expect(out).toMatchObject({ atStart: [], ws: 'ECONNREFUSED', keptAgent: true, push: 'function' });
    expect(out['webApi']).toMatch(/^WEB_API_/);
    expect(out['after']).toEqual(expect.arrayContaining(['NativeModule https', 'NativeModule tls']));
  });

  it("load koffi without its node:util import loading util's lazy parts (streams, worker_threads …)", async () => {
    const outfile = join(work, 'koffi-util.cjs');
    const { entryPoints: _unused, ...options } = gatewayBundleOptions(ROOT, 'src/bin.ts', outfile);
    const contents = `
      const loaded = () => (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((m) => /^NativeModule (worker_threads|internal\\/util\\/trace_sigint|internal\\/util\\/parse_args\\/parse_args)$/.test(m));
      const before = loaded();
      const koffi = require('koffi');
      process.stdout.write(JSON.stringify({ before, after: loaded(), size: koffi.sizeof('int32_t'), deprecate: typeof koffi.resolve }));
    `;
    await build({ ...options, stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'koffi-util.ts' } });
    // Run by the executable's Node 22 (Node 20's util has no such lazy parts); koffi's native package
    // (external) is found through NODE_PATH from the temporary folder.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
    delete env['NODE_OPTIONS'];
    const out = JSON.parse(execFileSync(pinnedNode(), [outfile], { encoding: 'utf8', env })) as Record<string, unknown>;
    expect(out).toEqual({ before: [], after: [], size: 4, deprecate: 'function' });
  });

  it('turn a require line into getters that load the module when first read', () => {
    expect(lazyRequireLine("const tls = require('tls');", 'tls', ['connect'])).toBe('const tls = { get connect() { return require("tls").connect; } };');
    expect(() => lazyRequireLine('tls = require("tls")', 'tls', ['connect'])).toThrow(/not a require line/);
  });

  it('bundle one graphql-js: a deep CommonJS require throws the same GraphQLError class', async () => {
    const probe = await bundled<{ sameClass: boolean; message: string }>(
      'graphql-once',
      `import { GraphQLError } from 'graphql';
       const { parse } = require('graphql/language/parser');
       let thrown: unknown;
       try { parse('{'); } catch (error) { thrown = error; }
       module.exports = { sameClass: thrown instanceof GraphQLError, message: String((thrown as Error).message) };`,
    );
    expect(probe.message).toMatch(/Syntax Error/);
    expect(probe.sameClass).toBe(true);
  });

  it('keep Big5/CP950 and leave out the other East Asian tables, which fail by name', async () => {
    const probe = await bundled<{ decoded: string; encoded: number[]; shiftJis: string }>(
      'big5-only',
      `import iconv from 'iconv-lite';
       import { decodeBig5Field, encodeBig5 } from './src/codecs/big5.ts';
       let shiftJis = 'decoded';
       try { iconv.decode(Buffer.from([0x82, 0xa0]), 'shiftjis'); } catch (error) { shiftJis = (error as Error).message; }
       module.exports = {
         decoded: decodeBig5Field(Uint8Array.from([0xa4, 0xfd, 0xa4, 0x70, 0xa9, 0xfa, 0xbb, 0x4f])).text,
         encoded: [...encodeBig5('王小明臺')],
         shiftJis,
       };`,
    );
    expect(probe.decoded).toBe('王小明臺');
    expect(probe.encoded).toEqual([0xa4, 0xfd, 0xa4, 0x70, 0xa9, 0xfa, 0xbb, 0x4f]);
    expect(probe.shiftJis).toBe('iconv-lite table shiftjis.json is not in the executable (build/lib/bundle.ts)');
  });
});
