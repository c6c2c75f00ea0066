/**
 * What `npm start` and the executable run, as functions src/main.ts calls and the gateway benchmark calls
 * too (bench/servers/gateway-variants.ts, `shipped`): the log files and the createApp options built from
 * the configuration. Measuring anything else would measure a configuration no clinic runs.
 */
import type { PairingStore } from './security/pairings.ts';
import type { GatewayConfig } from './config.ts';
import type { AppOptions } from './app.ts';
import { createAuditLog, createGatewayLogger, type ClosableLogger, type FileAuditLog } from './logger.ts';
import { DEFAULT_IDENTITY_RATE } from './security/rate-limit.ts';

export interface GatewayLogs {
  readonly logger: ClosableLogger;
  readonly audit: FileAuditLog;
}

/** gateway.log (plus the operator's console) and audit.log in `directory`; both written asynchronously. */
export function openGatewayLogs(directory: string): GatewayLogs {
  const logger = createGatewayLogger({ directory, console: true });
  try {
    return { logger, audit: createAuditLog({ directory }) };
  } catch (error) {
    void logger.close();
    throw error;
  }
}

/** Flushes and closes both files: every line logged before the call is on disk when this resolves. */
export async function closeGatewayLogs(logs: GatewayLogs): Promise<void> {
  await Promise.all([logs.logger.close(), logs.audit.close()]);
}

/** createApp's options as the configuration asks: access control with the token, origins, rate limit and audit. */
export function shippedAppOptions(config: GatewayConfig, logs: GatewayLogs, token: string, pairings?: PairingStore): AppOptions {
  const perMinute = config.identityReadsPerMinute ?? DEFAULT_IDENTITY_RATE.perMinute;
  return {
    logger: logs.logger,
    graphiql: config.graphiql,
    security: {
      token,
      allowedOrigins: config.allowedOrigins ?? [],
      allowRemote: config.allowRemote ?? false,
      identityRate: { perMinute, burst: Math.min(DEFAULT_IDENTITY_RATE.burst, perMinute) },
      audit: logs.audit,
      ...(pairings ? { pairings } : {}),
    },
  };
}
