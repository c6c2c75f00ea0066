/**
 * The data folder is private (docs/security.md): folders 0700 and files 0600 on POSIX, checked at start and
 * tightened with a warning when looser; on Windows an ACL that grants the current user only, set with
 * `icacls` through an injectable command runner (so the command line is unit-tested off Windows).
 */
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandRunner } from '../install/logon.ts';
import { AUDIT_FILE, LOG_FILE } from '../log-file-names.ts';

export interface PrivacyDeps {
  readonly platform?: NodeJS.Platform;
  /** Runs icacls on Windows. */
  readonly run?: CommandRunner;
  /** USERNAME / USERDOMAIN on Windows. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Creates `path` (0700) if missing; tightens an existing one. Returns warning lines; throws when it cannot create it. */
export async function ensurePrivateDir(
  path: string,
  deps: PrivacyDeps = {},
  role: { readonly name: string; readonly option: string } = { name: 'data folder', option: '--data-dir' },
): Promise<string[]> {
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new Error(`cannot create the ${role.name} ${path} (${whyNotWritable(path, error)}); use ${role.option} to put it elsewhere`, { cause: error });
  }
  const probe = join(path, `.write-test-${process.pid}`);
  try {
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe, { force: true });
  } catch (error) {
    throw new Error(`cannot write in the ${role.name} ${path} (${whyNotWritable(path, error)}); use ${role.option} to put it elsewhere`, { cause: error });
  }
  return tighten(path, 'folder', deps);
}

/**
 * Says why a folder cannot be written, in words clinic IT can act on. Node reports a read-only file system as
 * ENOENT when `mkdir -p` meets it, so a test write into the nearest existing folder tells the real cause.
 */
function whyNotWritable(path: string, error: unknown): string {
  let code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    let existing = dirname(path);
    while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
    try {
      const probe = join(existing, `.write-test-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe, { force: true });
    } catch (probeError) {
      code = (probeError as NodeJS.ErrnoException).code ?? code;
    }
  }
  switch (code) {
    case 'EROFS':
      return 'read-only file system';
    case 'EACCES':
    case 'EPERM':
      return 'no permission to write there (read-only for this user)';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    default:
      return describe(error);
  }
}

/** Tightens `path` to 0600 (Windows: the user only) when it exists; a missing file is created by its owner, 0600. */
export async function ensurePrivateFile(path: string, deps: PrivacyDeps = {}): Promise<string[]> {
  if (!existsSync(path)) return [];
  return tighten(path, 'file', deps);
}

/** The icacls arguments that leave `path` to `user` alone: no inherited entries, full control for the user. */
export function icaclsArguments(path: string, kind: 'folder' | 'file', user: string): string[] {
  // (OI)(CI): files and folders created inside later inherit the same single entry.
  return [path, '/inheritance:r', '/grant:r', `${user}:${kind === 'folder' ? '(OI)(CI)F' : 'F'}`];
}

/** `DOMAIN\user` of the current Windows user, from the environment. */
export function windowsUser(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const user = env['USERNAME'];
  if (!user) return undefined;
  return env['USERDOMAIN'] ? `${env['USERDOMAIN']}\\${user}` : user;
}

async function tighten(path: string, kind: 'folder' | 'file', deps: PrivacyDeps): Promise<string[]> {
  if ((deps.platform ?? process.platform) === 'win32') return restrictAcl(path, kind, deps);
  const wanted = kind === 'folder' ? 0o700 : 0o600;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return [];
  try {
    chmodSync(path, wanted);
  } catch (error) {
    return [`${kind} ${path} is open to other users (mode ${mode.toString(8)}) and could not be made ${wanted.toString(8)}: ${describe(error)}`];
  }
  return [`${kind} ${path} was open to other users (mode ${mode.toString(8)}); it is now ${wanted.toString(8)}`];
}

async function restrictAcl(path: string, kind: 'folder' | 'file', deps: PrivacyDeps): Promise<string[]> {
  const user = windowsUser(deps.env ?? process.env);
  if (user === undefined) return [`${kind} ${path}: USERNAME is not set, so its access list was not restricted to you`];
  if (!deps.run) return [`${kind} ${path}: no command runner to restrict its access list`];
  const result = await deps.run('icacls', icaclsArguments(path, kind, user));
  if (result.code === 0) return [];
  const reason = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
  return [`${kind} ${path}: could not restrict its access list to ${user} (icacls exit ${result.code}: ${reason})`];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The files and folders of the data folder, as src/config/data-paths.ts resolves them. */
export interface PrivateDataPaths {
  readonly dataDir: string;
  readonly tokenFile: string;
  readonly journalFile: string;
  readonly logDir: string;
}

/**
 * At start: the data and log folders exist and are private, and the files already in them are too. The
 * token on POSIX is left to src/security/token.ts, which tightens it with its own advice (rotate it).
 */
export async function ensurePrivateDataFolder(paths: PrivateDataPaths, deps: PrivacyDeps = {}): Promise<string[]> {
  const windows = (deps.platform ?? process.platform) === 'win32';
  const warnings = [...(await ensurePrivateDir(paths.dataDir, deps)), ...(await ensurePrivateDir(paths.logDir, deps, { name: 'log folder', option: '--log-dir' }))];
  const files = [
    paths.journalFile,
    `${paths.journalFile}.previous`,
    join(paths.logDir, LOG_FILE),
    join(paths.logDir, AUDIT_FILE),
    ...(windows ? [paths.tokenFile] : []),
  ];
  for (const file of files) warnings.push(...(await ensurePrivateFile(file, deps)));
  return warnings;
}
