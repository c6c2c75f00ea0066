/**
 * What the single executable does before the gateway's own main: check the embedded assets, extract and load
 * the native module (unless the command needs none), hand GraphiQL its embedded files, then run main.
 * src/bin.ts calls it with `node:sea`; a test stand-in calls it with a stand-in SEA (test/support/sea-entry.ts).
 */
import { DEFAULT_RELEASE_MEMORY_MS, parseArgs, type ParseArgsResult } from './config.ts';
import { runMain } from './main.ts';
import { GRAPHIQL_ASSET_PREFIX, prepareExecutable, type EmbeddedAssets, type SeaApi, type SetupDeps } from './sea-setup.ts';
import { setGraphiQLAssetSource, type GraphiQLAssetSet } from './plugins/use-graphiql-assets.ts';
import { releaseStartupMemory, type AddressRange, type MemoryReleaser } from './memory-release.ts';
import { addressOf, libcMemoryReleaser } from './adapters/memory/libc.ts';
import { seaBlobRanges } from './adapters/memory/sea-blob-pages.ts';

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

/** The SEA blob's pages in this process, or, where it cannot be found, the embedded assets' at least. */
function blobRanges(assets: EmbeddedAssets, releaser: MemoryReleaser): AddressRange[] {
  const blob = seaBlobRanges(releaser.mappings());
  return blob.length > 0 ? blob : assets.group('').map((asset) => ({ start: addressOf(asset.bytes), length: asset.bytes.byteLength }));
}

/**
 * The collection at the release: V8's "last resort" one (what it runs before giving up on an allocation),
 * exposed by `--expose-gc`'s `gc()`. It collects until nothing more is freed (2 to 7 full collections), in
 * memory-reducing mode: it compacts fragmented pages, flushes old bytecode as several collections in a row did
 * (round 5 ran six ordinary ones) and clears V8's compilation cache — 0.9 MiB less resident than the six
 * (docs/performance.md, "Idle and peak memory"). A V8 that does not know `flavor` runs an ordinary full one.
 */
export function collectAllAvailableGarbage(): void {
  (globalThis as { gc?: (options?: object) => void }).gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * Gives back start-up memory (src/memory-release.ts) in two steps. At once (the next turn of the event loop,
 * while the app is still being built): the SEA blob's pages — the main script and its code cache, dead once
 * the bundle is compiled — so they are not part of the peak. Once serving (`delay`): full collections, the
 * blob's pages again (an asset read meanwhile) and the allocator's free memory.
 */
function scheduleMemoryRelease(assets: EmbeddedAssets, delay: number | null): void {
  if (delay === null) return;
  const release = (final: boolean) => {
    try {
      // Collections once serving (SEA execArgv --expose-gc, build/lib/exec-argv.ts): V8 sizes its young
      // generation for start-up's allocation rate and gives it back only when its memory reducer runs.
      if (final) collectAllAvailableGarbage();
      const releaser = libcMemoryReleaser();
      if (!releaser) return;
      releaseStartupMemory(releaser, blobRanges(assets, releaser), final);
    } catch {
      // only an optimisation: a C library without these calls keeps the memory
    }
  };
  setImmediate(() => release(false));
  setTimeout(() => release(true), delay).unref();
}

/**
 * What the command line asks for that never loads a native module: answered without extracting anything, so a
 * read-only, full or noexec temp folder cannot stop `--version`, `--help`, a usage error or `install`.
 */
const WITHOUT_NATIVE = new Set(['help', 'version', 'error', 'install', 'uninstall']);

export function needsNativeModule(parsed: ParseArgsResult): boolean {
  return !WITHOUT_NATIVE.has(parsed.kind);
}

/**
 * The embedded, pre-gzipped GraphiQL files, under the hash the build computed from the package. Each file's
 * SHA-256 is checked before it is first served, not at start (src/sea-setup.ts): a damaged one is refused
 * with the reason, also written once to stderr for whoever reads the console or the service log.
 */
export function embeddedGraphiQL(assets: EmbeddedAssets, report: (line: string) => void = (line) => process.stderr.write(line)): GraphiQLAssetSet {
  const reported = new Set<string>();
  return {
    hash: assets.manifest.graphiqlHash,
    files: assets.group(GRAPHIQL_ASSET_PREFIX).map((asset) => ({
      name: asset.name.slice(GRAPHIQL_ASSET_PREFIX.length),
      contentType: asset.contentType ?? 'application/octet-stream',
      // Served straight from the executable's memory (no copy: 2.4 MB less resident); never written to.
      ...(asset.encoding === 'gzip' ? { gzipped: asset.bytes } : { raw: asset.bytes }),
      verify: () => {
        try {
          assets.verified(asset.name);
        } catch (error) {
          if (!reported.has(asset.name)) report(`nhi-gateway: ${error instanceof Error ? error.message : String(error)}\n`);
          reported.add(asset.name);
          throw error;
        }
      },
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
