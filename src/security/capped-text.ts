/**
 * A request body read as text, but never more of it than a small limit needs: `request.text()` reads the
 * whole body first, however large, before a route can check its length.
 */

/**
 * The body as `request.text()` would give it (UTF-8, malformed bytes replaced), or null as soon as it is
 * certain to be longer than `maxLength` UTF-16 code units; the rest is then not read (the stream is cancelled).
 * A UTF-16 code unit takes at most 3 bytes of UTF-8, so more than 3 × `maxLength` bytes is always too long.
 */
export async function cappedText(request: Request, maxLength: number): Promise<string | null> {
  const body = request.body;
  if (body === null) return '';
  const maxBytes = 3 * maxLength;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder().decode(all);
  return text.length > maxLength ? null : text;
}
