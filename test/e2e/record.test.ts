import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, createTarget, fixtureTarget, queryStore } from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

const BASE = [
  'record',
  '--utr',
  '1955839661',
  '--operator',
  '1234567',
  '--contact-type',
  'agent',
  '--contact-name',
  'Jo Bloggs',
  '--channel',
  'phone-inbound',
  '--auth',
  'authenticated',
];

describe.each(DRIVERS)('record on %s', (driver) => {
  let target: Target;
  const cli = (args: string[]) => runCli(args, target.env);

  beforeAll(async () => {
    target = await fixtureTarget(driver);
  });
  afterAll(() => target?.dispose());

  it('records a contact as a new user would type it', async () => {
    const r = await cli([...BASE, '--subject', 'Callback', '--action', 'Explained the statement']);
    expect(r.code).toBe(0);
    // The confirmation is the command's result: stdout, nothing on stderr.
    expect(r.stdout).toMatch(/^Recorded: contact \d+ on 1955839661; 1 enquiry/);
    expect(r.stderr).toBe('');
  });

  it('prints the documented JSON shape, with several enquiries and warnings', async () => {
    const r = await cli([
      '--json',
      ...BASE,
      '--subject',
      'Letter',
      '--action',
      'Sent WAM letter',
      '--subject',
      'Callback',
      '--notes',
      'Call on Monday',
    ]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      recorded: true,
      duplicate: false,
      contacts: [
        {
          utr: '1955839661',
          partnershipUtr: null,
          enquiries: [
            // An --action or --notes belongs to the --subject before it.
            { position: 1, subject: 'Letter', actionTaken: 'Sent WAM letter', generalNotes: null },
            { position: 2, subject: 'Callback', actionTaken: null, generalNotes: 'Call on Monday' },
          ],
        },
      ],
      warnings: [
        { code: 'abbreviation', field: '--action' },
        { code: 'action-missing', field: '--action' },
      ],
    });
    expect(typeof r.json.contacts[0].id).toBe('number');
  });

  it('lands a partnership contact on every partner and never on the partnership', async () => {
    const r = await cli([
      '--json',
      'record',
      '--utr',
      '2108834503',
      '--operator',
      '3456789',
      '--channel',
      'internal-enquiry',
      '--subject',
      'Internal Referral',
      '--action',
      'Referred',
    ]);
    expect(r.code).toBe(0);
    expect(r.json.contacts.map((c: any) => [c.utr, c.partnershipUtr])).toEqual([
      ['1083016613', '2108834503'],
      ['1097172564', '2108834503'],
      ['8526018159', '2108834503'],
    ]);
    const ids = r.json.contacts.map((c: any) => c.id);
    expect(ids[1] - ids[0]).toBe(1);
    expect(ids[2] - ids[1]).toBe(1);
  });

  it('records on the chosen partners only', async () => {
    const r = await cli([
      '--json',
      'record',
      '--utr',
      '2108834503',
      '--partners',
      '8526018159',
      '--operator',
      '3456789',
      '--channel',
      'internal-enquiry',
      '--subject',
      'Letter',
      '--action',
      'Letter sent',
    ]);
    expect(r.json.contacts.map((c: any) => c.utr)).toEqual(['8526018159']);
  });

  it('a retried --ref writes nothing twice; other content under it is a conflict', async () => {
    const args = [...BASE, '--subject', 'Complaint', '--action', 'Logged complaint', '--ref', 'CASE-42'];
    const first = await cli(['--json', ...args]);
    const second = await cli(['--json', ...args]);
    expect(first.json).toMatchObject({ recorded: true, duplicate: false });
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({
      recorded: true,
      duplicate: true,
      contacts: [{ id: first.json.contacts[0].id }],
    });
    const other = await cli([
      '--json',
      ...BASE,
      '--subject',
      'Complaint',
      '--action',
      'Something else',
      '--ref',
      'CASE-42',
    ]);
    expect(other.code).toBe(1);
    expect(other.json).toMatchObject({ recorded: false, errors: [{ code: 'conflicts-with-recorded' }] });
  });

  it('bad input exits 1 with every issue listed and no stack trace', async () => {
    const r = await cli([
      'record',
      '--utr',
      '1234567890',
      '--operator',
      '4567890',
      '--channel',
      'phone-inbound',
      '--direction',
      'Outbound',
      '--date',
      '31/04/2010',
      '--subject',
      'Other',
      '--notes',
      'card 4111 1111 1111 1111',
    ]);
    expect(r.code).toBe(1);
    for (const code of [
      'utr-check-digit',
      'contact-type-missing',
      'contact-name-missing',
      'direction-conflict',
      'authentication-required',
      'date-format',
      'operator-not-authorised',
      'action-required',
      'payment-details',
    ]) {
      expect(r.stdout).toContain(code);
    }
    expect(r.stdout + r.stderr).not.toContain('4111 1111 1111 1111');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    const json = await cli([
      '--json',
      'record',
      '--utr',
      '2108834503',
      '--partners',
      '1955839661',
      '--operator',
      '1234567',
      '--channel',
      'email',
      '--contact-type',
      'agent',
      '--contact-name',
      'x',
      '--auth',
      'waived',
      '--subject',
      'Letter',
      '--action',
      'x',
    ]);
    expect(json.json).toEqual({
      recorded: false,
      errors: [expect.objectContaining({ code: 'not-a-partner', field: '--partners' })],
      warnings: [],
    });
  });

  it('a channel that is not valid is one error, not also the rules that depend on the channel', async () => {
    const r = await cli([
      'record',
      '--utr',
      '1955839661',
      '--operator',
      '1234567',
      '--channel',
      'telepathy',
      '--subject',
      'Letter',
      '--action',
      'Wrote',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error +channel-invalid +--channel \("telepathy"\) must be one of/);
    expect(r.stdout.match(/error /g)).toHaveLength(1);
    expect(r.stdout).not.toMatch(/authentication|--auth|for channel/);
    const misspelt = await cli([
      ...BASE.filter((w) => w !== 'phone-inbound' && w !== '--channel'),
      '--channel',
      'phone-inbund',
      '--subject',
      'Callbak',
      '--action',
      'Wrote',
    ]);
    expect(misspelt.code).toBe(1);
    expect(misspelt.stdout).toMatch(
      /channel-invalid +--channel \("phone-inbund"\) must be one of .*; did you mean phone-inbound\?/,
    );
    expect(misspelt.stdout).toMatch(
      /subject-invalid +--subject \("Callbak"\) must be one of .*; did you mean Callback\?/,
    );
  });

  /** How many contacts the store holds with this action: what a repeated call would add to. */
  const storedWith = async (action: string) => (await idsWith(action)).length;
  /** The contacts stored with this action, in order: which calls stored one, in one query. */
  const idsWith = async (action: string) =>
    (
      await queryStore<{ seq: number }>(
        target,
        sql`select c.seq::int as seq from public.contacts c join public.enquiries e on e.contact_seq = c.seq where e.action_taken = ${action} order by c.seq`,
      )
    ).map((r) => r.seq);

  it('the same call again without --ref is refused, naming the stored contact; --again records a second', async () => {
    const call = [...BASE, '--subject', 'Callback', '--action', 'Up-arrow and Enter'];
    const first = await cli(['--json', ...call]);
    expect(first.json).toMatchObject({ recorded: true, duplicate: false });
    const again = await cli(call);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(
      new RegExp(
        `same-as-recorded +the same contact .* is already stored as contact ${first.json.contacts[0].id} \\(stored by \\S+ at \\d{4}-\\d\\d-\\d\\d [\\d:]+ UTC\\); nothing was stored: if this really is a second contact, give --again`,
      ),
    );
    // Another date, another operator or other words are another contact.
    const otherDate = await cli(['--json', ...call, '--date', '2024-05-01']);
    expect(otherDate.code).toBe(0);
    const second = await cli(['--json', ...call, '--again']);
    expect(second.code).toBe(0);
    expect(second.json.contacts[0].id).toBeGreaterThan(first.json.contacts[0].id);
    // The refused call stored nothing: the three stored are the other three calls'.
    expect(await idsWith('Up-arrow and Enter')).toEqual([
      first.json.contacts[0].id,
      otherDate.json.contacts[0].id,
      second.json.contacts[0].id,
    ]);
  });

  it('--dry-run checks against the store, prints what would be stored with its warnings, and writes nothing', async () => {
    const call = [...BASE, '--subject', 'Letter', '--action', 'Sent WAM letter for the dry run'];
    const dry = await cli(['--json', ...call, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.json).toMatchObject({
      recorded: true,
      dryRun: true,
      warnings: [{ code: 'abbreviation', field: '--action' }],
    });
    const human = await cli([...call, '--dry-run']);
    expect(human.stdout).toMatch(
      /^Dry run \(nothing written\): Would record: contact \d+ on 1955839661; 1 enquiry\n.*abbreviation +--action uses the abbreviation WAM/s,
    );
    // It sees the store: a call already stored is refused in a dry run too.
    const stored = await cli(['--json', ...call]);
    expect(stored.code).toBe(0);
    const seen = await cli(['--json', ...call, '--dry-run']);
    expect(seen.code).toBe(1);
    expect(seen.json).toMatchObject({ recorded: false, dryRun: true, errors: [{ code: 'same-as-recorded' }] });
    // The dry runs before and after it stored nothing: the one contact is the real call's.
    expect(await idsWith('Sent WAM letter for the dry run')).toEqual([stored.json.contacts[0].id]);
  });

  it('--strict refuses a contact with warnings, before anything is stored', async () => {
    const r = await cli([
      ...BASE,
      '--subject',
      'Letter',
      '--action',
      'Sent WAM letter, strictly',
      '--subject',
      'Callback',
      '--strict',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error +abbreviation +--action uses the abbreviation WAM/);
    expect(r.stdout).toMatch(/error +action-missing +--action is blank/);
    expect(await storedWith('Sent WAM letter, strictly')).toBe(0);
    const clean = await cli([...BASE, '--subject', 'Letter', '--action', 'Sent a letter, strictly', '--strict']);
    expect(clean.code).toBe(0);
  });

  it('CIS_CONTACT_OPERATOR gives the PID when --operator is not given; the flag wins', async () => {
    const withoutPid = BASE.filter((_, i) => BASE[i] !== '--operator' && BASE[i - 1] !== '--operator');
    /** The PID each of these actions was stored with (none for one not stored): one query, as each opens the store. */
    const operatorsOf = async (...actions: string[]) => {
      const stored = await queryStore<{ action_taken: string; operator_pid: string }>(
        target,
        sql`select e.action_taken, c.operator_pid from public.contacts c join public.enquiries e on e.contact_seq = c.seq
        where e.action_taken in (${sql.join(
          actions.map((action) => sql`${action}`),
          sql`, `,
        )}) order by c.seq`,
      );
      return Object.fromEntries(
        actions.map((action) => [action, stored.filter((r) => r.action_taken === action).map((r) => r.operator_pid)]),
      );
    };
    const fromEnv = await runCli([...withoutPid, '--subject', 'Letter', '--action', 'PID from the environment'], {
      ...target.env,
      CIS_CONTACT_OPERATOR: '2345678',
    });
    expect(fromEnv.code).toBe(0);
    const flagWins = await runCli([...BASE, '--subject', 'Letter', '--action', 'PID from the flag'], {
      ...target.env,
      CIS_CONTACT_OPERATOR: '2345678',
    });
    expect(flagWins.code).toBe(0);
    const none = await runCli([...withoutPid, '--subject', 'Letter', '--action', 'No PID'], {
      ...target.env,
      CIS_CONTACT_OPERATOR: '',
    });
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/operator-missing +--operator is required/);
    expect(await operatorsOf('PID from the environment', 'PID from the flag', 'No PID')).toEqual({
      'PID from the environment': ['2345678'],
      'PID from the flag': ['1234567'],
      'No PID': [],
    });
  });

  it('usage errors exit 2', async () => {
    const more = await cli([...BASE, '--subject', 'Letter', '--action', 'a', '--action', 'b']);
    expect(more.code).toBe(2);
    expect(more.stderr).toMatch(/--action is given more than once/);
    const unknown = await cli([...BASE, '--subjekt', 'Letter']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--subjekt'/);
    const noValue = await cli(['record', '--utr', '1955839661', '--channel', '--auth', 'authenticated']);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('--channel has no value: the word after it is --auth, another flag.');
    const unquoted = await cli([...BASE, '--subject', 'Letter', '--action', 'Sent', 'a', 'letter']);
    expect(unquoted.code).toBe(2);
    expect(unquoted.stderr).toContain(
      "unexpected words 'a' 'letter' after --action Sent: every value follows its own --flag, so if they belong to that value, quote the value whole: --action 'Sent a letter'",
    );
    expect(unquoted.stderr).not.toMatch(/too many arguments/);
  });
});

describe.skipIf(!DRIVERS.includes('postgres'))('record on a server, as a login bound to one PID', () => {
  let target: Target;
  afterAll(() => target?.dispose());

  it('needs no --operator', async () => {
    target = await createTarget('postgres');
    const cwd = scratchFolder('cis-contact-bound-');
    await runCli(['registry', 'import', join(FIXTURES, 'registry.csv'), '--rejects', '/dev/null'], target.env);
    const login = new URL(target.env.DATABASE_URL!).username;
    writeFileSync(
      join(cwd, 'bound.csv'),
      `pid,name,roles,logins\n3456789,Pat Pursuit,CISR Pursuit Officer,${login}\n1234567,Priya Processor,CISR Processor,\n`,
    );
    expect(
      (await runCli(['operators', 'import', join(cwd, 'bound.csv'), '--rejects', '/dev/null'], target.env)).code,
    ).toBe(0);
    const r = await runCli(
      [
        '--json',
        'record',
        '--utr',
        '1955839661',
        '--channel',
        'internal-enquiry',
        '--subject',
        'Letter',
        '--action',
        'Bound',
      ],
      { ...target.env, CIS_CONTACT_OPERATOR: '' },
    );
    expect(r.code).toBe(0);
    const [row] = await queryStore<{ operator_pid: string }>(
      target,
      sql`select operator_pid from public.contacts where seq = ${r.json.contacts[0].id}`,
    );
    expect(row!.operator_pid).toBe('3456789');
  });
});

describe('storage failures', () => {
  it('an unreachable server is exit 3 with what to check, no stack trace', async () => {
    const r = await runCli(['record', ...BASE.slice(1), '--subject', 'Letter'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing',
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /cannot reach the PostgreSQL server at postgres:\/\/postgres@127.0.0.1:1\/nothing \(ECONNREFUSED\)/,
    );
    expect(r.stderr).toMatch(/check that the server is running/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
