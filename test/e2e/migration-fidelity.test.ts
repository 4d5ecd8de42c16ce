/**
 * Legacy rows are stored as they meant, or refused for a reason the team can
 * act on: a file written month first is never stored half-swapped, a card
 * number typed a digit out is never stored, and a leading `'` removed as a
 * spreadsheet's formula guard is never removed in silence.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import {
  DRIVERS,
  type StoreReader,
  type Target,
  countsWith,
  fixtureStore,
  readStore,
  storedCounts,
  storedNotes,
} from '../support/targets.js';
import { HEADER } from '../support/contact-log.js';

const row = (ref: string, date: string, notes = 'Sent a letter', pid = '1234567') =>
  `${ref},1955839661,,agent,Jo Bloggs,email,,${date},authenticated,${pid},Letter,Sent a letter,"${notes.replace(/"/g, '""')}"`;

describe.each(DRIVERS)('migration fidelity on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  const write = (name: string, lines: string[]) => {
    writeFileSync(join(cwd, name), `${[HEADER, ...lines].join('\n')}\n`);
    return join(cwd, name);
  };
  const dateOf = async (read: StoreReader, ref: string) =>
    (
      await read<{ date: string }>(
        sql`select enquiry_date::text as date from public.contacts where source_key = ${ref}`,
      )
    )[0]?.date;
  /** The store's counts and the dates stored under `refs`, in one opening of it. */
  const countsAndDates = (refs: string[]) =>
    readStore(target, async (read) => {
      const dates: (string | undefined)[] = [];
      for (const ref of refs) dates.push(await dateOf(read, ref));
      return { counts: await storedCounts(read), dates };
    });
  /** The notes stored under `refs` (undefined where none is), in one opening of the store. */
  const notesOf = (refs: string[]) =>
    readStore(target, async (read) => {
      const notes: (string | null | undefined)[] = [];
      for (const ref of refs) notes.push((await storedNotes(read, ref))?.general_notes);
      return notes;
    });

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'fidelity'));
  });
  afterAll(() => target?.dispose());

  it('a file written month first is refused whole by default, naming the line and --date-order, and stored right with --date-order mdy', async () => {
    const file = write('us.csv', [row('US-1', '03/04/2015'), row('US-2', '04/15/2015'), row('US-3', '12/31/15 10:30')]);
    const before = await storedCounts(target);
    for (const args of [[], ['--dry-run']]) {
      const refused = await cli(['import', file, ...args]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /line 3: enquiry_date "04\/15\/2015" cannot be read day first.*\(its month would be 15\): the file looks written month first \(US order\); nothing was stored \[date-order\]/,
      );
      expect(refused.stderr).toContain('import it with --date-order mdy');
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    const r = await cli(['--json', 'import', file, '--date-order', 'mdy']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ rowsRead: 3, rowsAccepted: 3, rowsRejected: 0, contactsWritten: 3 });
    // The store grown by this import's three contacts alone: the refused runs stored nothing.
    expect(await countsAndDates(['US-1', 'US-2', 'US-3'])).toEqual({
      counts: countsWith(before, 3),
      dates: ['2015-03-04', '2015-04-15', '2015-12-31'],
    });
  });

  it('a file with dates both ways is refused in either order, naming both lines; a day-first file is refused under --date-order mdy', async () => {
    const both = write('both.csv', [row('BOTH-1', '15/04/2015'), row('BOTH-2', '04/15/2015')]);
    const before = await storedCounts(target);
    for (const args of [[], ['--date-order', 'mdy']]) {
      const r = await cli(['import', both, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the file holds dates written in both orders; nothing was stored \[date-order\]/);
      expect(r.stderr).toMatch(/line 2.*line 3|line 3.*line 2/);
    }
    const uk = write('uk.csv', [row('UK-1', '03/04/2015'), row('UK-2', '"15/04/2015"')]);
    const r = await cli(['import', uk, '--date-order', 'mdy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /line 3: enquiry_date "15\/04\/2015" cannot be read month first, as --date-order mdy says \(its month would be 15\): the file looks written day first/,
    );
    expect(r.stderr).toContain('leave --date-order out');
    const read = await cli(['--json', 'import', uk]);
    expect(read.code).toBe(0);
    expect(read.json).toMatchObject({ rowsAccepted: 2, contactsWritten: 2 });
    // The store grown by this import's two contacts alone: the refused runs stored nothing.
    expect(await countsAndDates(['UK-1'])).toEqual({ counts: countsWith(before, 2), dates: ['2015-04-03'] });
  });

  it('a timestamp with a time zone is named as such, with its London date', async () => {
    const r = await cli([
      'import',
      write('zoned.csv', [row('TZ-1', '2015-06-30T23:30:00Z')]),
      '--rejects',
      join(cwd, 'zoned.rejects.csv'),
    ]);
    expect(r.code).toBe(1);
    const rejects = readFileSync(join(cwd, 'zoned.rejects.csv'), 'utf8');
    expect(rejects).toContain('is a moment with a time zone (UTC), not a date: in London it is 2015-07-01');
    expect(rejects).not.toContain('not a real date');
  });

  it('a card number failing Luhn beside "card" is refused, masked; a 16-digit invoice reference is stored (with a warning when written as a card is)', async () => {
    const file = write('cards.csv', [
      row('CARD-1', '2015-05-01', 'Customer paid by card 4736 7761 2683 3715 today.'),
      row('INV-1', '2015-05-01', 'Invoice 20150612 33445566 settled.'),
      row('INV-2', '2015-05-01', 'Invoice 4736776126833715 settled.'),
    ]);
    const rejectsPath = join(cwd, 'cards.rejects.csv');
    const r = await cli([
      '--json',
      'import',
      file,
      '--rejects',
      rejectsPath,
      '--warnings',
      join(cwd, 'cards.warnings.csv'),
    ]);
    expect(r.json).toMatchObject({
      rowsRead: 3,
      rowsAccepted: 2,
      rowsRejected: 1,
      rejectsByCode: { 'payment-details': 1 },
      warningsByCode: { 'possible-card-number': 1 },
    });
    const rejects = readFileSync(rejectsPath, 'utf8');
    expect(rejects).toContain('general_notes contains a payment card number (**** **** **** 3715)');
    expect(rejects).not.toMatch(/4736/);
    expect(await notesOf(['CARD-1', 'INV-1', 'INV-2'])).toEqual([
      undefined,
      'Invoice 20150612 33445566 settled.',
      'Invoice 4736776126833715 settled.',
    ]);
    const warnings = readFileSync(join(cwd, 'cards.warnings.csv'), 'utf8');
    expect(warnings).toMatch(
      /INV-2,.*possible-card-number,"general_notes holds \*{12}3715, a number written as a payment card number is/,
    );
    // Under --strict the warning refuses the row.
    const strict = await cli([
      '--json',
      'import',
      write('cards-strict.csv', [row('INV-3', '2015-05-01', 'Invoice 4736776126833716 settled.')]),
      '--strict',
      '--rejects',
      join(cwd, 'strict.rejects.csv'),
    ]);
    expect(strict.json).toMatchObject({ rowsRejected: 1, rejectsByCode: { 'possible-card-number': 1 } });
  });

  it("a leading ' read as a formula guard is removed with a guard-removed warning, kept with --keep-apostrophes; a rejected row's reasons say so", async () => {
    const file = write('guards.csv', [
      row('APOS-1', '2015-05-01', "'-- see previous note"),
      row('APOS-2', '2015-05-01', "''quoted'' by the agent", '9999999'),
    ]);
    const r = await cli([
      '--json',
      'import',
      file,
      '--rejects',
      join(cwd, 'guards.rejects.csv'),
      '--warnings',
      join(cwd, 'guards.warnings.csv'),
    ]);
    expect(r.json).toMatchObject({
      rowsAccepted: 1,
      rowsRejected: 1,
      warningsByCode: { 'guard-removed': 1 },
      rejectsByCode: { 'unknown-operator': 1 },
    });
    expect(readFileSync(join(cwd, 'guards.warnings.csv'), 'utf8')).toMatch(
      /APOS-1,.*,guard-removed,"general_notes starts with ' before ""-"", read as a spreadsheet's formula guard: the ' is removed/,
    );
    // The rejected row's line shows its cell as the file had it, and says the ' will not be stored.
    const rejects = readFileSync(join(cwd, 'guards.rejects.csv'), 'utf8');
    expect(rejects).toMatch(
      /APOS-2,.*,''quoted'' by the agent,3,"unknown-operator;guard-removed","operator_pid 9999999 is not a known operator; general_notes starts with ' before another '/,
    );

    const kept = await cli([
      '--json',
      'import',
      write('kept.csv', [row('KEEP-1', '2015-05-01', "'-- see previous note")]),
      '--keep-apostrophes',
    ]);
    expect(kept.json).toMatchObject({ rowsAccepted: 1, warningsByCode: {} });
    // Its rejects file is the tool's: its guards are removed whatever the flag says, so the round trip stays exact.
    const corrected = rejects.replace('9999999', '1234567');
    writeFileSync(join(cwd, 'guards-fixed.csv'), corrected);
    const again = await cli(['--json', 'import', join(cwd, 'guards-fixed.csv'), '--keep-apostrophes']);
    expect(again.json).toMatchObject({ rowsAccepted: 1, warningsByCode: {} });
    // What each of the three imports stored (a stored contact never changes: read once, at the end).
    expect(await notesOf(['APOS-1', 'KEEP-1', 'APOS-2'])).toEqual([
      '-- see previous note',
      "'-- see previous note",
      "'quoted'' by the agent",
    ]);
  });
});
