import type { Plugin } from 'graphql-yoga';
import { useRoutes, type Route, type RouteRequest } from './use-routes.ts';

export interface Readiness {
  readonly ready: boolean;
  /** Why the gateway is not ready (empty when ready); shown to operators, so no patient data. */
  readonly reasons: readonly string[];
  /** Which backend answers (e.g. `simulator (auto: …)`), so a probe can tell rehearsal from real cards. */
  readonly backend?: string;
}

export interface ReadinessOptions {
  /** @default '/ready' */
  endpoint?: string;
  check: () => Promise<Readiness>;
  /**
   * A check that takes longer answers 503 with a timeout reason (a stuck vendor call must not hang
   * the probe).
   * @default 5000
   */
  timeoutMs?: number;
  onCheckError?: (error: unknown) => void;
}

/**
 * Answers `GET /ready` with `{ ready, reasons }` as JSON: 200 when ready, 503 otherwise. Unlike yoga's
 * `useReadinessCheck`, a not-ready answer says why. A route for src/plugins/use-routes.ts.
 */
export function readinessRoute({ endpoint = '/ready', check, timeoutMs = 5000, onCheckError }: ReadinessOptions): Route {
  const answer = async ({ request, endResponse, fetchAPI }: RouteRequest): Promise<void> => {
    let result: Readiness;
    let timer: NodeJS.Timeout | undefined;
    try {
      result = await Promise.race([
        check(),
        new Promise<Readiness>((resolve) => {
          timer = setTimeout(
            () => resolve({ ready: false, reasons: [`readiness check timed out after ${timeoutMs} ms`] }),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      onCheckError?.(error);
      result = {
        ready: false,
        reasons: [`readiness check failed: ${error instanceof Error ? error.message : String(error)}`],
      };
    } finally {
      clearTimeout(timer);
    }
    const body = JSON.stringify({ ready: result.ready, reasons: result.reasons, ...(result.backend ? { backend: result.backend } : {}) });
    endResponse(
      new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
        status: result.ready ? 200 : 503,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      }),
    );
  };
  return { paths: [endpoint], handle: answer };
}

/** {@link readinessRoute} as a plugin of its own (for a yoga without the gateway's router). */
export function useReadiness(options: ReadinessOptions): Plugin {
  return useRoutes([readinessRoute(options)]);
}
