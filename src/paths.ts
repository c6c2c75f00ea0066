/**
 * Where the gateway keeps its own files (card-write journal, token, logs): per user, never next to the
 * executable (Program Files is read-only) and never in NHI's C:\NHI tree. Pure: the caller passes the
 * environment it read at the edge.
 */
import { join } from 'node:path';
import { homedir } from 'node:os';

export function dataDirectory(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): string {
  if (env['NHI_GATEWAY_DATA_DIR']) return env['NHI_GATEWAY_DATA_DIR'];
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'nhi-gateway');
  return join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'nhi-gateway');
}

export const JOURNAL_FILE = 'card-writes.jsonl';
