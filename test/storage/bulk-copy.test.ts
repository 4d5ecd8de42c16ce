import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { copyChunks } from '../../src/storage/bulk-copy.js';

describe('COPY text in chunks', () => {
  it('joins the pieces back exactly, in chunks of at least 64 KiB but the last', () => {
    const piece = fc.string({ maxLength: 3000 });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), (pieces) => {
        const chunks = [...copyChunks(pieces)];
        expect(chunks.join('')).toBe(pieces.join(''));
        for (const chunk of chunks.slice(0, -1)) {
          expect(chunk.length).toBeGreaterThanOrEqual(64 * 1024);
          expect(chunk.length).toBeLessThan(64 * 1024 + 3000);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('makes a few chunks of a batch of many small pieces, not a chunk a piece', () => {
    const pieces = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? String(i) : '\tsome text of a field\n'));
    const chunks = [...copyChunks(pieces)];
    expect(chunks.length).toBe(Math.ceil(pieces.join('').length / (64 * 1024)));
  });

  it('sends nothing for no pieces', () => {
    expect([...copyChunks([])]).toEqual([]);
  });
});
