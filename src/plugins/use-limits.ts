import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { refusal, type RefusalCode } from '../security/refusals.ts';

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

/** graphql-armor's default for directives per operation (we keep it). */
const MAX_DIRECTIVES = 50;

/**
 * graphql-armor's depth, alias, token, directive and cost limits as one envelop plugin (armor's own plugins
 * run once, {@link armorOnce}). They run on HTTP and WebSocket operations alike (both go through
 * `yoga.getEnveloped`).
 *
 * graphql-armor throws plain "Syntax Error: …" errors (which yoga answers with 200 and no code); the
 * plugin turns each into a typed refusal (QUERY_TOO_DEEP, QUERY_TOO_COMPLEX, TOO_MANY_ALIASES,
 * TOO_MANY_TOKENS, TOO_MANY_DIRECTIVES) with HTTP 400 and the limit, keeping armor's message. Which limit
 * fired is learnt from armor's onReject callbacks (by error identity), not by parsing messages.
 */
export function useLimits(
  limits: OperationLimits = {},
  onReject?: (error: GraphQLError) => void,
): Plugin[] {
  const l = { ...DEFAULT_LIMITS, ...withoutUndefined(limits) };
  const rejected = new WeakMap<GraphQLError, { code: RefusalCode; limit: number }>();
  const callbacks = (code: RefusalCode, limit: number) => ({
    onReject: [
      (_ctx: unknown, error: GraphQLError) => {
        rejected.set(error, { code, limit });
        onReject?.(error);
      },
    ],
  });
  const armor = armorOnce(new EnvelopArmor({
    maxDepth: { n: l.maxDepth, ignoreIntrospection: true, ...callbacks('QUERY_TOO_DEEP', l.maxDepth) },
    maxAliases: { n: l.maxAliases, ...callbacks('TOO_MANY_ALIASES', l.maxAliases) },
    maxTokens: { n: l.maxTokens, ...callbacks('TOO_MANY_TOKENS', l.maxTokens) },
    costLimit: { maxCost: l.costLimit, ignoreIntrospection: true, ...callbacks('QUERY_TOO_COMPLEX', l.costLimit) },
    maxDirectives: { n: MAX_DIRECTIVES, ...callbacks('TOO_MANY_DIRECTIVES', MAX_DIRECTIVES) },
    // Suggestions ("Did you mean …?") only hide the schema when introspection is off; ours is on for
    // GraphiQL, so blocking them would cost HIS developers help and protect nothing.
    blockFieldSuggestion: { enabled: false },
  }).protect().plugins as Plugin[]);
  const typed = (error: unknown): unknown => {
    const info = error && typeof error === 'object' ? rejected.get(error as GraphQLError) : undefined;
    if (!info) return error;
    return refusal(info.code, {
      message: (error as GraphQLError).message.replace(/^Syntax Error: /, ''),
      extensions: { limit: info.limit },
    });
  };
  const codes = new Set<string>(['QUERY_TOO_DEEP', 'QUERY_TOO_COMPLEX', 'TOO_MANY_ALIASES', 'TOO_MANY_TOKENS', 'TOO_MANY_DIRECTIVES']);
  type ParseFn = Parameters<NonNullable<Plugin['onParse']>>[0]['parseFn'];
  type ValidateFn = Parameters<NonNullable<Plugin['onValidate']>>[0]['validateFn'];
  const parsers = new WeakMap<ParseFn, ParseFn>();
  const validators = new WeakMap<ValidateFn, ValidateFn>();
  const typeRejections: Plugin = {
    // yoga marks every error thrown by parse as a GraphQL-over-HTTP "spec" parse failure (answered 200 to
    // `Accept: application/json`); a document over the token limit is a refusal like the others: 400.
    onResultProcess({ result }) {
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!single || isAsyncIterable(single) || !('errors' in single)) continue;
        for (const error of single.errors ?? []) {
          const extensions = error.extensions as { code?: unknown; http?: { spec?: boolean } } | undefined;
          if (extensions?.http?.spec && typeof extensions.code === 'string' && codes.has(extensions.code)) extensions.http.spec = false;
        }
      }
    },
    // The wrappers are made once per underlying function, not per request (these hooks run for every one).
    onParse({ parseFn: incoming, setParseFn }) {
      // armor's token limit replaces the parser whatever it was (its own onParse did so).
      const parseFn = armor.parse ?? incoming;
      let wrapped = parsers.get(parseFn);
      if (!wrapped) {
        wrapped = (source, options) => {
          try {
            return parseFn(source, options);
          } catch (error) {
            throw typed(error);
          }
        };
        parsers.set(parseFn, wrapped);
      }
      setParseFn(wrapped);
    },
    onValidate({ validateFn, setValidationFn, addValidationRule }) {
      for (const rule of armor.rules) addValidationRule(rule);
      let wrapped = validators.get(validateFn);
      if (!wrapped) {
        wrapped = (...args) => {
          try {
            return validateFn(...args);
          } catch (error) {
            throw typed(error);
          }
        };
        validators.set(validateFn, wrapped);
      }
      setValidationFn(wrapped);
    },
  };
  return [typeRejections];
}

type ValidationRule = Parameters<Parameters<NonNullable<Plugin['onValidate']>>[0]['addValidationRule']>[0];
type ParseFunction = Parameters<NonNullable<Plugin['onParse']>>[0]['parseFn'];

/**
 * What armor's plugins do on every request, done once: each validation plugin adds one rule (a factory of
 * visitors, the same for every request) and the token plugin sets its parser. They ran as five hooks making
 * five rules per request; the gateway adds these in one hook, in armor's order. A plugin doing anything else
 * (a newer armor) fails here, when the gateway is built, not silently.
 */
export function armorOnce(plugins: readonly Plugin[]): { readonly rules: readonly ValidationRule[]; readonly parse: ParseFunction | undefined } {
  const rules: ValidationRule[] = [];
  let parse: ParseFunction | undefined;
  const unexpected = (what: string) => (): never => {
    throw new Error(`graphql-armor: a plugin calls ${what}; src/plugins/use-limits.ts armorOnce cannot run it once`);
  };
  for (const plugin of plugins) {
    const { onParse, onValidate, ...others } = plugin;
    if (Object.keys(others).length > 0) throw new Error(`graphql-armor: a plugin has ${Object.keys(others).join(', ')}; armorOnce cannot run it once`);
    const afterValidate = onValidate?.({
      addValidationRule: (rule: ValidationRule) => void rules.push(rule),
      setValidationFn: unexpected('setValidationFn'),
      setResult: unexpected('setResult'),
      extendContext: unexpected('extendContext'),
    } as unknown as Parameters<NonNullable<Plugin['onValidate']>>[0]);
    const afterParse = onParse?.({
      setParseFn: (fn: ParseFunction) => void (parse = fn),
      setParsedDocument: unexpected('setParsedDocument'),
      extendContext: unexpected('extendContext'),
    } as unknown as Parameters<NonNullable<Plugin['onParse']>>[0]);
    if (afterValidate || afterParse) throw new Error('graphql-armor: a plugin has an after-hook; armorOnce cannot run it once');
  }
  return { rules, parse };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
