import { describe, expect, it } from 'vitest';
import { formatStartupBanner } from '../../../src/cli.ts';

describe('formatStartupBanner', () => {
  it('lists version, backend, GraphiQL, health and ready URLs', () => {
    const lines = formatStartupBanner({ url: 'http://127.0.0.1:8737', backend: 'simulator', version: '0.1.0', graphiql: true });
    expect(lines).toEqual([
      'NHI Card Gateway 0.1.0',
      '  backend:   simulator',
      '  GraphiQL:  http://127.0.0.1:8737/graphql',
      '  WebSocket: ws://127.0.0.1:8737/graphql',
      '  health:    http://127.0.0.1:8737/health',
      '  ready:     http://127.0.0.1:8737/ready',
      'Ctrl+C to stop',
    ]);
  });

  it('says when GraphiQL is off', () => {
    const lines = formatStartupBanner({ url: 'http://127.0.0.1:9000/', backend: 'cshis', version: '0.1.0', graphiql: false });
    expect(lines[2]).toBe('  GraphQL:   http://127.0.0.1:9000/graphql  (GraphiQL off)');
  });
});
