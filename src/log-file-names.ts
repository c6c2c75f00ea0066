/** The log files' names, apart from src/logger.ts so the start-up checks need not load pino (src/main.ts). */
export const LOG_FILE = 'gateway.log';
export const AUDIT_FILE = 'audit.log';
