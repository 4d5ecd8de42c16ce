/**
 * The contact layout against what users hold: the contact log's columns as
 * docs/formats.md documents them, and the CSV export's columns, whose order
 * readers rely on (fields added later come last, in the order added).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORMS, INPUT_HEADERS, REQUIRED_HEADERS } from '../../src/domain/layout.js';
import { EXPORT_CSV_COLUMNS, EXPORT_CSV_FORMATS } from '../../src/outputs/export-format.js';

describe('the contact layout', () => {
  it('declares the contact log columns docs/formats.md documents, required where it says "yes"', () => {
    const formats = readFileSync(new URL('../../docs/formats.md', import.meta.url), 'utf8');
    const from = formats.indexOf('## The contact log');
    const table = formats.slice(from, formats.indexOf('\n## ', from + 1));
    const documented = [...table.matchAll(/^\| `([a-z_]+)` \| *(yes\*?)? *\|/gm)].map(([, column, required]) => ({
      column: column!,
      required: required === 'yes',
    }));
    expect(documented.map((d) => d.column).sort()).toEqual([...INPUT_HEADERS].sort());
    expect(
      documented
        .filter((d) => d.required)
        .map((d) => d.column)
        .sort(),
    ).toEqual([...REQUIRED_HEADERS].sort());
  });

  it('names in docs/formats.md every free-text column the payment details rule covers, and no other', () => {
    const formats = readFileSync(new URL('../../docs/formats.md', import.meta.url), 'utf8');
    const paragraph = formats.slice(
      formats.indexOf('**Payment details**'),
      formats.indexOf('are refused (`payment-details`'),
    );
    expect([...paragraph.matchAll(/`([a-z_]+)`/g)].map(([, column]) => column)).toEqual(FORMS.freeText);
  });

  it('keeps the CSV export columns where every earlier export had them', () => {
    const first =
      'seq,source_key,utr,partnership_utr,contact_type,contact_name,channel,direction,authentication,enquiry_date,' +
      'operator_pid,import_run_id,recorded_at,position,subject,action_taken,general_notes,prev_hash,hash';
    expect(EXPORT_CSV_COLUMNS.join(',')).toBe(`${first},recorded_by`);
    expect(EXPORT_CSV_FORMATS.map((f) => f.join(','))).toEqual([`${first},recorded_by`, first]);
  });
});
