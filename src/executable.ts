/**
 * What the single executable does before the gateway's own main: check the embedded assets, extract and load
 * the native module (unless the command needs none), hand GraphiQL its embedded files, then run main.
 * src/bin.ts calls it with `node:sea`; a test stand-in calls it with a stand-in SEA (test/support/sea-entry.ts).
 */
import { DEFAULT_RELEASE_MEMORY_MS, parseArgs, type ParseArgsResult } from './config.ts';
import { runMain } from './main.ts';
import { GRAPHIQL_ASSET_PREFIX, prepareExecutable, type EmbeddedAssets, type SeaApi, type SetupDeps } from './sea-setup.ts';
import { setGraphiQLAssetSource, type GraphiQLAssetSet } from './plugins/use-graphiql-assets.ts';
import { releaseStartupMemory } from './memory-release.ts';
import { addressOf, libcMemoryReleaser } from './adapters/memory/libc.ts';

/**
 * When to release, in ms after start; null: never. The `releaseMemory` option (src/config/options.ts):
 * `off` keeps the start-up memory (to measure what releasing it gives: docs/performance.md); a number of
 * milliseconds moves the release (tests release at once).
 */
export function releaseDelay(parsed: ParseArgsResult): number | null {
  const option = 'config' in parsed ? parsed.config.releaseMemory : undefined;
  if (option === 'off') return null;
  return option ?? DEFAULT_RELEASE_MEMORY_MS;
}

/** Drops the embedded assets' pages (checked and extracted by now) and trims the allocator, once. */
function scheduleMemoryRelease(assets: EmbeddedAssets, delay: number | null): void {
  if (delay === null) return;
  setTimeout(() => {
    try {
      // One full collection once serving (SEA execArgv --expose-gc, build/lib/exec-argv.ts): V8 sizes its young
      // generation for start-up's allocation rate and gives it back only when its memory reducer runs.
      (globalThis as { gc?: () => void }).gc?.();
      const releaser = libcMemoryReleaser();
      if (!releaser) return;
      const ranges = assets.group('').map((asset) => ({ start: addressOf(asset.bytes), length: asset.bytes.byteLength }));
      releaseStartupMemory(releaser, ranges);
    } catch {
      // only an optimisation: a C library without these calls keeps the memory
    }
  }, delay).unref();
}

/**
 * What the command line asks for that never loads a native module: answered without extracting anything, so a
 * read-only, full or noexec temp folder cannot stop `--version`, `--help`, a usage error or `install`.
 */
const WITHOUT_NATIVE = new Set(['help', 'version', 'error', 'install', 'uninstall']);

export function needsNativeModule(parsed: ParseArgsResult): boolean {
  return !WITHOUT_NATIVE.has(parsed.kind);
}

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

export function startExecutable(
  argv: string[],
  env: Record<string, string | undefined>,
  sea: SeaApi | undefined,
  loadNative?: SetupDeps['loadNative'],
): void {
  // main parses again and prints what is wrong; here only the command and the memory option matter.
  const parsed = parseArgs([...argv], env);
  const embedded = prepareExecutable(sea, env, {
    extractNative: sea !== undefined && needsNativeModule(parsed),
    ...(loadNative ? { loadNative } : {}),
  });
  if (embedded) {
    const graphiql = embeddedGraphiQL(embedded);
    setGraphiQLAssetSource(async () => graphiql);
  }
  runMain(argv, env, { executable: embedded !== null });
  if (embedded?.koffiPath) scheduleMemoryRelease(embedded, releaseDelay(parsed));
}
