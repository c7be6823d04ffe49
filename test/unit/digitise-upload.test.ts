/** The upload re-chunker: whatever pieces the (decrypting) file stream yields, PATCH bodies are exact. */
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { chunksFrom } from '../../src/digitise/upload.ts';

async function all(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return out;
}

describe('chunksFrom', () => {
  test('any split of the source, any offset: chunks of exactly `size` bytes (last shorter), starting at offset', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 20 }), fc.nat(3200), fc.integer({ min: 1, max: 700 }), async (bytes, cuts, offsetRaw, size) => {
        const data = Buffer.from(bytes);
        const pieces: Buffer[] = [];
        let at = 0;
        for (const c of cuts) {
          if (at >= data.length) break;
          pieces.push(data.subarray(at, at + c));
          at += c;
        }
        if (at < data.length) pieces.push(data.subarray(at));
        const offset = Math.min(offsetRaw, data.length);
        const chunks = await all(chunksFrom(Readable.from(pieces), offset, size));
        expect(Buffer.concat(chunks).equals(data.subarray(offset))).toBe(true);
        chunks.slice(0, -1).forEach((c) => expect(c.length).toBe(size));
        if (chunks.length) expect(chunks.at(-1)!.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  test('stopping early destroys the source stream', async () => {
    const src = Readable.from([Buffer.alloc(100), Buffer.alloc(100), Buffer.alloc(100)]);
    for await (const c of chunksFrom(src, 0, 50)) {
      expect(c.length).toBe(50);
      break;
    }
    expect(src.destroyed).toBe(true);
  });
});
