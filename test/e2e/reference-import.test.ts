import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { utrCheckCharacter } from '../../src/domain/utr.js';
import { DRIVERS, type Target, createTarget, fixtureStore, queryStore } from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

describe.each(DRIVERS)('registry and operators import on %s', (driver) => {
  let target: Target;
  let cwd: string;
  beforeAll(async () => {
    target = await createTarget(driver);
    cwd = scratchFolder('cis-contact-cwd-');
  });
  afterAll(() => target?.dispose());

  it('loads good registry rows, rejects bad ones with code and line, exit 1', async () => {
    const r = await runCli(['--json', 'registry', 'import', join(FIXTURES, 'registry.csv')], target.env, { cwd });
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ rowsRead: 14, rowsAccepted: 10, rowsRejected: 4 });
    expect(r.json.rejectsByCode).toEqual({
      'utr-check-digit': 1,
      'name-missing': 1,
      'kind-invalid': 1,
      'partner-of-invalid': 1,
    });
    const rejects = readFileSync(join(cwd, 'registry.rejects.csv'), 'utf8').trim().split('\n');
    expect(rejects[0]).toBe('utr,name,kind,partner_of,reject_line,reject_codes,reject_reasons');
    expect(rejects[1]).toMatch(/^1234567890,Wrong Check Digit Ltd,contractor,,12,utr-check-digit,/);
    expect(rejects.map((l) => l.split(',')[4])).toEqual(['reject_line', '12', '13', '14', '15']);
  });

  it('re-running changes nothing, and a corrected rejects file imports as it is', async () => {
    // Not the file's store: one of its own that fixtures/registry.csv was imported into already (as the first
    // test imports it), and a folder of its own, so the re-run finds the registry loaded in any order, alone too.
    const { target, cwd } = await fixtureStore(driver, 'registry-rerun');
    try {
      const snapshot = () =>
        queryStore(
          target,
          sql`
        select (select json_agg(r order by r.utr)::text from public.cis_records r) as records,
               (select json_agg(m order by m.partnership_utr, m.partner_utr)::text from public.partnership_members m) as members`,
        );
      const before = await snapshot();
      const again = await runCli(['--json', 'registry', 'import', join(FIXTURES, 'registry.csv')], target.env, { cwd });
      expect(again.json).toMatchObject({ rowsAccepted: 10, rowsRejected: 4 });
      // Not a name, kind, membership or even updated_at moved.
      expect(await snapshot()).toEqual(before);
      const corrected = readFileSync(join(cwd, 'registry.rejects.csv'), 'utf8')
        .replace('1234567890,Wrong Check Digit Ltd', '7555979711,Right Check Digit Ltd')
        .replace('6937865797,,', '6937865797,Named Now,')
        .replace('sole trader', 'subcontractor')
        .replace(
          '4757491186,Orphan Partner,subcontractor,7555979711',
          '4757491186,Orphan Partner,subcontractor,1996030824',
        );
      // Spelt as a spreadsheet might save them, the old reject columns are still recognised and replaced.
      writeFileSync(
        join(cwd, 'fixed.csv'),
        corrected.replace('reject_line,reject_codes,reject_reasons', 'Reject Line,Reject-Codes,REJECT_REASONS'),
      );
      const fixed = await runCli(['--json', 'registry', 'import', 'fixed.csv'], target.env, { cwd });
      expect(fixed.code).toBe(0);
      expect(fixed.json).toMatchObject({ rowsRead: 4, rowsAccepted: 4, rowsRejected: 0, rejectsFile: null });
    } finally {
      await target.dispose();
    }
  });

  it('loads operators and canonicalises their roles', async () => {
    const r = await runCli(
      ['--json', 'operators', 'import', join(FIXTURES, 'operators.csv'), '--rejects', 'ops-rejects.csv'],
      target.env,
      { cwd },
    );
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      rowsRead: 7,
      rowsAccepted: 5,
      rowsRejected: 2,
      rejectsByCode: { 'operator-format': 1, 'roles-missing': 1 },
    });
    expect(readFileSync(join(cwd, 'ops-rejects.csv'), 'utf8')).toMatch(
      /^123456,Short Pid,CISR Processor,7,operator-format,/m,
    );
  });

  it('roles separated by commas grant their roles; a misspelt role is rejected by name; a foreign header imports with --map', async () => {
    writeFileSync(
      join(cwd, 'ops-legacy.csv'),
      `${[
        'PID,Operator Name,Roles',
        '1111111.0,Comma Person,"CISR Processor, CISR Pursuit Manager"',
        ' 222 2222 ,Typo Person,CISR Procesor',
        '3333333,Viewer Person,CIS Read Only',
      ].join('\n')}\n`,
    );
    const unmapped = await runCli(['operators', 'import', 'ops-legacy.csv'], target.env, { cwd });
    expect(unmapped.code).toBe(2);
    expect(unmapped.stderr).toMatch(/column Operator Name is not a known column/);
    writeFileSync(join(cwd, 'ops-map.json'), JSON.stringify({ 'Operator Name': 'name' }));
    const r = await runCli(
      [
        '--json',
        'operators',
        'import',
        'ops-legacy.csv',
        '--map',
        'ops-map.json',
        '--rejects',
        'ops-legacy.rejects.csv',
      ],
      target.env,
      { cwd },
    );
    expect(r.json).toMatchObject({
      rowsRead: 3,
      rowsAccepted: 2,
      rowsRejected: 1,
      rejectsByCode: { 'role-unknown': 1 },
    });
    expect(readFileSync(join(cwd, 'ops-legacy.rejects.csv'), 'utf8')).toMatch(
      /roles: ""CISR Procesor"" is not a role the tool knows/,
    );
    const [row] = await queryStore<{ roles: string[] }>(
      target,
      sql`select roles from public.operators where pid = '1111111'`,
    );
    expect(row!.roles).toEqual(['CISR Processor', 'CISR Pursuit Manager']);
  });

  it('a reference file gets the whole-file checks: bytes not in its encoding, and a rejects path that is the file itself, write nothing', async () => {
    const utr = `${utrCheckCharacter('0444444444')}444444444`;
    const latin = Buffer.from(`utr,name,kind,partner_of\n${utr},Fran\u00e7ois Builders,contractor,\n`, 'latin1');
    writeFileSync(join(cwd, 'registry-1252.csv'), latin);
    const asUtf8 = await runCli(['registry', 'import', 'registry-1252.csv'], target.env, { cwd });
    expect(asUtf8.code).toBe(2);
    expect(asUtf8.stderr).toMatch(/line 2 holds bytes that UTF-8 cannot have \[invalid-encoding\]/);
    expect(await queryStore(target, sql`select 1 from public.cis_records where utr = ${utr}`)).toHaveLength(0);
    const onItself = await runCli(
      ['registry', 'import', 'registry-1252.csv', '--encoding', 'windows-1252', '--rejects', 'registry-1252.csv'],
      target.env,
      { cwd },
    );
    expect(onItself.code).toBe(2);
    expect(onItself.stderr).toContain('[output-is-input]');
    expect(readFileSync(join(cwd, 'registry-1252.csv'))).toEqual(latin);
    expect(
      (await runCli(['registry', 'import', 'registry-1252.csv', '--encoding', 'windows-1252'], target.env, { cwd }))
        .code,
    ).toBe(0);
    const [row] = await queryStore<{ name: string }>(
      target,
      sql`select name from public.cis_records where utr = ${utr}`,
    );
    expect(row!.name).toBe('François Builders');
  });

  it('an unknown column is fatal before anything is written: exit 2', async () => {
    writeFileSync(join(cwd, 'typo.csv'), 'pid,name,rolez\n1111111,New Person,CISR Processor\n');
    const r = await runCli(['operators', 'import', 'typo.csv'], target.env, { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column rolez is not a known column.*\[unknown-column\]/s);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing file is a clear message, exit 2', async () => {
    const r = await runCli(['registry', 'import', 'nope.csv'], target.env, { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read nope.csv: no such file \[file-unreadable\]/);
  });
});
