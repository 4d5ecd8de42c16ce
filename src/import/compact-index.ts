/**
 * A compact map from 64-bit hashes to one or two 32-bit values, for what an
 * import must remember of every unit in a file (fingerprint occurrences, refs
 * already used and a tag of their contact's content) without holding the
 * rows: 12 bytes a slot (8 for a set of keys alone, 16 with two values), kept
 * at most half full, so 24-48 bytes an entry (16-32 for keys alone, 32-64
 * with two values), within the 64 bytes a row an import may grow by. A unit
 * is kept in one index only: by its ref, or by its fingerprint when it has
 * none. Open addressing, linear probing.
 */

import { hash } from 'node:crypto';

export class CompactIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** `width` values a slot, side by side; absent for a set of keys: every key present then reads as 0. */
  private values: Uint32Array | undefined;
  private used = 0;

  /** `width`: the values each key holds (0: a set of keys, 1 or 2). */
  constructor(
    initialSlots = 1024,
    private readonly width: 0 | 1 | 2 = 1,
  ) {
    this.hi = new Uint32Array(initialSlots);
    this.lo = new Uint32Array(initialSlots);
    this.values = width > 0 ? new Uint32Array(initialSlots * width) : undefined;
  }

  /** A set of keys: 8 bytes a slot. */
  static keys(): CompactIndex {
    return new CompactIndex(1024, 0);
  }

  /** Each key with two values: 16 bytes a slot. */
  static pairs(): CompactIndex {
    return new CompactIndex(1024, 2);
  }

  get size(): number {
    return this.used;
  }

  /** The 64-bit key of a string: the first 8 bytes of its SHA-256. */
  static keyOf(text: string): [number, number] {
    const digest = hash('sha256', text, 'buffer');
    return [digest.readUInt32BE(0), digest.readUInt32BE(4)];
  }

  /** The key of a hex digest already computed. */
  static keyOfHex(hex: string): [number, number] {
    return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8, 16), 16) >>> 0];
  }

  private slot(hi: number, lo: number): number {
    // Slot 0/0 marks an empty place; a real key of 0/0 is stored as 0/1.
    const mask = this.hi.length - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.hi[i] !== 0 || this.lo[i] !== 0) {
      if (this.hi[i] === hi && this.lo[i] === lo) return i;
      i = (i + 1) & mask;
    }
    return i;
  }

  /** The key's first value (`which` 1: its second), or undefined when the key is not there. */
  get([hi, lo]: [number, number], which: 0 | 1 = 0): number | undefined {
    if (hi === 0 && lo === 0) lo = 1;
    const i = this.slot(hi, lo);
    if (this.hi[i] === 0 && this.lo[i] === 0) return undefined;
    return this.values && which < this.width ? this.values[i * this.width + which] : 0;
  }

  /** Adds a key with its values; false, changing nothing, when the key is there already. One probe either way. */
  add(key: [number, number], value = 0, second = 0): boolean {
    return this.put(key, value, second, false);
  }

  set(key: [number, number], value: number, second = 0): void {
    this.put(key, value, second, true);
  }

  /** True when the key was new. */
  private put([hi, lo]: [number, number], value: number, second: number, overwrite: boolean): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    if ((this.used + 1) * 2 > this.hi.length) this.grow();
    const i = this.slot(hi, lo);
    const fresh = this.hi[i] === 0 && this.lo[i] === 0;
    if (!fresh && !overwrite) return false;
    if (fresh) this.used++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    if (this.values) {
      this.values[i * this.width] = value;
      if (this.width === 2) this.values[i * 2 + 1] = second;
    }
    return fresh;
  }

  private grow(): void {
    const { hi, lo, values, width } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(hi.length * 2);
    this.values = values && new Uint32Array(hi.length * 2 * width);
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] !== 0 || lo[i] !== 0) {
        const j = this.slot(hi[i]!, lo[i]!);
        this.hi[j] = hi[i]!;
        this.lo[j] = lo[i]!;
        for (let k = 0; k < width; k++) this.values![j * width + k] = values![i * width + k]!;
      }
    }
  }
}

/**
 * How many times each fingerprint has been seen in a file, and the line it
 * was first seen on (a repeat's `identical-row` warning names it). Almost
 * every one is seen once; only repeats carry a count, in a small index.
 */
export class OccurrenceCounter {
  private readonly first = new CompactIndex();
  private readonly repeats = new CompactIndex(16);

  /** This key's occurrence number (1 the first time it is counted, then 2, 3...) and the line of its first. */
  next(key: [number, number], line: number): { occurrence: number; firstLine: number } {
    if (this.first.add(key, line)) return { occurrence: 1, firstLine: line };
    const occurrence = (this.repeats.get(key) ?? 1) + 1;
    this.repeats.set(key, occurrence);
    return { occurrence, firstLine: this.first.get(key)! };
  }
}
