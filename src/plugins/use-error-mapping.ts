import { GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';

/**
 * Returns the GraphQLError a client should see for an error a resolver threw, or `undefined` to leave
 * it to masking ("Unexpected error.", logged).
 */
export type ErrorMapper = (error: unknown) => GraphQLError | undefined;

/**
 * Runs `mapError` on every result error that yoga would mask (one wrapping a non-GraphQL error) before
 * masking sees it, keeping the error's path and locations. Mapped errors are expected outcomes, so
 * they are not logged as server errors. Applies to queries, mutations and every subscription event,
 * over HTTP and WebSocket alike.
 */
export function useErrorMapping(mapError: ErrorMapper): Plugin {
  const handleResult = ({
    result,
    setResult,
  }: {
    result: { errors?: readonly GraphQLError[] };
    setResult: (result: never) => void;
  }): void => {
    if (!result.errors?.length) return;
    let changed = false;
    const errors = result.errors.map((error) => {
      const original = error.originalError;
      if (original == null || original instanceof GraphQLError) return error;
      const mapped = mapError(original);
      if (!mapped) return error;
      changed = true;
      return new GraphQLError(mapped.message, {
        nodes: error.nodes ?? null,
        source: error.source ?? null,
        positions: error.positions ?? null,
        path: error.path ?? null,
        extensions: mapped.extensions,
      });
    });
    if (changed) setResult({ ...result, errors } as never);
  };
  // The per-operation hooks are made once, here: onExecute runs for every request, and a fresh pair of
  // closures each time was measurable (benchmark, BENCHMARKS.md).
  const afterExecute = {
    onExecuteDone: (payload: Parameters<typeof handleStreamOrSingleExecutionResult>[0]) =>
      handleStreamOrSingleExecutionResult(payload, handleResult),
  };
  const afterSubscribe = {
    onSubscribeResult: (payload: Parameters<typeof handleStreamOrSingleExecutionResult>[0]) =>
      handleStreamOrSingleExecutionResult(payload, handleResult),
  };
  return {
    onExecute: () => afterExecute,
    onSubscribe: () => afterSubscribe,
  };
}
