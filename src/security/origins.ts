/**
 * Who is calling, by address: the Origin allow-list, the gateway's own origin, the Host check against DNS
 * rebinding, and loopback tests for socket addresses. Pure functions, no I/O.
 */
import { isIP } from 'node:net';

/**
 * The serialized origin of `value` (`scheme://host[:port]`, lowercase, default port dropped), or an error
 * message. Only http and https origins can be allowed: `null` (sandboxed frames, file:// pages) and `*`
 * never can.
 */
export function normalizeOrigin(value: string): { origin: string } | { error: string } {
  const trimmed = value.trim();
  if (trimmed === '*' || trimmed.toLowerCase() === 'null') {
    return { error: `${JSON.stringify(value)} cannot be allowed: list each HIS origin, e.g. https://his.example` };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { error: `${JSON.stringify(value)} is not an origin (scheme://host[:port], e.g. https://his.example)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `${JSON.stringify(value)}: only http and https origins can be allowed` };
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return { error: `${JSON.stringify(value)} is not an origin: give scheme://host[:port] only, without a path` };
  }
  return { origin: url.origin };
}

/** `localhost`, `*.localhost`, 127.0.0.0/8, ::1 (bracketed or not) and IPv4-mapped 127.x. */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isLoopbackAddress(host);
}

/** A socket's remote address on this machine: 127.0.0.0/8, ::1, ::ffff:127.x. */
export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * The Host check against DNS rebinding: a page on `evil.example` whose name is re-pointed at 127.0.0.1
 * reaches us with `Host: evil.example:8737` (and, being "same-origin" to itself, often without an Origin
 * header). Any IP literal or a loopback name is fine; other names only with --allow-remote.
 */
export function isLocalHostHeader(hostname: string): boolean {
  // What nearly every request carries, answered without the regex and the IP parse.
  if (hostname === '127.0.0.1' || hostname === 'localhost') return true;
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return isLoopbackHostname(host) || isIP(host) !== 0;
}

export type OriginVerdict =
  /** No Origin header: not a browser page (curl, a native HIS, a same-origin GET); other checks decide. */
  | 'absent'
  /** On the allow-list. */
  | 'allowed'
  /** The gateway's own origin on a loopback name (GraphiQL, the status page). */
  | 'own'
  /** Present and not allowed (including `null`): refused with ORIGIN_NOT_ALLOWED. */
  | 'refused';

export class OriginPolicy {
  readonly allowed: ReadonlySet<string>;

  /** @param allowedOrigins already normalized (see {@link normalizeOrigin}); others are normalized here. */
  constructor(allowedOrigins: readonly string[] = []) {
    const set = new Set<string>();
    for (const value of allowedOrigins) {
      const result = normalizeOrigin(value);
      if ('error' in result) throw new Error(`allowed origin ${result.error}`);
      set.add(result.origin);
    }
    this.allowed = set;
  }

  /**
   * @param origin the Origin header, or null when absent
   * @param requestUrl the URL the request was sent to (its host is the Host header)
   */
  verdict(origin: string | null, requestUrl: Pick<URL, 'origin' | 'hostname'>): OriginVerdict {
    if (origin === null) return 'absent';
    const normalized = normalizeOrigin(origin);
    if ('error' in normalized) return 'refused';
    if (this.allowed.has(normalized.origin)) return 'allowed';
    // Same origin as the request, on a loopback name: GraphiQL served by this gateway. A rebinding page has
    // the same origin as its request too, but its host is a DNS name, so it is not "own".
    if (normalized.origin === requestUrl.origin && isLoopbackHostname(requestUrl.hostname)) return 'own';
    return 'refused';
  }
}
