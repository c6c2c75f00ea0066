/**
 * `nhi-gateway where [--data-dir <folder>] [--json]`: where this user's gateway listens, from the discovery
 * file in the data folder (src/per-user/discovery.ts). Exit 0 when it runs, 1 when none runs (no file, or a
 * stale one whose process is gone), 2 for bad options.
 */
import { parseArgs, resolveDataPaths } from '../config.ts';
import { discoveryPath, readDiscovery, type DiscoveryDeps } from './discovery.ts';

const USAGE = 'usage: nhi-gateway where [--data-dir <folder>] [--json]';

export interface WhereCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const STD_IO: WhereCommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function runWhereCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  io: WhereCommandIo = STD_IO,
  deps: DiscoveryDeps = {},
): number {
  const json = args.includes('--json');
  const parsed = parseArgs(
    args.filter((a) => a !== '--json'),
    env,
  );
  if (parsed.kind !== 'run') {
    io.err(parsed.kind === 'error' ? `nhi-gateway: ${parsed.message}` : USAGE);
    return 2;
  }
  const { dataDir } = resolveDataPaths(parsed.config, env);
  const found = readDiscovery(dataDir, deps);
  if (json) io.out(JSON.stringify(found.state === 'running' || found.state === 'stale' ? { state: found.state, ...found.info } : { state: found.state }));
  if (found.state === 'running') {
    if (!json) {
      io.out(`${found.info.url}/graphql`);
      io.out(`  port ${found.info.port}, pid ${found.info.pid}, version ${found.info.version}, user ${found.info.user}, since ${found.info.startedAt}`);
    }
    return 0;
  }
  if (!json) {
    if (found.state === 'stale') io.err(`no gateway running: ${discoveryPath(dataDir)} is left from pid ${found.info.pid}, which has ended`);
    else if (found.state === 'unreadable') io.err(`cannot read ${discoveryPath(dataDir)}: ${found.reason}`);
    else io.err(`no gateway running for this user (no ${discoveryPath(dataDir)})`);
  }
  return 1;
}
