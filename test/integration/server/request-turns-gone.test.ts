/**
 * A request that waits for its turn (src/transport/request-turns.ts) and whose client leaves meanwhile is never
 * started. Yoga learns of a client leaving from the response's `close`; a response that closed before yoga saw
 * it never tells, and an SSE subscription over GET would stay subscribed to the light monitor for good (polling
 * the control software for nobody). Real sockets, the real app on the simulator: 49 EventSource-style GET
 * subscriptions held by the early server are handed over in one turn, so the last waits three turns; its
 * client's socket closes before its turn.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bindEarly } from '../../../src/early-server.ts';
import { serveApp, type RunningServer } from '../../../src/server.ts';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { DEFAULT_REQUESTS_PER_TURN } from '../../../src/transport/request-turns.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';

const SUBSCRIPTION = 'subscription { lightStateChanged { healthCard { level } } }';

let server: RunningServer | undefined;
let services: RunningServices | undefined;
afterEach(async () => {
  await server?.close(100);
  await services?.[Symbol.asyncDispose]();
  server = undefined;
  services = undefined;
});

describe('a request whose client leaves while it waits for its turn', () => {
  it('is not started, so its SSE subscription does not outlive the client', async () => {
    services = createSimulatorServices({ strategy: 'N1' });
    const monitor = services.monitor;
    const bound = await bindEarly({ host: '127.0.0.1', port: 0 });
    const arrived: IncomingMessage[] = [];
    bound.server.on('request', (request: IncomingMessage) => arrived.push(request));

    // Three turns' share and one: the last starts three turns on, well after its socket's close is seen.
    const count = 3 * DEFAULT_REQUESTS_PER_TURN + 1;
    const clients: ClientRequest[] = [];
    for (let n = 0; n < count; n++) {
      const client = httpRequest(`${bound.url}/graphql?query=${encodeURIComponent(SUBSCRIPTION)}`, {
        headers: { accept: 'text/event-stream', 'x-nhi-gateway': '1', ...AUTH_HEADERS },
      });
      client.on('error', () => undefined);
      client.on('response', (response) => response.resume());
      client.end();
      clients.push(client);
    }
    await vi.waitFor(() => expect(arrived).toHaveLength(count)); // all held by the early server

    // The app opens: the held requests come in one turn, so the last one waits; its client goes meanwhile.
    server = serveApp(bound, { yoga: createApp(services, { graphiql: false, security: { token: TEST_TOKEN } }) });
    arrived.at(-1)!.socket.destroy();

    // Every other client leaves too; then nobody may be subscribed to the lights any more.
    await vi.waitFor(() => expect(monitor.watchedState).not.toBeNull());
    for (const request of arrived) request.socket.destroy();
    for (const client of clients) client.destroy();
    await vi.waitFor(() => expect(monitor.watchedState).toBeNull(), { timeout: 5_000 });
  });
});
