/**
 * src/plugins/merge-execute-hooks.ts: one onExecute hook for several plugins' hooks with envelop's rules —
 * order, a stop stops the later ones, onExecuteDone hooks in order seeing each other's results, onNext/onEnd
 * of a stream combined, promises waited for.
 */
import { describe, expect, it } from 'vitest';
import type { Plugin } from 'graphql-yoga';
import { mergeExecuteHooks } from '../../../src/plugins/merge-execute-hooks.ts';

type ExecutePayload = Parameters<NonNullable<Plugin['onExecute']>>[0];

function executePayload(log: string[]): ExecutePayload {
  return {
    args: {},
    executeFn: () => undefined,
    setExecuteFn: () => log.push('setExecuteFn'),
    setResultAndStopExecution: () => log.push('envelop.stop'),
    context: {},
    extendContext: () => undefined,
  } as unknown as ExecutePayload;
}

function donePayload(log: string[], result: unknown) {
  const payload = {
    args: {},
    result,
    setResult(next: unknown) {
      log.push('envelop.setResult');
      payload.result = next;
    },
  };
  return payload;
}

describe('mergeExecuteHooks', () => {
  it('runs the hooks in order and their onExecuteDone hooks in order, each seeing the result set before it', async () => {
    const log: string[] = [];
    const plugins: Plugin[] = [
      { onExecute: () => ({ onExecuteDone: ({ result }) => void log.push(`a done ${JSON.stringify(result)}`) }), onSubscribe: () => undefined },
      { onExecute: () => void log.push('b') },
      {
        onExecute: () => ({
          onExecuteDone: ({ setResult }) => {
            log.push('c done');
            setResult({ data: 2 } as never);
          },
        }),
      },
      { onExecute: () => ({ onExecuteDone: ({ result }) => void log.push(`d done ${JSON.stringify(result)}`) }) },
    ];
    const merged = mergeExecuteHooks(plugins);
    expect(merged.slice(0, 4).map((p) => Object.keys(p))).toEqual([['onSubscribe'], [], [], []]);
    const after = merged[4]!.onExecute!(executePayload(log)) as { onExecuteDone: (p: unknown) => unknown };
    expect(log).toEqual(['b']);
    const done = donePayload(log, { data: 1 });
    expect(after.onExecuteDone(done)).toBeUndefined();
    expect(log).toEqual(['b', 'a done {"data":1}', 'c done', 'envelop.setResult', 'd done {"data":2}']);
    expect(done.result).toEqual({ data: 2 });
  });

  it('hands back a single onExecuteDone as it is, and nothing when there is none', () => {
    const only = { onExecuteDone: () => undefined };
    expect(mergeExecuteHooks([{ onExecute: () => undefined }, { onExecute: () => only }])[2]!.onExecute!(executePayload([]))).toBe(only);
    expect(mergeExecuteHooks([{ onExecute: () => undefined }, { onExecute: () => undefined }])[2]!.onExecute!(executePayload([]))).toBeUndefined();
  });

  it('stops at a hook that stops execution, as envelop does', () => {
    const log: string[] = [];
    const merged = mergeExecuteHooks([
      { onExecute: ({ setResultAndStopExecution }) => setResultAndStopExecution({ errors: [] }) },
      { onExecute: () => void log.push('not run') },
    ]);
    expect(merged[2]!.onExecute!(executePayload(log))).toBeUndefined();
    expect(log).toEqual(['envelop.stop']);
  });

  it('combines onNext and onEnd of a streamed result, with only the kinds present', async () => {
    const log: string[] = [];
    const merged = mergeExecuteHooks([
      {
        onExecute: () => ({
          onExecuteDone: () => ({
            onNext: ({ setResult }) => {
              log.push('a next');
              setResult({ data: 'labelled' } as never);
            },
          }),
        }),
      },
      { onExecute: () => ({ onExecuteDone: () => ({ onNext: ({ result }) => void log.push(`b next ${JSON.stringify(result)}`), onEnd: () => void log.push('b end') }) }) },
    ]);
    const after = merged[2]!.onExecute!(executePayload(log)) as { onExecuteDone: (p: unknown) => { onNext: (p: unknown) => unknown; onEnd: () => void } };
    const done = after.onExecuteDone(donePayload(log, {}));
    const next = donePayload(log, { data: 'raw' });
    await done.onNext(next);
    done.onEnd();
    expect(log).toEqual(['a next', 'envelop.setResult', 'b next {"data":"labelled"}', 'b end']);
    expect(Object.keys(mergeExecuteHooks([{ onExecute: () => ({ onExecuteDone: () => ({ onEnd: () => undefined }) }) }, { onExecute: () => ({ onExecuteDone: () => ({ onEnd: () => undefined }) }) }])[2]!.onExecute!(executePayload([])) as object)).toEqual(['onExecuteDone']);
  });

  it('waits for a hook that returns a promise before the next one', async () => {
    const log: string[] = [];
    const merged = mergeExecuteHooks([
      { onExecute: async () => void log.push('async') },
      { onExecute: () => void log.push('after') },
    ]);
    const returned = merged[2]!.onExecute!(executePayload(log));
    expect(log).toEqual(['async']);
    await returned;
    expect(log).toEqual(['async', 'after']);
  });
});
