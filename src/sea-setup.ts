/**
 * Start-up of the single executable (Node SEA, built by `npm run build`): everything the gateway needs at
 * run time is embedded in the executable as SEA assets, listed with their SHA-256 in the asset
 * `manifest.json`. `prepareExecutable` (called by src/executable.ts before the gateway starts):
 *
 * 1. checks the manifest against this process (Node version, platform, arch) and that every listed asset is
 *    there with its size: a missing or truncated asset stops the executable here, with a message that names
 *    it. An asset's SHA-256 is checked when it is first used (`verified`): koffi.node before it is extracted,
 *    a GraphiQL file before it is first served. Hashing every asset at start read 3.5 MB of the executable
 *    into memory that start-up never needed (docs/performance.md, "Idle and peak memory"); a corrupt asset is
 *    still refused with the same message, when it is asked for;
 * 2. extracts koffi's native module to
 *    `<tmp>/nhi-gateway-koffi-<koffi version>-<sha256 prefix>/koffi/<platform>_<arch>/koffi.node` and
 *    points `process.resourcesPath` at that folder, where koffi's own loader looks (the Electron convention),
 *    so koffi needs no patch. A file already there with the right hash is reused and never rewritten (on
 *    Windows another running gateway has it loaded, and it is locked); a new one is written to a temporary
 *    name and renamed into place, so no gateway ever loads a half-written module;
 * 3. loads koffi once, so a temp folder that cannot hold or run it (read-only, full, no permission, mounted
 *    noexec) is reported here, naming the folder, the reason and NHI_GATEWAY_TEMP_DIR, which moves it;
 * 4. exposes the other assets (GraphiQL, and any later group such as the status page) to the gateway.
 *
 * "Damaged … download again" is said only when an embedded asset is missing or fails its checksum, or the manifest is wrong;
 * a temp-folder fault is never reported as damage. `--version` and `--help` need no extraction (src/bin.ts).
 *
 * Outside a single executable (npm start, tests, Deno) it does nothing: `prepareExecutable` returns null.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
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
/** Exit status when the temp folder cannot hold or run the native module (sysexits' EX_CANTCREAT). */
export const EXIT_TEMP_FOLDER = 73;
/** Moves the folder the native module is extracted to (default: the OS temp folder). */
export const TEMP_DIR_ENV = 'NHI_GATEWAY_TEMP_DIR';

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
  /**
   * The stored bytes: a view of the executable's own memory, not a copy. Never write to it. Their size is
   * checked at start, their SHA-256 only by `EmbeddedAssets.verified`: read them through that.
   */
  readonly bytes: Uint8Array<ArrayBuffer>;
}

export interface EmbeddedAssets {
  readonly manifest: SeaManifest;
  /** The asset as stored (size checked, SHA-256 not yet): for its name, type and address only. */
  get(name: string): EmbeddedAsset | undefined;
  /** Every asset whose name starts with `prefix`, e.g. `graphiql/`, sorted by name (not hashed: see `get`). */
  group(prefix: string): EmbeddedAsset[];
  /**
   * The asset once its SHA-256 matches the manifest (hashed on the first call, remembered); throws
   * DamagedExecutableError naming it when it does not.
   */
  verified(name: string): EmbeddedAsset;
  /** Where koffi.node was extracted (and `process.resourcesPath`'s value); null when not extracted (--version). */
  readonly koffiPath: string | null;
  readonly resourcesPath: string | null;
}

/** The executable is damaged or was not built by `npm run build`: the message says what and what to do. */
export class DamagedExecutableError extends Error {
  override readonly name = 'DamagedExecutableError';
}

/** Why a temp folder cannot be used, told apart by errno (writes) or by a probe (running a file from it). */
export type TempFolderFault = 'read-only' | 'no-permission' | 'full' | 'missing' | 'noexec' | 'cannot-load' | 'unusable';

const FAULT_TEXT: Record<TempFolderFault, string> = {
  'read-only': 'it is on a read-only file system',
  'no-permission': 'this user may not write there',
  full: 'the disk (or quota) is full',
  missing: 'it does not exist',
  noexec: 'programs may not run from it (mounted noexec, or blocked by policy)',
  'cannot-load': 'the native module extracted there could not be loaded',
  unusable: 'it cannot be written',
};

/** The temp folder cannot hold or run koffi.node: which folder, why, and what moves it. Never "damaged". */
export class TempFolderError extends Error {
  override readonly name = 'TempFolderError';
  constructor(
    readonly folder: string,
    readonly fault: TempFolderFault,
    /** errno (EROFS, EACCES, ENOSPC …) when there was one. */
    readonly code: string | undefined,
    detail?: string,
  ) {
    super(
      `cannot use the temp folder ${folder} for the native module koffi.node: ${FAULT_TEXT[fault]}` +
        `${code ? ` (${code})` : ''}${detail ? `: ${detail}` : ''}. ` +
        `Set ${TEMP_DIR_ENV} to a folder this user can write and run programs from (default: the OS temp folder).`,
    );
  }
}

/** errno of a failed write → the fault clinic IT can act on. */
export function faultOfErrno(code: string | undefined): TempFolderFault {
  switch (code) {
    case 'EROFS':
      return 'read-only';
    case 'EACCES':
    case 'EPERM':
      return 'no-permission';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'full';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'missing';
    default:
      return 'unusable';
  }
}

/** The file operations of the extraction, injectable so tests can make them fail like a real folder. */
export interface ExtractionFs {
  mkdir(path: string, mode: number): void;
  /** Owner uid of a path. */
  ownerOf(path: string): number;
  readFile(path: string): Uint8Array;
  /** Creates `path` (it must not exist), writes and syncs it. */
  writeNew(path: string, bytes: Uint8Array, mode: number): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Writes and removes a small file directly in `folder`: undefined when that works, else its errno. */
  probeWrite(folder: string): string | undefined;
}

export const nodeExtractionFs: ExtractionFs = {
  mkdir: (path, mode) => {
    mkdirSync(path, { recursive: true, mode });
  },
  ownerOf: (path) => statSync(path).uid,
  readFile: (path) => readFileSync(path),
  writeNew: (path, bytes, mode) => {
    const fd = openSync(path, 'wx', mode);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => renameSync(from, to),
  unlink: (path) => unlinkSync(path),
  probeWrite: (folder) => {
    const probe = join(folder, `.nhi-gateway-write-probe-${process.pid}`);
    try {
      writeFileSync(probe, 'probe', { flag: 'wx' });
      unlinkSync(probe);
      return undefined;
    } catch (error) {
      return errnoOf(error) ?? 'EIO';
    }
  },
};

/** Whether a file in `folder` may be run: `noexec` when the OS refuses to, `unknown` when it cannot tell. */
export type ExecProbe = 'ok' | 'noexec' | 'unknown';

/** Writes a tiny shell script into `folder` and runs it (POSIX); Windows answers `unknown`. */
export function probeExec(folder: string, platform: string = process.platform): ExecProbe {
  if (platform === 'win32') return 'unknown';
  const script = join(folder, `.nhi-gateway-exec-probe-${process.pid}`);
  try {
    writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o700 });
  } catch {
    return 'unknown';
  }
  try {
    const run = spawnSync(script, [], { stdio: 'ignore', timeout: 10_000 });
    const code = (run.error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EACCES' || code === 'EPERM') return 'noexec';
    return run.status === 0 ? 'ok' : 'unknown';
  } finally {
    try {
      unlinkSync(script);
    } catch {
      // already gone
    }
  }
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
  /** @default nodeExtractionFs */
  readonly fs?: ExtractionFs;
  /** Loads the extracted module once (throws when the OS refuses); omitted: not loaded here. */
  readonly loadNative?: (koffiPath: string) => void;
  /** Tells a noexec folder apart when loading failed. @default probeExec */
  readonly probeExec?: (folder: string) => ExecProbe;
}

/** What `setupEmbedded` does beyond checking: extract (and load) the native module, or not (--version, --help). */
export interface SetupOptions {
  /** @default true */
  readonly extractNative?: boolean;
}

const REQUIRED_ASSETS = [KOFFI_ASSET] as const;
const REQUIRED_GROUPS = [GRAPHIQL_ASSET_PREFIX] as const;

function damaged(what: string): DamagedExecutableError {
  return new DamagedExecutableError(
    `This executable is damaged: ${what}. Download or copy nhi-gateway again (compare its SHA-256 with SHA256SUMS).`,
  );
}

function corrupt(name: string): DamagedExecutableError {
  return damaged(`the embedded asset ${name} is corrupt (size or SHA-256 differs from the manifest)`);
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

/**
 * Checks and prepares the embedded assets. Pure apart from the koffi extraction; throws DamagedExecutableError
 * (an asset fails its checksum, a wrong manifest) or TempFolderError (the temp folder cannot hold or run koffi).
 */
export function setupEmbedded(deps: SetupDeps, options: SetupOptions = {}): EmbeddedAssets {
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
    // The length only: reading no byte of it (its SHA-256 is checked when it is first used).
    if (bytes.byteLength !== entry.size) throw corrupt(name);
    assets.set(name, { ...entry, name, bytes });
  }
  // Each asset is hashed once: its outcome is remembered (the executable's bytes do not change under it).
  const outcome = new Map<string, DamagedExecutableError | null>();
  const verified = (name: string): EmbeddedAsset => {
    const asset = assets.get(name);
    if (!asset) throw damaged(`the embedded asset ${name} is not in the manifest`);
    if (!outcome.has(name)) outcome.set(name, sha256(asset.bytes) === asset.sha256 ? null : corrupt(name));
    const fault = outcome.get(name);
    if (fault) throw fault;
    return asset;
  };
  for (const name of REQUIRED_ASSETS) {
    if (!assets.has(name)) throw damaged(`the embedded asset ${name} is not in the manifest`);
  }
  for (const prefix of REQUIRED_GROUPS) {
    if (![...assets.keys()].some((name) => name.startsWith(prefix))) {
      throw damaged(`no embedded ${prefix}* assets are in the manifest`);
    }
  }

  let resourcesPath: string | null = null;
  let koffiPath: string | null = null;
  if (options.extractNative ?? true) {
    const placed = extractKoffi(assets.get(KOFFI_ASSET)!, () => verified(KOFFI_ASSET), manifest.koffiVersion, deps);
    ({ resourcesPath, koffiPath } = placed);
    deps.setResourcesPath(placed.resourcesPath);
    loadOnce(placed.koffiPath, deps);
  }

  return {
    manifest,
    koffiPath,
    resourcesPath,
    get: (name) => assets.get(name),
    verified,
    group: (prefix) =>
      [...assets.values()].filter((asset) => asset.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/** The folder koffi's loader searches under `process.resourcesPath`: `koffi/<platform>_<arch>/`. */
export function koffiTriplet(platform: string, arch: string): string {
  return `${platform}_${arch}`;
}

type Placement = { readonly placed: { resourcesPath: string; koffiPath: string } } | { readonly foreign: true } | { readonly failed: string | undefined };

/**
 * `koffi` is the stored asset (its manifest hash names the folder and checks a file already there);
 * `verifiedKoffi` hashes the embedded bytes, called only when they are about to be written: a module already
 * extracted by an earlier start is reused without reading the embedded copy at all.
 */
function extractKoffi(
  koffi: EmbeddedAsset,
  verifiedKoffi: () => EmbeddedAsset,
  koffiVersion: string,
  deps: SetupDeps,
): { resourcesPath: string; koffiPath: string } {
  const shared = join(deps.tmpdir, `nhi-gateway-koffi-${koffiVersion}-${koffi.sha256.slice(0, 16)}`);
  const first = placeModule(shared, koffi, verifiedKoffi, deps);
  if ('placed' in first) return first.placed;
  // The shared folder is unusable (someone else's in a shared /tmp, or a wrong file there that is in use):
  // a folder of our own, used by this process only.
  const second = placeModule(`${shared}-${deps.pid}`, koffi, verifiedKoffi, deps);
  if ('placed' in second) return second.placed;
  const failed = 'failed' in second ? second.failed : 'failed' in first ? first.failed : undefined;
  // Node's recursive mkdir reports a read-only file system as ENOENT: a plain write in the folder tells.
  const code = failed === undefined || failed === 'ENOENT' ? ((deps.fs ?? nodeExtractionFs).probeWrite(deps.tmpdir) ?? failed) : failed;
  throw new TempFolderError(deps.tmpdir, faultOfErrno(code), code);
}

function placeModule(resourcesPath: string, koffi: EmbeddedAsset, verifiedKoffi: () => EmbeddedAsset, deps: SetupDeps): Placement {
  const fs = deps.fs ?? nodeExtractionFs;
  const directory = join(resourcesPath, 'koffi', koffiTriplet(deps.platform, deps.arch));
  const koffiPath = join(directory, 'koffi.node');
  const placed: Placement = { placed: { resourcesPath, koffiPath } };
  try {
    fs.mkdir(directory, 0o700);
    if (deps.uid !== undefined && fs.ownerOf(resourcesPath) !== deps.uid) return { foreign: true };
  } catch (error) {
    return { failed: errnoOf(error) };
  }
  if (hasHash(fs, koffiPath, koffi.sha256)) return placed;

  // Damage is damage, not a temp-folder fault: thrown from here, before anything is written.
  const bytes = verifiedKoffi().bytes;
  const temporary = `${koffiPath}.${deps.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeNew(temporary, bytes, 0o700);
    fs.rename(temporary, koffiPath);
  } catch (error) {
    try {
      fs.unlink(temporary);
    } catch {
      // never created
    }
    // Another gateway may have put the same file in place meanwhile (and Windows refuses to replace it
    // while it is loaded): that one is as good as ours.
    return hasHash(fs, koffiPath, koffi.sha256) ? placed : { failed: errnoOf(error) };
  }
  // Written and renamed, yet not what was written: the folder does not keep what it is given.
  return hasHash(fs, koffiPath, koffi.sha256) ? placed : { failed: undefined };
}

/** Loads koffi now, so a folder that cannot run it is named here rather than at the first card call. */
function loadOnce(koffiPath: string, deps: SetupDeps): void {
  if (!deps.loadNative) return;
  try {
    deps.loadNative(koffiPath);
  } catch (error) {
    const folder = join(koffiPath, '..');
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    if ((deps.probeExec ?? probeExec)(folder) === 'noexec') throw new TempFolderError(deps.tmpdir, 'noexec', undefined, detail);
    throw new TempFolderError(deps.tmpdir, 'cannot-load', errnoOf(error), detail);
  }
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function hasHash(fs: ExtractionFs, path: string, expected: string): boolean {
  try {
    return sha256(fs.readFile(path)) === expected;
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

/** The temp folder to extract to: NHI_GATEWAY_TEMP_DIR, else the OS temp folder. */
export function tempFolder(env: Readonly<Record<string, string | undefined>>): string {
  const chosen = env[TEMP_DIR_ENV]?.trim();
  return chosen ? chosen : tmpdir();
}

/**
 * Checks and prepares this process's embedded assets; null outside a single executable. On a damaged asset or
 * an unusable temp folder it prints one line naming the cause and exits (EXIT_DAMAGED, EXIT_TEMP_FOLDER).
 */
export function prepareExecutable(
  sea: SeaApi | undefined,
  env: Readonly<Record<string, string | undefined>>,
  options: SetupOptions & Pick<SetupDeps, 'loadNative'> = {},
): EmbeddedAssets | null {
  if (!sea) return null;
  try {
    return setupEmbedded(
      {
        sea,
        nodeVersion: process.version,
        platform: process.platform,
        arch: process.arch,
        tmpdir: tempFolder(env),
        pid: process.pid,
        uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
        setResourcesPath: (path) => {
          (process as { resourcesPath?: string }).resourcesPath = path;
        },
        ...(options.loadNative ? { loadNative: options.loadNative } : {}),
      },
      options,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`nhi-gateway: ${message}\n`);
    process.exit(error instanceof TempFolderError ? EXIT_TEMP_FOLDER : EXIT_DAMAGED);
  }
}
