import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureTarget } from '../support/targets.js';

const BASE = [
  'record', '--utr', '1955839661', '--operator', '1234567', '--contact-type', 'agent', '--contact-name', 'Jo Bloggs',
  '--channel', 'phone-inbound', '--auth', 'authenticated',
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
    const r = await cli(['--json', ...BASE, '--subject', 'Letter', '--action', 'Sent WAM letter', '--subject', 'Callback', '--notes', 'Call on Monday']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      recorded: true,
      duplicate: false,
      contacts: [{ utr: '1955839661', partnershipUtr: null, enquiries: [
        // An --action or --notes belongs to the --subject before it.
        { position: 1, subject: 'Letter', actionTaken: 'Sent WAM letter', generalNotes: null },
        { position: 2, subject: 'Callback', actionTaken: null, generalNotes: 'Call on Monday' },
      ] }],
      warnings: [
        { code: 'abbreviation', field: '--action' },
        { code: 'action-missing', field: '--action' },
      ],
    });
    expect(typeof r.json.contacts[0].id).toBe('number');
  });

  it('lands a partnership contact on every partner and never on the partnership', async () => {
    const r = await cli(['--json', 'record', '--utr', '2108834503', '--operator', '3456789', '--channel', 'internal-enquiry', '--subject', 'Internal Referral', '--action', 'Referred']);
    expect(r.code).toBe(0);
    expect(r.json.contacts.map((c: any) => [c.utr, c.partnershipUtr])).toEqual([
      ['1083016613', '2108834503'], ['1097172564', '2108834503'], ['8526018159', '2108834503'],
    ]);
    const ids = r.json.contacts.map((c: any) => c.id);
    expect(ids[1] - ids[0]).toBe(1);
    expect(ids[2] - ids[1]).toBe(1);
  });

  it('records on the chosen partners only', async () => {
    const r = await cli(['--json', 'record', '--utr', '2108834503', '--partners', '8526018159', '--operator', '3456789', '--channel', 'internal-enquiry', '--subject', 'Letter', '--action', 'Letter sent']);
    expect(r.json.contacts.map((c: any) => c.utr)).toEqual(['8526018159']);
  });

  it('a retried --ref writes nothing twice; other content under it is a conflict', async () => {
    const args = [...BASE, '--subject', 'Complaint', '--action', 'Logged complaint', '--ref', 'CASE-42'];
    const first = await cli(['--json', ...args]);
    const second = await cli(['--json', ...args]);
    expect(first.json).toMatchObject({ recorded: true, duplicate: false });
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ recorded: true, duplicate: true, contacts: [{ id: first.json.contacts[0].id }] });
    const other = await cli(['--json', ...BASE, '--subject', 'Complaint', '--action', 'Something else', '--ref', 'CASE-42']);
    expect(other.code).toBe(1);
    expect(other.json).toMatchObject({ recorded: false, errors: [{ code: 'conflicts-with-recorded' }] });
  });

  it('bad input exits 1 with every issue listed and no stack trace', async () => {
    const r = await cli(['record', '--utr', '1234567890', '--operator', '4567890', '--channel', 'phone-inbound', '--direction', 'Outbound',
      '--date', '31/04/2010', '--subject', 'Other', '--notes', 'card 4111 1111 1111 1111']);
    expect(r.code).toBe(1);
    for (const code of ['utr-check-digit', 'contact-type-missing', 'contact-name-missing', 'direction-conflict', 'authentication-required', 'date-format', 'operator-not-authorised', 'action-required', 'payment-details']) {
      expect(r.stdout).toContain(code);
    }
    expect(r.stdout + r.stderr).not.toContain('4111 1111 1111 1111');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    const json = await cli(['--json', 'record', '--utr', '2108834503', '--partners', '1955839661', '--operator', '1234567', '--channel', 'email', '--contact-type', 'agent', '--contact-name', 'x', '--auth', 'waived', '--subject', 'Letter', '--action', 'x']);
    expect(json.json).toEqual({ recorded: false, errors: [expect.objectContaining({ code: 'not-a-partner', field: '--partners' })], warnings: [] });
  });

  it('a channel that is not valid is one error, not also the rules that depend on the channel', async () => {
    const r = await cli(['record', '--utr', '1955839661', '--operator', '1234567', '--channel', 'telepathy', '--subject', 'Letter', '--action', 'Wrote']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error +channel-invalid +--channel \("telepathy"\) must be one of/);
    expect(r.stdout.match(/error /g)).toHaveLength(1);
    expect(r.stdout).not.toMatch(/authentication|--auth|for channel/);
  });

  it('usage errors exit 2', async () => {
    const more = await cli([...BASE, '--subject', 'Letter', '--action', 'a', '--action', 'b']);
    expect(more.code).toBe(2);
    expect(more.stderr).toMatch(/--action is given more than once/);
    const unknown = await cli([...BASE, '--subjekt', 'Letter']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--subjekt'/);
  });
});

describe('storage failures', () => {
  it('an unreachable server is exit 3 with what to check, no stack trace', async () => {
    const r = await runCli(['record', ...BASE.slice(1), '--subject', 'Letter'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach the PostgreSQL server at postgres:\/\/postgres@127.0.0.1:1\/nothing \(ECONNREFUSED\)/);
    expect(r.stderr).toMatch(/check that the server is running/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
