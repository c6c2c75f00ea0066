/**
 * GraphQL over SSE as the gateway writes it (yoga's "distinct connections" mode: one request per operation,
 * `event: next` per result, `event: complete` at the end), plus what yoga's own writer lacks
 * (docs/protocol.md):
 * - each result that carries `extensions.eventId` is sent with an SSE `id:` line, so a reconnecting client
 *   can send `Last-Event-ID`;
 * - `completeAll()` ends every open stream with `event: complete`, so a shutdown is not mistaken for a crash.
 */
import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

type OnResultProcess = NonNullable<Plugin['onResultProcess']>;
type ProcessPayload = Parameters<OnResultProcess>[0];
/** yoga's result processor type (not exported by name). */
export type ResultProcessor = Parameters<ProcessPayload['setResultProcessor']>[0];
type ResultProcessorInput = ProcessPayload['result'];

/** A comment line now and then keeps proxies and idle timers from closing a quiet stream. */
export const SSE_KEEPALIVE_MS = 12_000;

export interface SseStreams {
  /** Writes the SSE response for one operation (a yoga result processor). */
  readonly processor: ResultProcessor;
  /** Streams open now. */
  readonly open: number;
  /** Ends every open stream with `event: complete`; later streams end at once the same way. */
  completeAll(): void;
}

interface OpenStream {
  complete(): void;
}

export function createSseStreams(): SseStreams {
  const streams = new Set<OpenStream>();
  let closing = false;

  const processor: ResultProcessor = (result, fetchAPI) => {
    const encoder = new fetchAPI.TextEncoder();
    const iterator = toIterator(result);
    let keepalive: ReturnType<typeof setInterval> | undefined;
    let finished = false;
    let stream: OpenStream | undefined;

    const finish = (controller: ReadableStreamDefaultController<Uint8Array>, complete: boolean): void => {
      if (finished) return;
      finished = true;
      clearInterval(keepalive);
      if (stream) streams.delete(stream);
      if (complete) controller.enqueue(encoder.encode('event: complete\ndata:\n\n'));
      controller.close();
    };

    const body = new fetchAPI.ReadableStream<Uint8Array>({
      start(controller) {
        // Some browsers hold a fetch until the first bytes arrive: start with a comment.
        controller.enqueue(encoder.encode(':\n\n'));
        keepalive = setInterval(() => {
          if (!finished && (controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(':\n\n'));
        }, SSE_KEEPALIVE_MS);
        keepalive.unref?.();
        stream = {
          complete() {
            finish(controller, true);
            void Promise.resolve(iterator.return?.()).catch(() => undefined);
          },
        };
        streams.add(stream);
        if (closing) stream.complete();
      },
      async pull(controller) {
        let step: IteratorResult<ExecutionResult>;
        try {
          step = await iterator.next();
        } catch (error) {
          if (!finished) {
            finished = true;
            clearInterval(keepalive);
            if (stream) streams.delete(stream);
            controller.error(error);
          }
          return;
        }
        if (finished) return;
        if (step.value != null) controller.enqueue(encoder.encode(nextEvent(step.value)));
        if (step.done) finish(controller, true);
      },
      cancel() {
        // The client went away.
        finished = true;
        clearInterval(keepalive);
        if (stream) streams.delete(stream);
        return Promise.resolve(iterator.return?.()).then(() => undefined, () => undefined);
      },
    });
    return new fetchAPI.Response(body, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'content-encoding': 'none',
      },
    });
  };

  return {
    processor,
    get open() {
      return streams.size;
    },
    completeAll() {
      closing = true;
      for (const stream of [...streams]) stream.complete();
    },
  };
}

/** One `event: next` message, with `id:` when the result carries an event id. */
export function nextEvent(result: ExecutionResult): string {
  const id = result.extensions?.['eventId'];
  // An id may not contain line breaks (it would end the field); ours never do, but never trust a value blindly.
  const idLine = typeof id === 'string' && !/[\r\n\0]/.test(id) ? `id: ${id}\n` : '';
  return `${idLine}event: next\ndata: ${JSON.stringify(publicResult(result))}\n\n`;
}

/** The result as a client may see it: without yoga's internal `http` extension or error internals. */
function publicResult(result: ExecutionResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (result.errors?.length) out['errors'] = result.errors.map(publicError);
  if ('data' in result) out['data'] = result.data;
  if (result.extensions) {
    const { http: _http, ...extensions } = result.extensions;
    if (Object.keys(extensions).length > 0) out['extensions'] = extensions;
  }
  return out;
}

function publicError(error: GraphQLError | GraphQLFormattedError): GraphQLFormattedError {
  const formatted: GraphQLFormattedError = 'toJSON' in error && typeof error.toJSON === 'function' ? error.toJSON() : error;
  if (!formatted.extensions) return formatted;
  const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions;
  const { extensions: _all, ...rest } = formatted;
  return Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest;
}

function toIterator(result: ResultProcessorInput): AsyncIterator<ExecutionResult> {
  if (isAsyncIterable(result)) return result[Symbol.asyncIterator]();
  // A query or mutation asked for as SSE: one `next`, then `complete` (a batch is sent as one array).
  let sent = false;
  return {
    next: () => {
      if (sent) return Promise.resolve({ value: undefined, done: true });
      sent = true;
      return Promise.resolve({ value: result as ExecutionResult, done: false });
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
