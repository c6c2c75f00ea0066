/**
 * The NHI Card Gateway client kit: a typed client (HTTP + graphql-ws or SSE), the registration-desk operations
 * with generated types, and the error-code catalogue. See docs/his-developers.md.
 */
export { createGatewayClient, GatewayRequestError, isGatewayError, queryText } from './src/client.ts';
export type {
  GatewayClient,
  GatewayClientOptions,
  GatewayErrorFields,
  ExecutionResultOf,
  SubscribeOptions,
  Transport,
  TypedDocumentNode,
} from './src/client.ts';
export { findGateway, pairGateway, GatewayNotFoundError, GATEWAY_BASE_PORT, GATEWAY_PORT_RANGE, GATEWAY_PORTS } from './src/find-gateway.ts';
export type { FindGatewayOptions, FoundGateway, PairGatewayOptions, PairedGateway, ProbeOutcome } from './src/find-gateway.ts';
export { backoffDelay } from './src/reconnect.ts';
export type { BackoffOptions, ConnectionState, ConnectionStateChange } from './src/reconnect.ts';
export { errorCatalogue, describeError, errorForVendorCode, errorForWebApiRtnCode, isErrorCode } from './src/errors.ts';
export type { ErrorCode, ErrorCatalogueEntry, Language } from './src/errors.ts';
export * from './generated/graphql.ts';
