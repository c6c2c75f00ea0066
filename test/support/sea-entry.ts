/**
 * The single executable's start-up (src/executable.ts, what src/bin.ts runs) under tsx, with a stand-in for
 * `node:sea` that embeds this machine's real koffi.node and a GraphiQL file. Used where the real linux-x64
 * executable cannot be built (npm run build downloads Node): the same extraction, load and messages, as a process.
 *
 *   node tsx/dist/cli.mjs test/support/sea-entry.ts [gateway options]
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { startExecutable } from '../../src/executable.ts';
import { KOFFI_ASSET, MANIFEST_ASSET, MANIFEST_FORMAT, type SeaApi, type SeaManifest } from '../../src/sea-setup.ts';

const modules = join(dirname(fileURLToPath(import.meta.url)), '../../node_modules');
const koffiPackage = JSON.parse(readFileSync(join(modules, 'koffi/package.json'), 'utf8')) as { version: string };
const triplet = `${process.platform}_${process.arch}`;
const koffi = readFileSync(join(modules, `@koromix/koffi-${process.platform}-${process.arch}`, triplet, 'koffi.node'));
const css = Buffer.from('body{}');

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const files: Record<string, Buffer> = { [KOFFI_ASSET]: koffi, 'graphiql/graphiql.css': css };
const manifest: SeaManifest = {
  format: MANIFEST_FORMAT,
  gatewayVersion: '0.0.0-stand-in',
  nodeVersion: process.version,
  target: `${process.platform}-${process.arch}`,
  platform: process.platform,
  arch: process.arch,
  koffiVersion: koffiPackage.version,
  graphiqlHash: 'standin000000',
  assets: Object.fromEntries(
    Object.entries(files).map(([name, bytes]) => [name, { sha256: sha256(bytes), size: bytes.byteLength, encoding: name === KOFFI_ASSET ? 'identity' : 'gzip' }]),
  ),
};
const stored: Record<string, Uint8Array> = { ...files, [MANIFEST_ASSET]: Buffer.from(JSON.stringify(manifest)) };
const sea: SeaApi = {
  isSea: () => true,
  getRawAsset: (key) => {
    const bytes = stored[key];
    if (!bytes) throw Object.assign(new Error(`no asset ${key}`), { code: 'ERR_SINGLE_EXECUTABLE_APPLICATION_ASSET_NOT_FOUND' });
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  },
};

// The executable loads koffi from its bundle; here the extracted file itself is loaded the way Node loads addons.
startExecutable(process.argv.slice(2), process.env, sea, (path) => process.dlopen({ exports: {} }, path));
