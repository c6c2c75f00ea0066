/**
 * The linux-x64 single executable gives back its start-up memory (src/memory-release.ts): run as a process,
 * the SEA blob's pages (the main script and its code cache, read once at start) leave its resident file
 * pages (against the same executable with the release off), and every GraphiQL file it serves afterwards,
 * read back from the executable's file, is still exactly the package's content. Its embedded assets are
 * checked when first used (src/sea-setup.ts): a copy with one corrupt GraphiQL file starts, serves the
 * others, and refuses that one with the reason. Also here, since it needs the built executable: the status page scripts,
 * whose Chinese labels the build moved out of `String.raw` text to keep the bundle ASCII
 * (build/lib/ascii-source.ts), are served exactly as the source defines them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../build/lib/ensure-built.ts';
import { TARGETS } from '../../build/lib/targets.ts';
import { inspectExecutable } from '../../build/lib/inspect.ts';
import { GRAPHIQL_ASSET_PREFIX } from '../../src/sea-setup.ts';
import { graphiqlPackageFiles } from '../../src/plugins/use-graphiql-assets.ts';
import { STATUS_SCRIPT, WIDGET_SCRIPT } from '../../src/status/script.ts';
import { freePort } from '../helpers/free-port.ts';

const ROOT = join(import.meta.dirname, '../..');
const EXE = join(ROOT, 'dist', TARGETS['linux-x64'].output);
const work = mkdtempSync(join(tmpdir(), 'nhi-sea-memory-'));

beforeAll(() => {
  ensureBuilt(ROOT);
}, 10 * 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
}

async function start(name: string, release: string, exe = EXE, stderr?: string[]): Promise<Running> {
  const port = await freePort();
  const dir = join(work, name);
  const env: NodeJS.ProcessEnv = { ...process.env, NHI_GATEWAY_DATA_DIR: dir, NHI_GATEWAY_RELEASE_MEMORY: release };
  delete env['NODE_OPTIONS'];
  const child = spawn(exe, ['--backend', 'simulator', '--port', String(port), '--log-dir', join(dir, 'logs')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => stderr?.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stop({ child }: Running): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Resident KiB of the process's mappings of the executable file itself (/proc/<pid>/smaps). */
function residentExecutableKiB(pid: number): number {
  const file = realpathSync(EXE);
  let total = 0;
  let inExe = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) inExe = head[1] === file;
    else if (inExe && line.startsWith('Rss:')) total += Number(/(\d+)/.exec(line)![1]);
  }
  return total;
}

/** Polls until the condition holds (the release runs on a timer inside the process), then returns its value. */
async function until<T>(read: () => T, ok: (value: T) => boolean, deadlineMs = 30_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(process.platform === 'linux')('linux-x64 executable: start-up memory given back', () => {
  it("drops the SEA blob's pages (main script, code cache) from its resident file pages and still serves GraphiQL byte for byte", { timeout: 120_000 }, async () => {
    const kept = await start('kept', 'off');
    let keptKiB: number;
    try {
      keptKiB = residentExecutableKiB(kept.child.pid!);
    } finally {
      await stop(kept);
    }
    const released = await start('released', '1');
    try {
      // The main script alone is the bundle (~2 MB; its code cache comes on top): at least 90 % of it fewer
      // resident pages. The assets are no longer read at start, so they are not part of the difference.
      const bundleKiB = (JSON.parse(readFileSync(join(ROOT, 'dist', 'build-info.json'), 'utf8')) as { bundleBytes: number }).bundleBytes / 1024;
      const releasedKiB = await until(() => residentExecutableKiB(released.child.pid!), (kib) => keptKiB - kib >= bundleKiB * 0.9);
      expect(keptKiB - releasedKiB, `executable's resident pages: ${keptKiB} KiB kept, ${releasedKiB} KiB released`).toBeGreaterThanOrEqual(bundleKiB * 0.9);

      const page = await (await fetch(`${released.url}/graphql`, { headers: { accept: 'text/html' } })).text();
      const base = /href="([^"]*\/graphiql-assets\/[0-9a-f]{12}\/)graphiql\.css"/.exec(page)?.[1];
      expect(base, page.slice(0, 400)).toBeDefined();
      for (const [name, content] of await graphiqlPackageFiles()) {
        const response = await fetch(`${released.url}${base}${name}`, { headers: { 'accept-encoding': 'gzip' } });
        expect(response.status, name).toBe(200);
        expect(response.headers.get('content-encoding'), name).toBe('gzip');
        // fetch decodes the gzip: what arrives is the package's file exactly.
        expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(content)), name).toBe(true);
      }
    } finally {
      await stop(released);
    }
  });

  it('starts with a corrupt embedded GraphiQL file, serves the others and refuses that one, naming it', { timeout: 60_000 }, async () => {
    const copy = join(work, 'nhi-gateway-linux-x64-corrupt');
    copyFileSync(EXE, copy);
    const { blob } = inspectExecutable(copy, 8);
    const asset = blob!.assets.get(`${GRAPHIQL_ASSET_PREFIX}graphiql.css`)!;
    const bytes = readFileSync(copy);
    const at = bytes.indexOf(Buffer.from(asset.subarray(0, 256)));
    expect(at).toBeGreaterThan(0);
    bytes[at + 100] = bytes[at + 100]! ^ 0xff;
    writeFileSync(copy, bytes, { mode: 0o755 });
    // The SHA-256 is not read at start: --version answers.
    expect(execFileSync(copy, ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
    const stderr: string[] = [];
    const gateway = await start('corrupt', 'off', copy, stderr);
    try {
      const page = await (await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } })).text();
      const base = /href="([^"]*\/graphiql-assets\/[0-9a-f]{12}\/)graphiql\.css"/.exec(page)?.[1];
      expect(base, page.slice(0, 400)).toBeDefined();
      const damaged = /executable is damaged: the embedded asset graphiql\/graphiql\.css is corrupt .*Download or copy nhi-gateway again/;
      for (let i = 0; i < 2; i++) {
        const refused = await fetch(`${gateway.url}${base}graphiql.css`, { headers: { 'accept-encoding': 'gzip' } });
        expect(refused.status).toBe(500);
        expect(await refused.text()).toMatch(damaged);
      }
      const js = (await graphiqlPackageFiles()).find(([name]) => name === 'graphiql.js')!;
      const served = await fetch(`${gateway.url}${base}graphiql.js`);
      expect(served.status).toBe(200);
      expect(await served.text()).toBe(js[1]);
      // Said once on the console too, for whoever reads it.
      expect(stderr.join('').match(new RegExp(damaged.source, 'g'))).toHaveLength(1);
    } finally {
      await stop(gateway);
    }
  });

  it('serves the status page scripts exactly as the source defines them (non-ASCII labels included)', { timeout: 60_000 }, async () => {
    expect(/[^\x00-\x7f]/.test(STATUS_SCRIPT)).toBe(true);
    const gateway = await start('status', 'off');
    try {
      for (const [name, expected] of [['status.js', STATUS_SCRIPT], ['widget.js', WIDGET_SCRIPT]] as const) {
        const response = await fetch(`${gateway.url}/status/${name}`);
        expect(response.status, name).toBe(200);
        expect(await response.text(), name).toBe(expected);
      }
    } finally {
      await stop(gateway);
    }
  });
});
