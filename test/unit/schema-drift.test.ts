import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printGatewaySchema, SCHEMA_FILE } from '../../build/print-schema.ts';

describe('schema/schema.graphql', () => {
  it('matches the Pothos schema (run `npm run schema` when this fails)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8'), 'schema/schema.graphql is stale: run `npm run schema`').toBe(printGatewaySchema());
  });

  it('exposes the operations HIS front ends build on', () => {
    const sdl = printGatewaySchema();
    for (const field of ['gateway: Gateway!', 'readers: [Reader!]!', 'healthCard: HealthCard!', 'sam: SamResult!', 'lightState: LightStateResult!']) {
      expect(sdl).toContain(field);
    }
    for (const mutation of ['startVisit(', 'quickInsuranceCheck(', 'treatmentIdForVisit(', 'treatmentIdWithoutCard(', 'cancelVisit(', 'writeTreatment(', 'verifySam:', 'resetControlSoftware(']) {
      expect(sdl).toContain(mutation);
    }
    expect(sdl).toMatch(/lightStateChanged: LightState!/);
    expect(sdl).toMatch(/readerEvents: ReaderEvent!/);
    expect(sdl).toMatch(/union StartVisitResult = GatewayError \| VendorError \| Visit/);
    expect(sdl).toMatch(/startVisit\(input: StartVisitInput!\): StartVisitResult!/);
  });
});
