/**
 * For the tests and the start-up benchmark: `npm run build -- --if-stale` in a child process (so a test
 * runner's loaders never reach the build), then dist/build-info.json. Reuses dist/ when it matches the
 * sources; otherwise builds (about 40 s on 2 cores with a warm .cache/npm).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildInfo } from '../build.ts';

export function ensureBuilt(root: string): BuildInfo {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['build/build.ts', '--if-stale'], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`npm run build failed (exit ${result.status ?? result.signal}):\n${result.stderr}\n${result.stdout}`);
  }
  return JSON.parse(readFileSync(join(root, 'dist', 'build-info.json'), 'utf8')) as BuildInfo;
}
