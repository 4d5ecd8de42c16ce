/**
 * Operators through time: a contact is checked against the roles its operator
 * held on the enquiry date, so a leaver's and a changed operator's history
 * imports, while `record` (a contact recorded now) asks for today's roles and
 * no one gains a recording role today.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureStore, queryStore } from '../support/targets.js';

const HEADER =
  'contact_ref,utr,partners,contact_type,contact_name,channel,direction,enquiry_date,authentication,operator_pid,subject,action_taken,general_notes';
const row = (ref: string, date: string, pid: string) =>
  `${ref},1955839661,,agent,Jo Bloggs,email,,${date},authenticated,${pid},Letter,Sent a letter,`;
const LEAVER = '7000001';
const CHANGED = '7000002';

describe.each(DRIVERS)('operators through time on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  const write = (name: string, text: string) => {
    writeFileSync(join(cwd, name), text);
    return join(cwd, name);
  };
  /** How many contacts are stored under each of `refs`, in one query. */
  const stored = async (refs: string[]) => {
    const found = await queryStore<{ key: string; n: number }>(
      target,
      sql`select source_key as key, count(*)::int as n from public.contacts where source_key in ${refs} group by source_key`,
    );
    return refs.map((ref) => found.find((f) => f.key === ref)?.n ?? 0);
  };
  const recordAs = (pid: string, date?: string) =>
    cli([
      'record',
      '--utr',
      '1955839661',
      '--operator',
      pid,
      '--contact-type',
      'agent',
      '--contact-name',
      'Jo Bloggs',
      '--channel',
      'email',
      '--auth',
      'authenticated',
      '--subject',
      'Letter',
      '--action',
      'Sent a letter',
      ...(date ? ['--date', date] : []),
    ]);

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'operators-time'));
    const operators = write(
      'operators-dated.csv',
      [
        'pid,name,roles,roles_from,roles_to,leaving_date',
        `${LEAVER},Lee Leaver,CISR Processor,,,31/12/2019`,
        `${CHANGED},Chris Changed,CISR Processor,,2018-06-30,`,
        `${CHANGED},Chris Changed,CISR Viewer,2018-07-01,,`,
      ].join('\n') + '\n',
    );
    const r = await cli(['--json', 'operators', 'import', operators]);
    expect(r.json).toMatchObject({ rowsRead: 3, rowsAccepted: 3, rowsRejected: 0 });
  });
  afterAll(() => target?.dispose());

  it("imports a leaver's and a changed operator's history dated while they held a recording role, and refuses what is dated after", async () => {
    const file = write(
      'history.csv',
      [
        HEADER,
        row('LEFT-IN', '2019-12-31', LEAVER),
        row('LEFT-AFTER', '2020-01-02', LEAVER),
        row('CHANGED-IN', '2018-06-30', CHANGED),
        row('CHANGED-AFTER', '2018-07-01', CHANGED),
        row('UNDATED', '2018-07-01', '1234567'),
      ].join('\n') + '\n',
    );
    const rejectsPath = join(cwd, 'history.rejects.csv');
    const r = await cli(['--json', 'import', file, '--rejects', rejectsPath]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      rowsRead: 5,
      rowsAccepted: 3,
      rowsRejected: 2,
      rejectsByCode: { 'operator-not-authorised': 2 },
    });
    expect(await stored(['LEFT-IN', 'LEFT-AFTER', 'CHANGED-IN', 'CHANGED-AFTER', 'UNDATED'])).toEqual([1, 0, 1, 0, 1]);
    const rejects = readFileSync(rejectsPath, 'utf8');
    expect(rejects).toContain(
      `operator ${LEAVER} holds no role that may record a contact (on the enquiry date, 2020-01-02, the operator had left: the last day of service was 2019-12-31)`,
    );
    expect(rejects).toContain(
      `operator ${CHANGED} holds no role that may record a contact (on the enquiry date, 2018-07-01, it held CISR Viewer; a recording role was held at other times (CISR Processor to 2018-06-30))`,
    );
  });

  it('record asks for the roles held today, whatever the date of the contact', async () => {
    for (const pid of [LEAVER, CHANGED]) {
      const r = await recordAs(pid, '2018-01-02');
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain(`operator ${pid} holds no role that may record a contact (on today`);
    }
    expect((await recordAs('1234567', '2018-01-02')).code).toBe(0);
  });

  it('an operators file without dates keeps its meaning, and never brings a leaver back', async () => {
    const pid = '7000005';
    const left = write(
      'operators-left.csv',
      `pid,name,roles,leaving_date\n${pid},Lou Left,CISR Processor,2019-12-31\n`,
    );
    expect((await cli(['operators', 'import', left])).code).toBe(0);
    const undated = write('operators-undated.csv', `pid,name,roles\n${pid},Lou Left,CISR Processor\n`);
    expect((await cli(['operators', 'import', undated])).code).toBe(0);
    const [op] = await queryStore<{ left_on: string | null; role_periods: unknown }>(
      target,
      sql`select left_on::text as left_on, role_periods from public.operators where pid = ${pid}`,
    );
    expect(op).toEqual({ left_on: '2019-12-31', role_periods: [] });
    expect((await recordAs(pid)).code).toBe(1);
    const back = write('operators-back.csv', `pid,name,roles,leaving_date\n${pid},Lou Left,CISR Processor,\n`);
    expect((await cli(['operators', 'import', back])).code).toBe(0);
    expect((await recordAs(pid)).code).toBe(0);
  });

  it('names dates it cannot read, and a period that ends before it begins', async () => {
    const bad = write(
      'operators-bad.csv',
      [
        'pid,name,roles,roles_from,roles_to,leaving_date',
        '7000003,Bad Dates,CISR Processor,2020-13-01,,',
        '7000004,Backwards,CISR Processor,2020-01-01,2019-12-31,',
      ].join('\n') + '\n',
    );
    const rejectsPath = join(cwd, 'operators-bad.rejects.csv');
    const r = await cli(['--json', 'operators', 'import', bad, '--rejects', rejectsPath]);
    expect(r.json).toMatchObject({ rowsAccepted: 0, rowsRejected: 2, rejectsByCode: { 'period-invalid': 2 } });
    const rejects = readFileSync(rejectsPath, 'utf8');
    expect(rejects).toContain('roles_from ""2020-13-01"" is not a date');
    expect(rejects).toContain('roles_to ""2019-12-31"" is before roles_from (2020-01-01)');
  });
});
