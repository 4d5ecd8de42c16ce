import { describe, expect, it } from 'vitest';
import { type ChainEntry, GENESIS_HASH, chainHash } from '../../src/domain/audit.js';
import {
  type ChainedEntry,
  ChainVerifier,
  FAILURES_LISTED,
  type Manifest,
  filterFlags,
  filterSelects,
  manifestFilter,
} from '../../src/domain/verification.js';

/** A whole, correctly chained history of `n` entries, each written by `writer(seq)`. */
function chain(n: number, writer = (seq: number) => `login${seq % 3}`): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const entry: ChainEntry = {
      seq,
      sourceKey: `REF-${seq}`,
      utr: '1955839661',
      partnershipUtr: null,
      contactType: null,
      contactName: null,
      channel: 'internal-enquiry',
      direction: 'Outbound',
      authentication: null,
      enquiryDate: '2024-01-02',
      operatorPid: '1234567',
      importRunId: null,
      recordedAt: '2026-12-01T09:00:00.000000Z',
      recordedBy: writer(seq),
      enquiries: [{ position: 1, subject: 'Letter', actionTaken: `row ${seq}`, generalNotes: null }],
    };
    const hash = chainHash(prev, entry);
    out.push({ ...entry, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

const verified = (
  entries: ChainedEntry[],
  complete = true,
  checkpoints: { seq: number; hash: string; source: string; store?: string }[] = [],
) => {
  const verifier = new ChainVerifier(complete, checkpoints);
  for (const e of entries) verifier.add(e);
  return verifier.finish();
};

describe('verify names every bad entry', () => {
  it('three altered entries far apart are each named once, with their writers, and every entry is checked', () => {
    const entries = chain(60);
    for (const seq of [3, 30, 58]) entries[seq - 1] = { ...entries[seq - 1]!, contactName: 'Someone Else' };
    const report = verified(entries);
    expect(report).toMatchObject({ intact: false, checked: 60, failureCount: 3 });
    expect(report.failures.map((f) => [f.seq, f.kind, f.recordedBy])).toEqual([
      [3, 'altered', 'login0'],
      [30, 'altered', 'login0'],
      [58, 'altered', 'login1'],
    ]);
  });

  it('a missing entry, a broken link and an entry out of order are each told apart, and checking goes on', () => {
    const entries = chain(20);
    const relinked = { ...entries[9]!, prevHash: 'f'.repeat(64) };
    const report = verified([
      ...entries.slice(0, 4),
      ...entries.slice(5, 9),
      relinked,
      ...entries.slice(10, 15),
      entries[2]!,
      ...entries.slice(15),
    ]);
    expect(report.failures.map((f) => [f.seq, f.kind])).toEqual([
      [6, 'missing'],
      [10, 'broken-link'],
      [10, 'altered'],
      [3, 'out-of-order'],
    ]);
    expect(report.lastSeq).toBe(20);
  });

  it('lists at most the first hundred, and counts them all', () => {
    const entries = chain(150).map((e) => ({ ...e, hash: e.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) }));
    const report = verified(entries);
    expect(report.failureCount).toBeGreaterThan(FAILURES_LISTED);
    expect(report.failures).toHaveLength(FAILURES_LISTED);
  });
});

describe('checkpoints kept outside the store', () => {
  it('a history rewritten and re-chained is intact to the chain, and fails the earliest checkpoint that differs', () => {
    const original = chain(30);
    const rewritten = chain(30, (seq) => (seq >= 12 ? 'owner' : `login${seq % 3}`));
    expect(verified(rewritten).intact).toBe(true);
    const kept = [10, 20, 30].map((seq) => ({ seq, hash: original[seq - 1]!.hash, source: `kept:${seq}` }));
    const report = verified(rewritten, true, kept);
    expect(report.failures).toEqual([
      expect.objectContaining({
        seq: 20,
        kind: 'rewritten',
        recordedBy: 'owner',
        reason: expect.stringMatching(
          /^entry 20 \(REF-20\), recorded by owner, was rewritten after the checkpoint; the store cannot say by whom\. .*entry 10 still matches its checkpoint$/,
        ),
      }),
    ]);
    expect(report.checkpoints).toEqual({ given: 3, matched: 1 });
    expect(verified(original, true, kept)).toMatchObject({ intact: true, checkpoints: { given: 3, matched: 3 } });
  });

  it('a checkpoint of another store is refused as such, never called a rewrite; one of this store is held as before', () => {
    const ours = chain(10);
    const theirs = chain(10, () => 'elsewhere');
    const kept = { seq: 5, hash: theirs[4]!.hash, source: 'kept.txt:3', store: theirs[0]!.hash };
    expect(() => verified(ours, true, [kept])).toThrow(
      expect.objectContaining({
        code: 'checkpoint-other-store',
        message: expect.stringContaining('kept.txt:3 is of another store'),
      }),
    );
    // A filtered export without entry 1: its manifest names the store.
    const verifier = new ChainVerifier(false, [kept]);
    for (const e of ours.slice(3)) verifier.add(e);
    expect(() =>
      verifier.finish({
        count: 7,
        firstSeq: 4,
        lastSeq: 10,
        headHash: ours[9]!.hash,
        filtered: true,
        store: ours[0]!.hash,
      }),
    ).toThrow(expect.objectContaining({ code: 'checkpoint-other-store' }));
    expect(verified(ours, true, [{ seq: 5, hash: ours[4]!.hash, source: 'k', store: ours[0]!.hash }])).toMatchObject({
      intact: true,
      checkpoints: { matched: 1 },
    });
  });

  it('a checkpoint beyond the last entry means entries were removed; two checkpoints that disagree are reported', () => {
    const entries = chain(10);
    expect(verified(entries.slice(0, 8), true, [{ seq: 10, hash: entries[9]!.hash, source: 'kept' }]).failures).toEqual(
      [
        expect.objectContaining({
          kind: 'missing',
          reason: expect.stringContaining('checkpoint kept records entry 10, but the entries end at entry 8'),
        }),
      ],
    );
    const clash = verified(entries, true, [
      { seq: 5, hash: entries[4]!.hash, source: 'a' },
      { seq: 5, hash: 'e'.repeat(64), source: 'b' },
    ]);
    expect(clash.failures[0]).toMatchObject({
      kind: 'rewritten',
      reason: 'checkpoints a and b disagree about entry 5',
    });
  });
});

describe("a filtered export's manifest names its filter", () => {
  const base: Manifest = {
    count: 2,
    firstSeq: 3,
    lastSeq: 7,
    headHash: 'a'.repeat(64),
    filtered: true,
    store: 'b'.repeat(64),
  };

  it('is read as written; an older manifest without it has none; an unfiltered one never has one', () => {
    const filter = { utr: '1955839661', from: '2019-01-01', to: null, through: 9 };
    expect(manifestFilter({ ...base, filter })).toEqual(filter);
    expect(manifestFilter(base)).toBeUndefined();
    expect(manifestFilter({ ...base, filtered: false, filter })).toBeUndefined();
    expect(filterFlags(filter)).toBe('--utr 1955839661 --from 2019-01-01');
  });

  it('a filter that cannot be read is said to be so, never taken for none', () => {
    const bad = (filter: unknown) => manifestFilter({ ...base, filter } as unknown as Manifest);
    expect(bad('utr')).toEqual({ unreadable: 'its filter is not a JSON object' });
    expect(bad({ utr: '195583966', from: null, to: null, through: 9 })).toEqual({
      unreadable: expect.stringContaining('utr'),
    });
    expect(bad({ utr: null, from: '01/01/2019', to: null, through: 9 })).toEqual({
      unreadable: expect.stringContaining('from'),
    });
    // Through is the store's last entry when the export began: never before the export's own last entry.
    expect(bad({ utr: null, from: null, to: null, through: 6 })).toEqual({
      unreadable: expect.stringContaining('through'),
    });
  });

  it('selects as export does: the record or the partnership, the dates inclusive, nothing after through', () => {
    const filter = { utr: '2108834503', from: '2020-01-01', to: '2020-12-31', through: 9 };
    const entry = { seq: 5, utr: '1097172564', partnershipUtr: '2108834503', enquiryDate: '2020-12-31' };
    expect(filterSelects(filter, entry)).toBe(true);
    expect(filterSelects(filter, { ...entry, utr: '2108834503', partnershipUtr: null })).toBe(true);
    expect(filterSelects(filter, { ...entry, partnershipUtr: null })).toBe(false);
    expect(filterSelects(filter, { ...entry, enquiryDate: '2021-01-01' })).toBe(false);
    expect(filterSelects(filter, { ...entry, seq: 10 })).toBe(false);
  });
});
