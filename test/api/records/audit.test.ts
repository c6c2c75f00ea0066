/**
 * The new identity reads are audited like basicData (each field named with its outcome, no patient data in the
 * entry), need an allowed Origin or the token, and the record writes need the token even from an allowed Origin.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { createMemoryAuditLog } from '../../../src/security/audit.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

const HIS = 'https://his.example';

describe('card-record access and audit', () => {
  let services: RunningServices;
  let audit: ReturnType<typeof createMemoryAuditLog>;
  let yoga: ReturnType<typeof createApp>;
  beforeEach(() => {
    services = createSimulatorServices({ strategy: 'N1' });
    services.simulator!.insertHealthCard('STANDARD');
    audit = createMemoryAuditLog();
    yoga = createApp(services, { graphiql: false, logger: createMemoryLogger(), security: { token: TEST_TOKEN, allowedOrigins: [HIS], audit } });
  });
  afterEach(async () => services[Symbol.asyncDispose]());

  const post = async (query: string, headers: Record<string, string>) => {
    const response = await yoga.fetch('http://localhost:8737/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  };

  it('records each record read with its outcome and no patient data', async () => {
    const { data, errors } = await post(
      '{ healthCard { prescriptions { __typename } allergies { __typename } visits { __typename } emergencyPhone { __typename ... on EmergencyPhone { emergencyPhone } } } cardVisits { __typename } }',
      // An allowed page reads with a credential (the token here; a pairing token in a browser, docs/security.md).
      { origin: HIS, authorization: `Bearer ${TEST_TOKEN}` },
    );
    expect(errors).toBeUndefined();
    expect(data.healthCard.prescriptions.__typename).toBe('Prescriptions');
    const entry = audit.entries.at(-1)!;
    expect(entry).toMatchObject({ event: 'operation', origin: HIS, auth: 'token' });
    const fields = entry.fields ?? [];
    expect(fields).toEqual(
      expect.arrayContaining([
        { field: 'HealthCard.prescriptions', outcome: 'OK' },
        { field: 'HealthCard.allergies', outcome: 'OK' },
        { field: 'HealthCard.visits', outcome: 'OK' },
        { field: 'HealthCard.emergencyPhone', outcome: 'OK' },
        { field: 'Query.cardVisits', outcome: 'OK' },
      ]),
    );
    expect(JSON.stringify(audit.entries)).not.toMatch(/A123456789|1980-05-12/);
  });

  it('refuses record reads from an unknown origin without the token, and record writes without the token', async () => {
    const read = await post('{ healthCard { prescriptions { __typename } } }', { origin: 'https://evil.example' });
    expect(read.errors?.[0]?.extensions?.code).toMatch(/ORIGIN_NOT_ALLOWED|TOKEN_REQUIRED/);
    const write = await post('mutation { writeEmergencyPhone(input: { idNumber: "A123456789", birthDate: "1980-05-12", emergencyPhone: "0912345678" }) { __typename } }', { origin: HIS });
    expect(write.errors?.[0]?.extensions?.code).toBe('TOKEN_REQUIRED');
    const withToken = await post('mutation { writeEmergencyPhone(input: { idNumber: "A123456789", birthDate: "1980-05-12", emergencyPhone: "0912345678" }) { __typename } }', AUTH_HEADERS);
    expect(withToken.data.writeEmergencyPhone.__typename).toBe('CardRecordWritten');
  });
});
