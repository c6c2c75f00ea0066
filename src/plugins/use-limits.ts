import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface OperationLimits {
  /** Deepest selection allowed; introspection (`__schema`) is exempt so GraphiQL works. @default 10 */
  maxDepth?: number;
  /** @default 15 */
  maxAliases?: number;
  /** Lexer tokens per document (checked while parsing). @default 2000 */
  maxTokens?: number;
  /** graphql-armor cost (objects 2, scalars 1, ×1.5 per level); introspection is exempt. @default 5000 */
  costLimit?: number;
}

export const DEFAULT_LIMITS: Required<OperationLimits> = {
  maxDepth: 10,
  maxAliases: 15,
  maxTokens: 2000,
  costLimit: 5000,
};

/**
 * graphql-armor's depth, alias, token, directive and cost limits as envelop plugins. They run on HTTP
 * and WebSocket operations alike (both go through `yoga.getEnveloped`).
 */
export function useLimits(
  limits: OperationLimits = {},
  onReject?: (error: GraphQLError) => void,
): Plugin[] {
  const l = { ...DEFAULT_LIMITS, ...withoutUndefined(limits) };
  const callbacks = onReject ? { onReject: [(_ctx: unknown, error: GraphQLError) => onReject(error)] } : {};
  const armor = new EnvelopArmor({
    maxDepth: { n: l.maxDepth, ignoreIntrospection: true, ...callbacks },
    maxAliases: { n: l.maxAliases, ...callbacks },
    maxTokens: { n: l.maxTokens, ...callbacks },
    costLimit: { maxCost: l.costLimit, ignoreIntrospection: true, ...callbacks },
    maxDirectives: { ...callbacks },
    // Suggestions ("Did you mean …?") only hide the schema when introspection is off; ours is on for
    // GraphiQL, so blocking them would cost HIS developers help and protect nothing.
    blockFieldSuggestion: { enabled: false },
  });
  return armor.protect().plugins as Plugin[];
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
