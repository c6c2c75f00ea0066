/**
 * src/plugins/merge-result-hooks.ts: one onResultProcess hook for several plugins' hooks, in order, each seeing
 * what the ones before it set; other hooks untouched; an async hook waited for.
 */
import { describe, expect, it } from 'vitest';
import type { Plugin } from 'graphql-yoga';
import { mergeResultHooks } from '../../../src/plugins/merge-result-hooks.ts';

type Payload = Parameters<NonNullable<Plugin['onResultProcess']>>[0];

function payload(log: string[]): { payload: Payload; final: () => { result: unknown; processor: unknown; type: string | undefined } } {
  let result: unknown = { data: { n: 0 } };
  let processor: unknown;
  let type: string | undefined;
  const p = {
    request: new Request('http://localhost/graphql'),
    acceptableMediaTypes: [],
    result,
    setResult(next: unknown) {
      log.push('yoga.setResult');
      result = next;
    },
    resultProcessor: undefined,
    setResultProcessor(next: unknown, accepted: string) {
      processor = next;
      type = accepted;
    },
    serverContext: {},
  } as unknown as Payload;
  return { payload: p, final: () => ({ result, processor, type }) };
}

describe('mergeResultHooks', () => {
  it('runs the hooks once each, in order, each seeing the result and processor set before it', async () => {
    const log: string[] = [];
    const writer = () => new Response('x');
    const plugins: Plugin[] = [
      { onResultProcess: ({ result }) => void log.push(`a saw ${JSON.stringify(result)}`), onExecute: () => undefined },
      { onRequest: () => undefined },
      {
        onResultProcess: ({ setResult, setResultProcessor }) => {
          log.push('b');
          setResult({ data: { n: 1 } });
          setResultProcessor(writer, 'text/event-stream');
        },
      },
      {
        onResultProcess: ({ result, resultProcessor }) =>
          void log.push(`c saw ${JSON.stringify(result)} ${resultProcessor === writer ? 'writer' : 'none'}`),
      },
    ];
    const merged = mergeResultHooks(plugins);
    expect(merged).toHaveLength(5);
    expect(merged.slice(0, 4).map((p) => Object.keys(p).sort())).toEqual([['onExecute'], ['onRequest'], [], []]);
    const { payload: p, final } = payload(log);
    expect(merged[4]!.onResultProcess!(p)).toBeUndefined(); // synchronous when every hook is
    expect(log).toEqual(['a saw {"data":{"n":0}}', 'b', 'yoga.setResult', 'c saw {"data":{"n":1}} writer']);
    expect(final()).toEqual({ result: { data: { n: 1 } }, processor: writer, type: 'text/event-stream' });
  });

  it('waits for a hook that returns a promise before the next one', async () => {
    const log: string[] = [];
    const merged = mergeResultHooks([
      { onResultProcess: async () => void log.push('async') },
      { onResultProcess: () => void log.push('after') },
    ]);
    const returned = merged[2]!.onResultProcess!(payload(log).payload);
    expect(log).toEqual(['async']);
    await returned;
    expect(log).toEqual(['async', 'after']);
  });

  it('leaves a single hook as it is', () => {
    const plugins: Plugin[] = [{ onResultProcess: () => undefined }, { onExecute: () => undefined }];
    expect(mergeResultHooks(plugins)).toEqual(plugins);
  });
});
