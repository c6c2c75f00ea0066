/**
 * src/security/capped-text.ts: the same text as `request.text()` for bodies within the limit (ASCII, CJK,
 * astral characters, malformed UTF-8), null beyond it — and a body far over the limit is not read to its end.
 */
import { describe, expect, it } from 'vitest';
import { cappedText } from '../../../src/security/capped-text.ts';

const post = (body: BodyInit) => new Request('http://127.0.0.1/pairing', { method: 'POST', body });

describe('cappedText', () => {
  it('gives what request.text() gives within the limit, null beyond it', async () => {
    const bodies: Uint8Array<ArrayBuffer>[] = [
      new TextEncoder().encode('{"code":"123456"}'),
      new TextEncoder().encode('王'.repeat(10)),
      new TextEncoder().encode('😀'.repeat(5)),
      new Uint8Array([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x7d]),
      new TextEncoder().encode('x'.repeat(20)),
      new TextEncoder().encode('x'.repeat(21)),
      new TextEncoder().encode('王'.repeat(21)),
      new Uint8Array(0),
    ];
    for (const bytes of bodies) {
      const expected = await post(bytes).text();
      const got = await cappedText(post(bytes), 20);
      expect(got).toBe(expected.length > 20 ? null : expected);
    }
  });

  it('stops reading a body far over the limit', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64).fill(0x78));
      },
    });
    const request = new Request('http://127.0.0.1/pairing', { method: 'POST', body: endless, duplex: 'half' } as RequestInit);
    expect(await cappedText(request, 256)).toBeNull();
    // 3 × 256 bytes is 12 chunks of 64: it gave up right after, not at the end (there is none).
    expect(pulled).toBeLessThan(20);
  });
});
