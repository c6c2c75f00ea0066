/**
 * Imports every type module and builds the schema. `npm run schema` prints it to schema/schema.graphql.
 */
import { builder } from './builder.ts';
import { guardCardSessions } from './card-session-guard.ts';
import './errors.ts';
import './cards.ts';
import './visits.ts';
import './simulator.ts';
import './card-writes.ts';
import './operations.ts';
import './control-software.ts';
import './pairings.ts';
import './records/prescriptions.ts';
import './records/history.ts';
import './records/health-records.ts';
import './records/pin-flows.ts';
import './records/card-tools.ts';
import './records/card-visits.ts';

export function buildSchema() {
  return guardCardSessions(builder.toSchema());
}
