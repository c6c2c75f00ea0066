/**
 * The gateway's access token for tests: pass `security: { token: TEST_TOKEN }` to createApp and send
 * AUTH_HEADERS (HTTP) or WS_AUTH (graphql-ws connectionParams). Production gets its token from the token
 * file; createApp without one makes up a secret nobody knows.
 */
export const TEST_TOKEN = 'nhi-gateway-test-token-0123456789abcdef';

/** `Authorization: Bearer <TEST_TOKEN>`. */
export const AUTH_HEADERS: Readonly<Record<string, string>> = { authorization: `Bearer ${TEST_TOKEN}` };

/** graphql-ws `connectionParams` carrying the token. */
export const WS_AUTH: Readonly<Record<string, unknown>> = { authorization: `Bearer ${TEST_TOKEN}` };
