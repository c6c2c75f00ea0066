/**
 * Reference (b): the floor for any yoga-based gateway — graphql-yoga with its default plugins only
 * (GraphiQL and logging off) over node:http, answering the benchmark query's shape from a constant.
 * `--no-body-limit`: also without yoga's request-body limit (`maxRequestBodySize: false`), whose counting
 * stream costs every request (docs/performance.md, "Round 7"): the floor with that cost taken out, as the
 * gateway takes it out (src/plugins/use-body-size-limit.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { createBareSchema } from './bare-schema.ts';
import { serveForBench } from './serve.ts';

const noBodyLimit = process.argv.includes('--no-body-limit');

// Not a top-level await: bench/gateway-bundle.ts bundles this file as CommonJS, like the executable.
void serveForBench(async () => {
  const yoga = createYoga({ schema: createBareSchema(), graphiql: false, logging: false, ...(noBodyLimit ? { maxRequestBodySize: false as const } : {}) });
  const server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await yoga.dispose();
    },
  };
});
