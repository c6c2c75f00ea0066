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

/**
 * Not sorted here: Pothos' default sort rebuilds every type a second time, about 30 ms of the executable's
 * start-up (docs/performance.md). The printed schema is sorted by build/print-schema.ts; introspection
 * lists types and fields in definition order.
 */
export function buildSchema() {
  return guardCardSessions(builder.toSchema({ sortSchema: false }));
}
