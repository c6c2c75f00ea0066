/**
 * The desk rule made safe (docs/his-developers.md, "The patient on the screen is the card in the reader"): every
 * card write whose input carries `expectedCardSession` is refused with CARD_CHANGED, before any control-software
 * call, when the card in the reader now has another session. One place for every write: the guard wraps each
 * mutation whose input type has the field, so a new write gets it by declaring the field.
 */
import { GraphQLInputObjectType, getNamedType, type GraphQLSchema } from 'graphql';
import { gatewayError } from '../src/errors/gateway-codes.ts';
import type { GatewayContext } from '../src/context.ts';
import { caught } from './errors.ts';
import type { FieldCoordinate } from '../resolvers/field-errors.ts';

export function guardCardSessions(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const input = field.args.find((arg) => arg.name === 'input');
    const type = input ? getNamedType(input.type) : null;
    if (!(type instanceof GraphQLInputObjectType) || !('expectedCardSession' in type.getFields())) continue;
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = async (source, args, context: GatewayContext, info) => {
      const expected = (args as { input?: { expectedCardSession?: string | null } }).input?.expectedCardSession;
      if (expected != null && (await context.monitor.cardSession('HEALTH_CARD')) !== expected) {
        // A union member like any declared failure (resolvers/field-errors.ts: the CARD_SESSION source).
        return caught(`Mutation.${field.name}` as FieldCoordinate, () => {
          throw gatewayError('CARD_CHANGED');
        });
      }
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
