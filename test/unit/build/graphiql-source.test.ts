/**
 * The GraphiQL asset source seam: the single executable hands the plugin pre-gzipped files (embedded SEA
 * assets) instead of the package's strings. Served as they are to gzip clients, gunzipped once for others,
 * under the hash the build recorded; and the bundle keeps the 9 MB package out.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bundleGateway, GRAPHIQL_PACKAGE_MODULE } from '../../../build/lib/bundle.ts';
import {
  graphiqlContentHash,
  graphiqlPackageFiles,
  packageGraphiQLAssets,
  setGraphiQLAssetSource,
} from '../../../src/plugins/use-graphiql-assets.ts';
import { createTestGateway } from '../../helpers/stand-in-schema.ts';

const ROOT = join(import.meta.dirname, '../../..');
const CSS = '.graphiql-container { color: green }';

describe('GraphiQL from a pre-gzipped source', () => {
  afterEach(() => setGraphiQLAssetSource(packageGraphiQLAssets));

  it('serves the stored gzip bytes as they are, and identity bytes by gunzipping them', async () => {
    const gzipped = new Uint8Array(gzipSync(Buffer.from(CSS), { level: 9 }));
    setGraphiQLAssetSource(async () => ({
      hash: '0123456789ab',
      files: [{ name: 'graphiql.css', contentType: 'text/css; charset=utf-8', gzipped }],
    }));
    const { yoga } = createTestGateway();
    const page = await (await yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('href="/graphiql-assets/0123456789ab/graphiql.css"');

    const compressed = await yoga.fetch('http://localhost/graphiql-assets/0123456789ab/graphiql.css', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(compressed.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await compressed.arrayBuffer()).equals(Buffer.from(gzipped))).toBe(true);

    const plain = await yoga.fetch('http://localhost/graphiql-assets/0123456789ab/graphiql.css', { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(CSS);
  });

  it('computes the same URL hash from the package as the build records in the manifest', async () => {
    const files = await graphiqlPackageFiles();
    const fromPackage = await packageGraphiQLAssets();
    expect(fromPackage.hash).toBe(graphiqlContentHash(files.map(([, content]) => content)));
    expect(fromPackage.hash).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('the executable bundle', () => {
  const work = mkdtempSync(join(tmpdir(), 'nhi-bundle-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is CommonJS without the GraphiQL package (served from embedded assets instead)', async () => {
    const result = await bundleGateway(ROOT, join(work, 'gateway.cjs'));
    const code = readFileSync(result.path, 'utf8');
    expect(result.warnings).toEqual([]);
    expect(result.bytes).toBeLessThan(5_000_000); // the package alone is 9 MB of strings
    expect(code).toContain(`${GRAPHIQL_PACKAGE_MODULE} is not in the executable`);
    for (const [name, content] of await graphiqlPackageFiles()) {
      const middle = content.slice(content.length / 2, content.length / 2 + 200);
      expect(code.includes(middle), name).toBe(false);
    }
    expect(code.startsWith('"use strict";')).toBe(true);
    // koffi's native packages stay external; koffi itself is bundled through require().
    expect(code).toMatch(/require\("@koromix\/koffi-win32-ia32"\)/);
  }, 60_000);
});
