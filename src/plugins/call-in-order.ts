/**
 * What the merged hooks (merge-execute-hooks.ts, merge-result-hooks.ts) share: envelop's way of running a
 * list of hooks — in order, each one's promise awaited before the next, synchronous all the way when none
 * returns one (the request path stays free of promise allocations then).
 */
import type { Plugin } from 'graphql-yoga';

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  !!value && typeof (value as PromiseLike<unknown>).then === 'function';

/**
 * Calls `call` on each item in order and collects what it returns (undefined left out). A returned promise
 * is awaited before the next item; then the whole answer is a promise. `stopped` ends the run early.
 */
export function callInOrder<I, R>(
  items: readonly I[],
  call: (item: I) => unknown,
  stopped: () => boolean = () => false,
): R[] | Promise<R[]> {
  const collected: R[] = [];
  const run = (from: number): R[] | Promise<R[]> => {
    for (let i = from; i < items.length && !stopped(); i++) {
      const returned = call(items[i]!);
      if (isThenable(returned)) {
        return Promise.resolve(returned).then((value) => {
          if (value !== undefined && value !== null) collected.push(value as R);
          return run(i + 1);
        });
      }
      if (returned !== undefined && returned !== null) collected.push(returned as R);
    }
    return collected;
  };
  return run(0);
}

/** `then` for a value that may or may not be a promise, without making one when it is not. */
export function andThen<T, U>(value: T | Promise<T>, next: (value: T) => U): U | Promise<U> {
  return isThenable(value) ? (value as Promise<T>).then(next) : next(value as T);
}

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
