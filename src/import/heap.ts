/**
 * A ceiling on the heap of a long import. V8 collects its old generation only
 * once it has grown to three or four times what was live after the last
 * collection. An import keeps little alive (its fingerprint index and the
 * batches in flight), but each batch outlives a few young collections and is
 * promoted before it dies, so left alone the heap grows towards that limit
 * (measured, 200,000 rows into a PostgreSQL server: 284-301 MB peak RSS
 * against 201-210 MB). A full collection whenever the heap has grown by
 * HEADROOM_BYTES since the last one keeps the peak near what is live, at far
 * fewer collections than a fixed pace (one every 10,000 rows cost about 5%
 * of a 1,000,000-row import).
 */

import v8 from 'node:v8';
import vm from 'node:vm';

/** Growth of the heap, past what the last collection left, that triggers the next. */
const HEADROOM_BYTES = 64 * 1024 * 1024;

let collect: (() => void) | undefined;

/**
 * V8's `gc()`, which it installs in contexts made after `--expose-gc` is set,
 * so the program's own global scope is left as it was. A no-op where the
 * engine declines.
 */
function fullCollection(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
    collect = typeof gc === 'function' ? (gc as () => void) : () => {};
  }
  collect();
}

/** Collects in full once the heap has outgrown what the last collection left by the headroom; cheap to call once a batch. */
export class HeapCeiling {
  private limit: number;

  constructor(private readonly headroom = HEADROOM_BYTES) {
    this.limit = headroom;
  }

  check(): void {
    if (v8.getHeapStatistics().used_heap_size < this.limit) return;
    fullCollection();
    this.limit = v8.getHeapStatistics().used_heap_size + this.headroom;
  }
}
