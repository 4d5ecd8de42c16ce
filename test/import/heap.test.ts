import { describe, expect, it } from 'vitest';
import { fullCollection } from '../../src/import/heap.js';

describe('fullCollection', () => {
  it('collects what nothing refers to any more', async () => {
    const refs = (() => Array.from({ length: 100 }, () => new WeakRef({ payload: 'x'.repeat(1000) + Math.random() })))();
    // A WeakRef's target lives at least until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    fullCollection();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });

  it('leaves the global scope as it was', () => {
    fullCollection();
    expect('gc' in globalThis).toBe(false);
  });
});
