/**
 * One `onRequest` hook for every path the gateway answers itself (pairing, credential check, readiness,
 * GraphiQL's assets, the status page, metrics): each route's logic lives in its own file and is handed
 * here as a {@link Route}. yoga runs every plugin's `onRequest` for every request through its promise
 * helpers, a few hundred bytes each (docs/performance.md); with one router a GraphQL request costs one
 * Map lookup and a prefix check or two, then goes on to yoga.
 *
 * The first route, in the order given, whose path or prefix matches answers the request: the same request
 * the separate hooks it replaces would have answered, in their order. A `door` (the access checks,
 * src/plugins/use-access-control.ts `createDoor`) runs before any route, on every request, in the same hook.
 */
import type { Plugin } from 'graphql-yoga';

/** What a route gets: yoga's `onRequest` payload (request, url, serverContext, endResponse, fetchAPI …). */
export type RouteRequest = Parameters<NonNullable<Plugin['onRequest']>>[0];

export interface Route {
  /** Paths this route answers, exactly as `url.pathname`. */
  readonly paths?: readonly string[];
  /** Path prefixes this route answers (e.g. `/graphiql-assets/`). */
  readonly prefixes?: readonly string[];
  /** Answers the request (`endResponse`); every route answers every request it matches. */
  readonly handle: (request: RouteRequest) => void | Promise<void>;
}

/** The route a path goes to, or undefined for yoga (GraphQL, /health, 404). */
export function createRouteTable(routes: readonly Route[]): (path: string) => Route | undefined {
  const exact = new Map<string, number>();
  const prefixes: { readonly prefix: string; readonly index: number }[] = [];
  routes.forEach((route, index) => {
    for (const path of route.paths ?? []) if (!exact.has(path)) exact.set(path, index);
    for (const prefix of route.prefixes ?? []) prefixes.push({ prefix, index });
  });
  return (path) => {
    let index = exact.get(path) ?? routes.length;
    // Prefixes are in route order: the first one that matches before the exact route wins, as it did when
    // each route was its own hook.
    for (const entry of prefixes) {
      if (entry.index >= index) break;
      if (path.startsWith(entry.prefix)) {
        index = entry.index;
        break;
      }
    }
    return routes[index];
  };
}

export interface RoutesOptions {
  /** Runs first, for every request; true when it answered (then no route runs). */
  readonly door?: ((request: RouteRequest) => boolean) | undefined;
}

export function useRoutes(routes: readonly Route[], { door }: RoutesOptions = {}): Plugin {
  const routeFor = createRouteTable(routes);
  return {
    // Synchronous for every other path: an async hook would make every GraphQL request wait a microtask turn.
    onRequest(payload) {
      if (door?.(payload)) return undefined;
      return routeFor(payload.url.pathname)?.handle(payload);
    },
  };
}
