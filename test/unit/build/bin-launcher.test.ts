/**
 * Node versions tell the truth: package.json "engines" is the lowest Node every locked runtime dependency
 * accepts, and the `bin` is a JavaScript launcher that runs as a process on this Node.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GATEWAY_VERSION } from '../../../src/services.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { bin: Record<string, string>; engines: { node: string } };
const lock = JSON.parse(readFileSync(`${root}/package-lock.json`, 'utf8')) as {
  packages: Record<string, { dev?: boolean; engines?: { node?: string } | string[] }>;
};

type Version = [number, number, number];
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** The lowest version a range like `^20.17.0 || >=22.9.0` or `>= 10.x` admits. */
function lowestAdmitted(range: string): Version {
  const bounds = range.split('||').map((alternative) => {
    const match = /(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?/.exec(alternative);
    if (!match) throw new Error(`cannot read the range ${range}`);
    const part = (text: string | undefined) => (text === undefined || text === 'x' ? 0 : Number(text));
    return [Number(match[1]), part(match[2]), part(match[3])] as Version;
  });
  return bounds.sort(compare)[0]!;
}

describe('package.json', { timeout: 120_000 }, () => {
  it('engines.node is the lowest Node that every locked runtime dependency accepts', () => {
    let needed: Version = [0, 0, 0];
    let neededBy = '';
    for (const [name, entry] of Object.entries(lock.packages)) {
      const engines = entry.engines;
      if (!name || entry.dev || engines === undefined || Array.isArray(engines) || !engines.node) continue;
      const lowest = lowestAdmitted(engines.node);
      if (compare(lowest, needed) > 0) [needed, neededBy] = [lowest, name];
    }
    expect(pkg.engines.node, `needed by ${neededBy}`).toBe(`>=${needed.join('.')}`);
  });

  it('bin is the JavaScript launcher, which prints the version as a process', () => {
    expect(pkg.bin['nhi-gateway']).toBe('bin/nhi-gateway.mjs');
    const stdout = execFileSync(process.execPath, [`${root}/bin/nhi-gateway.mjs`, '--version'], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
    expect(stdout).toBe(`${GATEWAY_VERSION}\n`);
  });
});
