import type { Plugin } from 'graphql-yoga';

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
 * `useReadinessCheck`, a not-ready answer says why.
 */
export function useReadiness({ endpoint = '/ready', check, timeoutMs = 5000, onCheckError }: ReadinessOptions): Plugin {
  const answer = async (
    request: Request,
    endResponse: (response: Response) => void,
    fetchAPI: { Response: typeof Response },
  ): Promise<void> => {
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
  return {
    // Synchronous for every other path: an async hook would make every GraphQL request wait a microtask turn.
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return undefined;
      return answer(request, endResponse, fetchAPI);
    },
  };
}
