/**
 * One length cap for every string a caller sends (arguments written in the document and variables alike),
 * checked before any resolver runs: no input of this API needs more than a file path or an idempotency key,
 * and a multi-megabyte string would otherwise reach codecs, the journal hash and the control software.
 * Field-specific rules (e.g. a file path's 260 characters, schema/operations.ts) are stricter and stay
 * where their inputs are validated; this is the floor under all of them.
 */
import { GraphQLError, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Characters; far above any real input (the longest are paths and keys), far below the 1 MiB body. */
export const MAX_STRING_INPUT = 1024;

export function useInputCaps(max = MAX_STRING_INPUT, onRefused?: (field: string) => void): Plugin {
  // Yoga hands the same DocumentNode for the same query text (its parse cache) and documents are never
  // mutated, so the walk over the literals is done once per document, not on every request.
  const literals = new WeakMap<DocumentNode, string | null>();
  const literalOf = (document: DocumentNode): string | undefined => {
    let found = literals.get(document);
    if (found === undefined) {
      found = longLiteral(document, max) ?? null;
      literals.set(document, found);
    }
    return found ?? undefined;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const field = literalOf(args.document) ?? longVariable(args.variableValues, max, '$');
      if (field === undefined) return;
      onRefused?.(field);
      setResultAndStopExecution({
        errors: [
          new GraphQLError(`${field}: must be at most ${max} characters`, {
            extensions: { code: 'BAD_USER_INPUT', field, rule: `must be at most ${max} characters`, limit: max },
          }),
        ],
      });
    },
  };
}

/** The argument name of the first string literal over `max`, if any. */
function longLiteral(document: DocumentNode, max: number): string | undefined {
  let found: string | undefined;
  let argument = '';
  visit(document, {
    Argument: { enter: (node) => void (argument = node.name.value) },
    ObjectField: { enter: (node) => void (argument = node.name.value) },
    StringValue(node) {
      if (found === undefined && node.value.length > max) found = argument || 'argument';
    },
  });
  return found;
}

/** The path of the first string variable (at any depth) over `max`, if any. */
function longVariable(value: unknown, max: number, path: string): string | undefined {
  if (typeof value === 'string') return value.length > max ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = longVariable(value[i], max, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = longVariable(inner, max, path === '$' ? `$${key}` : `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}
