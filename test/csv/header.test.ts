import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldReader, fieldsOf, loadColumnMap, normaliseHeaderName, resolveHeader } from '../../src/csv/header.js';
import { CONTACT_LOG_LAYOUT } from '../../src/import/contact-log.js';
import { OPERATORS_LAYOUT } from '../../src/import/reference-loader.js';
import { scratchFolder } from '../support/scratch.js';

const BASE = ['utr', 'channel', 'enquiry_date', 'operator_pid', 'subject'];

describe('header mapping', () => {
  it('matches names without case, with spaces and hyphens read as underscores', () => {
    expect(normaliseHeaderName('  General-Notes ')).toBe('general_notes');
    expect(normaliseHeaderName('Contact Ref')).toBe('contact_ref');
    const header = resolveHeader(
      ['UTR', 'Channel', 'Enquiry Date', 'operator-pid', 'SUBJECT', 'General Notes'],
      CONTACT_LOG_LAYOUT,
    );
    expect(header.columns).toEqual(
      ['utr', 'channel', 'enquiry_date', 'operator_pid', 'subject', 'general_notes'].map((field) => ({ field })),
    );
  });

  it('ignores reject_* columns, so a rejects file imports as it is', () => {
    const header = resolveHeader([...BASE, 'reject_line', 'reject_codes', 'reject_reasons'], CONTACT_LOG_LAYOUT);
    expect(header.columns.slice(5)).toEqual([{ ignored: true }, { ignored: true }, { ignored: true }]);
  });

  it('only the rejects file\'s own four columns are ignored: any other "reject" header is a column of the file', () => {
    const header = resolveHeader(
      [...BASE, 'Reject Line', 'reject-codes', 'REJECT_REASONS', 'reject_source_line'],
      CONTACT_LOG_LAYOUT,
    );
    expect(header.columns.slice(5)).toEqual([
      { ignored: true },
      { ignored: true },
      { ignored: true },
      { ignored: true },
    ]);
    for (const name of ['Reject Notes', 'reject_flag', 'rejected']) {
      expect(() => resolveHeader([...BASE, name], CONTACT_LOG_LAYOUT), name).toThrow(
        new RegExp(`column ${name} is not a known column`),
      );
    }
  });

  it('is fatal for unknown, duplicate and missing columns, naming them', () => {
    expect(() => resolveHeader([...BASE, 'generalnotes'], CONTACT_LOG_LAYOUT)).toThrow(
      /column generalnotes is not a known column/,
    );
    expect(() => resolveHeader([...BASE, 'Subject'], CONTACT_LOG_LAYOUT)).toThrow(
      /column subject appears more than once/,
    );
    expect(() => resolveHeader(BASE.slice(1), CONTACT_LOG_LAYOUT)).toThrow(/required column utr is missing/);
  });

  it('a log that needs --map names its unknown columns once, lists the known ones once, and says how --map helps', () => {
    const legacy = ['Ref', 'UTR', 'Tel Type', 'Date', 'PID', 'Subject', 'Notes'];
    let error: any;
    try {
      resolveHeader(legacy, CONTACT_LOG_LAYOUT);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'unknown-column',
      message: expect.stringMatching(
        /^columns Ref, Tel Type, Date, PID, Notes are not known columns; rename or drop them with --map/,
      ),
    });
    expect(`${error.message} ${error.hint}`.match(/known columns are/g)).toHaveLength(1);
    expect(error.hint).toMatch(
      /the known columns are contact_ref, .*general_notes; a --map FILE renames a legacy header \({"Legacy header": "general_notes"}\) or drops a column/,
    );
    expect(() => resolveHeader(['utr;channel;enquiry_date'], CONTACT_LOG_LAYOUT)).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/^the header reads as one column: .*--delimiter/) }),
    );
  });

  it('two headers the map sends to one column are named, with what to do', () => {
    const map = {
      columns: new Map([
        ['notes', 'general_notes'],
        ['comments', 'general_notes'],
      ]),
      values: new Map(),
    };
    expect(() => resolveHeader([...BASE, 'Notes', 'Comments'], CONTACT_LOG_LAYOUT, map)).toThrow(
      /column general_notes appears more than once in the header: the map sends both "Notes" and "Comments" to it; map one of them to null, or to another column/,
    );
  });

  it('a map that cannot be read, or is not JSON, says where and what to do', () => {
    const dir = scratchFolder('cis-map-');
    expect(() => loadColumnMap(join(dir, 'missing.json'), CONTACT_LOG_LAYOUT)).toThrow(
      expect.objectContaining({
        code: 'file-unreadable',
        message: expect.stringMatching(/cannot read the column map .*missing\.json: no such file$/),
      }),
    );
    expect(() => loadColumnMap(dir, CONTACT_LOG_LAYOUT)).toThrow(
      expect.objectContaining({
        code: 'file-unreadable',
        message: expect.stringMatching(/: it is a folder, not a file$/),
      }),
    );
    writeFileSync(join(dir, 'broken.json'), '{\n  "Notes": "general_notes"\n  "Other": null\n}\n');
    expect(() => loadColumnMap(join(dir, 'broken.json'), CONTACT_LOG_LAYOUT)).toThrow(
      /is not valid JSON: .* at line 3, column 3/,
    );
    writeFileSync(join(dir, 'roles.json'), JSON.stringify({ values: { roles: { Proc: 'CISR Processor' } } }));
    expect(() => loadColumnMap(join(dir, 'roles.json'), OPERATORS_LAYOUT)).toThrow(
      /values of "roles" cannot be translated: this file has no column with a fixed vocabulary, so its map takes no "values"; take them out/,
    );
    writeFileSync(join(dir, 'notes.json'), JSON.stringify({ values: { general_notes: { x: 'y' } } }));
    expect(() => loadColumnMap(join(dir, 'notes.json'), CONTACT_LOG_LAYOUT)).toThrow(
      /only the columns with a fixed vocabulary can \(contact_type, channel, direction, authentication, subject\); take "general_notes" out of "values"/,
    );
  });

  it('drops a blank header while its cells are blank; a value under it is row-shape', () => {
    const header = resolveHeader([...BASE, ''], CONTACT_LOG_LAYOUT);
    expect(fieldsOf(['1', 'email', '2020-01-01', '1234567', 'Letter', ''], header).issues).toEqual([]);
    expect(fieldsOf(['1', 'email', '2020-01-01', '1234567', 'Letter', 'x'], header).issues.map((i) => i.code)).toEqual([
      'row-shape',
    ]);
    expect(fieldsOf(['1', 'email'], header).issues.map((i) => i.code)).toEqual(['row-shape']);
  });

  it('renames and drops columns with --map, and refuses a bad map', () => {
    const dir = scratchFolder('cis-map-');
    writeFileSync(join(dir, 'map.json'), JSON.stringify({ 'Legacy Notes': 'general_notes', 'Column to drop': null }));
    const map = loadColumnMap(join(dir, 'map.json'), CONTACT_LOG_LAYOUT);
    const header = resolveHeader([...BASE, 'Legacy Notes', 'Column to drop'], CONTACT_LOG_LAYOUT, map);
    expect(header.columns.slice(5)).toEqual([{ field: 'general_notes' }, { ignored: true }]);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ 'Legacy Notes': 'notes' }));
    expect(() => loadColumnMap(join(dir, 'bad.json'), CONTACT_LOG_LAYOUT)).toThrow(
      /maps to "notes", which is not a column/,
    );
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => loadColumnMap(join(dir, 'broken.json'), CONTACT_LOG_LAYOUT)).toThrow(/column map .* is invalid/);
  });

  it('maps a legacy direction per channel, the channel read through its own words, and refuses a direction the channel contradicts', () => {
    const dir = scratchFolder('cis-map-');
    writeFileSync(
      join(dir, 'map.json'),
      JSON.stringify({
        values: {
          channel: { Internal: 'internal-enquiry' },
          direction: { In: 'Inbound', Out: 'Outbound', 'internal-enquiry': { In: 'Outbound' } },
        },
      }),
    );
    const map = loadColumnMap(join(dir, 'map.json'), CONTACT_LOG_LAYOUT);
    const header = resolveHeader(
      ['utr', 'channel', 'direction', 'enquiry_date', 'operator_pid', 'subject'],
      CONTACT_LOG_LAYOUT,
      map,
    );
    const direction = fieldReader(header, 'direction');
    expect(direction(['1', 'Internal', 'In', '2020-01-01', '1234567', 'Letter'])).toBe('Outbound');
    expect(direction(['1', 'INTERNAL-ENQUIRY', ' in ', '2020-01-01', '1234567', 'Letter'])).toBe('Outbound');
    expect(direction(['1', 'email', 'In', '2020-01-01', '1234567', 'Letter'])).toBe('Inbound');
    expect(direction(['1', 'email', 'Out', '2020-01-01', '1234567', 'Letter'])).toBe('Outbound');
    expect(fieldsOf(['1', 'Internal', 'In', '2020-01-01', '1234567', 'Letter'], header).fields.direction).toBe(
      'Outbound',
    );
    writeFileSync(
      join(dir, 'wrong.json'),
      JSON.stringify({ values: { direction: { 'phone-inbound': { Out: 'Outbound' } } } }),
    );
    expect(() => loadColumnMap(join(dir, 'wrong.json'), CONTACT_LOG_LAYOUT)).toThrow(
      /direction "Out" on channel phone-inbound translates into Outbound, which the rules refuse beside phone-inbound/,
    );
    writeFileSync(
      join(dir, 'nochannel.json'),
      JSON.stringify({ values: { direction: { telephone: { Out: 'Outbound' } } } }),
    );
    expect(() => loadColumnMap(join(dir, 'nochannel.json'), CONTACT_LOG_LAYOUT)).toThrow(
      /"telephone" is not a channel the rules accept/,
    );
  });
});
