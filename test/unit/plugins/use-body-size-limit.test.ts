/**
 * src/plugins/use-body-size-limit.ts against graphql-yoga's own `maxRequestBodySize`: the same requests, sent
 * as raw bytes over a real node:http server (Content-Length under, at and over the limit; chunked under and
 * over; malformed lengths; both framings at once) and in-process through `yoga.fetch` (no Content-Length,
 * or one shorter than the body), get the same status and the same body from both.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema, createYoga } from 'graphql-yoga';
import { useBodySizeLimit } from '../../../src/plugins/use-body-size-limit.ts';

const LIMIT = 200;
const schema = createSchema({
  typeDefs: 'type Query { echo(text: String): String }',
  resolvers: { Query: { echo: (_: unknown, args: { text?: string }) => args.text ?? null } },
});
const yogas = {
  yoga: createYoga({ schema, maxRequestBodySize: LIMIT, logging: false }),
  ours: createYoga({ schema, maxRequestBodySize: false, logging: false, plugins: [useBodySizeLimit(LIMIT)] }),
};
type Name = keyof typeof yogas;
const servers = new Map<Name, Server>();

beforeAll(async () => {
  for (const name of Object.keys(yogas) as Name[]) {
    const server = createServer(yogas[name]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.set(name, server);
  }
});
afterAll(async () => {
  for (const server of servers.values()) await new Promise((resolve) => server.close(resolve));
});

/** Sends `raw` on a fresh connection and returns the status line's code and the body (de-chunked). */
function exchange(name: Name, raw: string): Promise<{ status: number; body: string }> {
  const { port } = servers.get(name)!.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(raw));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let body = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(head)) body = dechunk(body);
      resolve({ status, body });
    });
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

const body = (padding: number) => JSON.stringify({ query: 'query($t: String) { echo(text: $t) }', variables: { t: 'x'.repeat(padding) } });
const overhead = body(0).length;
const head = (extra: string) =>
  `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\nConnection: close\r\n${extra}\r\n`;
const withLength = (text: string, length = String(Buffer.byteLength(text))) => `${head(`Content-Length: ${length}\r\n`)}${text}`;
const chunked = (text: string, pieces = 3) => {
  const size = Math.ceil(text.length / pieces);
  let out = head('Transfer-Encoding: chunked\r\n');
  for (let i = 0; i < text.length; i += size) {
    const piece = text.slice(i, i + size);
    out += `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`;
  }
  return `${out}0\r\n\r\n`;
};

const cases: Record<string, string> = {
  'Content-Length well under the limit': withLength(body(10)),
  'Content-Length exactly at the limit': withLength(body(LIMIT - overhead)),
  'Content-Length one over the limit': withLength(body(LIMIT - overhead + 1)),
  'Content-Length far over the limit': withLength(body(5 * LIMIT)),
  'chunked, under the limit': chunked(body(10)),
  'chunked, exactly at the limit': chunked(body(LIMIT - overhead)),
  'chunked, one over the limit': chunked(body(LIMIT - overhead + 1)),
  'chunked, far over the limit': chunked(body(5 * LIMIT), 8),
  'Content-Length not a number': withLength(body(10), 'ten'),
  'Content-Length negative': withLength(body(10), '-5'),
  'Content-Length twice, joined': withLength(body(10), `${Buffer.byteLength(body(10))}, ${Buffer.byteLength(body(10))}`),
  'Content-Length and chunked together': `${head(`Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`)}${chunked(body(10)).split('\r\n\r\n').slice(1).join('\r\n\r\n')}`,
  'Content-Length shorter than the body (the rest is a next request)': withLength(body(10), '5'),
};

describe('useBodySizeLimit answers as yoga’s maxRequestBodySize does', () => {
  for (const [name, raw] of Object.entries(cases)) {
    it(name, async () => {
      const [theirs, ours] = [await exchange('yoga', raw), await exchange('ours', raw)];
      expect(ours).toEqual(theirs);
    });
  }

  it('refuses over the limit with a typed 413 and answers under it (values, not just equality)', async () => {
    const over = await exchange('ours', withLength(body(LIMIT)));
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    const overChunked = await exchange('ours', chunked(body(LIMIT)));
    expect(overChunked.status).toBe(413);
    expect(JSON.parse(overChunked.body).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    const under = await exchange('ours', chunked(body(10)));
    expect(under.status).toBe(200);
    expect(JSON.parse(under.body).data.echo).toBe('x'.repeat(10));
  });

  it('counts an in-process Request without Content-Length as yoga does', async () => {
    for (const padding of [10, LIMIT - overhead, LIMIT - overhead + 1, 3 * LIMIT]) {
      const send = (name: Name) =>
        yogas[name].fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: body(padding),
        });
      const [theirs, ours] = [await send('yoga'), await send('ours')];
      expect({ status: ours.status, body: await ours.text() }).toEqual({ status: theirs.status, body: await theirs.text() });
    }
  });

  it('counts an in-process body whose Content-Length is shorter than it (nothing framed it), as yoga does', async () => {
    for (const padding of [10, 3 * LIMIT]) {
      const send = (name: Name) =>
        yogas[name].fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': '10' },
          body: body(padding),
        });
      const [theirs, ours] = [await send('yoga'), await send('ours')];
      const oursBody = await ours.text();
      expect({ status: ours.status, body: oursBody }).toEqual({ status: theirs.status, body: await theirs.text() });
      if (padding > LIMIT) expect(JSON.parse(oursBody).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    }
  });

  it('refuses a malformed Content-Length given in-process with 400 BAD_REQUEST, as yoga does', async () => {
    for (const length of ['abc', '1, 1', '-1']) {
      const send = (name: Name) =>
        yogas[name].fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': length },
          body: body(1),
        });
      const [theirs, ours] = [await send('yoga'), await send('ours')];
      const oursBody = await ours.text();
      expect({ status: ours.status, body: oursBody }).toEqual({ status: theirs.status, body: await theirs.text() });
      expect(ours.status).toBe(400);
      expect(JSON.parse(oursBody).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
  });
});

describe('useBodySizeLimit counts a body only where nothing framed it', () => {
  /** Whether the plugin wraps the parser (counts the body) for a request with these headers and server context. */
  const counts = (headers: Record<string, string>, serverContext: unknown): boolean => {
    let wrapped = false;
    const hook = useBodySizeLimit(LIMIT).onRequestParse!;
    void hook({
      request: new Request('http://localhost/graphql', { method: 'POST', headers, body: '{}' }),
      requestParser: () => ({}),
      setRequestParser: () => void (wrapped = true),
      fetchAPI: { Request, TransformStream },
      serverContext,
    } as unknown as Parameters<typeof hook>[0]);
    return wrapped;
  };
  const length = { 'content-length': '2' };

  it('trusts Content-Length on an HTTP/1 request read by node:http, and nowhere else', () => {
    expect(counts(length, { req: { httpVersionMajor: 1 } })).toBe(false);
    expect(counts({ ...length, 'transfer-encoding': 'chunked' }, { req: { httpVersionMajor: 1 } })).toBe(true);
    expect(counts(length, { req: { httpVersionMajor: 2 } })).toBe(true);
    expect(counts(length, {})).toBe(true);
    expect(counts(length, undefined)).toBe(true);
    expect(counts({}, { req: { httpVersionMajor: 1 } })).toBe(true);
  });
});
