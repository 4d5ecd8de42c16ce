import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldsOf, loadColumnMap, normaliseHeaderName, resolveHeader } from '../../src/csv/header.js';
import { CONTACT_LOG_LAYOUT } from '../../src/import/contact-log.js';

const BASE = ['utr', 'channel', 'enquiry_date', 'operator_pid', 'subject'];

describe('header mapping', () => {
  it('matches names without case, with spaces and hyphens read as underscores', () => {
    expect(normaliseHeaderName('  General-Notes ')).toBe('general_notes');
    expect(normaliseHeaderName('Contact Ref')).toBe('contact_ref');
    const header = resolveHeader(['UTR', 'Channel', 'Enquiry Date', 'operator-pid', 'SUBJECT', 'General Notes'], CONTACT_LOG_LAYOUT);
    expect(header.columns).toEqual(['utr', 'channel', 'enquiry_date', 'operator_pid', 'subject', 'general_notes'].map((field) => ({ field })));
  });

  it('ignores reject_* columns, so a rejects file imports as it is', () => {
    const header = resolveHeader([...BASE, 'reject_line', 'reject_codes', 'reject_reasons'], CONTACT_LOG_LAYOUT);
    expect(header.columns.slice(5)).toEqual([{ ignored: true }, { ignored: true }, { ignored: true }]);
  });

  it('only the rejects file\'s own four columns are ignored: any other "reject" header is a column of the file', () => {
    const header = resolveHeader([...BASE, 'Reject Line', 'reject-codes', 'REJECT_REASONS', 'reject_source_line'], CONTACT_LOG_LAYOUT);
    expect(header.columns.slice(5)).toEqual([{ ignored: true }, { ignored: true }, { ignored: true }, { ignored: true }]);
    for (const name of ['Reject Notes', 'reject_flag', 'rejected']) {
      expect(() => resolveHeader([...BASE, name], CONTACT_LOG_LAYOUT), name).toThrow(new RegExp(`column ${name} is not a known column`));
    }
  });

  it('is fatal for unknown, duplicate and missing columns, naming them', () => {
    expect(() => resolveHeader([...BASE, 'generalnotes'], CONTACT_LOG_LAYOUT)).toThrow(/column generalnotes is not a known column/);
    expect(() => resolveHeader([...BASE, 'Subject'], CONTACT_LOG_LAYOUT)).toThrow(/column subject appears more than once/);
    expect(() => resolveHeader(BASE.slice(1), CONTACT_LOG_LAYOUT)).toThrow(/required column utr is missing/);
  });

  it('drops a blank header while its cells are blank; a value under it is row-shape', () => {
    const header = resolveHeader([...BASE, ''], CONTACT_LOG_LAYOUT);
    expect(fieldsOf(['1', 'email', '2020-01-01', '1234567', 'Letter', ''], header).issues).toEqual([]);
    expect(fieldsOf(['1', 'email', '2020-01-01', '1234567', 'Letter', 'x'], header).issues.map((i) => i.code)).toEqual(['row-shape']);
    expect(fieldsOf(['1', 'email'], header).issues.map((i) => i.code)).toEqual(['row-shape']);
  });

  it('renames and drops columns with --map, and refuses a bad map', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cis-map-'));
    writeFileSync(join(dir, 'map.json'), JSON.stringify({ 'Legacy Notes': 'general_notes', 'Column to drop': null }));
    const map = loadColumnMap(join(dir, 'map.json'), CONTACT_LOG_LAYOUT);
    const header = resolveHeader([...BASE, 'Legacy Notes', 'Column to drop'], CONTACT_LOG_LAYOUT, map);
    expect(header.columns.slice(5)).toEqual([{ field: 'general_notes' }, { ignored: true }]);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ 'Legacy Notes': 'notes' }));
    expect(() => loadColumnMap(join(dir, 'bad.json'), CONTACT_LOG_LAYOUT)).toThrow(/maps to "notes", which is not a column/);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => loadColumnMap(join(dir, 'broken.json'), CONTACT_LOG_LAYOUT)).toThrow(/column map .* is invalid/);
  });
});
