import { describe, expect, it } from 'vitest';
import { HeapCeiling } from '../../src/import/heap.js';

/** Objects only weak references hold, alive until a collection takes them. */
async function garbage() {
  const refs = (() => Array.from({ length: 100 }, () => new WeakRef({ payload: 'x'.repeat(1000) + Math.random() })))();
  // A WeakRef's target lives at least until the job that made it ends.
  await new Promise((resolve) => setImmediate(resolve));
  return () => refs.filter((r) => r.deref() !== undefined).length;
}

describe('HeapCeiling', () => {
  it('collects in full once the heap has grown past its headroom', async () => {
    const alive = await garbage();
    new HeapCeiling(0).check();
    expect(alive()).toBe(0);
  });

  it('leaves the heap alone below it', async () => {
    const alive = await garbage();
    new HeapCeiling(2 ** 40).check();
    expect(alive()).toBe(100);
  });

  it('leaves the global scope as it was', () => {
    new HeapCeiling(0).check();
    expect('gc' in globalThis).toBe(false);
  });
});
