/**
 * A compact map from 64-bit hashes to a 32-bit value, for what an import must
 * remember of every unit in a file (fingerprint occurrences, refs already
 * used) without holding the rows: 12 bytes a slot (8 for a set of keys alone),
 * kept at most half full, so 24-48 bytes an entry (16-32 for keys alone),
 * within the 64 bytes a row an import may grow by. Open addressing, linear probing.
 */

import { hash } from 'node:crypto';

export class CompactIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** Absent for a set of keys: every key present then reads as 0. */
  private values: Uint32Array | undefined;
  private used = 0;

  constructor(initialSlots = 1024, withValues = true) {
    this.hi = new Uint32Array(initialSlots);
    this.lo = new Uint32Array(initialSlots);
    this.values = withValues ? new Uint32Array(initialSlots) : undefined;
  }

  /** A set of keys: 8 bytes a slot. */
  static keys(): CompactIndex {
    return new CompactIndex(1024, false);
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

  get([hi, lo]: [number, number]): number | undefined {
    if (hi === 0 && lo === 0) lo = 1;
    const i = this.slot(hi, lo);
    if (this.hi[i] === 0 && this.lo[i] === 0) return undefined;
    return this.values ? this.values[i] : 0;
  }

  /** Adds a key with its value; false, changing nothing, when the key is there already. One probe either way. */
  add(key: [number, number], value = 0): boolean {
    return this.put(key, value, false);
  }

  set(key: [number, number], value: number): void {
    this.put(key, value, true);
  }

  /** True when the key was new. */
  private put([hi, lo]: [number, number], value: number, overwrite: boolean): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    if ((this.used + 1) * 2 > this.hi.length) this.grow();
    const i = this.slot(hi, lo);
    const fresh = this.hi[i] === 0 && this.lo[i] === 0;
    if (!fresh && !overwrite) return false;
    if (fresh) this.used++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    if (this.values) this.values[i] = value;
    return fresh;
  }

  private grow(): void {
    const { hi, lo, values } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(hi.length * 2);
    this.values = values && new Uint32Array(hi.length * 2);
    for (let i = 0; i < hi.length; i++) {
      if (hi[i] !== 0 || lo[i] !== 0) {
        const j = this.slot(hi[i]!, lo[i]!);
        this.hi[j] = hi[i]!;
        this.lo[j] = lo[i]!;
        if (values) this.values![j] = values[i]!;
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
