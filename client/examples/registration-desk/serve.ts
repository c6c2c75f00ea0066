/**
 * Serves the registration-desk example next to a gateway on the embedded simulator, on one loopback origin:
 *
 *   npx tsx client/examples/registration-desk/serve.ts [--port 8740]
 *
 * then open http://127.0.0.1:8740/examples/registration-desk/. The page is bundled with esbuild on start. It
 * runs on the simulator only (it has buttons that insert test cards), so this is a separate tiny server and
 * never part of the gateway a clinic installs. The gateway's access token is generated per run and handed to
 * the page in a <meta> tag: fine for a simulator, never for real cards.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices } from '../../../src/services.ts';
import { attachGraphqlWs } from '../../../src/transport/ws.ts';
import { wsAdmissionOf } from '../../../src/yoga.ts';
import { generateToken } from '../../../src/security/token.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const EXAMPLE_PATH = '/examples/registration-desk/';

export interface ExampleServer {
  /** e.g. http://127.0.0.1:8740/examples/registration-desk/ */
  readonly pageUrl: string;
  readonly origin: string;
  readonly token: string;
  close(): Promise<void>;
}

/** Bundles app.ts for browsers (ES2022 modules, minified, source inlined for the example's readers). */
export async function bundleExample(): Promise<string> {
  const result = await build({
    entryPoints: [join(HERE, 'app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  return output.text;
}

export async function startExampleServer(options: { port?: number; networkLatencyMs?: number } = {}): Promise<ExampleServer> {
  const token = generateToken();
  const script = await bundleExample();
  const html = readFileSync(join(HERE, 'index.html'), 'utf8').replace('__TOKEN__', token);
  const css = readFileSync(join(HERE, 'style.css'), 'utf8');
  const services = createSimulatorServices({
    strategy: 'N1',
    ...(options.networkLatencyMs === undefined ? {} : { simulator: { networkLatencyMs: options.networkLatencyMs } }),
  });
  const yoga = createApp(services, { security: { token } });

  const files: Record<string, [string, string]> = {
    '': [html, 'text/html; charset=utf-8'],
    'index.html': [html, 'text/html; charset=utf-8'],
    'app.js': [script, 'text/javascript; charset=utf-8'],
    'style.css': [css, 'text/css; charset=utf-8'],
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/') {
      res.writeHead(302, { location: EXAMPLE_PATH }).end();
      return;
    }
    if (path.startsWith(EXAMPLE_PATH)) {
      const file = files[path.slice(EXAMPLE_PATH.length)];
      if (!file) res.writeHead(404).end('not found\n');
      else res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(file[0]);
      return;
    }
    void yoga(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8740, '127.0.0.1', () => resolve());
  });
  const admission = wsAdmissionOf(yoga);
  const ws = attachGraphqlWs({ server, yoga, path: yoga.graphqlEndpoint, ...(admission ? { onConnect: admission } : {}) });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: `${origin}${EXAMPLE_PATH}`,
    token,
    async close() {
      await ws.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await yoga.dispose();
      await services[Symbol.asyncDispose]();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string', short: 'p' } } });
  const example = await startExampleServer({ port: values.port ? Number(values.port) : 8740 });
  console.log(`Registration-desk example (simulator): ${example.pageUrl}`);
  console.log(`GraphQL: ${example.origin}/graphql   Ctrl+C to stop`);
  process.once('SIGINT', () => void example.close().then(() => process.exit(0)));
}
