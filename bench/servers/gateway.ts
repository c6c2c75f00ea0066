/**
 * Target (c): our gateway over the simulator with the STANDARD health card inserted — createApp with the
 * bench's access token and the identity-read rate limit off, everything else at its defaults — served by
 * startServer on 127.0.0.1. `--variant=<name>` serves another app from gateway-variants.ts instead.
 */
import { createSimulatorServices } from '../../src/services.ts';
import { startServer } from '../../src/server.ts';
import { argValue, serveForBench } from './serve.ts';
import { APP_NAMES, buildApp, isAppName } from './gateway-variants.ts';

const variant = argValue('variant') ?? 'production';

// Not a top-level await: bench/gateway-bundle.ts bundles this file as CommonJS, like the executable.
void serveForBench(async () => {
  const services = createSimulatorServices({ strategy: 'N1' });
  if (!services.simulator) throw new Error('simulator services without simulator controls');
  services.simulator.insertHealthCard('STANDARD');
  if (!isAppName(variant)) throw new Error(`unknown --variant=${variant}; known: ${APP_NAMES.join(', ')}`);
  const app = buildApp(services, variant);
  const server = await startServer({ yoga: app.yoga, host: '127.0.0.1', port: 0 });
  return {
    port: server.port,
    close: async () => {
      await server.close(0);
      await app.close();
      await services[Symbol.asyncDispose]();
    },
  };
});
