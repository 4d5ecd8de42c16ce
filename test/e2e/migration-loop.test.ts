/**
 * The migration loop as teams run it: import, fix the rejects file (in pandas,
 * in a text editor), import it again, round after round. However the file
 * is cleaned up, the loop must end with exactly the contacts a
 * right-first-time import of the corrected log stores: nothing lost,
 * nothing twice, nothing stored that the log did not say.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { dropRejectColumns, readCsv, setWhere, writeCsv } from '../support/pandas.js';
import { DRIVERS, type Target, fixtureStore, queryStore } from '../support/targets.js';
import { HEADER } from '../support/contact-log.js';

const line = (
  ref: string,
  notes: string,
  { pid = '1234567', date = '2020-02-02', utr = '1955839661', subject = 'Letter' } = {},
) =>
  `${ref},${utr},,agent,Jo Bloggs,email,,${date},authenticated,${pid},${subject},Sent a letter,"${notes.replace(/"/g, '""')}"`;

/** Every stored contact, as what it says under its key: the order and time of storing aside. */
const contents = (target: Target) =>
  queryStore<{ key: string; hash: string }>(
    target,
    sql`select source_key as key, content_hash as hash from public.contacts order by source_key`,
  );

describe.each(DRIVERS)('the migration loop on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  const write = (name: string, lines: string[]) => writeFileSync(join(cwd, name), `${lines.join('\n')}\n`);

  // Each test its own copy of the fixtures' store: the contacts one test stores (rows without a ref among them,
  // keyed by content and occurrence) must not be in another's count of keys or its comparison of contents.
  beforeEach(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'loop'));
  });
  afterEach(() => target?.dispose());

  it('three identical rows without a ref, the third wrong: once corrected, it is the third contact, not a duplicate of the first', async () => {
    const twin = line('', 'Wrote twice about the return', { date: '2021-07-14' });
    write('twins.csv', [HEADER, twin, twin, twin.replace(',1234567,', ',12345,')]);
    const first = await cli(['--json', 'import', 'twins.csv']);
    expect(first.json).toMatchObject({ rowsAccepted: 2, rowsRejected: 1, warningsByCode: { 'identical-row': 1 } });
    const fixed = readFileSync(join(cwd, 'twins.rejects.csv'), 'utf8').replace(',12345,', ',1234567,');

    // Cleaned up in pandas, its reject columns dropped: which row it was is lost, so it cannot be told from the
    // first contact. It is not stored twice, and not dropped silently: a warning names the contact, --warnings lists it.
    writeFileSync(join(cwd, 'twins.rejects.csv'), fixed);
    writeCsv(join(cwd, 'twins-cleaned.csv'), dropRejectColumns(readCsv(join(cwd, 'twins.rejects.csv'))));
    const cleaned = await cli(['--json', 'import', 'twins-cleaned.csv', '--warnings', 'twins-cleaned.warnings.csv']);
    expect(cleaned.json).toMatchObject({
      rowsAccepted: 0,
      rowsDuplicate: 1,
      warningsByCode: { 'matches-recorded': 1 },
    });
    expect(readFileSync(join(cwd, 'twins-cleaned.warnings.csv'), 'utf8')).toMatch(
      /,2,matches-recorded,"?the row matches contact \d+ \(sha256:[0-9a-f]+#1\), recorded from twins\.csv, so it is not stored again/,
    );

    // The rejects file as the tool wrote it keeps the row's place in the first file: it is the third occurrence.
    const corrected = await cli(['--json', 'import', 'twins.rejects.csv']);
    expect(corrected.code).toBe(0);
    expect(corrected.json).toMatchObject({ rowsAccepted: 1, rowsDuplicate: 0, contactsWritten: 1 });
    const keys = (await contents(target)).map((c) => c.key).filter((k) => k.startsWith('sha256:'));
    expect(keys.map((k) => k.replace(/^.*#/, '#')).sort()).toEqual(['#1', '#2', '#3']);
    // Brought back again, or the log imported right at last: nothing new.
    expect((await cli(['--json', 'import', 'twins.rejects.csv'])).json).toMatchObject({
      rowsAccepted: 0,
      rowsDuplicate: 1,
    });
    // Another file of the same rows adds nothing; that they are the same rows, and not more of them, is said.
    write('twins-right.csv', [HEADER, twin, twin, twin]);
    const right = (await cli(['--json', 'import', 'twins-right.csv'])).json;
    expect(right).toMatchObject({ rowsAccepted: 0, rowsDuplicate: 3 });
    expect(right.warningsByCode).toEqual({ 'identical-row': 2, 'matches-recorded': 3 });
  });

  it('three rounds, the second through pandas with the reject columns dropped, end with exactly what a right-first-time import stores', async () => {
    const right = [
      line('T-1', 'Plain letter'),
      line('T-2', 'Operator mistyped'),
      line('T-3', '-5 days late'),
      line('', 'Twin without a ref', { date: '2022-03-01' }),
      line('', 'Twin without a ref', { date: '2022-03-01' }),
      line('', 'Twin without a ref', { date: '2022-03-01' }),
      line('', 'Date that April lacks', { date: '30/04/2020' }),
      line('T-4', 'UTR left out'),
      line('T-5', 'First of two enquiries'),
      line('T-5', 'Second of two enquiries'),
    ];
    const wrong = [...right];
    wrong[1] = wrong[1]!.replace(',1234567,', ',9999999,');
    wrong[2] = wrong[2]!.replace(',1234567,', ',9999999,');
    wrong[5] = wrong[5]!.replace(',1234567,', ',12345,');
    wrong[6] = wrong[6]!.replace('30/04/2020', '31/04/2020');
    wrong[7] = wrong[7]!.replace(',1955839661,', ',,');
    wrong[9] = wrong[9]!.replace(',Letter,', ',Letterr,');
    write('team.csv', [HEADER, ...wrong]);

    const round1 = await cli(['--json', 'import', 'team.csv']);
    expect(round1.json).toMatchObject({ rowsRead: 10, rowsAccepted: 3, rowsRejected: 7 });

    // Round 2, in pandas: read the rejects file, drop the reject columns, fix what is easy, write it out.
    let frame = dropRejectColumns(readCsv(join(cwd, 'team.rejects.csv')));
    frame = setWhere(frame, 'operator_pid', '9999999', 'operator_pid', '1234567');
    frame = setWhere(frame, 'enquiry_date', '31/04/2020', 'enquiry_date', '30/04/2020');
    frame = setWhere(frame, 'subject', 'Letterr', 'subject', 'Letter');
    writeCsv(join(cwd, 'round2.csv'), frame);
    const written = readFileSync(join(cwd, 'round2.csv'), 'utf8');
    // As pandas writes them: the UTR column has a blank, so its numbers are floats; the formula guard stays.
    expect(written).toContain(',1955839661.0,');
    expect(written).toContain("'-5 days late");
    const round2 = await cli(['--json', 'import', 'round2.csv']);
    expect(round2.json).toMatchObject({ rowsRead: 7, rowsAccepted: 5, rowsRejected: 2, rowsDuplicate: 0 });

    // Round 3, in a text editor: the rest.
    const edited = readFileSync(join(cwd, 'round2.rejects.csv'), 'utf8')
      .replace(',12345,', ',1234567,')
      .replace(/^T-4,,/m, 'T-4,1955839661,');
    writeFileSync(join(cwd, 'round3.csv'), edited);
    const round3 = await cli(['--json', 'import', 'round3.csv']);
    expect(round3.code).toBe(0);
    expect(round3.json).toMatchObject({ rowsRead: 2, rowsAccepted: 2, rowsRejected: 0 });
    for (const r of [round1, round2, round3])
      expect(r.json.rowsAccepted + r.json.rowsRejected + r.json.rowsDuplicate).toBe(r.json.rowsRead);
    // Every round again adds nothing.
    for (const file of ['team.csv', 'round2.csv', 'round3.csv'])
      expect((await cli(['--json', 'import', file, '--rejects', `${file}.again.csv`])).json.rowsAccepted).toBe(0);

    const { target: rightFirstTime, cwd: elsewhere } = await fixtureStore(driver, 'loop-right');
    try {
      writeFileSync(join(elsewhere, 'team.csv'), `${[HEADER, ...right].join('\n')}\n`);
      const once = await runCli(['--json', 'import', 'team.csv'], rightFirstTime.env, { cwd: elsewhere });
      expect(once.json).toMatchObject({ rowsAccepted: 10, rowsRejected: 0 });
      // The store held no contacts before the loop: all it holds now, the loop stored.
      const loop = await contents(target);
      expect(loop).toHaveLength(10 - 1);
      expect(loop).toEqual(await contents(rightFirstTime));
    } finally {
      await rightFirstTime.dispose();
    }
  });
});
