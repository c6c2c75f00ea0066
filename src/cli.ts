/** Console output of the gateway process. */

export interface StartupBannerInfo {
  /** Base URL the server listens on, e.g. `http://127.0.0.1:8737` (as `RunningServer.url`). */
  readonly url: string;
  /** Backend in use, e.g. `simulator`, or `cshis (C:\NHI\LIB\CSHIS.dll)`. */
  readonly backend: string;
  readonly version: string;
  readonly graphiql: boolean;
}

/** The lines printed once the gateway listens (no trailing newlines). */
export function formatStartupBanner(info: StartupBannerInfo): string[] {
  const base = info.url.replace(/\/+$/, '');
  const graphql = `${base}/graphql`;
  return [
    `NHI Card Gateway ${info.version}`,
    `  backend:   ${info.backend}`,
    info.graphiql ? `  GraphiQL:  ${graphql}` : `  GraphQL:   ${graphql}  (GraphiQL off)`,
    `  WebSocket: ${graphql.replace(/^http/, 'ws')}`,
    `  health:    ${base}/health`,
    `  ready:     ${base}/ready`,
    'Ctrl+C to stop',
  ];
}
