/**
 * A gateway over the simulator, in-process (createApp + yoga.fetch), wired to the stand-in NHI Web API.
 */
import { createApp } from '../../../src/app.ts';
import { createServices, createSimulatorServices, type RunningServices, type ServicesOptions, type WebApiServiceOptions } from '../../../src/services.ts';
import type { NoCardTreatmentIdPolicy, VisitStrategy } from '../../../src/ports/card-stack.ts';
import type { ControlSoftware } from '../../../src/ports/control-software.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import type { StandIn } from '../../webapi/stand-in.ts';

export interface TestGateway {
  readonly services: RunningServices;
  gql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }>;
  ready(): Promise<{ status: number; body: { ready: boolean; reasons: string[] } }>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  readonly strategy: VisitStrategy;
  /** Web API settings; `standIn` fills in its URL and CA. */
  readonly standIn?: StandIn;
  readonly webApi?: Partial<WebApiServiceOptions>;
  readonly noCardTreatmentId?: NoCardTreatmentIdPolicy;
  /** Another ControlSoftware instead of the simulator (no simulator controls then). */
  readonly controlSoftware?: ControlSoftware;
}

export function startGateway(options: GatewayOptions): TestGateway {
  let webApi: WebApiServiceOptions | undefined;
  if (options.standIn || options.webApi?.url) {
    webApi = {
      url: options.standIn?.url ?? options.webApi!.url!,
      ...(options.standIn ? { caFile: options.standIn.caFile } : {}),
      ...options.webApi,
    };
  }
  const serviceOptions: ServicesOptions = {
    strategy: options.strategy,
    ...(webApi ? { webApi } : {}),
    ...(options.noCardTreatmentId ? { noCardTreatmentId: options.noCardTreatmentId } : {}),
  };
  const services = options.controlSoftware ? createServices(options.controlSoftware, serviceOptions) : createSimulatorServices(serviceOptions);
  const yoga = createApp(services, { graphiql: false, security: { token: TEST_TOKEN } });
  return {
    services,
    async gql(query, variables) {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH_HEADERS },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: any; errors?: any[] };
    },
    async ready() {
      const response = await yoga.fetch('http://localhost/ready', { headers: { ...AUTH_HEADERS } });
      return { status: response.status, body: (await response.json()) as { ready: boolean; reasons: string[] } };
    },
    async close() {
      await services[Symbol.asyncDispose]();
    },
  };
}

export const INSERT_STANDARD = 'mutation { simulatorInsertHealthCard(input: { card: STANDARD }) { __typename } }';

export const START_VISIT = /* GraphQL */ `
  mutation {
    startVisit(input: { treatmentCategory: WESTERN_MEDICINE_OUTPATIENT }) {
      __typename
      ... on Visit { visitTime visitTimeRoc seqNumber samId hospitalId treatmentId treatmentIdSource treatmentIdPending strategy warnings { code vendorCode message messageZh } }
      ... on Error { code category retryable message hint } ... on VendorError { vendorCode }
    }
  }
`;

export const FOR_VISIT = /* GraphQL */ `
  mutation($t: DateTime!) {
    treatmentIdForVisit(input: { visitTime: $t }) {
      __typename
      ... on TreatmentId { treatmentId source visitTimeRoc hospitalId }
      ... on Error { code category retryable message } ... on VendorError { vendorCode }
    }
  }
`;

export const WITHOUT_CARD = /* GraphQL */ `
  mutation($id: String!) {
    treatmentIdWithoutCard(input: { idNumber: $id }) {
      __typename
      ... on TreatmentId { treatmentId source visitTimeRoc hospitalId }
      ... on Error { code category retryable message hint } ... on VendorError { vendorCode }
    }
  }
`;

export const LAST_SEQ = '{ healthCard { lastSeqNumber { ... on LastSeqNumber { seqNumber } } } }';
