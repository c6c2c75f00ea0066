/**
 * One private data folder: where each file goes (src/config/data-paths.ts) and how the folder is kept
 * private (src/security/private-files.ts) — real chmod on this machine, and the icacls command line that
 * Windows gets (it cannot run here).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs, resolveDataPaths, type GatewayConfig } from '../../../src/config.ts';
import {
  ensurePrivateDataFolder,
  ensurePrivateDir,
  ensurePrivateFile,
  icaclsArguments,
  windowsUser,
} from '../../../src/security/private-files.ts';
import type { CommandRunner } from '../../../src/install/logon.ts';
import { CardWriteJournal } from '../../../src/domain/card-write-journal.ts';

function config(argv: string[], env: Record<string, string> = {}): GatewayConfig {
  const result = parseArgs(argv, env, { platform: 'linux', fileExists: () => false, readFile: () => '{}' });
  if (result.kind !== 'run') throw new Error(JSON.stringify(result));
  return result.config;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('resolveDataPaths', () => {
  it('puts token, journal, lock and logs in --data-dir', () => {
    expect(resolveDataPaths(config(['--cshis-path', '/x', '--data-dir', '/srv/gw']), {})).toEqual({
      dataDir: '/srv/gw',
      tokenFile: '/srv/gw/token',
      journalFile: '/srv/gw/card-writes.jsonl',
      lockDir: '/srv/gw',
      logDir: '/srv/gw/logs',
    });
  });

  it('gives the simulator its own token and journal in the same folder', () => {
    expect(resolveDataPaths(config([], { NHI_GATEWAY_DATA_DIR: '/srv/gw' }), {})).toMatchObject({
      tokenFile: '/srv/gw/token-simulator',
      journalFile: '/srv/gw/card-writes.jsonl-simulator',
      lockDir: '/srv/gw',
    });
  });

  it('lets --token-file and --log-dir move their piece only; the journal and lock follow the data folder', () => {
    const paths = resolveDataPaths(config(['--backend', 'pcsc', '--data-dir', '/srv/gw', '--token-file', '/t/token', '--log-dir', '/l']), {});
    expect(paths).toEqual({ dataDir: '/srv/gw', tokenFile: '/t/token', journalFile: '/srv/gw/card-writes.jsonl', lockDir: '/srv/gw', logDir: '/l' });
  });

  it('defaults to the per-user state folder', () => {
    expect(resolveDataPaths(config([]), { XDG_STATE_HOME: '/home/desk1/.state' }, 'linux')).toMatchObject({
      dataDir: '/home/desk1/.state/nhi-gateway',
      logDir: '/home/desk1/.state/nhi-gateway/logs',
    });
  });
});

describe.skipIf(process.platform === 'win32')('ensurePrivateDir / ensurePrivateFile on POSIX (reason: Windows uses ACLs, tested below)', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'nhi-private-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('creates a missing folder 0700, without a warning', async () => {
    const dir = join(work, 'a', 'data');
    expect(await ensurePrivateDir(dir)).toEqual([]);
    expect(mode(dir)).toBe('700');
  });

  it('tightens a loose folder and file, with a warning line each', async () => {
    const dir = join(work, 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const file = join(dir, 'card-writes.jsonl');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    expect(await ensurePrivateDir(dir)).toEqual([`folder ${dir} was open to other users (mode 755); it is now 700`]);
    expect(await ensurePrivateFile(file)).toEqual([`file ${file} was open to other users (mode 644); it is now 600`]);
    expect([mode(dir), mode(file)]).toEqual(['700', '600']);
    expect(await ensurePrivateDir(dir)).toEqual([]);
    expect(await ensurePrivateFile(join(dir, 'missing'))).toEqual([]);
  });

  it('checks the whole data folder: logs folder, journal and log files', async () => {
    const dataDir = join(work, 'data');
    const logDir = join(dataDir, 'logs');
    mkdirSync(logDir, { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o775);
    writeFileSync(join(dataDir, 'card-writes.jsonl'), '', { mode: 0o644 });
    writeFileSync(join(logDir, 'audit.log'), '', { mode: 0o640 });
    const warnings = await ensurePrivateDataFolder({ dataDir, logDir, journalFile: join(dataDir, 'card-writes.jsonl'), tokenFile: join(dataDir, 'token') });
    expect(warnings).toHaveLength(4);
    expect([mode(dataDir), mode(logDir), mode(join(dataDir, 'card-writes.jsonl')), mode(join(logDir, 'audit.log'))]).toEqual(['700', '700', '600', '600']);
  });

  it('names the folder and the option when it cannot be created', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    await expect(ensurePrivateDir(join(file, 'data'))).rejects.toThrow(/^cannot create the data folder .*a-file\/data .*use --data-dir/);
  });

  it('the card-write journal is created 0600 and an existing loose one is tightened', async () => {
    const path = join(work, 'card-writes.jsonl');
    const journal = CardWriteJournal.open({ path });
    const previous = process.umask(0o022);
    try {
      await journal.begin({ op: 'writeTreatment', key: null, inputHash: 'h' });
    } finally {
      process.umask(previous);
    }
    expect(mode(path)).toBe('600');
    chmodSync(path, 0o644);
    CardWriteJournal.open({ path });
    expect(mode(path)).toBe('600');
  });
});

describe('Windows: an ACL for the current user only, via icacls', () => {
  it('builds the icacls command lines', () => {
    expect(icaclsArguments('C:\\Users\\desk1\\AppData\\Local\\nhi-gateway', 'folder', 'CLINIC\\desk1')).toEqual([
      'C:\\Users\\desk1\\AppData\\Local\\nhi-gateway',
      '/inheritance:r',
      '/grant:r',
      'CLINIC\\desk1:(OI)(CI)F',
    ]);
    expect(icaclsArguments('C:\\gw\\token', 'file', 'desk1')).toEqual(['C:\\gw\\token', '/inheritance:r', '/grant:r', 'desk1:F']);
    expect(windowsUser({ USERNAME: 'desk1', USERDOMAIN: 'CLINIC' })).toBe('CLINIC\\desk1');
    expect(windowsUser({ USERNAME: 'desk1' })).toBe('desk1');
    expect(windowsUser({})).toBeUndefined();
  });

  it('runs icacls on the folder and existing files, and warns when it fails', async () => {
    const work = mkdtempSync(join(tmpdir(), 'nhi-acl-'));
    try {
      const calls: string[][] = [];
      const run: CommandRunner = async (file, args) => {
        calls.push([file, ...args]);
        return args[0]?.endsWith('token') ? { code: 5, stdout: '', stderr: 'Access is denied.\r\n' } : { code: 0, stdout: '', stderr: '' };
      };
      writeFileSync(join(work, 'token'), 'x');
      const deps = { platform: 'win32' as const, run, env: { USERNAME: 'desk1', USERDOMAIN: 'CLINIC' } };
      const warnings = await ensurePrivateDataFolder(
        { dataDir: work, logDir: join(work, 'logs'), journalFile: join(work, 'card-writes.jsonl'), tokenFile: join(work, 'token') },
        deps,
      );
      expect(calls).toEqual([
        ['icacls', work, '/inheritance:r', '/grant:r', 'CLINIC\\desk1:(OI)(CI)F'],
        ['icacls', join(work, 'logs'), '/inheritance:r', '/grant:r', 'CLINIC\\desk1:(OI)(CI)F'],
        ['icacls', join(work, 'token'), '/inheritance:r', '/grant:r', 'CLINIC\\desk1:F'],
      ]);
      expect(warnings).toEqual([`file ${join(work, 'token')}: could not restrict its access list to CLINIC\\desk1 (icacls exit 5: Access is denied.)`]);
      expect(await ensurePrivateDir(work, { platform: 'win32', run, env: {} })).toEqual([
        `folder ${work}: USERNAME is not set, so its access list was not restricted to you`,
      ]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
