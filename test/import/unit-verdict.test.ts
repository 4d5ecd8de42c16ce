import { describe, expect, it } from 'vitest';
import { issue } from '../../src/domain/catalogue.js';
import { unitVerdict } from '../../src/import/unit-verdict.js';

const facts = { refused: false, repeat: false, dryRun: false, strict: false };
const storedRef = { seq: 7, sourceKey: 'R-1', utr: '1955839661', partnershipUtr: null };
const stored = [{ seq: 7, sourceKey: 'R-1', recordedBy: 'alice', recordedAt: '2026-01-02 03:04:05 UTC' }];

describe('the verdict on a unit', () => {
  it('refused by the rules: rejected, or superseded (naming the stored contacts) when its contact_ref is stored already', () => {
    expect(unitVerdict({ ...facts, refused: true })).toEqual({ outcome: 'rejected', errors: [] });
    expect(unitVerdict({ ...facts, refused: true, storedUnderRef: [] })).toEqual({ outcome: 'rejected', errors: [] });
    expect(unitVerdict({ ...facts, refused: true, storedUnderRef: stored })).toEqual({
      outcome: 'superseded',
      stored: [{ seq: 7, sourceKey: 'R-1' }],
    });
  });

  it('passed by the rules: accepted, duplicate, or rejected when stored content differs or the database refuses it', () => {
    expect(unitVerdict({ ...facts, written: { status: 'written', stored: [storedRef] } })).toEqual({
      outcome: 'accepted',
      stored: [{ seq: 7, sourceKey: 'R-1' }],
    });
    expect(unitVerdict({ ...facts, written: { status: 'duplicate', stored: [storedRef] } })).toEqual({
      outcome: 'duplicate',
      stored: [{ seq: 7, sourceKey: 'R-1' }],
    });
    const conflict = unitVerdict({
      ...facts,
      written: {
        status: 'conflict',
        sourceKey: 'R-1',
        detail: 'as contact 7, stored by alice at 2026-01-02 03:04:05 UTC',
      },
    });
    expect(conflict).toMatchObject({ outcome: 'rejected', errors: [{ code: 'conflicts-with-recorded' }] });
    expect(conflict.outcome === 'rejected' && conflict.errors[0]!.message).toContain(
      'as contact 7, stored by alice at 2026-01-02 03:04:05 UTC',
    );
    const refusal = issue('database-rejected', { detail: 'no' });
    expect(unitVerdict({ ...facts, written: refusal })).toEqual({ outcome: 'rejected', errors: [refusal] });
  });

  it('a partnership found stored for fewer partners: a duplicate with partners-changed, rejected under --strict', () => {
    const written = { status: 'duplicate' as const, stored: [storedRef], partnersAdded: ['8526018159'] };
    expect(unitVerdict({ ...facts, written })).toMatchObject({
      outcome: 'duplicate',
      warning: { code: 'partners-changed' },
    });
    expect(unitVerdict({ ...facts, strict: true, written })).toMatchObject({
      outcome: 'rejected',
      errors: [{ code: 'partners-changed' }],
    });
  });

  it('in a dry run, a repeat of an earlier contact of the file is a duplicate though nothing was stored', () => {
    const written = { status: 'written' as const, stored: [storedRef] };
    expect(unitVerdict({ ...facts, dryRun: true, repeat: true, written })).toEqual({
      outcome: 'duplicate',
      stored: [],
    });
    expect(unitVerdict({ ...facts, dryRun: true, written })).toMatchObject({ outcome: 'accepted' });
  });
});
