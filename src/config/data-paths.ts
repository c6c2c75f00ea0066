/**
 * Where the gateway's own files go: one private data folder (--data-dir / NHI_GATEWAY_DATA_DIR, else the
 * per-user default of src/paths.ts) holds the access token, the card-write journal, the instance lock and
 * the logs. --token-file and --log-dir still move their piece; the journal and the lock always follow the
 * data folder. The simulator keeps its own token and journal (`-simulator` suffix), so a rehearsal never
 * answers with the real token or a real card write's idempotency key.
 */
import { join } from 'node:path';
import { dataDirectory, JOURNAL_FILE } from '../paths.ts';
import { TOKEN_FILE } from '../security/token.ts';
import type { GatewayConfig } from './types.ts';

export const LOG_FOLDER = 'logs';

export interface DataPaths {
  /** The private folder (0700). */
  readonly dataDir: string;
  readonly tokenFile: string;
  readonly journalFile: string;
  /** Where `gateway.lock` goes: one gateway per data folder. */
  readonly lockDir: string;
  readonly logDir: string;
}

export function resolveDataPaths(
  config: Pick<GatewayConfig, 'backend' | 'dataDir' | 'tokenFile' | 'logDir'>,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): DataPaths {
  const dataDir = config.dataDir ?? dataDirectory(env, platform);
  const suffix = config.backend === 'simulator' ? '-simulator' : '';
  return {
    dataDir,
    // parseArgs refuses --token-file for the simulator, so the simulator always gets its own.
    tokenFile: config.tokenFile ?? join(dataDir, `${TOKEN_FILE}${suffix}`),
    journalFile: join(dataDir, `${JOURNAL_FILE}${suffix}`),
    lockDir: dataDir,
    logDir: config.logDir ?? join(dataDir, LOG_FOLDER),
  };
}
