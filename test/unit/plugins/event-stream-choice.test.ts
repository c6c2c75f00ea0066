/**
 * src/plugins/use-resumable-streams.ts: the SSE-or-JSON choice remembered per Accept value and kind of result
 * is the choice made afresh, whatever the order the requests come in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choosesEventStream, choosesEventStreamCached } from '../../../src/plugins/use-resumable-streams.ts';

const ACCEPTS = [
  null,
  '',
  '*/*',
  'text/event-stream',
  'application/json',
  'application/graphql-response+json, application/json;q=0.9',
  'multipart/mixed',
  'text/event-stream;charset=latin1, application/json',
  'text/*',
  'TEXT/EVENT-STREAM',
];

const request = (accept: string | null): Request =>
  new Request('http://127.0.0.1/graphql', { method: 'POST', headers: accept === null ? {} : { accept } });

describe('choosesEventStreamCached', () => {
  it('answers as choosesEventStream for every Accept value and kind of result, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...ACCEPTS), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 40 }), (calls) => {
        for (const [accept, iterable, subscription] of calls) {
          const r = request(accept);
          expect(choosesEventStreamCached(r, iterable, subscription)).toBe(choosesEventStream(r, iterable, subscription));
        }
      }),
      { numRuns: 100 },
    );
  });
});
