/**
 * Refusals at the door: typed top-level GraphQL errors built from the code catalogue, with the HTTP status
 * the client should see. They carry the catalogue's texts (so a refusal says what to fix, in both languages)
 * and never anything from the request beyond numbers such as a limit or a wait.
 */
import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { GATEWAY_CODES, type GatewayCodeName } from '../errors/gateway-codes.ts';

type AccessEntry = Extract<(typeof GATEWAY_CODES)[number], { readonly category: 'ACCESS' }>;
export type RefusalCode = AccessEntry['code'];

/** The HTTP status of each refusal. */
export const REFUSAL_STATUS: Readonly<Record<RefusalCode, number>> = {
  ORIGIN_NOT_ALLOWED: 403,
  HOST_NOT_ALLOWED: 403,
  LOOPBACK_ONLY: 403,
  CSRF_HEADER_MISSING: 403,
  TOKEN_REQUIRED: 401,
  TOKEN_INVALID: 401,
  RATE_LIMITED: 429,
  PAIRING_CODE_INVALID: 403,
  PAIRING_ORIGIN_MISMATCH: 401,
  QUERY_TOO_DEEP: 400,
  QUERY_TOO_COMPLEX: 400,
  TOO_MANY_ALIASES: 400,
  TOO_MANY_TOKENS: 400,
  TOO_MANY_DIRECTIVES: 400,
  REQUEST_ENTITY_TOO_LARGE: 413,
};

export interface RefusalDetails {
  /** Replaces the catalogue's English message (e.g. graphql-armor's "Query depth limit of 10 exceeded, found 12."). */
  readonly message?: string;
  /** Extra numeric facts for the client, e.g. `{ limit: 10 }` or `{ retryAfter: 3 }`. Never request data. */
  readonly extensions?: Readonly<Record<string, number | string>>;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers?: Readonly<Record<string, string>>;
}

const BY_CODE = new Map<string, (typeof GATEWAY_CODES)[number]>(GATEWAY_CODES.map((e) => [e.code, e]));

/** A typed refusal: `extensions { code, category: 'ACCESS', retryable, messageZh, hint, hintZh, …, http }`. */
export function refusal(code: RefusalCode, details: RefusalDetails = {}): GraphQLError {
  const entry = BY_CODE.get(code as GatewayCodeName);
  if (!entry || entry.category !== 'ACCESS') throw new Error(`not an ACCESS code: ${code}`);
  return createGraphQLError(details.message ?? entry.text.en, {
    extensions: {
      code,
      category: entry.category,
      retryable: entry.retryable,
      messageZh: entry.text.zh,
      ...('hint' in entry && entry.hint ? { hint: entry.hint.en, hintZh: entry.hint.zh } : {}),
      ...details.extensions,
      http: { status: REFUSAL_STATUS[code], ...(details.headers ? { headers: { ...details.headers } } : {}) },
    },
  });
}

/** True for an error built by {@link refusal} (or any error carrying one of its codes). */
export function refusalCode(error: unknown): RefusalCode | undefined {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === 'string' && Object.hasOwn(REFUSAL_STATUS, code) ? (code as RefusalCode) : undefined;
}

/**
 * The JSON response for a refusal decided before yoga parses the request (origin, host, loopback-only
 * pages): the same body shape yoga writes for GraphQL errors, without the internal `http` extension.
 */
export function refusalResponse(fetchAPI: { Response: typeof Response }, error: GraphQLError): Response {
  const { http, ...extensions } = error.extensions as { http?: { status?: number; headers?: Record<string, string> } };
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message: error.message, extensions }] }), {
    status: http?.status ?? 403,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...http?.headers },
  });
}
