/**
 * src/early-server.ts in process, over real sockets: what the port answers before the app is handed over,
 * what it holds, and what a held request gets when the app comes (its normal answer) or never comes (503,
 * GATEWAY_STARTING). The process-level proof with the real app is test/integration/server/early-start.test.ts.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bindEarly, STARTING_CODE, type EarlyServer } from '../../../src/early-server.ts';
import { catalogueEntry } from '../../../src/errors/catalogue.ts';

let bound: EarlyServer | undefined;
afterEach(async () => {
  await bound?.abandon();
  bound = undefined;
});

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

function call(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end(method === 'POST' ? '{"query":"{ __typename }"}' : undefined);
  });
}

/** The app stand-in: says which request it got. */
const app = (request: IncomingMessage, response: ServerResponse): void => {
  response.writeHead(200, { 'content-type': 'text/plain' }).end(`app: ${request.method} ${request.url} host=${request.headers.host}`);
};

describe('the port before the app is built', () => {
  it('answers /health, /ready and /status at once to a local caller of this user', async () => {
    bound = await bindEarly({ host: '127.0.0.1', port: 0 });
    const health = await call(bound.port, '/health');
    expect(health).toMatchObject({ status: 200, body: '' });
    expect(health.headers['x-yoga-id']).toBe('yoga');
    const ready = await call(bound.port, '/ready');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ ready: false, reasons: ['starting'] });
    const status = await call(bound.port, '/status');
    expect(status.status).toBe(200);
    expect(status.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(status.body).toContain('The gateway is starting');
  });

  it('holds what it must not answer early and hands it to the app', async () => {
    bound = await bindEarly({ host: '127.0.0.1', port: 0 });
    const port = bound.port;
    const held = [
      call(port, '/health', { host: 'attacker.example' }),
      call(port, '/ready', { origin: 'http://his.example' }),
      call(port, '/status?embed=1'),
      call(port, '/graphql', { 'content-type': 'application/json' }, 'POST'),
    ];
    // An early answer after them on another connection: they have reached the server by now or soon will;
    // none of them may be answered by the early server.
    expect((await call(port, '/health')).status).toBe(200);
    bound.open(app);
    const answers = await Promise.all(held);
    expect(answers.map((a) => a.body)).toEqual([
      'app: GET /health host=attacker.example',
      'app: GET /ready host=127.0.0.1:' + port,
      'app: GET /status?embed=1 host=127.0.0.1:' + port,
      'app: POST /graphql host=127.0.0.1:' + port,
    ]);
    // From now on everything is the app's.
    expect((await call(port, '/health')).body).toBe(`app: GET /health host=127.0.0.1:${port}`);
  });

  it('re-emits a held WebSocket upgrade to the upgrade listener attached before open', async () => {
    bound = await bindEarly({ host: '127.0.0.1', port: 0 });
    const { server, port } = bound;
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const answered = new Promise<void>((resolve) => socket.on('data', (d: Buffer) => ((received += d.toString()), received.includes('\r\n\r\n') && resolve())));
    socket.write(`GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    // Wait until the early server has the upgrade (an early /health on another connection comes after it).
    await call(port, '/health');
    server.on('upgrade', (_request: IncomingMessage, upgraded) => upgraded.end('HTTP/1.1 418 App Upgrade\r\nContent-Length: 0\r\n\r\n'));
    bound.open(app);
    await answered;
    expect(received).toMatch(/^HTTP\/1\.1 418 App Upgrade/);
    socket.destroy();
  });

  it('a request the app never comes for gets 503 with a retryable GATEWAY_STARTING after holdMs', async () => {
    bound = await bindEarly({ host: '127.0.0.1', port: 0, holdMs: 50 });
    const answer = await call(bound.port, '/graphql', { 'content-type': 'application/json' }, 'POST');
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    const body = JSON.parse(answer.body) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).toMatchObject({ code: STARTING_CODE, retryable: true });
    // The catalogue is loaded only now (not before the port answers), with the same texts as before.
    const entry = catalogueEntry(STARTING_CODE)!;
    expect(body.errors[0]!.extensions).toMatchObject({ category: entry.category, messageZh: entry.zh, hint: entry.hintEn, hintZh: entry.hintZh });
  });

  it('abandoning answers each held request 503 GATEWAY_STARTING before the port closes', async () => {
    bound = await bindEarly({ host: '127.0.0.1', port: 0, holdMs: 60_000 });
    const answer = call(bound.port, '/graphql', { 'content-type': 'application/json' }, 'POST');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await bound.abandon();
    bound = undefined;
    const { status, body } = await answer;
    expect(status).toBe(503);
    expect((JSON.parse(body) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe(STARTING_CODE);
  });

  it('refuses a non-loopback address without --allow-remote, before binding', async () => {
    await expect(bindEarly({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/not a loopback address/);
  });
});
