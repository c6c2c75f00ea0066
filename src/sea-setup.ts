/**
 * Start-up of the single executable (Node SEA, built by `npm run build`): everything the gateway needs at
 * run time is embedded in the executable as SEA assets, listed with their SHA-256 in the asset
 * `manifest.json`. Importing this module (src/bin.ts imports it first):
 *
 * 1. checks the manifest against this process (Node version, platform, arch) and every listed asset
 *    against its size and SHA-256: a missing or corrupt asset stops the executable here, with a message
 *    that names it, instead of failing later at the first GraphiQL request or card call;
 * 2. extracts koffi's native module to
 *    `<tmp>/nhi-gateway-koffi-<koffi version>-<sha256 prefix>/koffi/<platform>_<arch>/koffi.node` and
 *    points `process.resourcesPath` at that folder, where koffi's own loader looks (the Electron convention),
 *    so koffi needs no patch. A file already there with the right hash is reused and never rewritten (on
 *    Windows another running gateway has it loaded, and it is locked); a new one is written to a temporary
 *    name and renamed into place, so no gateway ever loads a half-written module;
 * 3. exposes the other assets (GraphiQL, and any later group such as the status page) to the gateway.
 *
 * Outside a single executable (npm start, tests, Deno) it does nothing: `embedded` is null.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MANIFEST_ASSET = 'manifest.json';
export const MANIFEST_FORMAT = 1;
/** Asset key of koffi's native module for the executable's platform. */
export const KOFFI_ASSET = 'koffi/koffi.node';
/** Asset key prefix of the offline GraphiQL files (gzipped). */
export const GRAPHIQL_ASSET_PREFIX = 'graphiql/';
/** Asset key prefix of the status page files (gzipped), when the build finds any. */
export const STATUS_ASSET_PREFIX = 'status/';
/** Exit status of an executable whose embedded assets are damaged. */
export const EXIT_DAMAGED = 70;

export interface ManifestAsset {
  /** SHA-256 (hex) of the stored bytes. */
  readonly sha256: string;
  /** Stored size in bytes. */
  readonly size: number;
  /** `gzip`: stored compressed (serve as Content-Encoding: gzip); `identity`: stored as is. */
  readonly encoding: 'gzip' | 'identity';
  readonly contentType?: string;
  /** Size after decoding (gzip). */
  readonly decodedSize?: number;
}

export interface SeaManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly gatewayVersion: string;
  /** `process.version` of the Node that generated the blob (and of the executable it was injected into). */
  readonly nodeVersion: string;
  /** e.g. `win-x86`, `win-x64`, `linux-x64`. */
  readonly target: string;
  readonly platform: string;
  readonly arch: string;
  readonly koffiVersion: string;
  /** Content hash in the GraphiQL asset URLs (the same as `npm start` computes from the package). */
  readonly graphiqlHash: string;
  readonly assets: Readonly<Record<string, ManifestAsset>>;
}

export interface EmbeddedAsset extends ManifestAsset {
  readonly name: string;
  /** The stored bytes: a view of the executable's own memory, not a copy. Never write to it. */
  readonly bytes: Uint8Array<ArrayBuffer>;
}

export interface EmbeddedAssets {
  readonly manifest: SeaManifest;
  get(name: string): EmbeddedAsset | undefined;
  /** Every asset whose name starts with `prefix`, e.g. `graphiql/`, sorted by name. */
  group(prefix: string): EmbeddedAsset[];
  /** Where koffi.node was extracted (and `process.resourcesPath`'s value). */
  readonly koffiPath: string;
  readonly resourcesPath: string;
}

/** The executable is damaged or was not built by `npm run build`: the message says what and what to do. */
export class DamagedExecutableError extends Error {
  override readonly name = 'DamagedExecutableError';
}

/** The part of `node:sea` used here. */
export interface SeaApi {
  isSea(): boolean;
  getRawAsset(key: string): ArrayBuffer;
}

export interface SetupDeps {
  readonly sea: SeaApi;
  readonly nodeVersion: string;
  readonly platform: string;
  readonly arch: string;
  readonly tmpdir: string;
  readonly pid: number;
  /** POSIX uid, to refuse a koffi folder someone else created in a shared /tmp; undefined on Windows. */
  readonly uid: number | undefined;
  /** Receives `process.resourcesPath`. */
  readonly setResourcesPath: (path: string) => void;
}

const REQUIRED_ASSETS = [KOFFI_ASSET] as const;
const REQUIRED_GROUPS = [GRAPHIQL_ASSET_PREFIX] as const;

function damaged(what: string): DamagedExecutableError {
  return new DamagedExecutableError(
    `This executable is damaged: ${what}. Download or copy nhi-gateway again (compare its SHA-256 with SHA256SUMS).`,
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function rawAsset(sea: SeaApi, name: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return new Uint8Array(sea.getRawAsset(name));
  } catch {
    return undefined; // ERR_SINGLE_EXECUTABLE_APPLICATION_ASSET_NOT_FOUND
  }
}

function readManifest(sea: SeaApi): SeaManifest {
  const bytes = rawAsset(sea, MANIFEST_ASSET);
  if (!bytes) throw damaged(`it has no embedded ${MANIFEST_ASSET} (it was not built by npm run build)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw damaged(`its embedded ${MANIFEST_ASSET} is not valid JSON`);
  }
  const manifest = parsed as Partial<SeaManifest>;
  if (manifest.format !== MANIFEST_FORMAT || typeof manifest.assets !== 'object' || manifest.assets === null) {
    throw damaged(`its embedded ${MANIFEST_ASSET} has an unknown format`);
  }
  return manifest as SeaManifest;
}

/** Checks and prepares the embedded assets. Pure apart from the koffi extraction; throws DamagedExecutableError. */
export function setupEmbedded(deps: SetupDeps): EmbeddedAssets {
  const { sea } = deps;
  const manifest = readManifest(sea);
  if (manifest.nodeVersion !== deps.nodeVersion) {
    throw damaged(
      `its code was prepared for Node ${manifest.nodeVersion} but it runs on Node ${deps.nodeVersion} ` +
        `(the build must inject the blob into the same Node version)`,
    );
  }
  if (manifest.platform !== deps.platform || manifest.arch !== deps.arch) {
    throw damaged(`it was built for ${manifest.platform}/${manifest.arch} but runs as ${deps.platform}/${deps.arch}`);
  }

  const assets = new Map<string, EmbeddedAsset>();
  for (const [name, entry] of Object.entries(manifest.assets)) {
    const bytes = rawAsset(sea, name);
    if (!bytes) throw damaged(`the embedded asset ${name} is missing`);
    if (bytes.byteLength !== entry.size || sha256(bytes) !== entry.sha256) {
      throw damaged(`the embedded asset ${name} is corrupt (size or SHA-256 differs from the manifest)`);
    }
    assets.set(name, { ...entry, name, bytes });
  }
  for (const name of REQUIRED_ASSETS) {
    if (!assets.has(name)) throw damaged(`the embedded asset ${name} is not in the manifest`);
  }
  for (const prefix of REQUIRED_GROUPS) {
    if (![...assets.keys()].some((name) => name.startsWith(prefix))) {
      throw damaged(`no embedded ${prefix}* assets are in the manifest`);
    }
  }

  const koffi = assets.get(KOFFI_ASSET)!;
  const { resourcesPath, koffiPath } = extractKoffi(koffi, manifest.koffiVersion, deps);
  deps.setResourcesPath(resourcesPath);

  return {
    manifest,
    koffiPath,
    resourcesPath,
    get: (name) => assets.get(name),
    group: (prefix) =>
      [...assets.values()].filter((asset) => asset.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/** The folder koffi's loader searches under `process.resourcesPath`: `koffi/<platform>_<arch>/`. */
export function koffiTriplet(platform: string, arch: string): string {
  return `${platform}_${arch}`;
}

function extractKoffi(
  koffi: EmbeddedAsset,
  koffiVersion: string,
  deps: SetupDeps,
): { resourcesPath: string; koffiPath: string } {
  const shared = join(deps.tmpdir, `nhi-gateway-koffi-${koffiVersion}-${koffi.sha256.slice(0, 16)}`);
  const placed = placeModule(shared, koffi, deps);
  if (placed) return placed;
  // The shared folder is unusable (someone else's in a shared /tmp, or a wrong file there that is in use):
  // a folder of our own, used by this process only.
  const own = `${shared}-${deps.pid}`;
  const fallback = placeModule(own, koffi, deps);
  if (fallback) return fallback;
  throw damaged(`koffi.node could not be written under ${deps.tmpdir} (check free space and permissions of TEMP)`);
}

function placeModule(
  resourcesPath: string,
  koffi: EmbeddedAsset,
  deps: SetupDeps,
): { resourcesPath: string; koffiPath: string } | null {
  const directory = join(resourcesPath, 'koffi', koffiTriplet(deps.platform, deps.arch));
  const koffiPath = join(directory, 'koffi.node');
  const result = { resourcesPath, koffiPath };
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    if (deps.uid !== undefined && statSync(resourcesPath).uid !== deps.uid) return null;
  } catch {
    return null;
  }
  if (hasHash(koffiPath, koffi.sha256)) return result;

  const temporary = `${koffiPath}.${deps.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', 0o700);
    try {
      writeSync(fd, koffi.bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, koffiPath);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // never created
    }
    // Another gateway may have put the same file in place meanwhile (and Windows refuses to replace it
    // while it is loaded): that one is as good as ours.
    return hasHash(koffiPath, koffi.sha256) ? result : null;
  }
  return hasHash(koffiPath, koffi.sha256) ? result : null;
}

function hasHash(path: string, expected: string): boolean {
  try {
    return sha256(readFileSync(path)) === expected;
  } catch {
    return false;
  }
}

/** `node:sea` when this process is a single executable; undefined otherwise (Node, tsx, vitest, Deno). */
export function seaApi(): SeaApi | undefined {
  try {
    const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const sea = getBuiltinModule?.call(process, 'node:sea') as SeaApi | undefined;
    return sea?.isSea() ? sea : undefined;
  } catch {
    return undefined;
  }
}

function setupThisProcess(): EmbeddedAssets | null {
  const sea = seaApi();
  if (!sea) return null;
  try {
    return setupEmbedded({
      sea,
      nodeVersion: process.version,
      platform: process.platform,
      arch: process.arch,
      tmpdir: tmpdir(),
      pid: process.pid,
      uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
      setResourcesPath: (path) => {
        (process as { resourcesPath?: string }).resourcesPath = path;
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`nhi-gateway: ${message}\n`);
    process.exit(EXIT_DAMAGED);
  }
}

/** The executable's embedded assets, checked and prepared at import; null outside a single executable. */
export const embedded: EmbeddedAssets | null = setupThisProcess();
