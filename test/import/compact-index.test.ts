import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactIndex, OccurrenceCounter } from '../../src/import/compact-index.js';

const keyOf = (n: number): [number, number] => [Math.floor((n + 1) / 7) >>> 0, ((n + 1) * 2654435761) >>> 0];

describe('CompactIndex', () => {
  it('keeps every key and value as it grows, the all-zero key included', () => {
    const index = new CompactIndex(4);
    for (let n = 0; n < 50_000; n++) index.set(keyOf(n), n);
    index.set([0, 0], 7);
    expect(index.size).toBe(50_001);
    for (let n = 0; n < 50_000; n++) expect(index.get(keyOf(n))).toBe(n);
    expect(index.get([0, 0])).toBe(7);
    expect(index.get(keyOf(50_000))).toBeUndefined();
  });

  it('adds a key only when it is new, keeping the first value', () => {
    const index = new CompactIndex(4);
    expect(index.add(keyOf(1), 10)).toBe(true);
    expect(index.add(keyOf(1), 20)).toBe(false);
    expect(index.get(keyOf(1))).toBe(10);
    index.set(keyOf(1), 30);
    expect(index.get(keyOf(1))).toBe(30);
    expect(index.size).toBe(1);
  });

  it('as a set of keys, answers 0 for a key present and undefined otherwise', () => {
    const keys = CompactIndex.keys();
    for (let n = 0; n < 5000; n++) keys.set(keyOf(n), n);
    expect(keys.get(keyOf(4999))).toBe(0);
    expect(keys.get(keyOf(5000))).toBeUndefined();
  });
});

describe('CompactIndex of pairs', () => {
  it('keeps both values of every key as it grows, the first kept by add and both replaced by set', () => {
    const pairs = CompactIndex.pairs();
    for (let n = 0; n < 20_000; n++) expect(pairs.add(keyOf(n), n, n * 3)).toBe(true);
    expect(pairs.add(keyOf(5), 1, 1)).toBe(false);
    for (let n = 0; n < 20_000; n++) expect([pairs.get(keyOf(n)), pairs.get(keyOf(n), 1)]).toEqual([n, (n * 3) >>> 0]);
    pairs.set(keyOf(5), 8, 9);
    expect([pairs.get(keyOf(5)), pairs.get(keyOf(5), 1)]).toEqual([8, 9]);
    expect(pairs.get(keyOf(20_000), 1)).toBeUndefined();
  });
});

describe('OccurrenceCounter', () => {
  it('property: numbers each occurrence of a key as counting them one by one would, and names its first line', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 40 }), { maxLength: 300 }), (ns) => {
        const counter = new OccurrenceCounter();
        const counts = new Map<number, number>();
        const firsts = new Map<number, number>();
        ns.forEach((n, line) => {
          const expected = (counts.get(n) ?? 0) + 1;
          counts.set(n, expected);
          if (!firsts.has(n)) firsts.set(n, line + 2);
          expect(counter.next(keyOf(n), line + 2)).toEqual({ occurrence: expected, firstLine: firsts.get(n) });
        });
      }),
    );
  });
});
