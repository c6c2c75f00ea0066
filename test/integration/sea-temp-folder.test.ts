/**
 * The executable's temp folder as processes: test/support/sea-entry.ts runs the single executable's start-up
 * (src/executable.ts) with this machine's real koffi.node embedded in a stand-in for node:sea, because the real
 * linux-x64 executable cannot be built here (npm run build downloads Node). A read-only, full or noexec
 * NHI_GATEWAY_TEMP_DIR (tmpfs mounts, so root only) exits 73 with one line naming the folder, the reason and
 * the variable, never "damaged"; --version and --help answer without touching it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, childHome, runTsx, startGateway, type ChildHome } from '../helpers/gateway-child.ts';
import { freePort } from '../helpers/free-port.ts';
import { EXIT_TEMP_FOLDER } from '../../src/sea-setup.ts';

const ENTRY = join(ROOT, 'test/support/sea-entry.ts');
const PROCESS_MS = 60_000;
const root = process.getuid?.() === 0;

let home: ChildHome;
let work: string;
beforeAll(() => {
  home = childHome();
  work = mkdtempSync(join(tmpdir(), 'nhi-sea-temp-'));
});
afterAll(() => {
  home?.dispose();
  rmSync(work, { recursive: true, force: true });
});

const env = (tempDir: string) => ({ ...home.env, NHI_GATEWAY_TEMP_DIR: tempDir });

describe('single executable start-up as a process: the temp folder', () => {
  it('extracts to NHI_GATEWAY_TEMP_DIR, loads koffi from there and serves', { timeout: PROCESS_MS }, async () => {
    const temp = join(work, 'good');
    mkdirSync(temp);
    const gateway = startGateway(['--backend', 'simulator', '--port', String(await freePort())], env(temp), ENTRY);
    try {
      expect(await gateway.started, gateway.output()).toEqual({ kind: 'listening' });
      const url = /health:\s+(\S+)/.exec(gateway.output())?.[1];
      expect((await fetch(url!)).status).toBe(200);
      expect(readdirSync(temp)).toEqual([expect.stringMatching(/^nhi-gateway-koffi-\d+\.\d+\.\d+-[0-9a-f]{16}$/)]);
    } finally {
      await gateway.stop();
    }
  });

  it('answers --version and --help without extracting anything', { timeout: PROCESS_MS }, async () => {
    const missing = join(work, 'never-created');
    const version = await runTsx(ENTRY, ['--version'], env(missing));
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runTsx(ENTRY, ['--help'], env(missing));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--backend');
    expect(existsSync(missing)).toBe(false);
  });
});

describe.skipIf(!root)(`… on read-only, full and noexec mounts${root ? '' : ' — PENDING: mounting tmpfs needs root'}`, () => {
  const mounts: string[] = [];
  const mount = (name: string, options: string, prepare?: (dir: string) => void): string => {
    const dir = join(work, name);
    mkdirSync(dir);
    const list = options.split(',');
    // Mounted writable first (to prepare it), then remounted read-only when asked.
    execFileSync('mount', ['-t', 'tmpfs', '-o', list.filter((o) => o !== 'ro').join(','), 'tmpfs', dir]);
    mounts.push(dir);
    prepare?.(dir);
    if (list.includes('ro')) execFileSync('mount', ['-o', 'remount,ro', dir]);
    return dir;
  };
  afterEach(() => {
    for (const dir of mounts.splice(0)) execFileSync('umount', [dir]);
  });

  const startFails = async (temp: string) => {
    const run = await runTsx(ENTRY, ['--backend', 'simulator', '--port', String(await freePort())], env(temp));
    expect(run.code, run.stderr).toBe(EXIT_TEMP_FOLDER);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot use the temp folder ${temp}`);
    expect(lines[0]).toContain('Set NHI_GATEWAY_TEMP_DIR');
    expect(lines[0]).not.toMatch(/damaged|download/i);
    return lines[0]!;
  };

  it('read-only: says so (EROFS), while --version still answers', { timeout: PROCESS_MS * 2 }, async () => {
    const temp = mount('ro', 'ro,size=16m');
    expect(await startFails(temp)).toContain('read-only file system (EROFS)');
    const version = await runTsx(ENTRY, ['--version'], env(temp));
    expect(version).toMatchObject({ code: 0, stderr: '' });
  });

  it('full: says so (ENOSPC)', { timeout: PROCESS_MS }, async () => {
    const temp = mount('full', 'size=64k', (dir) => writeFileSync(join(dir, 'x'), 'x'));
    expect(await startFails(temp)).toContain('full (ENOSPC)');
  });

  it('noexec: tells it from a damaged module by running a probe there', { timeout: PROCESS_MS }, async () => {
    const temp = mount('noexec', 'noexec,size=16m');
    expect(await startFails(temp)).toContain('programs may not run from it (mounted noexec');
  });
});
