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
import { andThen, callInOrder, takeHooks, toUndefined, type StopFlag } from './call-in-order.ts';

type ExecuteHook = NonNullable<Plugin['onExecute']>;
type ExecutePayload = Parameters<ExecuteHook>[0];
type AfterExecute = Exclude<Awaited<ReturnType<ExecuteHook>>, void | undefined>;
type DonePayload = Parameters<NonNullable<AfterExecute['onExecuteDone']>>[0];
type AfterDone = Exclude<Awaited<ReturnType<NonNullable<AfterExecute['onExecuteDone']>>>, void | undefined>;
type NextPayload = Parameters<NonNullable<AfterDone['onNext']>>[0];

/** The plugins without their `onExecute`, and one plugin running all of them, last. */
export function mergeExecuteHooks(plugins: readonly Plugin[]): Plugin[] {
  const { hooks, rest } = takeHooks(plugins, 'onExecute');
  if (hooks.length < 2) return [...plugins];
  const merged: Plugin = {
    onExecute(payload) {
      const flag: StopFlag = { stopped: false };
      const view: ExecutePayload = {
        ...payload,
        setExecuteFn(executeFn) {
          view.executeFn = executeFn;
          payload.setExecuteFn(executeFn);
        },
        setResultAndStopExecution(result) {
          flag.stopped = true;
          payload.setResultAndStopExecution(result);
        },
      };
      return andThen(callInOrder<AfterExecute>(hooks, view, undefined, flag), afterAll);
    },
  };
  return [...rest, merged];
}

/** One `onExecuteDone` for several, or the only one as it is. */
function afterAll(afters: readonly AfterExecute[]): AfterExecute | undefined {
  if (afters.length <= 1) return afters[0];
  return new DoneInOrder(afters);
}

/**
 * The `onExecuteDone` hooks of one execution, run in order, each seeing the result the ones before it set.
 * Its `onExecuteDone` is one function shared by all executions, not a closure made per execution: envelop
 * (and `callInOrder`) call it as a method, `after.onExecuteDone(payload)`, so it finds the hooks on `this`.
 */
class DoneInOrder implements AfterExecute {
  readonly onExecuteDone = runDoneInOrder;
  readonly #afters: readonly AfterExecute[];

  constructor(afters: readonly AfterExecute[]) {
    this.#afters = afters;
  }

  static aftersOf(done: DoneInOrder): readonly AfterExecute[] {
    return done.#afters;
  }
}

function runDoneInOrder(this: DoneInOrder, payload: DonePayload): ReturnType<NonNullable<AfterExecute['onExecuteDone']>> {
  const view: DonePayload = {
    ...payload,
    setResult(result) {
      view.result = result;
      payload.setResult(result);
    },
  };
  return andThen(callInOrder<AfterDone>(DoneInOrder.aftersOf(this), view, 'onExecuteDone'), doneAll) as ReturnType<
    NonNullable<AfterExecute['onExecuteDone']>
  >;
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
      return andThen(callInOrder(nexts, view), toUndefined);
    };
  }
  if (ends.length > 0) combined.onEnd = () => ends.forEach((end) => end());
  return combined;
}
