/**
 * The gateway under test for bench/pcsc.ts: `--backend pcsc` as main.ts composes it (openPcsc + createServices,
 * createApp, startServer on 127.0.0.1), in its own process so its CPU and resident memory are its own.
 * `--token=<t>` sets the access token (the benchmark's clients send it). Protocol: bench/servers/serve.ts.
 */
import { createApp } from '../src/app.ts';
import { createConsoleLogger } from '../src/logger.ts';
import { startServer } from '../src/server.ts';
import { createPcscServices } from '../test/helpers/pcsc-services.ts';
import { argValue, serveForBench } from './servers/serve.ts';

const token = argValue('token');
if (!token) throw new Error('--token=<at least 32 characters> is required');

await serveForBench(async () => {
  const services = createPcscServices();
  await services.watcher.whenRunning(10_000);
  const yoga = createApp(services, { logger: createConsoleLogger(), graphiql: false, security: { token } });
  const server = await startServer({ yoga, host: '127.0.0.1', port: 0 });
  return {
    port: server.port,
    close: async () => {
      await server.close(0);
      await services[Symbol.asyncDispose]();
    },
  };
});
