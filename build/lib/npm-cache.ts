/**
 * Pinned npm packages the build needs but must not install (Node executables for other platforms, koffi's
 * native modules for Windows): fetched with `npm pack` into .cache/npm/, checked against the pinned
 * integrity, and unpacked next to the tarball. A tarball already in the cache with the right integrity is
 * used without network access; one with the wrong integrity is fetched again, and a fresh one that still
 * does not match fails the build.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PinnedPackage } from './targets.ts';

export class PackageFetchError extends Error {
  override readonly name = 'PackageFetchError';
}

/** `@koromix/koffi-win32-ia32` + `3.3.4` → `koromix-koffi-win32-ia32-3.3.4` (npm pack's file naming). */
export function packFileStem(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace(/\//g, '-')}-${version}`;
}

/** The SRI string (`sha512-<base64>`) of some bytes. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

function tarballMatches(path: string, integrity: string): boolean {
  return existsSync(path) && integrityOf(readFileSync(path)) === integrity;
}

export interface FetchOptions {
  readonly cacheDir: string;
  readonly log?: (line: string) => void;
}

/** The unpacked package folder (npm's `package/` inside the tarball), fetching it if needed. */
export function fetchPinnedPackage(pin: PinnedPackage, options: FetchOptions): string {
  const { cacheDir } = options;
  mkdirSync(cacheDir, { recursive: true });
  const stem = packFileStem(pin.name, pin.version);
  const tarball = join(cacheDir, `${stem}.tgz`);
  const unpacked = join(cacheDir, stem);
  const stamp = join(unpacked, '.integrity');

  if (!tarballMatches(tarball, pin.integrity)) {
    options.log?.(`fetching ${pin.name}@${pin.version} (npm pack)`);
    rmSync(tarball, { force: true });
    try {
      execFileSync('npm', ['pack', `${pin.name}@${pin.version}`, '--pack-destination', cacheDir, '--silent'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
      throw new PackageFetchError(`npm pack ${pin.name}@${pin.version} failed: ${stderr || (error as Error).message}`);
    }
    if (!existsSync(tarball)) throw new PackageFetchError(`npm pack did not write ${tarball}`);
    const actual = integrityOf(readFileSync(tarball));
    if (actual !== pin.integrity) {
      throw new PackageFetchError(
        `${pin.name}@${pin.version}: the registry's tarball has integrity ${actual}, but ${pin.integrity} is pinned`,
      );
    }
  }

  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pin.integrity) return join(unpacked, 'package');
  // Unpack beside, then rename, so an interrupted build never leaves a half-unpacked package that looks done.
  const temporary = mkdtempSync(join(cacheDir, `.${stem}.`));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', temporary], { stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(join(temporary, '.integrity'), pin.integrity);
    rmSync(unpacked, { recursive: true, force: true });
    renameSync(temporary, unpacked);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw new PackageFetchError(`cannot unpack ${tarball}: ${(error as Error).message}`);
  }
  return join(unpacked, 'package');
}
