import { describe, expect, it } from 'vitest';
import {
  PE_MACHINE,
  isLoadableBy,
  peHeaderBytesNeeded,
  readPeMachine,
} from '../../../src/adapters/cshis/pe.ts';

/** A minimal PE head: "MZ", e_lfanew, "PE\0\0", Machine. */
function peImage(machine: number, lfanew = 0x80): Uint8Array {
  const bytes = new Uint8Array(lfanew + 24);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x4d;
  bytes[1] = 0x5a;
  view.setUint32(0x3c, lfanew, true);
  bytes.set([0x50, 0x45, 0, 0], lfanew);
  view.setUint16(lfanew + 4, machine, true);
  return bytes;
}

describe('readPeMachine (pure)', () => {
  it('reads i386, x64 and arm64 images', () => {
    expect(readPeMachine(peImage(PE_MACHINE.i386))).toEqual({ machine: 0x014c, architecture: 'i386' });
    expect(readPeMachine(peImage(PE_MACHINE.x64))).toEqual({ machine: 0x8664, architecture: 'x64' });
    expect(readPeMachine(peImage(PE_MACHINE.arm64, 0x100))).toEqual({ machine: 0xaa64, architecture: 'arm64' });
    expect(readPeMachine(peImage(0x01c4))?.architecture).toBe('unknown');
  });

  it('returns null for non-PE data', () => {
    expect(readPeMachine(new Uint8Array(0))).toBeNull();
    expect(readPeMachine(Buffer.from('\x7fELF\x02\x01\x01'.padEnd(128, '\0'), 'latin1'))).toBeNull();
    expect(readPeMachine(Buffer.from('just some text, long enough to have an e_lfanew field at 0x3c......'))).toBeNull();
    const mzOnly = peImage(PE_MACHINE.i386);
    mzOnly.set([0x4e, 0x45], 0x80); // "NE": a 16-bit image, not PE
    expect(readPeMachine(mzOnly)).toBeNull();
  });

  it('returns null when the bytes end before the header, and says how many are needed', () => {
    const full = peImage(PE_MACHINE.x64, 0x2000);
    expect(readPeMachine(full.subarray(0, 0x100))).toBeNull();
    expect(peHeaderBytesNeeded(full.subarray(0, 0x100))).toBe(0x2006);
    expect(readPeMachine(full)?.architecture).toBe('x64');
  });

  it('works on a view into a larger buffer', () => {
    const image = peImage(PE_MACHINE.i386);
    const big = new Uint8Array(image.length + 10);
    big.set(image, 10);
    expect(readPeMachine(big.subarray(10))?.architecture).toBe('i386');
  });

  it('matches architectures with process.arch', () => {
    expect(isLoadableBy('i386', 'ia32')).toBe(true);
    expect(isLoadableBy('i386', 'x64')).toBe(false);
    expect(isLoadableBy('x64', 'x64')).toBe(true);
    expect(isLoadableBy('x64', 'ia32')).toBe(false);
    expect(isLoadableBy('arm64', 'arm64')).toBe(true);
    expect(isLoadableBy('unknown', 'x64')).toBe(false);
  });
});
