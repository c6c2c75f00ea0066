/**
 * A GraphQL document that knows its result and variables types. The same shape as the
 * `@graphql-typed-document-node/core` type the generated operations use, written out so the kit itself needs
 * only `graphql`.
 */
import type { DocumentNode } from 'graphql';

export interface TypedDocumentNode<TResult = Record<string, unknown>, TVariables = Record<string, unknown>> extends DocumentNode {
  /** Never set at run time; carries the types. */
  readonly __apiType?: (variables: TVariables) => TResult;
}
