/**
 * The Windows Installer packages, built on Linux by msitools' `wixl` from build/msi/nhi-gateway.wxs: one
 * MSI per Windows executable (x86: the one for CSHIS.dll, which is 32-bit; x64: PC/SC and control software
 * 6.0). Each architecture keeps its own UpgradeCode, so installing a newer MSI of the same architecture
 * upgrades in place.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WXS_SOURCE = resolve(import.meta.dirname, '../msi/nhi-gateway.wxs');
/** The file name the executable gets under Program Files. */
export const INSTALLED_EXE = 'nhi-gateway.exe';
export const INSTALL_FOLDER = 'NHI Card Gateway';
export const RUN_VALUE_MACHINE = 'NHI Card Gateway';
export const RUN_KEY_MACHINE = 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run';

export type MsiArch = 'x86' | 'x64';

export class MsiError extends Error {
  override readonly name = 'MsiError';
}

export function msiFileName(arch: MsiArch): string {
  return `nhi-gateway-${arch}.msi`;
}

/** An MSI ProductVersion: three numbers, each within Windows Installer's limits (prerelease tags dropped). */
export function msiVersion(version: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new MsiError(`version ${version} has no major.minor.patch for the MSI`);
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  if (major > 255 || minor > 255 || patch > 65535) throw new MsiError(`version ${version} is over the MSI limits (255.255.65535)`);
  return `${major}.${minor}.${patch}`;
}

export function requireWixl(): void {
  try {
    execFileSync('wixl', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MsiError('wixl is not installed (it builds the MSI on Linux): apt-get install -y wixl msitools');
    }
  }
}

/**
 * Builds `out` from `exe` with wixl. wixl takes the file's Source relative to its working folder, so the
 * executable is copied into a staging folder under its installed name first.
 */
export function buildMsi(options: { readonly arch: MsiArch; readonly version: string; readonly exe: string; readonly out: string; readonly workDir: string }): void {
  const stage = join(options.workDir, `msi-${options.arch}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  copyFileSync(options.exe, join(stage, INSTALLED_EXE));
  const partial = `${options.out}.partial`;
  rmSync(partial, { force: true });
  try {
    execFileSync(
      'wixl',
      ['-a', options.arch, '-D', `Version=${msiVersion(options.version)}`, '-D', `Arch=${options.arch}`, '-D', `SourceExe=${INSTALLED_EXE}`, '-o', resolve(partial), WXS_SOURCE],
      { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    rmSync(partial, { force: true });
    throw new MsiError(`wixl (${options.arch}) failed: ${(e.stderr || e.message).trim()}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  renameSync(partial, options.out);
}
