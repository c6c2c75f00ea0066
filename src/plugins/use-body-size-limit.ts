/**
 * The request-body limit (413 REQUEST_ENTITY_TOO_LARGE), enforced as graphql-yoga's `maxRequestBodySize`
 * enforces it, without that plugin's cost on the usual request.
 *
 * yoga's plugin checks the Content-Length header and then also wraps every body in a counting
 * TransformStream piped into a new Request: a stream pipeline, an AbortController and the DOMException its
 * clean-up makes, and the garbage of it all, on every request. Bare yoga without it needed less than half the
 * server CPU per request of bare yoga with it (docs/performance.md, "Round 7: the body-size limit …").
 * A body framed by Content-Length cannot be longer than the header says: HTTP/1.1 reads exactly that many
 * bytes as the body (RFC 9112, message body length), and node:http (and Deno) refuse a request that carries
 * both Content-Length and Transfer-Encoding. So when an HTTP/1 request read by node:http carries the header,
 * and no Transfer-Encoding, the header check is the whole check. Any other body is counted as it arrives, as
 * yoga does: chunked, or a Request built in-process (`yoga.fetch`), whose Content-Length nothing framed and
 * may be shorter than its body. Same errors, same statuses, same order of hooks: src/yoga.ts turns yoga's
 * plugin off and puts this one last among ours, where yoga puts its own.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Only one non-negative integer is a valid Content-Length (anything else is refused, not skipped). */
const CONTENT_LENGTH = /^\d+$/;

/** Whether node:http's HTTP/1 parser read this request, so its body is exactly Content-Length bytes long. */
function framedByNodeHttp1(serverContext: unknown): boolean {
  const req = (serverContext as { req?: { httpVersionMajor?: unknown } } | undefined)?.req;
  return req?.httpVersionMajor === 1;
}

function bodyTooLarge(): GraphQLError {
  return new GraphQLError('Request body too large', {
    extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' },
  });
}

function invalidContentLength(): GraphQLError {
  return new GraphQLError('Content-Length header is invalid.', {
    extensions: { http: { status: 400 }, code: 'BAD_REQUEST' },
  });
}

/** A copy of `request` whose body fails with 413 once more than `limit` bytes have been read from it. */
export function countedBody(request: Request, limit: number, fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream }): Request {
  const body = request.body;
  if (!body) return request;
  // A native ReadableStream needs the native TransformStream; yoga's own ponyfill otherwise.
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let bytesRead = 0;
  const counted = body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytesRead += chunk.byteLength;
        if (bytesRead > limit) {
          controller.error(bodyTooLarge());
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: counted,
    // @ts-expect-error `duplex` is required for a stream body but missing from the DOM typings.
    duplex: 'half',
  });
}

/**
 * Refuses bodies over `limit` bytes with 413 (and an invalid Content-Length with 400).
 * @param limit largest body accepted, in bytes
 */
export function useBodySizeLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI, serverContext }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength != null) {
        if (!CONTENT_LENGTH.test(contentLength)) throw invalidContentLength();
        if (Number(contentLength) > limit) throw bodyTooLarge();
        // Framed by its length: it cannot grow past the header.
        if (!request.headers.has('transfer-encoding') && framedByNodeHttp1(serverContext)) return;
      }
      if (requestParser == null || request.body == null) return;
      const parse = requestParser;
      setRequestParser((req) => parse(countedBody(req, limit, fetchAPI)));
    },
  };
}
