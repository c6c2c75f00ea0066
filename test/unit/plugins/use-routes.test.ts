/**
 * The router (src/plugins/use-routes.ts): exact paths and prefixes, first route in order wins, and a path no
 * route serves goes on (undefined) with nothing answered.
 */
import { describe, expect, it } from 'vitest';
import { createSchema, createYoga } from 'graphql-yoga';
import { createRouteTable, useRoutes, type Route } from '../../../src/plugins/use-routes.ts';

const route = (name: string, shape: Pick<Route, 'paths' | 'prefixes'>): Route & { name: string } => ({
  name,
  ...shape,
  handle: ({ endResponse, fetchAPI }) => endResponse(new fetchAPI.Response(name)),
});

describe('createRouteTable', () => {
  const pairing = route('pairing', { paths: ['/pair', '/status/pairing'] });
  const assets = route('assets', { prefixes: ['/assets/'] });
  const status = route('status', { paths: ['/status'], prefixes: ['/status/'] });
  const late = route('late', { paths: ['/assets/late', '/pair'] });
  const routeFor = createRouteTable([pairing, assets, status, late]);

  it('finds exact paths and prefixes', () => {
    expect(routeFor('/pair')).toBe(pairing);
    expect(routeFor('/status')).toBe(status);
    expect(routeFor('/status/widget.js')).toBe(status);
    expect(routeFor('/assets/abc/graphiql.js')).toBe(assets);
  });

  it('gives a path to the first route in order that matches it', () => {
    expect(routeFor('/status/pairing')).toBe(pairing); // exact, before the /status/ prefix
    expect(routeFor('/assets/late')).toBe(assets); // an earlier prefix before a later exact path
    expect(routeFor('/pair')).toBe(pairing); // the same path twice: the first
  });

  it('leaves every other path alone', () => {
    for (const path of ['/graphql', '/health', '/', '/statusx', '/status.', '/assets', '/pair/', '/PAIR', '']) {
      expect(routeFor(path), path).toBeUndefined();
    }
  });
});

describe('useRoutes', () => {
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { a: Int }', resolvers: { Query: { a: () => 1 } } }),
    logging: false,
    plugins: [useRoutes([route('one', { paths: ['/one'] }), route('two', { prefixes: ['/two/'] })])],
  });

  it('answers its routes and hands everything else to yoga', async () => {
    expect(await (await yoga.fetch('http://localhost/one')).text()).toBe('one');
    expect(await (await yoga.fetch('http://localhost/two/x?y=1')).text()).toBe('two');
    expect((await yoga.fetch('http://localhost/three')).status).toBe(404);
    const graphql = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ a }' }),
    });
    expect(await graphql.json()).toEqual({ data: { a: 1 } });
  });

  it('answers synchronously: no promise for a path it does not serve', () => {
    const plugin = useRoutes([route('one', { paths: ['/one'] })]);
    const payload = { url: new URL('http://localhost/graphql') } as Parameters<NonNullable<typeof plugin.onRequest>>[0];
    expect(plugin.onRequest!(payload)).toBeUndefined();
  });
});

describe('useRoutes with a door', () => {
  const answered: string[] = [];
  const door = ({ url, endResponse, fetchAPI }: Parameters<NonNullable<ReturnType<typeof useRoutes>['onRequest']>>[0]): boolean => {
    answered.push(url.pathname);
    if (!url.pathname.startsWith('/closed')) return false;
    endResponse(new fetchAPI.Response('door', { status: 403 }));
    return true;
  };
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { a: Int }' }),
    logging: false,
    plugins: [useRoutes([route('open', { paths: ['/open'] }), route('closed', { prefixes: ['/closed/'] })], { door })],
  });

  it('runs the door first on every request, and no route once it answered', async () => {
    const closed = await yoga.fetch('http://localhost/closed/x');
    expect([closed.status, await closed.text()]).toEqual([403, 'door']);
    expect(await (await yoga.fetch('http://localhost/open')).text()).toBe('open');
    expect((await yoga.fetch('http://localhost/elsewhere')).status).toBe(404);
    expect(answered).toEqual(['/closed/x', '/open', '/elsewhere']);
  });
});
