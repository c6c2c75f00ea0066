/**
 * The MSIs `npm run build` makes (build/msi/nhi-gateway.wxs via wixl; reused when dist/ is up to date):
 *
 * - both: the tables say per-machine, Program Files, an HKLM Run entry built from PORT/BACKEND/
 *   ALLOWED_ORIGINS/CONFIG_FILE, a major upgrade on one UpgradeCode per architecture, and an Authenticode
 *   signature that verifies against the build's certificate (the throwaway one outside a release);
 * - x64 under Wine 8 (`wine64 msiexec`, a fresh prefix): silent install with properties → the executable and
 *   the Run entry are there → the gateway started with the Run entry's command line answers GraphQL and lets
 *   the ALLOWED_ORIGINS origin in → a newer MSI (the same executable packaged as the next patch version)
 *   upgrades in place → uninstall leaves no file, Run entry or Programs-and-Features entry behind.
 * - x86 under Wine 8: installs into Program Files (x86) with its Run entry and uninstalls; the executable is
 *   not started (no 32-bit code runs on these machines).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../../build/lib/ensure-built.ts';
import { buildMsi, INSTALL_FOLDER, INSTALLED_EXE, msiFileName, RUN_KEY_MACHINE, RUN_VALUE_MACHINE } from '../../../build/lib/msi.ts';
import { verifyDetached, verifyFile } from '../../../build/lib/sign.ts';
import { prepareWinePrefix, startUnderWine, WINE64, WINESERVER, wineEnv, wineInstalled, windowsPath, type WineProcess } from '../../../build/lib/wine.ts';
import { parseRegQuery } from '../../../src/install/logon.ts';
import { freePort } from '../../helpers/free-port.ts';
import type { BuildInfo } from '../../../build/build.ts';

const ROOT = join(import.meta.dirname, '../../..');
const DIST = join(ROOT, 'dist');
const THROWAWAY_CA = join(ROOT, '.cache/build/signing/throwaway-cert.pem');
const UNINSTALL_KEY = 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall';

const onPath = (command: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const tools = onPath('wixl') && onPath('msiinfo') && onPath('osslsigncode');
const missingTools = tools ? null : 'pending: wixl/msiinfo (apt-get install -y wixl msitools) or osslsigncode are not installed';

let info: BuildInfo;
beforeAll(() => {
  if (tools) info = ensureBuilt(ROOT);
}, 15 * 60_000);

function table(msi: string, name: string): string[][] {
  return execFileSync('msiinfo', ['export', msi, name], { encoding: 'utf8' })
    .split(/\r?\n/)
    .slice(3)
    .filter(Boolean)
    .map((row) => row.split('\t'));
}

describe.skipIf(missingTools !== null)(`the MSIs in dist/${missingTools ? ` (${missingTools})` : ''}`, () => {
  it.each(['x86', 'x64'] as const)('%s: per-machine, Run entry from the properties, major upgrade, signed', (arch) => {
    const msi = join(DIST, msiFileName(arch));
    expect(info.installers.map((i) => i.file)).toContain(msiFileName(arch));
    const summary = execFileSync('msiinfo', ['suminfo', msi], { encoding: 'utf8' });
    expect(summary).toMatch(new RegExp(`Template: ${arch === 'x64' ? 'x64' : 'Intel'};1033`));
    const properties = Object.fromEntries(table(msi, 'Property').map(([k, v]) => [k, v]));
    expect(properties).toMatchObject({ BACKEND: 'auto', ALLUSERS: '1', ProductVersion: info.gatewayVersion });
    // No default port: each user's gateway picks 8737 or its user's own (a terminal server's users need that).
    expect(properties).not.toHaveProperty('PORT');
    const registry = table(msi, 'Registry');
    expect(registry).toContainEqual([expect.any(String), '2', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', RUN_VALUE_MACHINE, '[GATEWAY_RUN_COMMAND]', 'LogonStart']);
    const actions = table(msi, 'CustomAction').map(([name, , , target]) => [name, target]);
    expect(actions).toEqual([
      ['SetRunCommand', '"[#GatewayExe]"'],
      ['AddPort', '[GATEWAY_RUN_COMMAND] --port [PORT]'],
      ['AddBackend', '[GATEWAY_RUN_COMMAND] --backend [BACKEND]'],
      ['AddAllowedOrigins', '[GATEWAY_RUN_COMMAND] --allowed-origin "[ALLOWED_ORIGINS]"'],
      ['AddConfigFile', '[GATEWAY_RUN_COMMAND] --config "[CONFIG_FILE]"'],
    ]);
    expect(table(msi, 'Upgrade').length).toBe(2); // newer-or-same found → removed; newer installed → refused
    const ca = info.signing === 'throwaway' ? THROWAWAY_CA : '/etc/ssl/certs/ca-certificates.crt';
    expect(verifyFile(msi, ca)).toMatch(/Signature verification: ok/);
  });

  it('signs both executables and the sums, and the sums list every file', () => {
    const ca = info.signing === 'throwaway' ? THROWAWAY_CA : '/etc/ssl/certs/ca-certificates.crt';
    for (const exe of ['nhi-gateway-win-x86.exe', 'nhi-gateway-win-x64.exe']) expect(verifyFile(join(DIST, exe), ca)).toMatch(/ok/);
    expect(() => verifyDetached(join(DIST, 'SHA256SUMS'), join(DIST, 'SHA256SUMS.p7s'), ca)).not.toThrow();
    const listed = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: DIST, encoding: 'utf8' });
    for (const file of [...info.outputs.map((o) => o.file), ...info.installers.map((i) => i.file)]) expect(listed).toContain(`${file}: OK`);
    // A changed byte breaks the signature of the sums.
    const tampered = join(mkdtempSync(join(tmpdir(), 'sums-')), 'SHA256SUMS');
    writeFileSync(tampered, `${execFileSync('cat', [join(DIST, 'SHA256SUMS')], { encoding: 'utf8' })} `);
    expect(() => verifyDetached(tampered, join(DIST, 'SHA256SUMS.p7s'), ca)).toThrow();
  });
});

const pendingWine = missingTools ?? (wineInstalled() ? null : `pending: ${WINE64} is not installed (apt-get install -y wine64)`);

describe.skipIf(pendingWine !== null)(`the MSIs under Wine 8${pendingWine ? ` (${pendingWine})` : ''}`, () => {
  let work: string;
  let prefix: string;
  let gateway: WineProcess | null = null;
  const installDir = () => join(prefix, 'drive_c/Program Files', INSTALL_FOLDER);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nhi-msi-'));
    prefix = prepareWinePrefix(join(work, 'prefix'));
  }, 300_000);

  afterAll(async () => {
    await gateway?.stop();
    try {
      if (prefix) execFileSync(WINESERVER, ['-k'], { env: wineEnv(prefix) });
    } catch {
      // no wineserver left to stop
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function wine(args: string[]): string {
    const env = wineEnv(prefix);
    const output = execFileSync(WINE64, args, { env, encoding: 'utf8', timeout: 180_000 });
    execFileSync(WINESERVER, ['-w'], { env, timeout: 120_000 });
    return output;
  }

  function regQuery(key: string, args: string[] = []): string {
    try {
      return wine(['reg', 'query', key, ...args]);
    } catch {
      return ''; // reg query exits 1 when the key or value is not there
    }
  }

  /** The product's Programs-and-Features version, or null when it is not registered. */
  function registeredVersion(msi: string): string | null {
    const productCode = Object.fromEntries(table(msi, 'Property').map(([k, v]) => [k, v]))['ProductCode'];
    // 32-bit packages register in the 32-bit view (WOW6432Node).
    const keys = [UNINSTALL_KEY, UNINSTALL_KEY.replace('HKLM\\Software\\', 'HKLM\\Software\\WOW6432Node\\')];
    for (const key of keys) {
      const version = parseRegQuery(regQuery(`${key}\\${productCode}`, ['/v', 'DisplayVersion']), 'DisplayVersion');
      if (version !== null) return version;
    }
    return null;
  }

  it('installs silently with properties, starts from its Run entry, upgrades in place and uninstalls cleanly', async () => {
    const port = await freePort();
    const config = join(work, 'gateway.json');
    writeFileSync(config, JSON.stringify({ identityReadsPerMinute: 30 }));
    const x64Msi = join(DIST, msiFileName('x64'));

    // 1. Silent install, as a GPO would run it.
    wine(['msiexec', '/i', windowsPath(x64Msi), '/qn', `PORT=${port}`, 'BACKEND=simulator', 'ALLOWED_ORIGINS=https://his.example,http://10.0.0.5:8080', `CONFIG_FILE=${windowsPath(config)}`]);
    expect(existsSync(join(installDir(), INSTALLED_EXE))).toBe(true);
    const command = parseRegQuery(regQuery(RUN_KEY_MACHINE, ['/v', RUN_VALUE_MACHINE]), RUN_VALUE_MACHINE);
    const installedExe = `C:\\Program Files\\${INSTALL_FOLDER}\\${INSTALLED_EXE}`;
    expect(command).toBe(
      `"${installedExe}" --port ${port} --backend simulator --allowed-origin "https://his.example,http://10.0.0.5:8080" --config "${windowsPath(config)}"`,
    );
    expect(registeredVersion(x64Msi)).toBe(info.gatewayVersion);

    // 2. Start it as Windows would at logon: the Run entry's command line.
    gateway = startUnderWine(installedExe, splitWindowsCommandLine(command!).slice(1), {
      prefix,
      logFile: join(work, 'gateway.log'),
      env: { NHI_GATEWAY_DATA_DIR: windowsPath(join(work, 'data')) },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, gateway);
    const answer = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://his.example' },
      body: JSON.stringify({ query: '{ gateway { version backend } }' }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://his.example');
    expect(await answer.json()).toEqual({ data: { gateway: { version: info.gatewayVersion, backend: 'SIMULATOR' } } });
    const metrics = await fetch(`${url}/metrics`);
    expect(await metrics.text()).toContain('nhi_gateway_build_info{version="0.1.0",backend="simulator"');
    await gateway.stop();
    gateway = null;

    // 3. A newer version (the same executable packaged as the next patch) upgrades in place.
    const [major, minor, patch] = info.gatewayVersion.split('.').map(Number) as [number, number, number];
    const newer = `${major}.${minor}.${patch + 1}`;
    const newerMsi = join(work, 'newer.msi');
    buildMsi({ arch: 'x64', version: newer, exe: join(DIST, 'nhi-gateway-win-x64.exe'), out: newerMsi, workDir: work });
    wine(['msiexec', '/i', windowsPath(newerMsi), '/qn', `PORT=${port}`]);
    expect(registeredVersion(newerMsi)).toBe(newer);
    expect(registeredVersion(x64Msi)).toBeNull(); // the old version was removed, not installed beside it
    expect(existsSync(join(installDir(), INSTALLED_EXE))).toBe(true);
    expect(parseRegQuery(regQuery(RUN_KEY_MACHINE, ['/v', RUN_VALUE_MACHINE]), RUN_VALUE_MACHINE)).toBe(`"${installedExe}" --port ${port} --backend auto`);

    // 4. Uninstall: nothing of it left.
    wine(['msiexec', '/x', windowsPath(newerMsi), '/qn']);
    expect(existsSync(installDir())).toBe(false);
    expect(parseRegQuery(regQuery(RUN_KEY_MACHINE), RUN_VALUE_MACHINE)).toBeNull();
    expect(registeredVersion(newerMsi)).toBeNull();
  }, 600_000);

  it('installs the x86 MSI under Program Files (x86) with its Run entry, and uninstalls it (not started: 32-bit)', () => {
    const x86Msi = join(DIST, msiFileName('x86'));
    wine(['msiexec', '/i', windowsPath(x86Msi), '/qn', 'BACKEND=cshis']);
    const folder = join(prefix, 'drive_c/Program Files (x86)', INSTALL_FOLDER);
    expect(existsSync(join(folder, INSTALLED_EXE))).toBe(true);
    // A 32-bit package's HKLM keys are in the 32-bit view (WOW6432Node); Windows runs both views' Run entries at logon.
    const run32 = RUN_KEY_MACHINE.replace('HKLM\\Software\\', 'HKLM\\Software\\WOW6432Node\\');
    const command = parseRegQuery(regQuery(run32, ['/v', RUN_VALUE_MACHINE]), RUN_VALUE_MACHINE) ?? parseRegQuery(regQuery(RUN_KEY_MACHINE, ['/v', RUN_VALUE_MACHINE]), RUN_VALUE_MACHINE);
    // Installed without PORT, as on a terminal server: no --port, so every user's gateway can start.
    expect(command).toBe(`"C:\\Program Files (x86)\\${INSTALL_FOLDER}\\${INSTALLED_EXE}" --backend cshis`);
    expect(registeredVersion(x86Msi)).toBe(info.gatewayVersion);
    wine(['msiexec', '/x', windowsPath(x86Msi), '/qn']);
    expect(existsSync(folder)).toBe(false);
    expect(parseRegQuery(regQuery(run32), RUN_VALUE_MACHINE)).toBeNull();
    expect(registeredVersion(x86Msi)).toBeNull();
  }, 300_000);
});

/** Polls /health until it answers 200. */
async function waitHealthy(url: string, gateway: WineProcess, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (gateway.child.exitCode !== null) throw new Error(`the gateway exited with ${gateway.child.exitCode}:\n${gateway.log()}`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no answer from ${url}/health within ${timeoutMs} ms:\n${gateway.log()}`);
}

/** Splits a Run-entry command line (quoted arguments, no escaped quotes inside: ours has none). */
function splitWindowsCommandLine(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}
