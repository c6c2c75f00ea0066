/**
 * Subscriptions over GraphQL-over-SSE as the gateway serves it (one POST per subscription, `event: next` /
 * `event: complete`, an `id:` per event; docs/protocol.md). Read with fetch streaming, because EventSource cannot
 * POST or send headers.
 *
 * Reconnects forever with capped, jittered backoff, sending `Last-Event-ID` so the gateway replays what was
 * missed. A stream the gateway completes is started again (it is shutting down) unless `endOnComplete`.
 */
import type { ExecutionResultOf, GraphQLErrorLike } from '../client.ts';
import { GatewayRequestError } from '../client.ts';
import { backoffDelay, sleep, toError, type BackoffOptions, type ConnectionStateChange } from '../reconnect.ts';

export interface SseSubscribeOptions {
  readonly fetch: typeof fetch;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly endOnComplete: boolean;
  readonly backoff?: BackoffOptions;
  readonly onStateChange?: (change: ConnectionStateChange) => void;
}

interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

export async function* subscribeSse<T>(
  query: string,
  variables: Record<string, unknown>,
  options: SseSubscribeOptions,
): AsyncGenerator<ExecutionResultOf<T>> {
  const { signal } = options;
  let lastEventId: string | null = null;
  let connectedOnce = false;
  let attempt = 0;
  const emit = (change: ConnectionStateChange): void => {
    try {
      options.onStateChange?.(change);
    } catch {
      // A listener's bug must not stop the reconnecting.
    }
  };

  while (!signal.aborted) {
    let lost: Error;
    try {
      const response: Response = await options.fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...options.headers,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal,
      });
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream') || !response.body) {
        const refusal = await refusalOf(response);
        // A refusal (validation, access) will be refused again: report it. A gateway error (5xx) may pass.
        if (response.status < 500) throw refusal;
        throw Object.assign(new Error(refusal.message), { retryable: true });
      }
      emit(
        connectedOnce
          ? { state: 'resumed', transport: 'sse', attempt, ...(lastEventId ? { lastEventId } : {}) }
          : { state: 'connected', transport: 'sse', attempt: 0 },
      );
      connectedOnce = true;
      attempt = 0;
      let completed = false;
      for await (const message of readMessages(response.body) as AsyncGenerator<SseMessage>) {
        if (message.id !== null) lastEventId = message.id;
        if (message.event === 'complete') {
          completed = true;
          break;
        }
        if (message.event !== 'next' || !message.data) continue;
        const result = JSON.parse(message.data) as ExecutionResultOf<T>;
        // A result without data (absent, or null: the operation failed as a whole) is the gateway refusing the
        // request (parse, validation, access, unknown id): it would be refused again, so it is reported rather
        // than retried, as graphql-ws's `error` message is (docs/api-conventions.md).
        if (result.data == null && result.errors?.length) {
          throw new GatewayRequestError(result.errors.map((e) => e.message).join('; '), result.errors, response.status);
        }
        yield result;
      }
      if (signal.aborted) return;
      if (completed && options.endOnComplete) return;
      lost = new Error(completed ? 'the gateway ended the stream (shutting down)' : 'the stream was cut');
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof GatewayRequestError) throw error;
      lost = toError(error, 'the gateway cannot be reached');
    }
    attempt += 1;
    emit({ state: 'reconnecting', transport: 'sse', attempt, error: lost });
    await sleep(backoffDelay(attempt - 1, options.backoff), signal);
  }
}

async function refusalOf(response: Response): Promise<GatewayRequestError> {
  let errors: GraphQLErrorLike[] = [];
  try {
    const body = (await response.json()) as { errors?: GraphQLErrorLike[] };
    errors = body.errors ?? [];
  } catch {
    // Not GraphQL: the status says enough.
  }
  const message = errors.map((e) => e.message).join('; ') || `the gateway answered HTTP ${response.status} instead of an event stream`;
  return new GatewayRequestError(message, errors, response.status);
}

/** The SSE messages of a response body (comments skipped), per the EventSource parsing rules. */
async function* readMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let id: string | null = null;
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (event || data.length > 0) yield { event: event || 'message', data: data.join('\n'), id };
          event = '';
          id = null;
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = fieldValue;
        else if (field === 'data') data.push(fieldValue);
        else if (field === 'id' && !fieldValue.includes('\0')) id = fieldValue;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
