/**
 * The files embedded in each executable as SEA assets, and their manifest (src/sea-setup.ts checks every
 * one at start). Keys:
 *
 * - `manifest.json`: versions, target, and every other asset's size and SHA-256;
 * - `koffi/koffi.node`: koffi's native module for the target platform;
 * - `graphiql/<file>`: the offline GraphiQL files, gzipped (served as they are with Content-Encoding: gzip);
 * - `status/<path>`: every file under src/status/assets/, gzipped, when that folder exists. The status page
 *   itself is TypeScript strings (src/status/*.ts) and travels in the bundle; this is where binary or large
 *   files for it go (read them with `embedded.group('status/')`). Adding another folder is one line in
 *   EXTRA_ASSET_DIRS.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  GRAPHIQL_ASSET_PREFIX,
  KOFFI_ASSET,
  MANIFEST_ASSET,
  MANIFEST_FORMAT,
  STATUS_ASSET_PREFIX,
  type ManifestAsset,
  type SeaManifest,
} from '../../src/sea-setup.ts';
import { graphiqlContentHash, graphiqlPackageFiles } from '../../src/plugins/use-graphiql-assets.ts';

/** Folders (relative to the repository) embedded file by file, gzipped, under a key prefix. */
export const EXTRA_ASSET_DIRS: ReadonlyArray<{ readonly dir: string; readonly prefix: string }> = [
  { dir: 'src/status/assets', prefix: STATUS_ASSET_PREFIX },
];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface StagedAsset {
  readonly key: string;
  /** The file the SEA config points at. */
  readonly file: string;
  readonly entry: ManifestAsset;
}

export interface CommonAssets {
  readonly graphiqlHash: string;
  readonly assets: readonly StagedAsset[];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function stage(stageDir: string, key: string, bytes: Uint8Array, entry: Omit<ManifestAsset, 'sha256' | 'size'>): StagedAsset {
  const file = join(stageDir, ...key.split('/'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return { key, file, entry: { ...entry, sha256: sha256(bytes), size: bytes.byteLength } };
}

function gzip(bytes: Uint8Array): Uint8Array {
  // Level 9 and a fixed header (no name or time), so the same input gives the same bytes in every build.
  return gzipSync(bytes, { level: 9 });
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out.sort();
}

/** The assets every target shares: GraphiQL, and any extra asset folders. */
export async function stageCommonAssets(root: string, stageDir: string): Promise<CommonAssets> {
  const files = await graphiqlPackageFiles();
  const encoder = new TextEncoder();
  const assets: StagedAsset[] = files.map(([name, content, contentType]) => {
    const raw = encoder.encode(content);
    return stage(stageDir, `${GRAPHIQL_ASSET_PREFIX}${name}`, gzip(raw), { encoding: 'gzip', contentType, decodedSize: raw.byteLength });
  });
  for (const { dir, prefix } of EXTRA_ASSET_DIRS) {
    const absolute = join(root, dir);
    if (!existsSync(absolute)) continue;
    for (const file of filesUnder(absolute)) {
      const raw = readFileSync(file);
      const key = `${prefix}${relative(absolute, file).split(sep).join('/')}`;
      const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      assets.push(stage(stageDir, key, gzip(raw), { encoding: 'gzip', contentType, decodedSize: raw.byteLength }));
    }
  }
  return { graphiqlHash: graphiqlContentHash(files.map(([, content]) => content)), assets };
}

export interface TargetManifestInput {
  readonly gatewayVersion: string;
  readonly nodeVersion: string;
  readonly target: string;
  readonly platform: string;
  readonly arch: string;
  readonly koffiVersion: string;
  readonly koffiModule: Uint8Array;
  readonly common: CommonAssets;
}

/** Stages koffi.node and the manifest for one target; returns the SEA config's `assets` map. */
export function stageTargetAssets(stageDir: string, input: TargetManifestInput): { manifest: SeaManifest; assets: Record<string, string> } {
  const koffi = stage(stageDir, KOFFI_ASSET, input.koffiModule, { encoding: 'identity' });
  const all = [koffi, ...input.common.assets];
  const manifest: SeaManifest = {
    format: MANIFEST_FORMAT,
    gatewayVersion: input.gatewayVersion,
    nodeVersion: input.nodeVersion,
    target: input.target,
    platform: input.platform,
    arch: input.arch,
    koffiVersion: input.koffiVersion,
    graphiqlHash: input.common.graphiqlHash,
    assets: Object.fromEntries(all.map((asset) => [asset.key, asset.entry])),
  };
  const manifestFile = join(stageDir, MANIFEST_ASSET);
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, assets: { [MANIFEST_ASSET]: manifestFile, ...Object.fromEntries(all.map((asset) => [asset.key, asset.file])) } };
}
