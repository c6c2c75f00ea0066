/**
 * A GraphQL document that knows its result and variables types: the same shape as
 * `@graphql-typed-document-node/core`'s (so documents typed by either fit both), written out so the kit needs
 * only `graphql` and `graphql-ws`. The generated operations (client/generated/graphql.ts) import it from here.
 */
import type { DocumentNode } from 'graphql';

export interface TypedDocumentNode<TResult = Record<string, unknown>, TVariables = Record<string, unknown>> extends DocumentNode {
  /** Never set at run time; carries the types. */
  readonly __apiType?: (variables: TVariables) => TResult;
}
