/**
 * `/metrics`: the gateway's Prometheus metrics in the text format (src/metrics/gateway-metrics.ts), a route
 * for src/plugins/use-routes.ts; and the plugin that counts the open subscriptions it reports.
 *
 * For this machine only (docs/metrics.md): like `/status`, a request whose TCP peer is not loopback gets 403.
 * A clinic collects it with a collector on each workstation that scrapes 127.0.0.1. With the gateway's
 * security on, the access-control plugin refuses first (LOOPBACK_ONLY, and cross-site origins); `allow`
 * is the check for a gateway without it.
 */
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import { isLoopbackClient } from './use-status-page.ts';
import type { Route } from './use-routes.ts';

export const METRICS_PATH = '/metrics';

export interface MetricsRouteOptions {
  readonly metrics: GatewayMetrics;
  /** Whether this request may read the metrics. Default: loopback peers only. */
  readonly allow?: (request: Request, serverContext: Record<string, unknown> | undefined) => boolean;
}

export function metricsRoute(options: MetricsRouteOptions): Route {
  const { metrics } = options;
  const allow = options.allow ?? isLoopbackClient;
  return {
    paths: [METRICS_PATH],
    async handle({ request, serverContext, endResponse, fetchAPI }) {
      const respond = (body: string | null, status: number, headers: Record<string, string>) =>
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
            status,
            headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
          }),
        );
      if (!allow(request, serverContext as Record<string, unknown> | undefined)) {
        respond('metrics are served to this computer only (scrape http://127.0.0.1)\n', 403, { 'content-type': 'text/plain; charset=utf-8' });
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        respond(null, 405, { allow: 'GET, HEAD' });
        return;
      }
      respond(await metrics.render(), 200, { 'content-type': metrics.contentType });
    },
  };
}

/** Counts the open subscriptions (HTTP, SSE and WebSocket alike) into the metrics. */
export function useSubscriptionMetrics(metrics: GatewayMetrics): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) return undefined;
          metrics.subscriptionOpened();
          let closed = false;
          return {
            onEnd() {
              if (closed) return;
              closed = true;
              metrics.subscriptionClosed();
            },
          };
        },
      };
    },
  };
}
