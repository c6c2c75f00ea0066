/**
 * Our plugins' `onExecute` hooks as one hook. envelop runs each plugin's `onExecute`, and each `onExecuteDone`
 * they return, through its promise helpers, a few hundred bytes per hook per request (docs/performance.md);
 * ours (access control, error mapping, the input caps) are synchronous and consecutive, so one hook calls
 * them in the same order with envelop's rules: a hook that stops execution (`setResultAndStopExecution`)
 * stops the ones after it; their `onExecuteDone` hooks run in the same order, each seeing the result the
 * ones before it set; `onNext` / `onEnd` of a streamed result likewise. A hook that returns a promise is
 * waited for before the next one runs.
 */
import type { Plugin } from 'graphql-yoga';

type ExecuteHook = NonNullable<Plugin['onExecute']>;
type ExecutePayload = Parameters<ExecuteHook>[0];
type AfterExecute = Exclude<Awaited<ReturnType<ExecuteHook>>, void | undefined>;
type DonePayload = Parameters<NonNullable<AfterExecute['onExecuteDone']>>[0];
type AfterDone = Exclude<Awaited<ReturnType<NonNullable<AfterExecute['onExecuteDone']>>>, void | undefined>;
type NextPayload = Parameters<NonNullable<AfterDone['onNext']>>[0];

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  !!value && typeof (value as PromiseLike<unknown>).then === 'function';

/** The plugins without their `onExecute`, and one plugin running all of them, last. */
export function mergeExecuteHooks(plugins: readonly Plugin[]): Plugin[] {
  const hooks: ExecuteHook[] = [];
  const rest = plugins.map((plugin) => {
    if (!plugin.onExecute) return plugin;
    const { onExecute, ...others } = plugin;
    hooks.push(onExecute);
    return others;
  });
  if (hooks.length < 2) return [...plugins];
  const merged: Plugin = {
    onExecute(payload) {
      let stopped = false;
      const view: ExecutePayload = {
        ...payload,
        setExecuteFn(executeFn) {
          view.executeFn = executeFn;
          payload.setExecuteFn(executeFn);
        },
        setResultAndStopExecution(result) {
          stopped = true;
          payload.setResultAndStopExecution(result);
        },
      };
      const afters: AfterExecute[] = [];
      const run = (from: number): AfterExecute | undefined | Promise<AfterExecute | undefined> => {
        for (let i = from; i < hooks.length && !stopped; i++) {
          const returned = hooks[i]!(view);
          if (isThenable(returned)) {
            return Promise.resolve(returned).then((after) => {
              if (after) afters.push(after as AfterExecute);
              return run(i + 1);
            });
          }
          if (returned) afters.push(returned as AfterExecute);
        }
        return afterAll(afters);
      };
      return run(0);
    },
  };
  return [...rest, merged];
}

/** One `onExecuteDone` for several, or the only one as it is. */
function afterAll(afters: readonly AfterExecute[]): AfterExecute | undefined {
  if (afters.length <= 1) return afters[0];
  return {
    onExecuteDone(payload) {
      const view: DonePayload = {
        ...payload,
        setResult(result) {
          view.result = result;
          payload.setResult(result);
        },
      };
      const dones: AfterDone[] = [];
      const run = (from: number): AfterDone | undefined | Promise<AfterDone | undefined> => {
        for (let i = from; i < afters.length; i++) {
          const returned = afters[i]!.onExecuteDone?.(view);
          if (isThenable(returned)) {
            return Promise.resolve(returned).then((done) => {
              if (done) dones.push(done as AfterDone);
              return run(i + 1);
            });
          }
          if (returned) dones.push(returned as AfterDone);
        }
        return doneAll(dones);
      };
      return run(0) as ReturnType<NonNullable<AfterExecute['onExecuteDone']>>;
    },
  };
}

/** One `onNext` / `onEnd` pair for several, with only the kinds some of them have. */
function doneAll(dones: readonly AfterDone[]): AfterDone | undefined {
  if (dones.length <= 1) return dones[0];
  const nexts = dones.flatMap((done) => (done.onNext ? [done.onNext] : []));
  const ends = dones.flatMap((done) => (done.onEnd ? [done.onEnd] : []));
  const combined: AfterDone = {};
  if (nexts.length > 0) {
    combined.onNext = (payload) => {
      const view: NextPayload = {
        ...payload,
        setResult(result) {
          view.result = result;
          payload.setResult(result);
        },
      };
      const run = (from: number): void | Promise<void> => {
        for (let i = from; i < nexts.length; i++) {
          const returned: unknown = nexts[i]!(view);
          if (isThenable(returned)) return Promise.resolve(returned).then(() => run(i + 1));
        }
        return undefined;
      };
      return run(0);
    };
  }
  if (ends.length > 0) combined.onEnd = () => ends.forEach((end) => end());
  return combined;
}
