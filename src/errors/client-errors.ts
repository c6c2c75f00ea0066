/**
 * The one shape of a top-level error (docs/api-conventions.md docs/reference/abi.md (Installed files)): every error in `errors[]`, from yoga, graphql-js,
 * our own refusals or a resolver's bad input, carries `code` from the catalogue (src/errors/catalogue.ts) with its
 * category, zh-TW and English text, hint, retryable and action; BAD_USER_INPUT also `field` and `rule`. Used by
 * the yoga plugin (src/plugins/use-error-extensions.ts) and the graphql-ws transport, so every path agrees.
 */
import { BREAK, GraphQLError, Kind, visit, type ASTNode, type DocumentNode } from 'graphql';
import { catalogueEntry } from './catalogue.ts';

type Extensions = Record<string, unknown>;

/** The catalogue code for an error that carries none, or one the catalogue does not know. */
function inferCode(message: string, extensions: Extensions): string {
  const code = extensions['code'];
  // A code someone set on purpose is kept, even one the catalogue lacks (then only the code travels; the
  // catalogue test keeps the gateway's own paths inside the catalogue).
  if (typeof code === 'string') return code;
  if (message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  const status = (extensions['http'] as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return 'BAD_REQUEST';
  return 'INTERNAL_SERVER_ERROR';
}

/**
 * The field of a bad value, as graphql-js names it in a variable coercion message
 * (`Variable "$input" got invalid value "x" at "input.visitTime"; …`).
 */
function fieldFromMessage(message: string): string | undefined {
  const at = /got invalid value .* at "([^"]+)"/.exec(message)?.[1];
  if (at) return at;
  return /^Variable "\$([A-Za-z_][A-Za-z0-9_]*)"/.exec(message)?.[1];
}

/** The extensions every top-level error carries. Idempotent: an enriched error passes through unchanged. */
export function clientErrorExtensions(message: string, extensions: Extensions | undefined): Extensions {
  const ext: Extensions = { ...extensions };
  const code = inferCode(message, ext);
  const entry = catalogueEntry(code);
  if (!entry) return ext;
  const enriched: Extensions = {
    ...ext,
    code,
    category: entry.category,
    messageEn: typeof ext['messageEn'] === 'string' ? ext['messageEn'] : entry.en,
    messageZh: typeof ext['messageZh'] === 'string' ? ext['messageZh'] : entry.zh,
    retryable: typeof ext['retryable'] === 'boolean' ? ext['retryable'] : entry.retryable,
  };
  if (enriched['hint'] === undefined && entry.hintEn !== null) {
    enriched['hint'] = entry.hintEn;
    enriched['hintZh'] = entry.hintZh;
  }
  if (entry.action !== null) enriched['action'] = entry.action;
  if (code === 'BAD_USER_INPUT') {
    enriched['field'] = typeof ext['field'] === 'string' ? ext['field'] : (fieldFromMessage(message) ?? null);
    enriched['rule'] = typeof ext['rule'] === 'string' ? ext['rule'] : message;
  }
  return enriched;
}

/**
 * graphql-js quotes a refused variable's whole value in its message; the value may hold an ID number or a name
 * (a write's input), so the message keeps only which variable and why.
 */
export function withoutValues(message: string): string {
  return message
    .replace(/^(Variable "\$[^"]+") got invalid value .*?(?=(?: at "[^"]*")?; )/s, '$1 got an invalid value')
    .replace(/^(Expected value of type "[^"]+"), found .*?; /s, '$1; ');
}

/** A GraphQLError with the catalogue's extensions (same path, locations and original error; no input values). */
export function withClientExtensions(error: GraphQLError): GraphQLError {
  const extensions = clientErrorExtensions(error.message, error.extensions as Extensions);
  return new GraphQLError(withoutValues(error.message), {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: error.originalError ?? null,
    extensions,
  });
}

/**
 * The input path of a literal value in a document (`input.visitTime`), for a BAD_USER_INPUT that validation
 * raised from a scalar: graphql-js names the value, not the field, in its message.
 */
export function fieldOfLiteral(document: DocumentNode, target: ASTNode): string | undefined {
  let found: string | undefined;
  visit(document, {
    enter(node, _key, parent, _path, ancestors) {
      if (found !== undefined) return BREAK;
      if (node !== target) return undefined;
      const names: string[] = [];
      for (const a of [...ancestors, parent]) {
        if (Array.isArray(a)) continue;
        const n = a as ASTNode;
        if (n.kind === Kind.ARGUMENT || n.kind === Kind.OBJECT_FIELD) names.push(n.name.value);
      }
      found = names.join('.');
      return BREAK;
    },
  });
  return found || undefined;
}

/** Adds `field` to validation errors raised by a scalar on a literal (see {@link fieldOfLiteral}). */
export function withLiteralField(document: DocumentNode, error: GraphQLError): GraphQLError {
  const ext = error.extensions as Extensions;
  const node = error.nodes?.[0];
  if (ext['code'] !== 'BAD_USER_INPUT' || typeof ext['field'] === 'string' || !node) return error;
  const field = fieldOfLiteral(document, node);
  if (!field) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: error.originalError ?? null,
    extensions: { ...ext, field },
  });
}
