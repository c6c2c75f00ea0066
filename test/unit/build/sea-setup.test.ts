/**
 * src/sea-setup.ts with a stand-in for `node:sea`: the manifest and every asset's presence and size are checked
 * at start (a missing or truncated one stops the executable with a message naming it), an asset's SHA-256 when
 * it is first used (a corrupt one is refused then, with the same message), koffi.node is extracted once to a versioned
 * folder and reused, never rewritten, and process.resourcesPath points where koffi's loader looks.
 */
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DamagedExecutableError,
  KOFFI_ASSET,
  MANIFEST_ASSET,
  MANIFEST_FORMAT,
  nodeExtractionFs,
  prepareExecutable,
  probeExec,
  setupEmbedded,
  TempFolderError,
  type ExtractionFs,
  type SeaApi,
  type SeaManifest,
  type SetupDeps,
} from '../../../src/sea-setup.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const KOFFI = Buffer.from('pretend koffi.node \u0001\u0002 native module');
const CSS = Buffer.from('gzipped css');
const JS = Buffer.from('gzipped js');

function makeSea(files: Record<string, Uint8Array>, manifestOverrides: Partial<SeaManifest> = {}): { sea: SeaApi; manifest: SeaManifest } {
  const manifest: SeaManifest = {
    format: MANIFEST_FORMAT,
    gatewayVersion: '0.1.0',
    nodeVersion: 'v22.23.2',
    target: 'win-x64',
    platform: 'win32',
    arch: 'x64',
    koffiVersion: '3.3.4',
    graphiqlHash: 'abcdef012345',
    assets: Object.fromEntries(
      Object.entries(files).map(([key, bytes]) => [
        key,
        { sha256: sha256(bytes), size: bytes.byteLength, encoding: key === KOFFI_ASSET ? 'identity' : 'gzip' },
      ]),
    ),
    ...manifestOverrides,
  };
  const stored: Record<string, Uint8Array> = { ...files, [MANIFEST_ASSET]: Buffer.from(JSON.stringify(manifest)) };
  return { manifest, sea: seaOf(stored) };
}

function seaOf(stored: Record<string, Uint8Array>): SeaApi {
  return {
    isSea: () => true,
    getRawAsset(key) {
      const bytes = stored[key];
      if (!bytes) throw Object.assign(new Error(`no asset ${key}`), { code: 'ERR_SINGLE_EXECUTABLE_APPLICATION_ASSET_NOT_FOUND' });
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

const FILES = { [KOFFI_ASSET]: KOFFI, 'graphiql/graphiql.js': JS, 'graphiql/graphiql.css': CSS };

describe('src/sea-setup.ts', () => {
  let tmp: string;
  let resourcesPath: string | undefined;
  const deps = (sea: SeaApi, overrides: Partial<SetupDeps> = {}): SetupDeps => ({
    sea,
    nodeVersion: 'v22.23.2',
    platform: 'win32',
    arch: 'x64',
    tmpdir: tmp,
    pid: 4242,
    uid: undefined,
    setResourcesPath: (path) => (resourcesPath = path),
    ...overrides,
  });

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nhi-sea-setup-'));
    resourcesPath = undefined;
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('is a no-op outside a single executable (this test process)', () => {
    expect(prepareExecutable(undefined, {})).toBeNull();
    expect((process as { resourcesPath?: string }).resourcesPath).toBeUndefined();
  });

  it('extracts koffi.node to <tmp>/nhi-gateway-koffi-<version>-<sha256 prefix>/koffi/<platform>_<arch>/ and sets resourcesPath', () => {
    const { sea } = makeSea(FILES);
    const assets = setupEmbedded(deps(sea));
    const folder = join(tmp, `nhi-gateway-koffi-3.3.4-${sha256(KOFFI).slice(0, 16)}`);
    expect(assets.resourcesPath).toBe(folder);
    expect(resourcesPath).toBe(folder);
    expect(assets.koffiPath).toBe(join(folder, 'koffi', 'win32_x64', 'koffi.node'));
    expect(readFileSync(assets.koffiPath!).equals(KOFFI)).toBe(true);
    // Nothing left behind from the write-then-rename.
    expect(readdirSync(join(folder, 'koffi', 'win32_x64'))).toEqual(['koffi.node']);
  });

  it('reuses an extracted module with the right hash without rewriting it (another gateway may have it loaded)', () => {
    const { sea } = makeSea(FILES);
    const first = setupEmbedded(deps(sea));
    const before = statSync(first.koffiPath!);
    const second = setupEmbedded(deps(sea, { pid: 5151 }));
    const after = statSync(second.koffiPath!);
    expect(second.koffiPath).toBe(first.koffiPath);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('replaces a module with the wrong contents at the versioned path', () => {
    const { sea } = makeSea(FILES);
    const path = join(tmp, `nhi-gateway-koffi-3.3.4-${sha256(KOFFI).slice(0, 16)}`, 'koffi', 'win32_x64', 'koffi.node');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'truncated');
    const assets = setupEmbedded(deps(sea));
    expect(assets.koffiPath).toBe(path);
    expect(readFileSync(path).equals(KOFFI)).toBe(true);
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)(
    `uses a folder of its own when the shared one belongs to another user (POSIX /tmp)${root ? '' : ' (pending: needs root to chown)'}`,
    () => {
      const { sea } = makeSea(FILES);
      const shared = join(tmp, `nhi-gateway-koffi-3.3.4-${sha256(KOFFI).slice(0, 16)}`);
      mkdirSync(shared);
      chownSync(shared, 65534, 65534); // nobody
      const assets = setupEmbedded(deps(sea, { uid: 0 }));
      expect(assets.resourcesPath).toBe(`${shared}-4242`);
      expect(readFileSync(assets.koffiPath!).equals(KOFFI)).toBe(true);
    },
  );

  it('exposes the other assets by name and by group', () => {
    const { sea } = makeSea(FILES);
    const assets = setupEmbedded(deps(sea));
    expect(assets.group('graphiql/').map((a) => a.name)).toEqual(['graphiql/graphiql.css', 'graphiql/graphiql.js']);
    expect(Buffer.from(assets.get('graphiql/graphiql.js')!.bytes).equals(JS)).toBe(true);
    expect(assets.get('graphiql/graphiql.js')!.encoding).toBe('gzip');
    expect(assets.manifest.graphiqlHash).toBe('abcdef012345');
  });

  it('stops with a clear message when an asset listed in the manifest is missing', () => {
    const { manifest } = makeSea(FILES);
    const { [`graphiql/graphiql.css`]: _dropped, ...rest } = FILES;
    const sea = seaOf({ ...rest, [MANIFEST_ASSET]: Buffer.from(JSON.stringify(manifest)) });
    expect(() => setupEmbedded(deps(sea))).toThrow(DamagedExecutableError);
    expect(() => setupEmbedded(deps(sea))).toThrow(
      'This executable is damaged: the embedded asset graphiql/graphiql.css is missing. Download or copy nhi-gateway again',
    );
    expect(existsSync(join(tmp, `nhi-gateway-koffi-3.3.4-${sha256(KOFFI).slice(0, 16)}`))).toBe(false);
  });

  it('refuses an asset with one byte changed when it is first used, naming it (not at start: its pages stay unread)', () => {
    const { manifest } = makeSea(FILES);
    const corrupt = Buffer.from(JS);
    corrupt[0] = corrupt[0]! ^ 1;
    const sea = seaOf({ ...FILES, 'graphiql/graphiql.js': corrupt, [MANIFEST_ASSET]: Buffer.from(JSON.stringify(manifest)) });
    const assets = setupEmbedded(deps(sea));
    expect(() => assets.verified('graphiql/graphiql.js')).toThrow(DamagedExecutableError);
    expect(() => assets.verified('graphiql/graphiql.js')).toThrow(
      'This executable is damaged: the embedded asset graphiql/graphiql.js is corrupt (size or SHA-256 differs from the manifest). Download or copy nhi-gateway again',
    );
    expect(Buffer.from(assets.verified('graphiql/graphiql.css').bytes).equals(CSS)).toBe(true);
    expect(() => assets.verified('graphiql/nothing.js')).toThrow(/graphiql\/nothing\.js is not in the manifest/);
  });

  it('stops at start when an asset has another size than the manifest says (no byte of it read)', () => {
    const { manifest } = makeSea(FILES);
    const sea = seaOf({ ...FILES, 'graphiql/graphiql.js': JS.subarray(1), [MANIFEST_ASSET]: Buffer.from(JSON.stringify(manifest)) });
    expect(() => setupEmbedded(deps(sea))).toThrow(/the embedded asset graphiql\/graphiql\.js is corrupt/);
  });

  it('refuses to extract a corrupt koffi.node (damage, not a temp-folder fault) and writes nothing', () => {
    const { manifest } = makeSea(FILES);
    const sea = seaOf({ ...FILES, [KOFFI_ASSET]: Buffer.from('pretend koffi.node \u0001\u0002 native modulX'), [MANIFEST_ASSET]: Buffer.from(JSON.stringify(manifest)) });
    expect(() => setupEmbedded(deps(sea))).toThrow(/the embedded asset koffi\/koffi\.node is corrupt/);
    const folder = join(tmp, `nhi-gateway-koffi-3.3.4-${sha256(KOFFI).slice(0, 16)}`, 'koffi', 'win32_x64');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('reuses a module extracted by an earlier start without hashing the embedded copy', () => {
    const { sea, manifest } = makeSea(FILES);
    const first = setupEmbedded(deps(sea));
    // Same manifest, embedded bytes that would fail their SHA-256 if they were read: the good file already
    // extracted is used, and the embedded copy is never hashed.
    const unread = seaOf({ ...FILES, [KOFFI_ASSET]: Buffer.from('pretend koffi.node \u0001\u0002 native modulX'), [MANIFEST_ASSET]: Buffer.from(JSON.stringify(manifest)) });
    const second = setupEmbedded(deps(unread, { pid: 5151 }));
    expect(second.koffiPath).toBe(first.koffiPath);
    expect(readFileSync(second.koffiPath!).equals(KOFFI)).toBe(true);
  });

  it('stops when there is no manifest, or it is not JSON', () => {
    expect(() => setupEmbedded(deps(seaOf(FILES)))).toThrow(/it has no embedded manifest\.json \(it was not built by npm run build\)/);
    expect(() => setupEmbedded(deps(seaOf({ ...FILES, [MANIFEST_ASSET]: Buffer.from('{') })))).toThrow(/not valid JSON/);
  });

  it('stops when koffi or GraphiQL is not in the manifest', () => {
    const { [KOFFI_ASSET]: _koffi, ...noKoffi } = FILES;
    expect(() => setupEmbedded(deps(makeSea(noKoffi).sea))).toThrow(/koffi\/koffi\.node is not in the manifest/);
    expect(() => setupEmbedded(deps(makeSea({ [KOFFI_ASSET]: KOFFI }).sea))).toThrow(/no embedded graphiql\/\* assets/);
  });

  it('stops when it runs on another Node version or platform than it was built for', () => {
    const { sea } = makeSea(FILES);
    expect(() => setupEmbedded(deps(sea, { nodeVersion: 'v22.23.3' }))).toThrow(
      /prepared for Node v22\.23\.2 but it runs on Node v22\.23\.3/,
    );
    expect(() => setupEmbedded(deps(sea, { arch: 'ia32' }))).toThrow(/built for win32\/x64 but runs as win32\/ia32/);
  });
});

describe('src/sea-setup.ts: temp folder faults are named, never "damaged"', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: refused`), { code });
  /** The real file operations, with one of them failing as a real folder would. */
  const failing = (op: keyof ExtractionFs, code: string): ExtractionFs => ({
    ...nodeExtractionFs,
    [op]: () => {
      throw errno(code);
    },
  });
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nhi-sea-fault-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));
  const deps = (overrides: Partial<SetupDeps> = {}): SetupDeps => ({
    sea: makeSea(FILES).sea,
    nodeVersion: 'v22.23.2',
    platform: 'win32',
    arch: 'x64',
    tmpdir: tmp,
    pid: 4242,
    uid: undefined,
    setResourcesPath: () => {},
    ...overrides,
  });
  const failure = (overrides: Partial<SetupDeps>): TempFolderError => {
    try {
      setupEmbedded(deps(overrides));
    } catch (error) {
      expect(error).toBeInstanceOf(TempFolderError);
      expect((error as Error).message).not.toMatch(/damaged|download/i);
      return error as TempFolderError;
    }
    throw new Error('setupEmbedded did not fail');
  };

  it.each([
    ['mkdir', 'EROFS', 'read-only', 'read-only file system'],
    ['mkdir', 'EACCES', 'no-permission', 'may not write'],
    ['writeNew', 'ENOSPC', 'full', 'full'],
    ['writeNew', 'EDQUOT', 'full', 'full'],
    ['rename', 'EPERM', 'no-permission', 'may not write'],
    ['mkdir', 'ENOENT', 'missing', 'does not exist'],
  ] as const)('%s failing with %s is a %s temp folder, named with NHI_GATEWAY_TEMP_DIR', (op, code, fault, text) => {
    const error = failure({ fs: failing(op, code) });
    expect(error).toMatchObject({ folder: tmp, fault, code });
    expect(error.message).toContain(`cannot use the temp folder ${tmp}`);
    expect(error.message).toContain(text);
    expect(error.message).toContain(`(${code})`);
    expect(error.message).toContain('Set NHI_GATEWAY_TEMP_DIR');
    expect(error.message).not.toContain('\n');
  });

  it('tells a noexec folder from a module that cannot load by running a probe there', () => {
    const refused = () => {
      throw new Error('failed to map segment from shared object');
    };
    const probed: string[] = [];
    const noexec = failure({
      loadNative: refused,
      probeExec: (folder) => {
        probed.push(folder);
        return 'noexec';
      },
    });
    expect(noexec).toMatchObject({ folder: tmp, fault: 'noexec' });
    expect(noexec.message).toContain('programs may not run from it (mounted noexec');
    expect(noexec.message).toContain('failed to map segment');
    expect(probed).toEqual([join(tmp, `nhi-gateway-koffi-3.3.4-${sha256(KOFFI).slice(0, 16)}`, 'koffi', 'win32_x64')]);

    const other = failure({ loadNative: refused, probeExec: () => 'ok' });
    expect(other).toMatchObject({ fault: 'cannot-load' });
    expect(other.message).toContain('could not be loaded');
  });

  it('loads the module once after a good extraction', () => {
    const loaded: string[] = [];
    const assets = setupEmbedded(deps({ loadNative: (path) => loaded.push(path) }));
    expect(loaded).toEqual([assets.koffiPath]);
  });

  it('without extraction (--version, --help) checks the manifest but touches no folder', () => {
    const touched: string[] = [];
    const spy = new Proxy(nodeExtractionFs, {
      get: (target, key: keyof ExtractionFs) => {
        touched.push(key);
        return target[key];
      },
    });
    const assets = setupEmbedded(deps({ fs: spy, loadNative: () => touched.push('load') }), { extractNative: false });
    expect(touched).toEqual([]);
    expect(assets.koffiPath).toBeNull();
    expect(readdirSync(tmp)).toEqual([]);
    // ... and a corrupt asset, not read then, is still the damage it is when it is used.
    const { sea } = makeSea(FILES);
    const corrupt = seaOf({ ...FILES, [KOFFI_ASSET]: Buffer.from('pretend koffi.node \u0001\u0002 native modulX'), [MANIFEST_ASSET]: new Uint8Array(sea.getRawAsset(MANIFEST_ASSET)) });
    const unread = setupEmbedded(deps({ sea: corrupt }), { extractNative: false });
    expect(() => unread.verified(KOFFI_ASSET)).toThrow(DamagedExecutableError);
  });

  it('probeExec runs a file in an ordinary folder (the noexec mount is in test/integration/sea-temp-folder.test.ts)', () => {
    expect(probeExec(tmp)).toBe(process.platform === 'win32' ? 'unknown' : 'ok');
    expect(readdirSync(tmp)).toEqual([]);
    expect(probeExec(tmp, 'win32')).toBe('unknown');
  });
});
