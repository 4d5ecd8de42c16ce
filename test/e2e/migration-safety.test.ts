/**
 * A migration never damages data: what cannot be read faithfully is refused
 * before anything is written, inputs are never overwritten, every row is
 * accounted for, and real notes are stored as they were written.
 */

import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utrCheckCharacter } from '../../src/domain/utr.js';
import { FIXTURES, runCli } from '../support/cli.js';
import {
  DRIVERS,
  type Target,
  countsWith,
  fixtureStore,
  queryStore,
  readStore,
  storedCounts,
  storedNotes,
} from '../support/targets.js';
import { HEADER } from '../support/contact-log.js';

const row = (ref: string, notes: string, name = 'Jo Bloggs') =>
  `${ref},1955839661,,agent,${name},email,,2020-02-02,authenticated,1234567,Letter,Sent a letter,"${notes.replace(/"/g, '""')}"`;

describe.each(DRIVERS)('migration safety on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  const write = (name: string, content: string | Buffer) => {
    writeFileSync(join(cwd, name), content);
    return join(cwd, name);
  };
  const notesOf = (ref: string) => storedNotes(target, ref);
  /** The store's counts and the notes stored under `ref`, in one opening of it. */
  const countsAndNotes = (ref: string) =>
    readStore(target, async (read) => ({ counts: await storedCounts(read), notes: await storedNotes(read, ref) }));

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'migration'));
  });
  afterAll(() => target?.dispose());

  it('a UTF-8 log declared windows-1252 is refused whole, unless the user confirms the encoding', async () => {
    const file = write(
      'utf8.csv',
      `${[HEADER, row('ENC-1', 'Plain note'), row('ENC-2', 'Café paid £5', 'Renée Côté')].join('\n')}\n`,
    );
    const before = await storedCounts(target);
    const r = await cli(['import', file, '--encoding', 'windows-1252']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds accented characters in UTF-8 \(the first on line 3\).*\[invalid-encoding\]/);
    expect(r.stderr).toContain('--confirm-encoding');
    const plain = await cli(['--json', 'import', file]);
    expect(plain.code).toBe(0);
    // Both rows written by this import, and the store grown by them alone: the refused one stored nothing.
    expect(plain.json).toMatchObject({ rowsAccepted: 2, contactsWritten: 2 });
    expect(await countsAndNotes('ENC-2')).toEqual({
      counts: countsWith(before, 2),
      notes: { general_notes: 'Café paid £5', contact_name: 'Renée Côté' },
    });
  });

  it('a windows-1252 log read as UTF-8 is refused whole, naming the line and the flag; with the flag it is stored right', async () => {
    const text = `${[HEADER, row('W-1', 'Plain note'), row('W-2', 'Plain too'), row('W-3', 'Fran\u00e7ois called', 'Fran\u00e7ois')].join('\r\n')}\r\n`;
    const file = write('latin.csv', Buffer.from(text, 'latin1'));
    const before = await storedCounts(target);
    const r = await cli(['import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not valid UTF-8: line 4 holds bytes that UTF-8 cannot have \[invalid-encoding\]/);
    expect(r.stderr).toContain('--encoding windows-1252');
    const read = await cli(['--json', 'import', file, '--encoding', 'windows-1252']);
    expect(read.code).toBe(0);
    // All three rows written by this import, and the store grown by them alone: the refused one stored nothing.
    expect(read.json).toMatchObject({ rowsAccepted: 3, contactsWritten: 3 });
    expect(await countsAndNotes('W-3')).toEqual({
      counts: countsWith(before, 3),
      notes: { general_notes: 'François called', contact_name: 'François' },
    });
  });

  it('no rejects file may overwrite an input, even through a link or in a dry run, nor a file that is not a rejects file', async () => {
    const log = write(
      'log.csv',
      `${[HEADER, row('OUT-1', 'fine'), row('OUT-2', 'bad', 'x'.repeat(101))].join('\n')}\n`,
    );
    const original = readFileSync(log);
    symlinkSync(log, join(cwd, 'link.csv'));
    const notes = write('notes.txt', 'keep me\n');
    for (const args of [
      ['--dry-run', '--rejects', log],
      ['--rejects', join(cwd, 'link.csv')],
      ['--rejects', notes],
    ]) {
      const r = await cli(['import', log, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('[output-is-input]');
    }
    expect(readFileSync(log)).toEqual(original);
    expect(readFileSync(notes, 'utf8')).toBe('keep me\n');
    expect(await notesOf('OUT-1')).toBeUndefined();
    // A rejects file is overwritten, as before.
    const rejects = join(cwd, 'log.rejects.csv');
    expect((await cli(['import', log, '--dry-run', '--rejects', rejects])).code).toBe(1);
    expect((await cli(['import', log, '--dry-run', '--rejects', rejects])).code).toBe(1);
  });

  it('a column headed "Reject Notes" is the file\'s own: refused as unknown, never dropped with its data; imported once mapped', async () => {
    const file = write('reject-notes.csv', `${HEADER},Reject Notes\n${row('RN-1', 'called')},kept this\n`);
    const before = await storedCounts(target);
    const r = await cli(['import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column Reject Notes is not a known column.*\[unknown-column\]/s);
    write('reject-notes-map.json', JSON.stringify({ general_notes: null, 'Reject Notes': 'general_notes' }));
    const mapped = await cli(['--json', 'import', file, '--map', join(cwd, 'reject-notes-map.json')]);
    expect(mapped.code).toBe(0);
    // Its row written by this import, and the store grown by it alone: the refused one stored nothing.
    expect(mapped.json).toMatchObject({ rowsAccepted: 1, contactsWritten: 1 });
    const after = await countsAndNotes('RN-1');
    expect(after.counts).toEqual(countsWith(before, 1));
    expect(after.notes?.general_notes).toBe('kept this');
  });

  it('a file cut short (or still being written) never stores its cut last row: row-unterminated, and the rejects file brings it back whole', async () => {
    const cut = [
      HEADER,
      row('CUT-1', 'Called about the return'),
      'CUT-2,1955839661,,agent,Jo Bloggs,email,,2020-02-02,authenticated,1234567,Letter,Sent a letter,Agent says the return is late and he will sen',
    ].join('\n');
    const r = await cli(['--json', 'import', write('cut.csv', cut), '--rejects', join(cwd, 'cut.rejects.csv')]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      rowsRead: 2,
      rowsAccepted: 1,
      rowsRejected: 1,
      rejectsByCode: { 'row-unterminated': 1 },
    });
    expect(await notesOf('CUT-2')).toBeUndefined();
    const rejects = readFileSync(join(cwd, 'cut.rejects.csv'), 'utf8');
    expect(rejects).toMatch(/,3,row-unterminated,.*may have been cut short or may still be being written/);
    // The file complete at last: the rejects file, its row finished, imports as it is.
    write('cut-fixed.csv', rejects.replace('he will sen,', 'he will send it on Monday,'));
    expect((await cli(['--json', 'import', join(cwd, 'cut-fixed.csv')])).json).toMatchObject({
      rowsAccepted: 1,
      rowsRejected: 0,
    });
    expect((await notesOf('CUT-2'))?.general_notes).toBe('Agent says the return is late and he will send it on Monday');
  });

  it('a rejects file being corrected is never overwritten by running the first import again; an untouched one is', async () => {
    const log = write(
      'team-log.csv',
      `${[HEADER, row('ED-1', 'fine'), row('ED-2', 'bad', 'x'.repeat(101))].join('\n')}\n`,
    );
    const rejects = join(cwd, 'team-log.rejects.csv');
    expect((await cli(['import', log])).code).toBe(1);
    // Untouched since the tool wrote it: a re-run may overwrite it.
    expect((await cli(['import', log])).code).toBe(1);
    const edited = readFileSync(rejects, 'utf8').replace('x'.repeat(101), 'Jo Bloggs');
    writeFileSync(rejects, edited);
    const before = await storedCounts(target);
    const again = await cli(['import', log]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /team-log\.rejects\.csv has been changed since cis-contact wrote it.*it may hold your corrections.*\[output-is-input\]/s,
    );
    expect(again.stderr).toContain('--rejects');
    expect(readFileSync(rejects, 'utf8')).toBe(edited);
    expect(await storedCounts(target)).toEqual(before);
    // A rejects-shaped file the tool did not write (copied in, written by an older version) is not overwritten either.
    const foreign = write('foreign.rejects.csv', `${HEADER},reject_line,reject_codes,reject_reasons\n`);
    expect((await cli(['import', log, '--rejects', foreign])).code).toBe(2);
    expect(readFileSync(foreign, 'utf8')).toBe(`${HEADER},reject_line,reject_codes,reject_reasons\n`);
    // The corrected file imports, and the run of it writes its own rejects file.
    expect((await cli(['--json', 'import', rejects])).json).toMatchObject({ rowsAccepted: 1, rowsRejected: 0 });
  });

  it('a dry run writes no file unless told where: no rejects file beside the log, one with --rejects', async () => {
    const log = write('dry-log.csv', `${[HEADER, row('DRY-1', 'bad', 'x'.repeat(101))].join('\n')}\n`);
    const files = () => readdirSync(cwd).sort();
    const before = files();
    const r = await cli(['--json', 'import', log, '--dry-run']);
    expect(r.json).toMatchObject({ dryRun: true, rowsRejected: 1, rejectsFile: null });
    expect(files()).toEqual(before);
    const told = await cli(['--json', 'import', log, '--dry-run', '--rejects', join(cwd, 'dry-told.csv')]);
    expect(told.json.rejectsFile).toBe(join(cwd, 'dry-told.csv'));
    expect(readFileSync(join(cwd, 'dry-told.csv'), 'utf8')).toContain('contact-name-too-long');
    // Told where, but nothing rejected: no file, and no path printed.
    const clean = write('dry-clean.csv', `${[HEADER, row('DRY-2', 'fine', 'Jo Bloggs')].join('\n')}\n`);
    const quiet = await cli(['import', clean, '--dry-run', '--rejects', join(cwd, 'dry-none.csv')]);
    expect(quiet.code).toBe(0);
    expect(existsSync(join(cwd, 'dry-none.csv'))).toBe(false);
    expect(quiet.stdout + quiet.stderr).not.toContain('dry-none.csv');
    const quietJson = await cli(['--json', 'import', clean, '--dry-run', '--rejects', join(cwd, 'dry-none.csv')]);
    expect(quietJson.json).toMatchObject({ dryRun: true, rowsAccepted: 1, rejectsFile: null });
  });

  it('a quote never closed is fatal, naming its line and what it would swallow: no row is lost silently', async () => {
    const rows = Array.from({ length: 30 }, (_, i) =>
      row(`Q-${i + 1}`, `note ${i + 1}`).replace(/"(note \d+)"$/, '$1'),
    );
    rows[9] = rows[9]!.replace(/note 10$/, '"note 10 never closed');
    const before = await storedCounts(target);
    const r = await cli(['--json', 'import', write('quote.csv', `${[HEADER, ...rows].join('\n')}\n`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /line 11 opens a quoted field that is never closed; it would swallow the 20 lines after it.*\[unclosed-quote\]/,
    );
    expect(await storedCounts(target)).toEqual(before);
  });

  it('notes that only look like payment details are stored unchanged; real ones are still refused and masked', async () => {
    const lookAlikes = [
      'Letter dated 14-07-20 ref 20200714 sent',
      'Case 12345678 opened 01-02-21, next review 01-05-21',
      'Called 0161 496 0000 and 07700 900123, no answer',
      'Visits on 14-07-2020 15-07-2020 16-07-2020 and 17-07-2020',
      'Period 06-04-21 to 05-04-22 return 12345678 received',
    ];
    const file = write(
      'alike.csv',
      `${[HEADER, ...lookAlikes.map((n, i) => row(`PAY-${i}`, n)), row('PAY-REAL', 'Sort code 12-34-56 account 12345678')].join('\n')}\n`,
    );
    const r = await cli(['--json', 'import', file, '--rejects', join(cwd, 'alike.rejects.csv')]);
    expect(r.json).toMatchObject({
      rowsAccepted: lookAlikes.length,
      rowsRejected: 1,
      rejectsByCode: { 'payment-details': 1 },
    });
    const stored = await readStore(target, async (read) => {
      const notes: (string | null | undefined)[] = [];
      for (const i of lookAlikes.keys()) notes.push((await storedNotes(read, `PAY-${i}`))?.general_notes);
      return notes;
    });
    expect(stored).toEqual(lookAlikes);
    const rejects = readFileSync(join(cwd, 'alike.rejects.csv'), 'utf8');
    expect(rejects).toContain('Sort code **-**-** account ****5678');
    expect(rejects).not.toContain('12345678');
  });

  it('re-importing a partnership row after the partnership gained a partner is a duplicate with partners-changed', async () => {
    const log = write(
      'partners.csv',
      `${[HEADER, '"PC-1",2108834503,,subcontractor,Alan Partridge,face-to-face,,2021-09-01,authenticated,3456789,Complaint,Logged a complaint,'].join('\n')}\n`,
    );
    const first = await cli(['--json', 'import', log]);
    expect(first.json).toMatchObject({ rowsAccepted: 1 });
    const partners = first.json.contactsWritten;
    expect(partners).toBeGreaterThan(1);
    const newPartner = `${utrCheckCharacter('0777777777')}777777777`;
    write('new-partner.csv', `utr,name,kind,partner_of\n${newPartner},Cyril Partridge,subcontractor,2108834503\n`);
    expect((await cli(['registry', 'import', 'new-partner.csv'])).code).toBe(0);
    const again = await cli(['--json', 'import', log]);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({
      rowsDuplicate: 1,
      rowsRejected: 0,
      contactsWritten: 0,
      warningsByCode: { 'partners-changed': 1 },
    });
    const [stored] = await queryStore<{ n: number }>(
      target,
      sql`select count(*)::int as n from public.contacts where source_key like 'PC-1/%'`,
    );
    expect(stored!.n).toBe(partners);
  });

  it('a legacy log imports with its map: translated words stored, original words in the rejects file; spreadsheet forms read or refused with a hint', async () => {
    const r = await cli([
      '--json',
      'import',
      join(FIXTURES, 'legacy-contacts.csv'),
      '--map',
      join(FIXTURES, 'legacy-map.json'),
      '--rejects',
      join(cwd, 'legacy.rejects.csv'),
    ]);
    expect(r.json).toMatchObject({
      rowsRead: 4,
      rowsAccepted: 3,
      rowsRejected: 1,
      rejectsByCode: { 'utr-format': 1, 'operator-format': 1 },
    });
    // What was stored, and the counts the refused imports below must leave as they are, in one opening of the store.
    const { old1, old2, before } = await readStore(target, async (read) => ({
      old1: (
        await read<Record<string, string>>(
          sql`select c.channel, c.direction, c.enquiry_date::text as date, c.operator_pid as pid, e.subject
          from public.contacts c join public.enquiries e on e.contact_seq = c.seq where c.source_key = 'OLD-1'`,
        )
      )[0],
      old2: (
        await read<Record<string, string>>(
          sql`select channel, direction, enquiry_date::text as date, operator_pid as pid from public.contacts where source_key = 'OLD-2'`,
        )
      )[0],
      before: await storedCounts(read),
    }));
    expect(old1).toEqual({
      channel: 'phone-inbound',
      direction: 'Inbound',
      date: '2015-04-01',
      pid: '1234567',
      subject: 'Callback',
    });
    expect(old2).toEqual({ channel: 'letter', direction: 'Outbound', date: '2015-04-01', pid: '2345678' });
    const rejects = readFileSync(join(cwd, 'legacy.rejects.csv'), 'utf8');
    expect(rejects).toMatch(/^\ufeff?OLD-4,8\.10433E\+09,Agent,Jo Bloggs,Tel In,In,/m);
    expect(rejects).toContain('a spreadsheet turned it into a number');
    expect(rejects).toContain('a spreadsheet may have dropped a leading zero');
    writeFileSync(join(cwd, 'bad-map.json'), JSON.stringify({ values: { channel: { 'Tel In': 'telephone' } } }));
    const bad = await cli(['import', join(FIXTURES, 'legacy-contacts.csv'), '--map', join(cwd, 'bad-map.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /channel "Tel In" translates into "telephone", which is not a channel the rules accept.*\[map-invalid\]/,
    );
    writeFileSync(join(cwd, 'free-map.json'), JSON.stringify({ values: { general_notes: { x: 'y' } } }));
    expect(
      (await cli(['import', join(FIXTURES, 'legacy-contacts.csv'), '--map', join(cwd, 'free-map.json')])).stderr,
    ).toMatch(/values of "general_notes" cannot be translated/);
    expect(await storedCounts(target)).toEqual(before);
  });

  it('identical rows are both kept, with identical-row naming the earlier line; reserved refs are ref-invalid', async () => {
    const twin = ',2234567890,,contractor,Harry Harrow,letter,Outbound,14/07/2021,waived,2345678,Letter,Wrote twice,';
    const file = write(
      'twins.csv',
      `${[HEADER, twin, twin, row('A/B', 'slash'), row('sha256:abc', 'derived'), row('uuid:1', 'derived')].join('\n')}\n`,
    );
    const r = await cli(['--json', 'import', file, '--rejects', join(cwd, 'twins.rejects.csv')]);
    expect(r.json).toMatchObject({
      rowsAccepted: 2,
      rowsRejected: 3,
      warningsByCode: { 'identical-row': 1 },
      rejectsByCode: { 'ref-invalid': 3 },
    });
    const recorded = await cli([
      '--json',
      'record',
      '--utr',
      '1955839661',
      '--operator',
      '1234567',
      '--channel',
      'internal-enquiry',
      '--subject',
      'Letter',
      '--action',
      'x',
      '--ref',
      'uuid:123',
    ]);
    expect(recorded.code).toBe(1);
    expect(recorded.json.errors[0].code).toBe('ref-invalid');
    const strict = await cli([
      '--json',
      'import',
      write('twins2.csv', `${[HEADER, twin.replace('2021', '2022'), twin.replace('2021', '2022')].join('\n')}\n`),
      '--strict',
      '--rejects',
      '/dev/null',
    ]);
    expect(strict.json).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, rejectsByCode: { 'identical-row': 1 } });
  });
});
