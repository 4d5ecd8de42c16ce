/**
 * Reference data in several files, and the routes a migration team takes:
 * `--registry` and `--operators` may repeat on `import` and `db restore`
 * (the rows of one PID add up across operators files), `db restore --map`
 * reads legacy headers of those files, and a note too long for one enquiry
 * goes on in continuation enquiries under one contact_ref.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, createTarget, fixtureStore, queryStore } from '../support/targets.js';

const HEADER =
  'contact_ref,utr,partners,contact_type,contact_name,channel,direction,enquiry_date,authentication,operator_pid,subject,action_taken,general_notes';
const row = (ref: string, utr: string, date: string, pid: string, notes = '') =>
  `${ref},${utr},,agent,Jo Bloggs,email,,${date},authenticated,${pid},Letter,Sent a letter,"${notes}"`;

describe.each(DRIVERS)('reference files and routes on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[], on = target) => runCli(args, on.env, { cwd });
  const write = (name: string, lines: string[]) => {
    writeFileSync(join(cwd, name), `${lines.join('\n')}\n`);
    return join(cwd, name);
  };
  /** A partnership and its partner in two registry files; an operator's two periods in two operators files. */
  const splitFiles = () => ({
    registry1: write('registry-1.csv', ['utr,name,kind,partner_of', '4744569391,Riverside Partners,partnership,']),
    registry2: write('registry-2.csv', [
      'utr,name,kind,partner_of',
      '4057124683,Rita Riverside,subcontractor,4744569391',
    ]),
    operators1: write('operators-1.csv', [
      'pid,name,roles,roles_from,roles_to',
      '7100001,Sam Split,CISR Processor,,2018-06-30',
    ]),
    operators2: write('operators-2.csv', [
      'pid,name,roles,roles_from,roles_to',
      '7100001,Sam Split,CISR Viewer,2018-07-01,',
    ]),
  });
  const count = async (query: ReturnType<typeof sql>, on = target) =>
    (await queryStore<{ n: number }>(on, query))[0]!.n;

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'reference-files'));
  });
  afterAll(() => target?.dispose());

  it('import loads several --registry and --operators files in order; the rows of one PID add up across them', async () => {
    const { registry1, registry2, operators1, operators2 } = splitFiles();
    const log = write('split.csv', [
      HEADER,
      row('SPLIT-IN', '4744569391', '2018-06-01', '7100001'),
      row('SPLIT-AFTER', '4057124683', '2019-01-01', '7100001'),
    ]);
    const r = await cli([
      '--json',
      'import',
      log,
      '--registry',
      registry1,
      '--registry',
      registry2,
      '--operators',
      operators1,
      '--operators',
      operators2,
      '--rejects',
      join(cwd, 'split.rejects.csv'),
    ]);
    expect(r.code).toBe(1);
    expect(r.json.registry.map((s: { rowsAccepted: number }) => s.rowsAccepted)).toEqual([1, 1]);
    expect(r.json.operators.map((s: { file: string }) => s.file)).toEqual([operators1, operators2]);
    // The partnership's row went to its partner, under the roles held then; a year later the operator was a viewer.
    expect(r.json).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, rejectsByCode: { 'operator-not-authorised': 1 } });
    expect(
      await count(sql`select count(*)::int as n from public.contacts where source_key = ${'SPLIT-IN/4057124683'}`),
    ).toBe(1);
  });

  it('a long note goes on in continuation enquiries of one contact: the rejected row, copied and split, imports as one contact', async () => {
    const long = `${'The agent explained the late return at length. '.repeat(12)}`.trim();
    const log = write('long.csv', [HEADER, row('LONG-1', '1955839661', '2020-02-02', '1234567', long)]);
    const rejectsPath = join(cwd, 'long.rejects.csv');
    expect((await cli(['--json', 'import', log, '--rejects', rejectsPath])).json).toMatchObject({
      rejectsByCode: { 'notes-too-long': 1 },
    });
    const [header, rejected] = readFileSync(rejectsPath, 'utf8').trimEnd().split('\n');
    const cut = long.lastIndexOf('. ', 512) + 1;
    const parts = [long.slice(0, cut), long.slice(cut + 1)];
    const fixed = write('long-fixed.csv', [header!, ...parts.map((p) => rejected!.replace(long, p))]);
    const r = await cli(['--json', 'import', fixed]);
    expect(r.json).toMatchObject({ rowsAccepted: 2, rowsRejected: 0, contactsWritten: 1, enquiriesWritten: 2 });
    const notes = await queryStore<{ general_notes: string }>(
      target,
      sql`select e.general_notes from public.contacts c join public.enquiries e on e.contact_seq = c.seq where c.source_key = 'LONG-1' order by e.position`,
    );
    expect(notes.map((n) => n.general_notes).join(' ')).toBe(long);
  });

  it('a legacy direction mapped per channel is stored as the channel needs, and the rejects file keeps the word the file said', async () => {
    writeFileSync(
      join(cwd, 'direction-map.json'),
      JSON.stringify({ values: { direction: { In: 'Inbound', 'internal-enquiry': { In: 'Outbound' } } } }),
    );
    const log = write('directions.csv', [
      HEADER,
      'DIR-INT,1955839661,,,,internal-enquiry,In,2020-02-02,,1234567,Letter,Asked the team,',
      'DIR-EMAIL,1955839661,,agent,Jo Bloggs,email,In,2020-02-02,authenticated,1234567,Letter,Replied,',
      'DIR-BAD,1955839661,,agent,Jo Bloggs,phone-outbound,In,2020-02-02,authenticated,1234567,Letter,Rang,',
    ]);
    const rejectsPath = join(cwd, 'directions.rejects.csv');
    const r = await cli(['--json', 'import', log, '--map', join(cwd, 'direction-map.json'), '--rejects', rejectsPath]);
    expect(r.json).toMatchObject({ rowsAccepted: 2, rowsRejected: 1, rejectsByCode: { 'direction-conflict': 1 } });
    const stored = await queryStore<{ source_key: string; direction: string }>(
      target,
      sql`select source_key, direction from public.contacts where source_key like 'DIR-%' order by source_key`,
    );
    expect(stored).toEqual([
      { source_key: 'DIR-EMAIL', direction: 'Inbound' },
      { source_key: 'DIR-INT', direction: 'Outbound' },
    ]);
    expect(readFileSync(rejectsPath, 'utf8')).toMatch(/DIR-BAD,.*,phone-outbound,In,/);
  });

  it('db restore reads legacy headers of its reference files with --map, and takes several of each', async () => {
    const exported = await cli(['--json', 'export', '--format', 'jsonl', '--out', join(cwd, 'backup.jsonl')]);
    expect(exported.code).toBe(0);
    const fixtures = readFileSync(join(FIXTURES, 'operators.csv'), 'utf8').trimEnd().split('\n').slice(1);
    const legacy = write('staff-legacy.csv', ['Staff number,Full name,Roles held', ...fixtures.slice(0, 3)]);
    const rest = write('staff-rest.csv', ['Staff number,Full name,Roles held', ...fixtures.slice(3)]);
    const dated = write('staff-dated.csv', [
      'Staff number,Full name,Roles held,roles_from,roles_to',
      '7100001,Sam Split,CISR Processor,,2018-06-30',
      '7100001,Sam Split,CISR Viewer,2018-07-01,',
    ]);
    writeFileSync(
      join(cwd, 'staff-map.json'),
      JSON.stringify({ 'Staff number': 'pid', 'Full name': 'name', 'Roles held': 'roles' }),
    );
    const { registry1, registry2 } = splitFiles();
    const registries = ['--registry', join(FIXTURES, 'registry.csv'), '--registry', registry1, '--registry', registry2];
    const into = await createTarget(driver);
    try {
      const r = await cli(
        [
          '--json',
          'db',
          'restore',
          join(cwd, 'backup.jsonl'),
          ...registries,
          '--operators',
          legacy,
          '--operators',
          rest,
          '--operators',
          dated,
          '--map',
          join(cwd, 'staff-map.json'),
        ],
        into,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(0);
      expect(r.json.restored).toBe(exported.json.manifest.count);
      expect(r.json.operators).toHaveLength(3);
      expect(
        await count(
          sql`select count(*)::int as n from public.operators where pid in ('1234567', '4567890', '7100001')`,
          into,
        ),
      ).toBe(3);
      expect((await cli(['--json', 'verify'], into)).json).toMatchObject({ intact: true });
    } finally {
      await into.dispose();
    }
  });
});
