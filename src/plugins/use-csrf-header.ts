/**
 * Yoga's CSRF prevention with a typed refusal. CORS alone does not stop a cross-site form POST or a simple
 * GET from executing (docs/security.md (3. CSRF header)); requiring a custom header on every request a browser would send
 * without a preflight does: a page cannot add a header without triggering the preflight, which the origin
 * check then answers.
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import { refusal } from '../security/refusals.ts';

/** The gateway's own header (any value), and yoga's default name, which yoga's own clients send. */
export const CSRF_HEADERS = ['x-nhi-gateway', 'x-graphql-yoga-csrf'] as const;

export function useCsrfHeader(onRefused?: (request: Request) => void): Plugin {
  const inner = useCSRFPrevention({ requestHeaders: [...CSRF_HEADERS] });
  const check = inner.onRequestParse;
  if (!check) throw new Error('useCSRFPrevention has no onRequestParse hook');
  return {
    onRequestParse(payload) {
      try {
        return check(payload);
      } catch {
        onRefused?.(payload.request);
        throw refusal('CSRF_HEADER_MISSING');
      }
    },
  };
}
