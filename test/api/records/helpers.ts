/**
 * An in-process gateway over the simulator (createApp + yoga.fetch) for the card-record API tests, with the
 * STANDARD card and a professional card in and its PIN verified.
 */
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { collectSse } from '../../helpers/sse.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';

export interface RecordsGateway {
  readonly services: RunningServices;
  gql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }>;
  /** Every snapshot operationProgress(id) streams (over SSE), until DONE or FAILED. */
  progress(id: string, fields: string): Promise<any[]>;
  close(): Promise<void>;
}

/** The simulator's STANDARD cardholder (src/adapters/simulator/patients.ts). */
export const STANDARD = { idNumber: 'A123456789', birthDate: '1980-05-12' } as const;

export const ERR = '__typename ... on Error { code message } ... on VendorError { vendorCode }';

export async function startRecordsGateway(options: { professionalPin?: boolean; card?: string } = {}): Promise<RecordsGateway> {
  const services = createSimulatorServices({ strategy: 'N1' });
  const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
  const gql: RecordsGateway['gql'] = async (query, variables) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH_HEADERS },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  };
  await gql(`mutation { simulatorInsertHealthCard(input: { card: ${options.card ?? 'STANDARD'} }) { __typename } }`);
  await gql('mutation { simulatorInsertProfessionalCard { __typename } }');
  if (options.professionalPin !== false) await gql('mutation { verifyProfessionalCardPin { __typename } }');
  return {
    services,
    gql,
    async progress(id, fields) {
      const events = await collectSse<{ operationProgress: unknown }>(
        'http://localhost/graphql',
        `subscription ($id: ID!) { operationProgress(id: $id) { ${fields} } }`,
        { id },
        { fetch: yoga.fetch, headers: AUTH_HEADERS },
      );
      return events.map((e) => {
        if (e.errors) throw new Error(JSON.stringify(e.errors));
        return e.data!.operationProgress;
      });
    },
    close: async () => {
      await services[Symbol.asyncDispose]();
    },
  };
}

/** Registers a visit and returns its ROC visit time. */
export async function startVisit(gw: RecordsGateway): Promise<string> {
  const { data, errors } = await gw.gql(
    `mutation { startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) { ${ERR} ... on Visit { visitTimeRoc } } }`,
  );
  if (errors || data.startVisit.__typename !== 'Visit') throw new Error(`startVisit: ${JSON.stringify(errors ?? data)}`);
  return data.startVisit.visitTimeRoc as string;
}
