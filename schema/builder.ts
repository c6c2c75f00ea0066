/**
 * The Pothos builder. Defines no types (Pothos app layout): the type modules beside it do.
 */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import type { GatewayContext } from '../src/context.ts';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
}>({
  plugins: [ErrorsPlugin],
  defaultFieldNullability: false,
  errors: { defaultTypes: [] },
});

builder.queryType({ description: 'Reads: the gateway, readers, cards, the SAM and the lights.' });
builder.mutationType({ description: 'Operations that talk to cards: visits, treatment IDs, writes, SAM and resets.' });
builder.subscriptionType({ description: 'Live streams for status widgets.' });
