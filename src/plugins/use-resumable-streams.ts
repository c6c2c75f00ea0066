/**
 * Resumable subscriptions (docs/protocol.md):
 * - gives each subscription a stream cursor, starting after the id the client last saw: the SSE `Last-Event-ID`
 *   header, or `extensions.lastEventId` in the request (the only way over graphql-ws);
 * - labels each result of a resumable stream with `extensions.eventId` (and `replayed: true` for replays, and
 *   `resume: 'REPLAYED' | 'GAP'` on the first result after a resume);
 * - writes SSE responses with `src/transport/sse.ts`, which turns `eventId` into the SSE `id:` line.
 */
import type { Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { createStreamCursor, type StreamCursor } from '../domain/stream-cursor.ts';
import type { SseStreams } from '../transport/sse.ts';

export const LAST_EVENT_ID_HEADER = 'last-event-id';

export function useResumableStreams(sse: SseStreams): Plugin {
  const subscriptionRequests = new WeakSet<Request>();
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as {
        request?: Request;
        params?: { extensions?: Record<string, unknown> };
        streamCursor?: StreamCursor;
      };
      if (context.request) subscriptionRequests.add(context.request);
      // Made here, not while building every request's context: only subscriptions read it (before their
      // source starts, which is after every onSubscribe hook).
      const fromExtensions = context.params?.extensions?.['lastEventId'];
      const fromHeader = context.request?.headers.get(LAST_EVENT_ID_HEADER);
      const cursor = createStreamCursor(typeof fromExtensions === 'string' ? fromExtensions : fromHeader);
      context.streamCursor = cursor;
      let first = true;
      return {
        onSubscribeResult: () => ({
          onNext({ result, setResult }) {
            const labelled = label(result, cursor, first);
            first = false;
            if (labelled !== result) setResult(labelled);
          },
        }),
      };
    },
    onResultProcess({ request, result, setResultProcessor }) {
      const iterable = typeof result === 'object' && result !== null && Symbol.asyncIterator in result;
      if (choosesEventStreamCached(request, iterable, subscriptionRequests.has(request))) {
        setResultProcessor(sse.processor, 'text/event-stream');
      }
    },
  };
}

function label(result: ExecutionResult, cursor: StreamCursor, first: boolean): ExecutionResult {
  const current = cursor.current;
  // Only items handed out by a resumable stream since the last result are labelled.
  cursor.current = null;
  if (!current) return result;
  return {
    ...result,
    extensions: {
      ...result.extensions,
      eventId: current.id,
      ...(current.replayed ? { replayed: true } : {}),
      ...(first && cursor.resume ? { resume: cursor.resume } : {}),
    },
  };
}

/**
 * Whether yoga 5 would answer with its SSE writer: per accepted type, the last of its processors (SSE, then
 * multipart for non-subscriptions, then JSON for single results) that matches wins. We replace that writer
 * only, so every other response stays yoga's.
 */
export function choosesEventStream(request: Request, iterable: boolean, subscription: boolean): boolean {
  const processors: { kind: 'sse' | 'other'; types: string[]; iterables: boolean }[] = [
    { kind: 'sse', types: ['text/event-stream'], iterables: true },
    ...(subscription ? [] : [{ kind: 'other' as const, types: ['multipart/mixed'], iterables: true }]),
    { kind: 'other', types: ['application/graphql-response+json', 'application/json'], iterables: false },
  ];
  let chosen: 'sse' | 'other' | null = null;
  for (const processor of processors) {
    if (iterable && !processor.iterables) continue;
    for (const asked of acceptedTypes(request)) {
      if (processor.types.some((type) => matches(asked, type))) chosen = processor.kind;
    }
  }
  return chosen === 'sse';
}

/**
 * {@link choosesEventStream} remembered per Accept value: it depends on nothing else of the request, and a
 * page sends the same Accept every time, so this parse ran identically on every request. Bounded, since
 * the header is the client's (256 values per kind of result).
 */
const choices: readonly Map<string, boolean>[] = [new Map(), new Map(), new Map(), new Map()];
export function choosesEventStreamCached(request: Request, iterable: boolean, subscription: boolean): boolean {
  // One map per (iterable, subscription), keyed by the Accept value itself: no key string made per request.
  const byAccept = choices[(iterable ? 2 : 0) + (subscription ? 1 : 0)]!;
  const accept = request.headers.get('accept') ?? '';
  let chosen = byAccept.get(accept);
  if (chosen === undefined) {
    chosen = choosesEventStream(request, iterable, subscription);
    if (byAccept.size >= 256) byAccept.clear();
    byAccept.set(accept, chosen);
  }
  return chosen;
}

function acceptedTypes(request: Request): string[] {
  const types: string[] = [];
  for (const part of (request.headers.get('accept') || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [type, ...params] = part.split(';');
    const charset = params.find((p) => p.startsWith('charset='));
    if (type && (!charset || charset === 'charset=utf-8')) types.push(type);
  }
  return types;
}

function matches(asked: string, type: string): boolean {
  const [askedMain, askedSub] = asked.split('/');
  const [main, sub] = type.split('/');
  return (askedMain === '*' || askedMain === main) && (askedSub === '*' || askedSub === sub);
}
