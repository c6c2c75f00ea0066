/**
 * The asynchronous log writer (src/log-file.ts): lines leave the caller's path (nothing is in the file
 * until the event loop turns), a full queue drops and counts lines and says so in the file, flush/close
 * put everything on disk, and a process that exits with lines queued still writes them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFileStream } from '../../../src/log-file.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const fresh = (): string => (dir = mkdtempSync(join(tmpdir(), 'nhi-logfile-')));
const fileLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('RotatingFileStream (asynchronous, batched, bounded)', () => {
  it('queues lines without touching the file, then writes them in order on flush', async () => {
    const path = join(fresh(), 'x.log');
    const stream = new RotatingFileStream(path);
    for (let i = 0; i < 500; i++) stream.write(`${JSON.stringify({ i })}\n`);
    expect(readFileSync(path, 'utf8')).toBe('');
    expect(stream.queuedBytes).toBeGreaterThan(0);
    await stream.flush();
    expect(fileLines(path).map((l) => l['i'])).toEqual([...Array(500).keys()]);
    expect(stream.queuedBytes).toBe(0);
    await stream.close();
  });

  it('writes on its own once the event loop turns (no flush call)', async () => {
    const path = join(fresh(), 'x.log');
    const stream = new RotatingFileStream(path);
    stream.write('{"a":1}\n');
    // The scheduled batch starts after this turn; flush() then waits for that same batch.
    await new Promise((resolve) => setImmediate(resolve));
    await stream.flush();
    expect(fileLines(path)).toEqual([{ a: 1 }]);
    await stream.close();
  });

  it('drops lines beyond the bound, counts them and writes a notice after the kept ones', async () => {
    const path = join(fresh(), 'x.log');
    const line = `${JSON.stringify({ pad: 'p'.repeat(40) })}\n`; // 51 bytes
    const stream = new RotatingFileStream(path, { maxBufferedBytes: 51 * 10 });
    for (let i = 0; i < 30; i++) stream.write(line);
    expect(stream.dropped).toBe(20);
    await stream.close();
    const lines = fileLines(path);
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', msg: 'log queue full: lines dropped', dropped: 20 });
    // Room again once written.
    stream.write(line);
    await stream.close();
    expect(fileLines(path)).toHaveLength(12);
    expect(stream.dropped).toBe(20);
  });

  it('writes what is still queued when the process exits', () => {
    const path = join(fresh(), 'exit.log');
    const script = [
      `const { RotatingFileStream } = await import(${JSON.stringify(new URL('../../../src/log-file.ts', import.meta.url).href)});`,
      `const s = new RotatingFileStream(${JSON.stringify(path)});`,
      'for (let i = 0; i < 1000; i++) s.write(JSON.stringify({ i }) + "\\n");',
      'process.exit(0);',
    ].join('\n');
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'pipe' });
    expect(fileLines(path).map((l) => l['i'])).toEqual([...Array(1000).keys()]);
  });
});
