/**
 * Imports every type module and builds the schema. `npm run schema` prints it to schema/schema.graphql.
 */
import { builder } from './builder.ts';
import './errors.ts';
import './cards.ts';
import './visits.ts';
import './simulator.ts';
import './card-writes.ts';
import './operations.ts';
import './control-software.ts';
import './pairings.ts';

export function buildSchema() {
  return builder.toSchema();
}
