import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withClientExtensions, withLiteralField } from '../errors/client-errors.ts';

type Result = { errors?: readonly GraphQLError[] } & Record<string, unknown>;

const enrich = (result: Result): Result =>
  result.errors?.length ? { ...result, errors: result.errors.map(withClientExtensions) } : result;

/**
 * Not an async generator: a generator's return() waits behind its pending next(), so a client hanging up on
 * a quiet subscription would never end it. return() goes straight to the source.
 */
function enrichEach(results: AsyncIterable<Result>): AsyncIterableIterator<Result> {
  const source = results[Symbol.asyncIterator]();
  return {
    async next() {
      const step = await source.next();
      return step.done ? step : { done: false, value: enrich(step.value) };
    },
    return: (value?: unknown) => source.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
    throw: (error?: unknown) => source.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Gives every top-level error the catalogue's extensions (src/errors/client-errors.ts) just before yoga writes
 * the response: yoga's own errors (BAD_REQUEST, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT
 * from variables), refusals, resolvers' input errors and masked bugs, over JSON and SSE alike. graphql-ws does
 * the same in src/transport/ws.ts.
 */
export function useErrorExtensions(): Plugin {
  return {
    // A scalar refusing a literal surfaces as a validation error naming the value: add the field it was for.
    onValidate({ params }) {
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(result.map((error) => withLiteralField(params.documentAST, error)));
      };
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) {
        setResult((result as Result[]).map(enrich) as never);
      } else if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
        setResult(enrichEach(result as AsyncIterable<Result>) as never);
      } else if (result && typeof result === 'object') {
        setResult(enrich(result as Result) as never);
      }
    },
  };
}
