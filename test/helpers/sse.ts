/**
 * Reading GraphQL-over-SSE responses (yoga's "distinct connections" format): `event: next` with
 * `data: <ExecutionResult JSON>` per result, then `event: complete`. Comment lines (`:` pings) are skipped.
 */

export interface SseEvent {
  /** `next`, `complete`, or `message` when the frame had no `event:` line. */
  readonly event: string;
  readonly data: string;
}

/** Parses a `text/event-stream` body into events (per the WHATWG event-stream rules we need). */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0 || event !== '') yield { event: event || 'message', data: data.join('\n') };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const fieldValue = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = fieldValue;
        else if (field === 'data') data.push(fieldValue);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

export interface CollectSseOptions {
  headers?: Record<string, string>;
  /** Stop (and abort the request) after this many `next` payloads. */
  take?: number;
  signal?: AbortSignal;
  /** `fetch` to use, e.g. `yoga.fetch` for in-process tests. Default: global fetch. */
  fetch?: (input: string, init: RequestInit) => Response | PromiseLike<Response>;
  /** Default POST (JSON body); GET puts the operation in the query string. */
  method?: 'GET' | 'POST';
}

/**
 * Runs one subscription (or query) over SSE and returns the `next` payloads in order. Resolves at
 * `event: complete` or after `take` payloads; rejects on a non-SSE response or a stream that ends
 * without `complete`.
 */
export async function collectSse<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  options: CollectSseOptions = {},
): Promise<Array<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const headers = { accept: 'text/event-stream', ...options.headers };
  let response: Response;
  if (options.method === 'GET') {
    const target = new URL(url);
    target.searchParams.set('query', query);
    if (variables) target.searchParams.set('variables', JSON.stringify(variables));
    response = await doFetch(target.toString(), { method: 'GET', headers, signal: controller.signal });
  } else {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
  }
  try {
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.ok || !contentType.startsWith('text/event-stream') || !response.body) {
      throw new Error(`expected an SSE response, got ${response.status} ${contentType}: ${await response.text()}`);
    }
    const payloads: Array<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }> = [];
    for await (const { event, data } of readSseEvents(response.body)) {
      if (event === 'complete') return payloads;
      if (event !== 'next') continue;
      payloads.push(JSON.parse(data));
      if (options.take !== undefined && payloads.length >= options.take) return payloads;
    }
    throw new Error(`SSE stream ended without "complete" after ${payloads.length} payload(s)`);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    controller.abort();
  }
}
