/**
 * Document-limit refusals over graphql-ws (depth, aliases, tokens, cost, directives) leave one audit line
 * each, with transport `ws`, as they do over HTTP: a real server and the real graphql-ws client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { startServer, type RunningServer } from '../../../src/server.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { createMemoryAuditLog } from '../../../src/security/audit.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';
import { TEST_TOKEN, WS_AUTH } from '../../helpers/auth.ts';
import { createWsClient } from '../../helpers/ws.ts';
import { createTestGateway } from '../../helpers/stand-in-schema.ts';

let services: RunningServices;
let server: RunningServer;
/** The stand-in schema (it nests without end) with small depth and cost limits, for those two refusals. */
let small: RunningServer;
const audit = createMemoryAuditLog();
const smallAudit = createMemoryAuditLog();

beforeAll(async () => {
  services = createSimulatorServices({ strategy: 'N1' });
  const yoga = createApp(services, { graphiql: false, logger: createMemoryLogger(), security: { token: TEST_TOKEN, audit } });
  server = await startServer({ yoga, host: '127.0.0.1', port: 0 });
  const stand = createTestGateway({ limits: { maxDepth: 3, costLimit: 40 }, security: { token: TEST_TOKEN, audit: smallAudit } });
  small = await startServer({ yoga: stand.yoga, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  await small?.close();
  await services?.[Symbol.asyncDispose]();
});

function nested(depth: number): string {
  let selection = 'id';
  for (let i = 1; i < depth; i++) selection = `child { ${selection} }`;
  return `{ node { ${selection} } }`;
}

/** One operation over graphql-ws; resolves with the error codes it failed with (or [] on success). */
async function codesOf(query: string, on: RunningServer = server): Promise<string[]> {
  const client = createWsClient(`${on.url}/graphql`, { connectionParams: { ...WS_AUTH } });
  try {
    return await new Promise<string[]>((resolve, reject) => {
      client.subscribe(
        { query },
        {
          next: (result) => {
            if (result.errors?.length) resolve(result.errors.map((e) => String(e.extensions?.['code'])));
          },
          error: (error) => {
            if (Array.isArray(error)) resolve(error.map((e: { extensions?: { code?: unknown } }) => String(e.extensions?.code)));
            else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          },
          complete: () => resolve([]),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: gateway { version }`).join(' ')} }`;
const tokens = `{ ${Array.from({ length: 700 }, () => 'gateway { version }').join(' ')} }`;
const directives = `{ gateway { version ${'@include(if: true) '.repeat(51)} } }`;

describe('limit refusals over graphql-ws', () => {
  it('are audited once each with transport ws, like over HTTP', async () => {
    const before = audit.entries.length;
    expect(await codesOf(aliases)).toEqual(['TOO_MANY_ALIASES']);
    expect(await codesOf(tokens)).toEqual(['TOO_MANY_TOKENS']);
    expect(await codesOf(directives)).toEqual(['TOO_MANY_DIRECTIVES']);
    // A good operation is not a refusal.
    expect(await codesOf('{ gateway { version } }')).toEqual([]);
    const lines = audit.entries.slice(before);
    expect(lines.map((e) => [e.event, e.transport, e.outcome])).toEqual([
      ['refused', 'ws', 'TOO_MANY_ALIASES'],
      ['refused', 'ws', 'TOO_MANY_TOKENS'],
      ['refused', 'ws', 'TOO_MANY_DIRECTIVES'],
    ]);
    expect(lines.every((e) => e.remoteAddress === '127.0.0.1')).toBe(true);
  });

  it('depth and cost too', async () => {
    expect(await codesOf(nested(5), small)).toEqual(['QUERY_TOO_DEEP']);
    expect(await codesOf(`{ a: ${nested(3).slice(2, -2)} b: ${nested(3).slice(2, -2)} c: ${nested(3).slice(2, -2)} d: ${nested(3).slice(2, -2)} }`, small)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(await codesOf(nested(2), small)).toEqual([]);
    // (The stand-in's fields are unclassified, so the good operation is audited too: only refusals are counted.)
    expect(smallAudit.entries.filter((e) => e.event === 'refused').map((e) => [e.event, e.transport, e.outcome])).toEqual([
      ['refused', 'ws', 'QUERY_TOO_DEEP'],
      ['refused', 'ws', 'QUERY_TOO_COMPLEX'],
    ]);
  });
});
