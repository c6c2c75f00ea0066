/**
 * Subscriptions over GraphQL-over-SSE as the gateway serves it (yoga's "distinct connections" mode: one POST
 * per subscription, `event: next` / `event: complete`). Read with fetch streaming, because EventSource cannot
 * POST or send headers.
 */
import type { ExecutionResultOf } from '../client.ts';

export function subscribeSse<T>(
  doFetch: typeof fetch,
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Readonly<Record<string, string>>,
): AsyncIterableIterator<ExecutionResultOf<T>> {
  const controller = new AbortController();
  const events = readEvents<T>(doFetch, url, query, variables, headers, controller.signal);
  const iterator: AsyncIterableIterator<ExecutionResultOf<T>> = {
    next: () => events.next(),
    async return() {
      controller.abort();
      await events.return(undefined);
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

async function* readEvents<T>(
  doFetch: typeof fetch,
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): AsyncGenerator<ExecutionResultOf<T>> {
  const response = await doFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || !response.body) {
    // A validation failure comes back as one ordinary JSON result.
    yield (await response.json()) as ExecutionResultOf<T>;
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
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
          if (event === 'complete') return;
          if (event === 'next' && data.length > 0) yield JSON.parse(data.join('\n')) as ExecutionResultOf<T>;
          event = '';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = fieldValue;
          else if (field === 'data') data.push(fieldValue);
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
