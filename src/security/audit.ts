/**
 * The audit trail: one JSON line per protected operation (card write, visit, PIN, configuration) and per
 * identity read, and one per refusal, with who called (origin, remote address, transport, how they
 * authenticated), what (operation type and name, schema coordinates) and the outcome code of each gated
 * field. Never arguments, results or patient data: the coordinates say "HealthCard.basicData was read",
 * not what it said.
 */
import { GraphQLError, defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { GatewayError } from '../errors/gateway-errors.ts';
import { InputError } from '../codecs/input-error.ts';

export interface FieldOutcome {
  /** Schema coordinate, e.g. `Mutation.startVisit`. */
  readonly field: string;
  /** `OK`, a typed error code (`HEALTH_CARD_NOT_INSERTED`, `ACTION_PENDING` …), `BAD_USER_INPUT` or `INTERNAL_ERROR`. */
  readonly outcome: string;
}

export interface AuditEntry {
  /** `operation`: an identity read or protected operation ran; `refused`: turned away at the door. */
  readonly event: 'operation' | 'refused';
  readonly transport: 'http' | 'ws';
  /** The Origin header as sent (null when absent). */
  readonly origin: string | null;
  readonly remoteAddress: string | null;
  /** How the caller got in: the token, a pairing token, an allowed Origin (public operations only), or neither. */
  readonly auth: 'token' | 'pairing' | 'origin' | 'none';
  readonly operationType?: 'query' | 'mutation' | 'subscription';
  /** Client-chosen; GraphQL names are ASCII, and the log's masking covers ID-number-like names. */
  readonly operationName?: string | null;
  /** Gated coordinates of the operation, with outcomes when it ran. */
  readonly fields?: readonly FieldOutcome[];
  /** `OK`, the first failing field's code, or the refusal code. */
  readonly outcome: string;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
}

/** Keeps entries in memory (tests, and the default when no audit file is configured). */
export function createMemoryAuditLog(): AuditLog & { readonly entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return { entries, record: (entry) => void entries.push(entry) };
}

// ---- field outcomes, recorded by wrapping the resolvers of gated fields ----

const recordings = new WeakMap<object, FieldOutcome[]>();
const WRAPPED = Symbol('nhi-gateway.audited');

/** Starts collecting outcomes for the operation whose context is `context`. */
export function startRecording(context: object): FieldOutcome[] {
  const outcomes: FieldOutcome[] = [];
  recordings.set(context, outcomes);
  return outcomes;
}

/**
 * Wraps the resolvers of the coordinates `isAudited` selects so that, for operations being recorded, each
 * call notes its outcome. The Pothos errors plugin has already turned expected failures into returned
 * GatewayError values, so both "returned an error" and "threw" are seen here. Idempotent per schema.
 */
export function instrumentAuditedFields(schema: GraphQLSchema, isAudited: (coordinate: string, isRoot: boolean) => boolean): void {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t != null));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (!isAudited(coordinate, roots.has(type))) continue;
      const original = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, object> & { [WRAPPED]?: true };
      if (original[WRAPPED]) continue;
      const wrapped: GraphQLFieldResolver<unknown, object> & { [WRAPPED]?: true } = (source, args, context, info) => {
        const outcomes = context && typeof context === 'object' ? recordings.get(context) : undefined;
        if (!outcomes) return original(source, args, context, info);
        // No per-call helper closure: this runs for every gated field of every recorded operation.
        let value: unknown;
        try {
          value = original(source, args, context, info);
        } catch (error) {
          outcomes.push({ field: coordinate, outcome: outcomeOfError(error) });
          throw error;
        }
        if (value instanceof Promise) {
          return value.then(
            (resolved: unknown) => {
              outcomes.push({ field: coordinate, outcome: outcomeOfValue(resolved) });
              return resolved;
            },
            (error: unknown) => {
              outcomes.push({ field: coordinate, outcome: outcomeOfError(error) });
              throw error;
            },
          );
        }
        outcomes.push({ field: coordinate, outcome: outcomeOfValue(value) });
        return value;
      };
      wrapped[WRAPPED] = true;
      field.resolve = wrapped;
    }
  }
}

function outcomeOfValue(value: unknown): string {
  if (value instanceof GatewayError) return value.code;
  // The errors plugin returns typed errors wrapped in a Proxy that `instanceof` does not see through;
  // its properties do read through.
  if (value !== null && typeof value === 'object') {
    const { code, messageZh, retryable } = value as { code?: unknown; messageZh?: unknown; retryable?: unknown };
    if (typeof code === 'string' && typeof messageZh === 'string' && typeof retryable === 'boolean') return code;
  }
  return 'OK';
}

export function outcomeOfError(error: unknown): string {
  if (error instanceof GatewayError) return error.code;
  if (error instanceof InputError) return 'BAD_USER_INPUT';
  if (error instanceof GraphQLError) {
    const code = error.extensions['code'];
    return typeof code === 'string' ? code : 'GRAPHQL_ERROR';
  }
  return 'INTERNAL_ERROR';
}
