/**
 * The Pothos builder. Defines no types (Pothos app layout): the type modules beside it do.
 */
import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from '../src/context.ts';

/** The API version this schema implements (docs/api-conventions.md docs/reference/buffers.md); schema/released/<it>.graphql is its release. */
export const API_VERSION = '1.0';

/** Time scalars (schema/scalars.ts): inputs are parsed to an ISO date or a 13-digit ROC date-time. */
type DateOutput = Date | string;

export interface BuilderTypes {
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    Date: { Input: string; Output: DateOutput };
    RocDate: { Input: string; Output: DateOutput };
    DateTime: { Input: string; Output: DateOutput };
    RocDateTime: { Input: string; Output: DateOutput };
  };
}

export const builder = new SchemaBuilder<BuilderTypes>({
  defaultFieldNullability: false,
});

builder.queryType({ description: 'Reads: the gateway, readers, cards, the SAM and the lights.' });
builder.mutationType({ description: 'Operations that talk to cards: visits, treatment IDs, writes, SAM and resets.' });
builder.subscriptionType({ description: 'Live streams for status widgets.' });
