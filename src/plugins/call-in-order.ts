/**
 * What the merged hooks (merge-execute-hooks.ts, merge-result-hooks.ts) share: envelop's way of running a
 * list of hooks — in order, each one's promise awaited before the next, synchronous all the way when none
 * returns one. They run on every request, so the synchronous path makes no function and no array unless a
 * hook returns something (allocation is what a request costs the collector, docs/performance.md).
 */
import type { Plugin } from 'graphql-yoga';

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  !!value && typeof (value as PromiseLike<unknown>).then === 'function';

/** Set by a hook that ends the run early (a refusal's `setResultAndStopExecution`). */
export interface StopFlag {
  stopped: boolean;
}

/** What a run that collected nothing answers: one shared, frozen empty list. */
const NOTHING: readonly never[] = Object.freeze([]);

/**
 * Calls each item with `arg` in order — `item(arg)`, or the method call `item[method]?.(arg)` when `method`
 * is given — and collects what they return (undefined and null left out). A returned promise is awaited
 * before the next item; then the whole answer is a promise. A raised `flag.stopped` ends the run early.
 */
export function callInOrder<R>(
  items: readonly unknown[],
  arg: unknown,
  method?: string,
  flag?: StopFlag,
): readonly R[] | Promise<readonly R[]> {
  return runFrom<R>(items, arg, method, flag, 0, null);
}

function runFrom<R>(
  items: readonly unknown[],
  arg: unknown,
  method: string | undefined,
  flag: StopFlag | undefined,
  from: number,
  collected: R[] | null,
): readonly R[] | Promise<readonly R[]> {
  for (let i = from; i < items.length && !flag?.stopped; i++) {
    const item = items[i] as ((arg: unknown) => unknown) & Record<string, ((arg: unknown) => unknown) | undefined>;
    const returned = method === undefined ? item(arg) : item[method]?.(arg);
    if (isThenable(returned)) {
      return Promise.resolve(returned).then((value) => runFrom<R>(items, arg, method, flag, i + 1, collect(collected, value as R)));
    }
    collected = collect(collected, returned as R);
  }
  return collected ?? NOTHING;
}

function collect<R>(collected: R[] | null, value: R): R[] | null {
  if (value === undefined || value === null) return collected;
  if (collected === null) return [value];
  collected.push(value);
  return collected;
}

/** `then` for a value that may or may not be a promise, without making one when it is not. */
export function andThen<T, U>(value: T | Promise<T>, next: (value: T) => U): U | Promise<U> {
  return isThenable(value) ? (value as Promise<T>).then(next) : next(value as T);
}

/** For `andThen`: the hooks' answers are not passed on. */
export const toUndefined = (): undefined => undefined;

/** The plugins with `key` taken out of each, and the hooks taken, in plugin order. */
export function takeHooks<K extends keyof Plugin>(plugins: readonly Plugin[], key: K): { hooks: NonNullable<Plugin[K]>[]; rest: Plugin[] } {
  const hooks: NonNullable<Plugin[K]>[] = [];
  const rest = plugins.map((plugin) => {
    const hook = plugin[key];
    if (!hook) return plugin;
    const { [key]: _taken, ...others } = plugin;
    hooks.push(hook as NonNullable<Plugin[K]>);
    return others as Plugin;
  });
  return { hooks, rest };
}
