#!/usr/bin/env node
/**
 * The executable's edge: arguments and environment (read once, in src/config.ts), backend choice,
 * listening, signals, and disposal in reverse order of creation.
 */
import { parseArgs, HELP_TEXT, type GatewayConfig } from './config.ts';
import { formatStartupBanner } from './cli.ts';
import { startServer, installSignalHandlers } from './server.ts';
import { createApp } from './app.ts';
import { createSimulatorServices, GATEWAY_VERSION, type RunningServices } from './services.ts';
import { createConsoleLogger } from './logger.ts';
import type { VisitStrategy } from './ports/card-stack.ts';
import { dataDirectory, JOURNAL_FILE } from './paths.ts';
import { join } from 'node:path';

const STRATEGIES: Record<GatewayConfig['visitStrategy'], VisitStrategy> = {
  n1: 'N1',
  'seq256-treatnum': 'SEQ256_TREATNUM',
  'seq256-quick-treatnum': 'SEQ256_QUICK_TREATNUM',
  'seq256-webapi': 'SEQ256_WEBAPI',
};

async function createBackend(config: GatewayConfig, env: Record<string, string | undefined>): Promise<RunningServices> {
  const strategy = STRATEGIES[config.visitStrategy];
  const journalPath = join(dataDirectory(env), JOURNAL_FILE);
  if (config.backend === 'simulator') return createSimulatorServices({ strategy, journalPath });
  // Loaded only when asked for: the simulator never touches koffi.
  const { createCshisServices } = await import('./cshis-services.ts');
  return createCshisServices(config, strategy, { journalPath });
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const parsed = parseArgs(argv, env);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${GATEWAY_VERSION}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${parsed.message}\n\n${HELP_TEXT}`);
    return 2;
  }
  const { config } = parsed;
  const logger = createConsoleLogger();
  const services = await createBackend(config, env);
  const yoga = createApp(services, { logger, graphiql: config.graphiql });
  let server;
  try {
    server = await startServer({ yoga, host: config.host, port: config.port, logger });
  } catch (error) {
    await services[Symbol.asyncDispose]();
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const backend = config.backend === 'cshis' ? `cshis (${config.cshisPath})` : 'simulator (no card reader needed)';
  for (const line of formatStartupBanner({ url: server.url, backend, version: GATEWAY_VERSION, graphiql: config.graphiql })) {
    process.stdout.write(`${line}\n`);
  }
  const running = server;
  installSignalHandlers(
    async () => {
      await running.close();
      await services[Symbol.asyncDispose]();
    },
    { logger },
  );
  return 0;
}

const exitCode = await main(process.argv.slice(2), process.env);
if (exitCode !== 0) process.exit(exitCode);
