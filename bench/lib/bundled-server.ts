/**
 * A benchmark server bundled as the executable bundles the gateway (build/lib/bundle.ts
 * `gatewayBundleOptions`: esbuild, CommonJS, NODE_ENV=production, no keepNames, minified syntax, then the
 * same ASCII-only pass), to be run by plain Node. This is the code clinics run; the TypeScript run through
 * tsx's loader is not: tsx transforms our files with esbuild's keepNames (a `name`-defining call on every
 * function expression made at run time) and leaves graphql-js in its development mode.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { asciiBundle } from '../../build/lib/ascii-source.ts';
import { gatewayBundleOptions } from '../../build/lib/bundle.ts';
import { REPO_ROOT } from './child-server.ts';

/**
 * Bundles `entry` (relative to the repository root) into `dir` and returns the bundle's path.
 * @param options.keepNames build with esbuild's keepNames, as the executable was built before it was measured. @default false
 */
export async function bundleBenchServer(entry: string, dir: string, options: { keepNames?: boolean } = {}): Promise<string> {
  const outfile = join(dir, `${basename(entry).replace(/\.ts$/, '')}${options.keepNames ? '-keepnames' : ''}.cjs`);
  await build({ ...gatewayBundleOptions(REPO_ROOT, entry, outfile), keepNames: options.keepNames ?? false });
  writeFileSync(outfile, asciiBundle(readFileSync(outfile, 'utf8'), entry));
  return outfile;
}
