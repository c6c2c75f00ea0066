/**
 * Limits refuse with typed codes and HTTP 400 (not graphql-armor's bare "Syntax Error" with 200), over
 * HTTP and WebSocket alike, and the body-size limit keeps yoga's typed 413.
 */
import { describe, expect, it } from 'vitest';
import { createTestGateway } from '../../helpers/stand-in-schema.ts';

const URL_ = 'http://localhost/graphql';

async function run(yoga: ReturnType<typeof createTestGateway>['yoga'], query: string, accept = 'application/json') {
  const response = await yoga.fetch(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

function nested(depth: number): string {
  let selection = 'id';
  for (let i = 1; i < depth; i++) selection = `child { ${selection} }`;
  return `{ node { ${selection} } }`;
}

describe('typed limit refusals', () => {
  const cases: Array<{ name: string; limits: NonNullable<Parameters<typeof createTestGateway>[0]>['limits']; query: string; code: string; limit: number; message: RegExp }> = [
    { name: 'depth', limits: { maxDepth: 3 }, query: nested(5), code: 'QUERY_TOO_DEEP', limit: 3, message: /^Query depth limit of 3 exceeded, found \d+\.$/ },
    { name: 'cost', limits: { costLimit: 20 }, query: nested(8), code: 'QUERY_TOO_COMPLEX', limit: 20, message: /Cost limit of 20 exceeded/i },
    {
      name: 'aliases',
      limits: {},
      query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: hello`).join(' ')} }`,
      code: 'TOO_MANY_ALIASES',
      limit: 15,
      message: /Aliases limit of 15 exceeded/,
    },
    { name: 'tokens', limits: { maxTokens: 50 }, query: `{ ${Array.from({ length: 60 }, () => 'hello').join(' ')} }`, code: 'TOO_MANY_TOKENS', limit: 50, message: /Token limit of 50 exceeded/ },
    {
      name: 'directives',
      limits: {},
      query: `{ hello ${Array.from({ length: 51 }, () => '@include(if: true)').join(' ')} }`,
      code: 'TOO_MANY_DIRECTIVES',
      limit: 50,
      message: /Directives limit of 50 exceeded/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.code} with HTTP 400 and the limit`, async () => {
      const { yoga, logger } = createTestGateway({ limits: c.limits });
      for (const accept of ['application/json', 'application/graphql-response+json']) {
        const { status, body } = await run(yoga, c.query, accept);
        expect(status, accept).toBe(400);
        expect(body.data).toBeUndefined();
        expect(body.errors).toHaveLength(1);
        expect(body.errors?.[0]?.message).toMatch(c.message);
        expect(body.errors?.[0]?.message).not.toMatch(/Syntax Error/);
        expect(body.errors?.[0]?.extensions).toMatchObject({ code: c.code, category: 'ACCESS', retryable: false, limit: c.limit });
        expect(body.errors?.[0]?.extensions?.['messageZh']).toMatch(/[\u4e00-\u9fff]/);
      }
      expect(logger.entries.some((e) => e.msg === 'operation rejected by limits')).toBe(true);
    });
  }

  it('leaves real syntax errors alone (GRAPHQL_PARSE_FAILED)', async () => {
    const { yoga } = createTestGateway();
    const { body } = await run(yoga, '{ hello ');
    expect(body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('keeps the body-size limit typed: 413 REQUEST_ENTITY_TOO_LARGE', async () => {
    const { yoga } = createTestGateway({ limits: { maxBodyBytes: 1000 } });
    const response = await yoga.fetch(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ hello }', variables: { p: 'x'.repeat(2000) } }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });
});
