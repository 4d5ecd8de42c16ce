/**
 * What reaches a screen is safe, and the database refuses what the tool
 * refuses: entries holding control, bidi and format characters, a contact
 * on a partnership's own UTR and an enquiry dated after the day it was
 * recorded are stored by plain SQL with the new constraints taken off (as
 * they were before drizzle/0007), and then put back NOT VALID. No text output
 * then carries a raw ESC, BEL or C1 byte — to a pipe, on a terminal (`verify`
 * through `script`; `history`, whose table a terminal's width shapes, in
 * process with a terminal's stream, which history-export-verify.test.ts shows
 * prints what a real terminal shows) or as --json — `verify` names each such
 * entry as forbidden with its writer, and the database refuses the same text
 * when it comes again.
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainEntry, GENESIS_HASH, chainHash } from '../../src/domain/audit.js';
import { storedContentHash } from '../../src/domain/identity.js';
import { findControlCharacter } from '../../src/domain/text.js';
import { rows } from '../../src/storage/database.js';
import { CLIENT_SCHEMA_VERSION } from '../../src/storage/client-version.js';
import { type CliResult, binaryCommand, runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureStore } from '../support/targets.js';

// A raw character a terminal acts on: C0 (but tab and line break), DEL, C1, separators, format characters.
// eslint-disable-next-line no-control-regex -- the characters a screen must not be sent
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u;

const CLEAR = '\u001b[2J';
const CLIPBOARD = '\u001b]52;c;aGVsbG8=\u0007';
const FAKE_VERDICT = '\r\u001b[2K\u001b[1AIntact: 3 entries';
const PARTNERSHIP = '2108834503';

/** The store's constraints of drizzle/0007, taken off and put back NOT VALID around `write`, as a superuser may. */
async function withoutNewChecks(target: Target, write: (tx: any) => Promise<void>): Promise<void> {
  const store = await target.open();
  try {
    await store.db.execute(
      sql`alter table public.contacts drop constraint contacts_plain_text, drop constraint contacts_not_after_recorded`,
    );
    await store.db.execute(sql`alter table public.enquiries drop constraint enquiries_plain_text`);
    await store.db.execute(sql`alter table public.contacts disable trigger contacts_not_on_partnership`);
    await store.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local cis_contact.schema_version = '${CLIENT_SCHEMA_VERSION}'`));
      await write(tx);
    });
  } finally {
    await store.db.execute(sql`alter table public.contacts add constraint contacts_plain_text
      check (public.cis_contact_plain_text(source_key, false) and public.cis_contact_plain_text(contact_name, false)) not valid`);
    await store.db.execute(sql`alter table public.contacts add constraint contacts_not_after_recorded
      check (enquiry_date <= (recorded_at at time zone 'Europe/London')::date) not valid`);
    await store.db.execute(sql`alter table public.enquiries add constraint enquiries_plain_text
      check (public.cis_contact_plain_text(action_taken, false) and public.cis_contact_plain_text(general_notes, true)) not valid`);
    await store.db.execute(sql`alter table public.contacts enable always trigger contacts_not_on_partnership`);
    await store.close();
  }
}

/** Appends one contact by plain SQL, chained as the tool chains it (the next seq, the head's hash, the transaction's time and login). */
async function forge(
  tx: any,
  fields: { sourceKey: string; utr?: string; enquiryDate?: string; actionTaken: string; generalNotes: string | null },
): Promise<void> {
  const [head] = await rows<{ seq: number; hash: string }>(
    tx,
    sql`select seq::int as seq, hash from public.contacts order by seq desc limit 1`,
  );
  const [{ now, who }] = (await rows<{ now: string; who: string }>(
    tx,
    sql`select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now, session_user::text as who`,
  )) as [{ now: string; who: string }];
  const prev = head?.hash ?? GENESIS_HASH;
  const entry: ChainEntry = {
    seq: (head?.seq ?? 0) + 1,
    sourceKey: fields.sourceKey,
    utr: fields.utr ?? '1955839661',
    partnershipUtr: null,
    contactType: null,
    contactName: null,
    channel: 'internal-enquiry',
    direction: 'Outbound',
    authentication: null,
    enquiryDate: fields.enquiryDate ?? '2024-03-01',
    operatorPid: '1234567',
    importRunId: null,
    recordedAt: now,
    recordedBy: who,
    enquiries: [{ position: 1, subject: 'Letter', actionTaken: fields.actionTaken, generalNotes: fields.generalNotes }],
  };
  await tx.execute(sql`insert into public.contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, prev_hash, hash)
    values (${entry.seq}, ${entry.sourceKey}, ${storedContentHash(entry, entry)}, ${entry.utr}, 'internal-enquiry', 'Outbound', ${entry.enquiryDate}, '1234567',
            ${prev}, ${chainHash(prev, entry)})`);
  await tx.execute(sql`insert into public.enquiries (contact_seq, position, subject, action_taken, general_notes)
    values (${entry.seq}, 1, 'Letter', ${fields.actionTaken}, ${fields.generalNotes})`);
}

/** The command's output as a terminal shows it: run under `script`, so stdout and stderr are a TTY. */
function onTerminal(args: string[], env: Record<string, string>): string {
  const command = binaryCommand(args)
    .flat()
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  let out: string;
  try {
    out = execFileSync('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, NO_COLOR: '1', COLUMNS: '160', ...env },
      encoding: 'utf8',
    });
  } catch (error) {
    out = String((error as { stdout?: string }).stdout ?? '');
  }
  // The terminal turns each line break into CR LF.
  return out.replace(/\r\n/g, '\n');
}

describe.each(DRIVERS)('what reaches a screen is safe (%s)', (driver) => {
  let target: Target;
  let cwd: string;

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'screen'));
    const first = await runCli(
      [
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
        'Sent a letter',
        '--date',
        '2024-03-01',
      ],
      target.env,
      { cwd },
    );
    expect(first.code, first.stderr).toBe(0);
    await withoutNewChecks(target, async (tx) => {
      await forge(tx, {
        sourceKey: `K-2${FAKE_VERDICT}`,
        actionTaken: `title\u001b]0;pwned\u0007 \u009b31m`,
        generalNotes: `${CLEAR}${CLIPBOARD}\nline two \u202eevil`,
        enquiryDate: '2099-01-01',
      });
      await forge(tx, {
        sourceKey: 'K-3',
        utr: PARTNERSHIP,
        actionTaken: 'on the partnership itself',
        generalNotes: null,
      });
    });
  }, 120_000);

  afterAll(async () => {
    await target?.dispose();
  });

  it('history shows every stored character escaped, to a pipe, on a terminal and as --json', async () => {
    const piped = await runCli(['history', '1955839661', '--all'], target.env, { cwd });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).not.toMatch(RAW_UNSAFE);
    expect(piped.stdout).toContain('\\x1b[2J\\x1b]52;c;aGVsbG8=\\x07\\nline two \\u202eevil');
    expect(piped.stdout).toContain('title\\x1b]0;pwned\\x07 \\u009b31m');

    // Wrapped to a terminal's width: standard output a terminal, as Node's stream for one says.
    const terminal = await runCli(['history', '1955839661', '--all'], target.env, { cwd, terminal: { columns: 160 } });
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout).toContain('\\x1b[2J');
    expect(`${terminal.stdout}${terminal.stderr}`).not.toMatch(RAW_UNSAFE);

    const json = await runCli(['history', '1955839661', '--all', '--json'], target.env, { cwd });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toMatch(RAW_UNSAFE);
    // The same value, escaped as JSON does.
    expect(JSON.stringify(json.json)).toContain(
      JSON.stringify(`${CLEAR}${CLIPBOARD}\nline two \u202eevil`).slice(1, -1),
    );
  });

  it('verify names each forbidden entry with its writer, and its report holds no raw control', async () => {
    const r = await runCli(['verify'], target.env, { cwd });
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(RAW_UNSAFE);
    expect(r.stdout).toContain('K-2\\r\\x1b[2K\\x1b[1AIntact: 3 entries');
    expect(r.stdout).not.toMatch(/^Intact/m);

    const json = await runCli(['verify', '--json'], target.env, { cwd });
    expect(json.code).toBe(1);
    expect(json.stdout).not.toMatch(RAW_UNSAFE);
    const forbidden = json.json.failures.filter((f: { kind: string }) => f.kind === 'forbidden');
    const writer = driver === 'pglite' ? 'postgres' : new URL(target.env.DATABASE_URL!).username || 'postgres';
    expect(
      forbidden.map((f: { seq: number; reason: string; recordedBy: string }) => [
        f.seq,
        f.recordedBy,
        f.reason.match(/source_key|action_taken|general_notes|enquiry date|partnership/)?.[0],
      ]),
    ).toEqual([
      [2, writer, 'action_taken'],
      [2, writer, 'enquiry date'],
      [2, writer, 'general_notes'],
      [2, writer, 'source_key'],
      [3, writer, 'partnership'],
    ]);
    expect(json.json.failures.filter((f: { kind: string }) => f.kind !== 'forbidden')).toEqual([]);

    const terminal = onTerminal(['verify'], target.env);
    expect(terminal).toContain('NOT intact');
    expect(terminal).not.toMatch(RAW_UNSAFE);
  });

  it('the database refuses the same text, partnership and date when they come again', async () => {
    // One store opened for every write: each refused one rolls back alone.
    const store = await target.open();
    try {
      for (const fields of [
        { sourceKey: 'K-4', actionTaken: 'fine', generalNotes: 'a \u202e b' },
        { sourceKey: 'K-4\u001b[2J', actionTaken: 'fine', generalNotes: null },
        { sourceKey: 'K-4', actionTaken: 'tab\there', generalNotes: null },
        { sourceKey: 'K-4', actionTaken: 'fine', generalNotes: null, enquiryDate: '2099-01-01' },
        { sourceKey: 'K-4', actionTaken: 'fine', generalNotes: null, utr: PARTNERSHIP },
      ]) {
        const write = store.db.transaction(async (tx) => {
          await tx.execute(sql.raw(`set local cis_contact.schema_version = '${CLIENT_SCHEMA_VERSION}'`));
          await forge(tx, fields);
        });
        await expect(write, JSON.stringify(fields)).rejects.toMatchObject({ cause: { code: '23514' } });
      }
      // Notes may hold a line break and a tab: the rules allow them there.
      // The database's list is the tool's, code point for code point. Both rules are per character, so a block of
      // 4,096 code points the function accepts whole holds none it refuses; only the blocks it refuses are asked
      // code point by code point (a call per code point, 2.2 million, took 37 s of the suite).
      for (const multiline of [false, true]) {
        const [found] = await rows<{ list: string }>(
          store.db,
          sql`with points as (
                select cp, cp / 4096 as block from generate_series(1, 1114111) cp where cp < 55296 or cp > 57343),
              refused_blocks as (
                select block from points group by block
                having not public.cis_contact_plain_text(string_agg(chr(cp), '' order by cp), ${multiline})),
              candidates as materialized (select cp from points join refused_blocks using (block))
              select string_agg(cp::text, ',' order by cp) as list from candidates
              where not public.cis_contact_plain_text(chr(cp), ${multiline})`,
        );
        const tools: number[] = [];
        for (let cp = 1; cp <= 0x10ffff; cp++)
          if ((cp < 0xd800 || cp > 0xdfff) && findControlCharacter(String.fromCodePoint(cp), multiline)) tools.push(cp);
        expect(found!.list).toBe(tools.join(','));
      }
      await store.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local cis_contact.schema_version = '${CLIENT_SCHEMA_VERSION}'`));
        await forge(tx, { sourceKey: 'K-5', actionTaken: 'fine', generalNotes: 'line one\nline\ttwo' });
      });
    } finally {
      await store.close();
    }
  });

  it('record refuses a bidi control as it refuses ESC', async () => {
    for (const given of [
      ['--action', 'paid \u202e01 ot'],
      ['--action', 'Sent', '--notes', 'zero\u200bwidth'],
      ['--action', 'Sent', '--ref', 'REF\u2066-1'],
    ]) {
      const r = await runCli(
        [
          'record',
          '--utr',
          '1955839661',
          '--operator',
          '1234567',
          '--channel',
          'internal-enquiry',
          '--subject',
          'Letter',
          ...given,
          '--json',
        ],
        target.env,
        { cwd },
      );
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stdout).not.toMatch(RAW_UNSAFE);
      expect(JSON.stringify(r.json)).toMatch(/control-character/);
    }
  });
});

describe.each(DRIVERS)('checkpoints know their store (%s)', (driver) => {
  let ours: Target;
  let theirs: Target;
  let cwd: string;
  /** `verify` of each store, taken once: the tests only read them. */
  let oursVerified: CliResult;
  let theirsVerified: CliResult;
  const record = (target: Target, ref: string) =>
    runCli(
      [
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
        `Sent ${ref}`,
        '--ref',
        ref,
        '--date',
        '2024-03-01',
      ],
      target.env,
      { cwd },
    );

  beforeAll(async () => {
    ({ target: ours, cwd } = await fixtureStore(driver, 'stores'));
    ({ target: theirs } = await fixtureStore(driver, 'stores-other'));
    for (const ref of ['A-1', 'A-2']) expect((await record(ours, ref)).code).toBe(0);
    for (const ref of ['B-1', 'B-2']) expect((await record(theirs, ref)).code).toBe(0);
    oursVerified = await runCli(['verify'], ours.env, { cwd });
    theirsVerified = await runCli(['verify'], theirs.env, { cwd });
  }, 120_000);

  afterAll(async () => {
    await ours?.dispose();
    await theirs?.dispose();
  });

  it("an intact verify warns, before its checkpoint line, that only a kept checkpoint shows an owner's rewrite; the line names the store", async () => {
    const r = oursVerified;
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(1, -1).join(' ')).toMatch(
      /owner or a superuser .* shows only against a checkpoint kept outside the store/,
    );
    const line = JSON.parse(lines.at(-1)!);
    expect(line.checkpoint.store).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(cwd, 'ours.txt'), `${r.stdout}`);
    expect((await runCli(['verify', '--checkpoint', join(cwd, 'ours.txt')], ours.env, { cwd })).code).toBe(0);
  });

  it('a checkpoint of another store is refused as such, exit 2, never called a rewrite', async () => {
    expect(theirsVerified.code, theirsVerified.stderr).toBe(0);
    writeFileSync(join(cwd, 'theirs.txt'), theirsVerified.stdout);
    const r = await runCli(['verify', '--checkpoint', join(cwd, 'theirs.txt')], ours.env, { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/theirs\.txt:\d+ is of another store/);
    expect(r.stdout).not.toMatch(/rewritten|NOT intact/);
    // An export's manifest names its store too.
    expect(
      (await runCli(['export', '--format', 'jsonl', '--out', join(cwd, 'theirs.jsonl')], theirs.env, { cwd })).code,
    ).toBe(0);
    const byManifest = await runCli(['verify', '--checkpoint', join(cwd, 'theirs.jsonl')], ours.env, { cwd });
    expect(byManifest.code).toBe(2);
    expect(byManifest.stderr).toMatch(/another store/);
  });

  it('a checkpoint line with a note after it, or cut short, is refused naming the file and line', async () => {
    const line = oursVerified.stdout.trim().split('\n').at(-1)!;
    for (const [name, text] of [
      ['noted.txt', `kept by the auditor\n${line} -- kept 1 May\n`],
      ['cut.txt', `kept by the auditor\n${line.slice(0, 40)}\n${line.slice(40)}\n`],
    ]) {
      writeFileSync(join(cwd, name!), text!);
      const r = await runCli(['verify', '--checkpoint', join(cwd, name!)], ours.env, { cwd });
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toContain(`${join(cwd, name!)}, line 2`);
    }
  });
});
