/**
 * Our plugins' `onResultProcess` hooks as one hook. yoga runs each result hook of each plugin through its
 * promise helpers, a few hundred bytes per hook per request (docs/performance.md); ours (the audit of
 * refusals decided elsewhere, the limits' HTTP status, the SSE writer, the catalogue's error extensions) are
 * small and synchronous, so one hook calls them in the same order, each seeing the result and the result
 * processor the ones before it set, as separate hooks did. A hook that returns a promise is waited for
 * before the next one runs.
 */
import type { Plugin } from 'graphql-yoga';
import { andThen, callInOrder, takeHooks, toUndefined } from './call-in-order.ts';

type ResultHook = NonNullable<Plugin['onResultProcess']>;
type ResultPayload = Parameters<ResultHook>[0];

/** The plugins without their `onResultProcess`, and one plugin running all of them, last. */
export function mergeResultHooks(plugins: readonly Plugin[]): Plugin[] {
  const { hooks, rest } = takeHooks(plugins, 'onResultProcess');
  if (hooks.length < 2) return [...plugins];
  const merged: Plugin = {
    onResultProcess(payload) {
      const view: ResultPayload = {
        ...payload,
        setResult(result) {
          view.result = result;
          payload.setResult(result);
        },
        setResultProcessor(processor, acceptedMediaType) {
          view.resultProcessor = processor;
          payload.setResultProcessor(processor, acceptedMediaType);
        },
      };
      return andThen(callInOrder(hooks, view), toUndefined);
    },
  };
  return [...rest, merged];
}
