/**
 * Entry of the single executable (esbuild bundles this file to CommonJS for Node SEA; see build/build.ts).
 * `npm start` does not use it: it runs src/main.ts directly.
 *
 * The import order matters: src/sea-setup.ts must come first, so the embedded assets are checked and koffi's
 * native module is in place (process.resourcesPath) before any other module runs.
 */
import { embedded } from './sea-setup.ts';
import { GRAPHIQL_ASSET_PREFIX, type EmbeddedAssets } from './sea-setup.ts';
import { runMain } from './main.ts';
import { setGraphiQLAssetSource, type GraphiQLAssetSet } from './plugins/use-graphiql-assets.ts';

/** The embedded, pre-gzipped GraphiQL files, under the hash the build computed from the package. */
function embeddedGraphiQL(assets: EmbeddedAssets): GraphiQLAssetSet {
  return {
    hash: assets.manifest.graphiqlHash,
    files: assets.group(GRAPHIQL_ASSET_PREFIX).map((asset) => ({
      name: asset.name.slice(GRAPHIQL_ASSET_PREFIX.length),
      contentType: asset.contentType ?? 'application/octet-stream',
      // Served straight from the executable's memory (no copy: 2.4 MB less resident); never written to.
      ...(asset.encoding === 'gzip' ? { gzipped: asset.bytes } : { raw: asset.bytes }),
    })),
  };
}

if (embedded) {
  const graphiql = embeddedGraphiQL(embedded);
  setGraphiQLAssetSource(async () => graphiql);
}
runMain(process.argv.slice(2), process.env, { executable: embedded !== null });
