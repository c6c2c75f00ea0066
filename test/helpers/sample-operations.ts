/**
 * A valid operation document for any root field, made from the schema alone (required arguments filled
 * with type-correct sample values, `__typename` selected), so tests can sweep every field — including ones
 * added after the test was written.
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

export type RootKind = 'query' | 'mutation' | 'subscription';

function rootOf(schema: GraphQLSchema, kind: RootKind) {
  const root = kind === 'query' ? schema.getQueryType() : kind === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) throw new Error(`schema has no ${kind} type`);
  return root;
}

export function rootFieldNames(schema: GraphQLSchema, kind: RootKind): string[] {
  return Object.keys(rootOf(schema, kind).getFields()).sort();
}

function sampleValue(type: GraphQLInputType): string {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) return `[${sampleValue(inner.ofType)}]`;
  if (isEnumType(inner)) return inner.getValues()[0]?.name ?? 'null';
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${sampleValue(f.type)}`).join(', ')} }`;
  }
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'Int':
        return '1';
      case 'Float':
        return '1.5';
      case 'Boolean':
        return 'false';
      case 'Date':
      case 'RocDate':
        return '"1150301"';
      case 'DateTime':
      case 'RocDateTime':
        return '"1150301093000"';
      default:
        return '"sample"';
    }
  }
  return 'null';
}

/** `mutation { field(requiredArg: …) { __typename } }` (no selection for scalar results). */
export function sampleOperation(schema: GraphQLSchema, kind: RootKind, fieldName: string): string {
  const field = rootOf(schema, kind).getFields()[fieldName];
  if (!field) throw new Error(`no ${kind} field ${fieldName}`);
  const args = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const argText = args.length ? `(${args.map((a) => `${a.name}: ${sampleValue(a.type)}`).join(', ')})` : '';
  const named = getNamedType(field.type);
  const selection = isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
  return `${kind} { ${fieldName}${argText}${selection} }`;
}
