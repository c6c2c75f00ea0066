/**
 * src/plugins/merge-execute-hooks.ts and merge-result-hooks.ts against the real thing: the same plugins run
 * once by envelop / yoga as separate hooks and once merged must give the same calls, in the same order, and
 * the same results — context extensions, a replaced execute function, a stop, a streamed result's onNext /
 * onEnd, hooks that return promises, result writers.
 */
import { describe, expect, it } from 'vitest';
import { parse, type ExecutionResult } from 'graphql';
import { createSchema, createYoga, envelop, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { mergeExecuteHooks } from '../../../src/plugins/merge-execute-hooks.ts';
import { mergeResultHooks } from '../../../src/plugins/merge-result-hooks.ts';

type Execute = (args: unknown) => unknown;
type Scenario = (log: string[]) => Plugin[];

/** envelop's engine for these runs: the execute function a plugin would set (kept out of the merge). */
const engine = (execute: Execute): Plugin => ({ onExecute: ({ setExecuteFn }) => setExecuteFn(execute as never) });

async function runExecute(scenario: Scenario, merge: boolean, execute: Execute): Promise<{ log: string[]; results: unknown[] }> {
  const log: string[] = [];
  const plugins = scenario(log);
  const getEnveloped = envelop({ plugins: [engine(execute), ...(merge ? mergeExecuteHooks(plugins) : plugins)] });
  const enveloped = getEnveloped({});
  const contextValue = await enveloped.contextFactory();
  const result = await enveloped.execute({ schema: enveloped.schema, document: parse('{ a }'), contextValue } as never);
  const results: unknown[] = [];
  if (isAsyncIterable(result)) {
    for await (const item of result as AsyncIterable<unknown>) results.push(item);
  } else results.push(result);
  return { log, results };
}

const single: Execute = () => ({ data: { a: 'executed' } });
async function* twoItems(): AsyncGenerator<ExecutionResult> {
  yield { data: { a: 1 } };
  yield { data: { a: 2 } };
}
const streamed: Execute = () => twoItems();

const show = (value: unknown): string => JSON.stringify(value);

const scenarios: Record<string, Scenario> = {
  'context, execute function and done hooks': (log) => [
    {
      onExecute({ extendContext, executeFn, setExecuteFn }) {
        log.push('a');
        extendContext({ fromA: 1 } as never);
        const wrapped = (args: unknown) => {
          log.push('wrapped execute');
          return (executeFn as Execute)(args);
        };
        setExecuteFn(wrapped as never);
        return {
          onExecuteDone({ result, setResult }) {
            log.push(`a done ${show(result)}`);
            setResult({ data: { a: 'set by a' } });
          },
        };
      },
    },
    { onSubscribe: () => undefined },
    {
      onExecute({ context, executeFn }) {
        log.push(`b sees fromA=${(context as { fromA?: number }).fromA} execute=${(executeFn as { name?: string }).name}`);
      },
    },
    { onExecute: () => ({ onExecuteDone: ({ result }) => void log.push(`c done ${show(result)}`) }) },
  ],
  'a stop in the middle': (log) => [
    { onExecute: () => ({ onExecuteDone: ({ result }) => void log.push(`a done ${show(result)}`) }) },
    {
      onExecute({ setResultAndStopExecution }) {
        log.push('b stops');
        setResultAndStopExecution({ errors: [{ message: 'refused' }] } as never);
        return { onExecuteDone: ({ result }) => void log.push(`b done ${show(result)}`) };
      },
    },
    { onExecute: () => void log.push('c must not run') },
  ],
  'hooks that return promises, then a stop': (log) => [
    {
      async onExecute() {
        await Promise.resolve();
        log.push('a (async)');
        return { onExecuteDone: async ({ result }) => void log.push(`a done ${show(result)}`) };
      },
    },
    { onExecute: () => void log.push('b') },
    {
      async onExecute({ setResultAndStopExecution }) {
        await Promise.resolve();
        log.push('c stops (async)');
        setResultAndStopExecution({ data: { a: 'stopped' } });
      },
    },
    { onExecute: () => void log.push('d must not run') },
  ],
};

const streamScenario: Scenario = (log) => [
  {
    onExecute: () => ({
      onExecuteDone: () => ({
        onNext({ result, setResult }) {
          log.push(`a next ${show(result)}`);
          setResult({ ...(result as ExecutionResult), extensions: { a: true } });
        },
        onEnd: () => void log.push('a end'),
      }),
    }),
  },
  { onExecute: () => ({ onExecuteDone: () => ({ onEnd: () => void log.push('b end') }) }) },
  {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        log.push(`c done (stream: ${isAsyncIterable(result)})`);
        // Replacing the stream itself: the hooks after see the new one, as with separate hooks.
        setResult(result);
        return { onNext: async ({ result: item }) => void log.push(`c next ${show(item)}`) };
      },
    }),
  },
];

describe('merged execute hooks under envelop: same calls, same results as separate hooks', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const separate = await runExecute(scenario, false, single);
      const merged = await runExecute(scenario, true, single);
      expect(merged).toEqual(separate);
      expect(separate.log.some((line) => line.includes('must not run'))).toBe(false);
      expect(separate.log.length).toBeGreaterThan(2);
    });
  }

  it('a streamed result: onNext in order, each seeing the item set before it; every onEnd', async () => {
    const separate = await runExecute(streamScenario, false, streamed);
    const merged = await runExecute(streamScenario, true, streamed);
    expect(merged).toEqual(separate);
    expect(separate.results).toEqual([
      { data: { a: 1 }, extensions: { a: true } },
      { data: { a: 2 }, extensions: { a: true } },
    ]);
    expect(separate.log).toEqual([
      'c done (stream: true)',
      'a next {"data":{"a":1}}',
      'c next {"data":{"a":1},"extensions":{"a":true}}',
      'a next {"data":{"a":2}}',
      'c next {"data":{"a":2},"extensions":{"a":true}}',
      'a end',
      'b end',
    ]);
  });
});

describe('merged result hooks under yoga: same response as separate hooks', () => {
  const resultScenario: Scenario = (log) => [
    {
      onResultProcess({ result, setResult }) {
        log.push(`a ${show(result)}`);
        setResult({ ...(result as ExecutionResult), extensions: { a: true } });
      },
    },
    { onRequest: () => undefined },
    {
      async onResultProcess({ result, resultProcessor }) {
        await Promise.resolve();
        log.push(`b (async) ${show(result)} processor=${resultProcessor === undefined ? 'none' : 'set'}`);
      },
    },
    {
      onResultProcess({ result, setResultProcessor }) {
        log.push(`c ${show(result)}`);
        setResultProcessor(
          (final, fetchAPI) => new fetchAPI.Response(`c wrote ${show(final)}`, { status: 299, headers: { 'content-type': 'text/plain' } }),
          'text/plain',
        );
      },
    },
    { onResultProcess: ({ resultProcessor }) => void log.push(`d processor=${resultProcessor === undefined ? 'none' : 'set'}`) },
  ];

  async function runYoga(merge: boolean): Promise<{ log: string[]; status: number; body: string }> {
    const log: string[] = [];
    const plugins = resultScenario(log);
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { a: String }', resolvers: { Query: { a: () => 'x' } } }),
      logging: false,
      plugins: merge ? mergeResultHooks(plugins) : plugins,
    });
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ a }' }),
    });
    return { log, status: response.status, body: await response.text() };
  }

  it('each hook sees the result and the writer the ones before it set; the last writer answers', async () => {
    const separate = await runYoga(false);
    const merged = await runYoga(true);
    expect(merged).toEqual(separate);
    expect(separate.status).toBe(299);
    expect(separate.body).toBe('c wrote {"data":{"a":"x"},"extensions":{"a":true}}');
  });
});
