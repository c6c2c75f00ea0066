/**
 * `nhi-gateway pairings list` and `nhi-gateway pairings revoke <id>`, with the gateway's own options for
 * where the data folder is (`--data-dir`, `--backend simulator` for the simulator's pairings). Works on the
 * file directly, so it needs no running gateway; a running one notices the change at its next request.
 */
import { parseArgs, resolveDataPaths } from '../config.ts';
import { PairingStore, pairingsPath } from './pairings.ts';

const USAGE = 'usage: nhi-gateway pairings list | revoke <id>  [--data-dir <folder>] [--backend simulator]';

export interface PairingsCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const STD_IO: PairingsCommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function runPairingsCommand(args: readonly string[], env: Record<string, string | undefined>, io: PairingsCommandIo = STD_IO): number {
  const [action, ...rest] = args;
  const id = action === 'revoke' ? rest.shift() : undefined;
  if ((action !== 'list' && action !== 'revoke') || (action === 'revoke' && (!id || id.startsWith('-')))) {
    io.err(USAGE);
    return 2;
  }
  const parsed = parseArgs([...rest], env);
  if (parsed.kind !== 'run') {
    io.err(parsed.kind === 'error' ? `nhi-gateway: ${parsed.message}` : USAGE);
    return 2;
  }
  const paths = resolveDataPaths(parsed.config, env);
  const store = new PairingStore(pairingsPath(paths.dataDir, parsed.config.backend));
  if (action === 'list') {
    const pairings = store.list();
    if (pairings.length === 0) io.out('no pairings');
    for (const p of pairings) io.out(`${p.id}  ${p.origin}  created ${p.createdAt}  expires ${p.expiresAt}`);
    return 0;
  }
  if (!store.revoke(id!)) {
    io.err(`no pairing with id ${id}`);
    return 1;
  }
  io.out(`revoked ${id}`);
  return 0;
}
