import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createTestGateway } from '../../helpers/stand-in-schema.ts';

const URL_ = 'http://localhost/graphql';

async function run(yoga: ReturnType<typeof createTestGateway>['yoga'], query: string) {
  const response = await yoga.fetch(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ message: string }> };
}

/** `{ node { child { child … { id } } } }` with `depth` levels of selection. */
function nested(depth: number): string {
  let selection = 'id';
  for (let i = 1; i < depth; i++) selection = `child { ${selection} }`;
  return `{ node { ${selection} } }`;
}

describe('operation limits (graphql-armor)', () => {
  it('accepts depth 10 and rejects depth 11', async () => {
    const { yoga } = createTestGateway();
    expect((await run(yoga, nested(9))).errors).toBeUndefined();
    const rejected = await run(yoga, nested(12));
    expect(rejected.data).toBeUndefined();
    expect(rejected.errors?.[0]?.message).toMatch(/depth limit of 10 exceeded/);
  });

  it('honours a custom maxDepth and logs the rejection', async () => {
    const { yoga, logger } = createTestGateway({ limits: { maxDepth: 3 } });
    expect((await run(yoga, nested(4))).errors?.[0]?.message).toMatch(/depth limit of 3 exceeded/);
    expect(logger.entries.some((e) => e.msg === 'operation rejected by limits')).toBe(true);
  });

  it('rejects more than 15 aliases', async () => {
    const { yoga } = createTestGateway();
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: hello`).join(' ');
    expect((await run(yoga, `{ ${aliases} }`)).errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
  });

  it('rejects documents over the token limit', async () => {
    const { yoga } = createTestGateway({ limits: { maxTokens: 50 } });
    const fields = Array.from({ length: 60 }, () => 'hello').join(' ');
    expect((await run(yoga, `{ ${fields} }`)).errors?.[0]?.message).toMatch(/Token limit of 50 exceeded/);
  });

  it('still answers the full introspection query GraphiQL sends', async () => {
    const { yoga } = createTestGateway();
    const result = await run(
      yoga,
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.__schema.queryType.name).toBe('Query');
  });

  it('rejects a body over 1 MiB with 413', async () => {
    const { yoga } = createTestGateway();
    const padding = 'x'.repeat(1_048_576);
    const response = await yoga.fetch(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ hello }', variables: { padding } }),
    });
    expect(response.status).toBe(413);
  });

  it('accepts a body just under a custom limit and rejects one over it', async () => {
    const { yoga } = createTestGateway({ limits: { maxBodyBytes: 1000 } });
    const send = (size: number) =>
      yoga.fetch(URL_, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: '{ hello }', variables: { p: 'x'.repeat(size) } }),
      });
    expect((await send(900)).status).toBe(200);
    expect((await send(1000)).status).toBe(413);
  });
});
