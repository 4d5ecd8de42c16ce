import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { utrCheckCharacter } from '../../src/domain/utr.js';
import { BIN, FIXTURES, binaryCommand, runCli, startCli } from '../support/cli.js';
import { untilCommitted } from '../support/events.js';
import {
  DRIVERS,
  STORED_COUNTS,
  type StoredCounts,
  type Target,
  copyOf,
  fixtureTarget,
  queryStore,
  readStore,
  storedCounts,
} from '../support/targets.js';
// @ts-expect-error plain ESM module shared with the benchmark
import { generate } from '../bench/generate.mjs';
import { HEADER } from '../support/contact-log.js';
import { scratchFolder } from '../support/scratch.js';

const stored = storedCounts;

async function notesOf(target: Target, sourceKey: string): Promise<string | undefined> {
  const [row] = await queryStore<{ general_notes: string }>(
    target,
    sql`select general_notes from public.enquiries e join public.contacts c on c.seq = e.contact_seq where c.source_key = ${sourceKey}`,
  );
  return row?.general_notes;
}

describe.each(DRIVERS)('import on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...target.env, ...env }, { cwd });

  // A folder of its own for each test, and a store of its own for each test that writes (below), so that each
  // passes alone and in any order.
  beforeEach(() => {
    cwd = scratchFolder('cis-contact-import-');
  });

  /** The sample log imported, as a user's first run leaves it: 8 contacts and contacts.rejects.csv in `cwd`. */
  const importSample = async () => expect((await cli(['import', join(FIXTURES, 'contacts.csv')])).code).toBe(1);

  // Commands that must leave the store as it was share one: a stray write by one fails the others' checks too.
  describe('writing nothing, on one store', () => {
    let shared: Target;
    beforeAll(async () => {
      shared = await fixtureTarget(driver);
    });
    afterAll(() => shared?.dispose());
    beforeEach(() => {
      target = shared;
    });

    it('a dry run reports what a real run writes, and writes nothing', async () => {
      const dry = await cli(['--json', 'import', join(FIXTURES, 'contacts.csv'), '--dry-run', '--rejects', 'dry.csv']);
      expect(dry.code).toBe(1);
      expect(dry.json).toMatchObject({
        dryRun: true,
        rowsRead: 16,
        rowsAccepted: 7,
        rowsRejected: 9,
        contactsWritten: 8,
        enquiriesWritten: 9,
      });
      expect((await stored(target)).contacts).toBe(0);
    });

    it('an unclosed quote at the end is fatal, naming its line; nothing before it is written', async () => {
      writeFileSync(
        join(cwd, 'open.csv'),
        [
          HEADER,
          'Q-1,1955839661,,agent,Jo,phone-inbound,,2020-03-01,authenticated,1234567,Letter,Sent,fine',
          'Q-2,1955839661,,agent,Jo,phone-inbound,,2020-03-02,authenticated,1234567,Letter,Sent,"never closed',
          'and more',
        ].join('\n'),
      );
      const before = await stored(target);
      const r = await cli(['--json', 'import', 'open.csv', '--rejects', 'open-rejects.csv']);
      expect(r.code).toBe(2);
      expect(r.json).toMatchObject({
        error: {
          code: 'unclosed-quote',
          message: expect.stringMatching(
            /line 3 opens a quoted field that is never closed; it would swallow the 1 line after it/,
          ),
        },
      });
      expect(await stored(target)).toEqual(before);
    });

    it('--strict rejects rows with warnings, with their codes', async () => {
      const r = await cli([
        '--json',
        'import',
        join(FIXTURES, 'contacts.csv'),
        '--strict',
        '--dry-run',
        '--rejects',
        'strict.csv',
      ]);
      expect(r.json.rejectsByCode).toMatchObject({ 'action-missing': 1, abbreviation: 1 });
      expect(r.json.warningsByCode).toEqual({});
      expect(readFileSync(join(cwd, 'strict.csv'), 'utf8')).toMatch(/,9,"action-missing;abbreviation",/);
    });

    it('a missing required column is fatal and writes nothing', async () => {
      writeFileSync(
        join(cwd, 'nosubject.csv'),
        'utr,channel,enquiry_date,operator_pid\n1955839661,email,2020-01-01,1234567\n',
      );
      writeFileSync(join(cwd, 'new-operator.csv'), 'pid,name,roles\n7777777,New Operator,CISR Processor\n');
      const r = await cli(['import', 'nosubject.csv', '--operators', 'new-operator.csv']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/required column subject is missing.*\[missing-column\]/s);
      // Not even the reference data given with it was loaded.
      const probe = await cli([
        '--json',
        'record',
        '--utr',
        '1955839661',
        '--operator',
        '7777777',
        '--channel',
        'internal-enquiry',
        '--subject',
        'Letter',
        '--action',
        'x',
      ]);
      expect(probe.json.errors.map((e: { code: string }) => e.code)).toEqual(['unknown-operator']);
    });
  });

  describe('on a store of its own', () => {
    beforeEach(async () => {
      target = await fixtureTarget(driver);
    });
    afterEach(() => target?.dispose());

    it('imports the sample log: every row accepted, rejected or duplicate; rejects with lines and codes', async () => {
      const r = await cli(['--json', 'import', join(FIXTURES, 'contacts.csv')]);
      expect(r.code).toBe(1);
      const s = r.json;
      expect(s).toMatchObject({
        dryRun: false,
        rowsRead: 16,
        rowsAccepted: 7,
        rowsRejected: 9,
        rowsDuplicate: 0,
        rowsEmpty: 0,
        contactsWritten: 8,
        enquiriesWritten: 9,
      });
      expect(s.rowsAccepted + s.rowsRejected + s.rowsDuplicate).toBe(s.rowsRead);
      // Seven rows, six contacts (two rows share a contact_ref), and the partnership's on its two partners.
      expect(s).toMatchObject({ contactsAccepted: 6, partnerExpansions: 2 });
      expect(s.contactsAccepted + s.partnerExpansions).toBe(s.contactsWritten);
      expect(s.rejectsByCode).toMatchObject({
        'sibling-rejected': 1,
        'contact-fields-differ': 1,
        'contact-ref-reused': 1,
        'payment-details': 2,
      });
      expect(s.warningsByCode).toEqual({ 'action-missing': 1, abbreviation: 1, 'identical-row': 1 });
      const rejects = readFileSync(join(cwd, 'contacts.rejects.csv'), 'utf8');
      expect(rejects.split('\n')[0]).toBe(`\ufeff${HEADER},reject_line,reject_codes,reject_reasons`);
      expect(rejects).toContain(',10,utr-check-digit,');
      expect(rejects).toContain(',12,"date-in-future;unknown-operator;action-required;payment-details",');
      expect(rejects).toContain(',13,sibling-rejected,');
      expect(rejects).toContain('contact_ref LEG-0001 was already used by the contact that began at line 2');
      expect(rejects).not.toContain('4111 1111 1111 1111');
      const [counts, first] = await readStore(target, async (query) => {
        const [second] = await query<{ key: string }>(
          sql`select source_key as key from public.contacts where source_key like 'sha256:%#2'`,
        );
        return [
          (await query<StoredCounts>(STORED_COUNTS))[0],
          await query(sql`select 1 from public.contacts where source_key = ${second!.key.replace(/#2$/, '#1')}`),
        ] as const;
      });
      expect(counts).toMatchObject({ contacts: 8, enquiries: 9, keys: 8, max: 8 });
      // The sample's two identical rows without a contact_ref are both kept: occurrences 1 and 2 of one fingerprint.
      expect(first).toHaveLength(1);
    });

    it('re-running the import writes nothing new', async () => {
      await importSample();
      const r = await cli(['--json', 'import', join(FIXTURES, 'contacts.csv')]);
      expect(r.json).toMatchObject({
        rowsRead: 16,
        rowsAccepted: 0,
        rowsDuplicate: 7,
        rowsRejected: 9,
        contactsWritten: 0,
      });
      expect((await stored(target)).contacts).toBe(8);
    });

    it('draws a progress bar with rows, rows/s and ETA on a terminal, and none otherwise', async () => {
      const args = ['import', join(FIXTURES, 'contacts.csv'), '--rejects', 'progress.rejects.csv'];
      // `script` gives the command a pseudo-terminal, as a user's shell would.
      const command = binaryCommand(args)
        .flat()
        .map((a) => `'${a}'`)
        .join(' ');
      const onTerminal = await new Promise<string>((resolve, reject) => {
        const child = spawn('script', ['-qec', command, '/dev/null'], {
          cwd,
          env: { ...process.env, ...target.env, NO_COLOR: '1' },
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('close', () => resolve(out));
      });
      expect(onTerminal).toMatch(/100% \| 16 rows \| \d+ rows\/s \| ETA \d+s/);
      const piped = await cli(['import', join(FIXTURES, 'contacts.csv'), '--rejects', 'progress.rejects.csv']);
      expect(piped.stdout).toContain('rows read');
      expect(piped.stderr).not.toMatch(/rows\/s|ETA/);
    });

    it('--progress json reports each committed batch on stderr, one JSON object a line, and leaves stdout to the result', async () => {
      const r = await cli(
        ['--json', 'import', join(FIXTURES, 'contacts.csv'), '--progress', 'json', '--rejects', 'progress.rejects.csv'],
        { CIS_CONTACT_BATCH_ROWS: '4' },
      );
      const events = r.stderr
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      const size = statSync(join(FIXTURES, 'contacts.csv')).size;
      expect(events.length).toBeGreaterThan(1);
      for (const e of events) {
        expect(e).toEqual({
          event: 'progress',
          file: join(FIXTURES, 'contacts.csv'),
          rowsRead: expect.any(Number),
          bytesRead: expect.any(Number),
          bytes: size,
          rowsAccepted: expect.any(Number),
          rowsDuplicate: expect.any(Number),
          rowsSuperseded: expect.any(Number),
          rowsRejected: expect.any(Number),
        });
        // The rows so far, each counted once.
        expect(e.rowsAccepted + e.rowsDuplicate + e.rowsSuperseded + e.rowsRejected).toBe(e.rowsRead);
      }
      const rows = events.map((e) => e.rowsRead);
      expect(rows).toEqual([...rows].sort((a, b) => a - b));
      expect(new Set(rows).size).toBe(rows.length);
      expect(events.at(-1)).toMatchObject({
        rowsRead: r.json.rowsRead,
        bytesRead: size,
        rowsAccepted: r.json.rowsAccepted,
        rowsDuplicate: r.json.rowsDuplicate,
        rowsRejected: r.json.rowsRejected,
      });
      // A batch of four rows with a rejected one among them: the counts move as batches are committed.
      expect(events.some((e) => e.rowsRejected > 0 && e.rowsRejected < r.json.rowsRejected)).toBe(true);
    });

    it('a corrected rejects file imports exactly the corrected rows', async () => {
      await importSample();
      const fixed = readFileSync(join(cwd, 'contacts.rejects.csv'), 'utf8')
        .replace(',1234567890,,agent', ',2628194821,,agent')
        .replace('phone-outbound,Inbound', 'phone-outbound,Outbound')
        .replace('Joanna Bloggs', 'Jo Bloggs')
        .replace(
          'LEG-0001,1955839661,,agent,Jo Bloggs,phone-inbound,,2019-03-15',
          'LEG-0008,1955839661,,agent,Jo Bloggs,phone-inbound,,2019-03-15',
        );
      // Spelt as a spreadsheet might save them, the old reject columns are still recognised and replaced.
      writeFileSync(
        join(cwd, 'fixed.csv'),
        fixed.replace('reject_line,reject_codes,reject_reasons', 'Reject Line,Reject-Codes,REJECT_REASONS'),
      );
      const r = await cli(['--json', 'import', 'fixed.csv']);
      expect(readFileSync(join(cwd, 'fixed.rejects.csv'), 'utf8').split('\n')[0]).toBe(
        `\ufeff${HEADER},reject_source_line,reject_line,reject_codes,reject_reasons`,
      );
      // Lines 10, 11, 13+14 (one contact) and 16 are corrected; 12, 15 and 17 are still wrong, and 18 still
      // holds the masked account number the rejects file wrote: stars are never stored for what the contact said.
      expect(r.json).toMatchObject({
        rowsRead: 9,
        rowsAccepted: 5,
        rowsRejected: 4,
        contactsWritten: 4,
        enquiriesWritten: 5,
      });
      expect(readFileSync(join(cwd, 'fixed.rejects.csv'), 'utf8')).toMatch(
        /still holds the masked number \*\*-\*\*-\*\* from a rejects file/,
      );
      expect((await stored(target)).contacts).toBe(12);
    });

    it('a file with a BOM, CRLF, a NUL byte, multi-line notes and an extra column behaves as documented', async () => {
      const lines = [
        `\ufeff${HEADER},legacy_flag`,
        'E-1,1955839661,,agent,Jo,phone-inbound,,2020-01-01,authenticated,1234567,Callback,Called,"line one\r\nline two, with ""quotes""",',
        'E-2,1955839661,,agent,Jo,phone-inbound,,2020-01-02,authenticated,1234567,Callback,Called,"bad \u0000 byte",',
      ];
      writeFileSync(join(cwd, 'edge.csv'), `${lines.join('\r\n')}\r\n`);
      // Taken before the refused run: the one contact the mapped run adds below is then all that both runs wrote.
      const before = (await stored(target)).contacts;
      const unknown = await cli(['import', 'edge.csv']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/column legacy_flag is not a known column.*\[unknown-column\]/s);
      writeFileSync(join(cwd, 'map.json'), JSON.stringify({ legacy_flag: null }));
      const r = await cli(['--json', 'import', 'edge.csv', '--map', 'map.json', '--rejects', 'edge-rejects.csv']);
      expect(r.json).toMatchObject({
        rowsRead: 2,
        rowsAccepted: 1,
        rowsRejected: 1,
        rejectsByCode: { 'control-character': 1 },
      });
      expect(readFileSync(join(cwd, 'edge-rejects.csv'), 'utf8')).toMatch(
        /,4,control-character,"general_notes contains the control character U\+0000/,
      );
      const [notes, after] = await readStore(
        target,
        async (query) =>
          [
            (
              await query<{ general_notes: string }>(
                sql`select general_notes from public.enquiries e join public.contacts c on c.seq = e.contact_seq where c.source_key = 'E-1'`,
              )
            )[0]?.general_notes,
            (await query<StoredCounts>(STORED_COUNTS))[0]!,
          ] as const,
      );
      expect(notes).toBe('line one\nline two, with "quotes"');
      expect(after.contacts).toBe(before + 1);
    });

    // Reading is the same whatever the store: run on one driver, the server's when there is one (the quicker to write to).
    it.skipIf(driver !== DRIVERS.at(-1))(
      'a file large enough to be read on a worker thread is read as on the main thread: quotes, line breaks, accents, the line of a reject',
      async () => {
        // The built tool parses a file of 4 MiB or more on a worker thread (src/csv/reader-thread.ts).
        expect(existsSync(join(BIN, '../../dist/csv/read-worker.js'))).toBe(true);
        // Near the 512 characters notes may hold, so that fewer rows make the 4 MiB.
        const notes = (i: number) =>
          `Row ${i}: said "yes", then \r\nrang back; caf\u00e9 \u{1F600}\n${'x'.repeat(460)}`;
        const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
        const rows = 8_000;
        const bad = 6_000;
        const lines = [HEADER];
        for (let i = 0; i < rows; i++) {
          const date = i === bad ? '2019-02-30' : '2019-03-14';
          lines.push(
            `BIG-${i},1955839661,,agent,Jo Bloggs,phone-inbound,,${date},authenticated,1234567,Callback,Rang,${quoted(notes(i))}`,
          );
        }
        const file = join(cwd, 'big.csv');
        writeFileSync(file, `${lines.join('\r\n')}\r\n`);
        expect(statSync(file).size).toBeGreaterThan(4 * 1024 * 1024);
        const r = await cli(['--json', 'import', 'big.csv', '--rejects', 'big-rejects.csv']);
        expect(r.json).toMatchObject({
          rowsRead: rows,
          rowsAccepted: rows - 1,
          rowsRejected: 1,
          rejectsByCode: { 'date-format': 1 },
        });
        // Each row before the bad one spans three lines of the file (two line breaks inside its notes).
        expect(readFileSync(join(cwd, 'big-rejects.csv'), 'utf8')).toContain(`,${2 + 3 * bad},date-format,`);
        // Stored as the rules keep text: a CRLF inside it as LF.
        for (const i of [0, 1, 4321, bad - 1, bad + 1, rows - 1])
          expect(await notesOf(target, `BIG-${i}`)).toBe(notes(i).replace('\r\n', '\n'));
      },
    );

    it('reads windows-1252; read as UTF-8 the same file is refused whole, naming the line', async () => {
      const row = (ref: string, notes: Buffer) =>
        Buffer.concat([
          Buffer.from(`\n${ref},1955839661,,agent,Jo,phone-inbound,,2020-02-01,authenticated,1234567,Letter,Sent,`),
          notes,
        ]);
      const file = Buffer.concat([
        Buffer.from(HEADER),
        row('W-1', Buffer.from([0x93, 0x4f, 0x4b, 0x94, 0x20, 0x80])),
        Buffer.from('\n'),
      ]);
      writeFileSync(join(cwd, 'legacy.csv'), file);
      const asUtf8 = await cli(['--json', 'import', 'legacy.csv', '--rejects', 'legacy-rejects.csv']);
      expect(asUtf8.code).toBe(2);
      expect(asUtf8.json).toMatchObject({
        error: {
          code: 'invalid-encoding',
          message: expect.stringMatching(/line 2 holds bytes that UTF-8 cannot have/),
        },
      });
      const as1252 = await cli(['--json', 'import', 'legacy.csv', '--encoding', 'windows-1252']);
      expect(as1252.json).toMatchObject({ rowsAccepted: 1 });
      expect(await notesOf(target, 'W-1')).toBe('\u201cOK\u201d \u20ac');
    });

    it('a unit the database refuses is rejected alone as database-rejected; the rest of its batch is written', async () => {
      // A rule only the database knows stands in for a rule and a constraint that disagree (on this test's store only).
      const before = await readStore(target, async (query) => {
        await query(
          sql`alter table public.enquiries add constraint test_no_zebra check (coalesce(general_notes, '') not like '%zebra%')`,
        );
        return (await query<StoredCounts>(STORED_COUNTS))[0]!;
      });
      writeFileSync(
        join(cwd, 'zebra.csv'),
        `${[
          HEADER,
          'Z-1,1955839661,,agent,Jo,email,,2020-05-01,authenticated,1234567,Letter,Sent,plain',
          'Z-2,1955839661,,agent,Jo,email,,2020-05-02,authenticated,1234567,Letter,Sent,a zebra crossed',
          'Z-3,1955839661,,agent,Jo,email,,2020-05-03,authenticated,1234567,Letter,Sent,plain again',
        ].join('\n')}\n`,
      );
      const r = await cli(['--json', 'import', 'zebra.csv', '--rejects', 'zebra-rejects.csv']);
      expect(r.json).toMatchObject({
        rowsRead: 3,
        rowsAccepted: 2,
        rowsRejected: 1,
        rejectsByCode: { 'database-rejected': 1 },
      });
      expect(readFileSync(join(cwd, 'zebra-rejects.csv'), 'utf8')).toMatch(
        /,3,database-rejected,"?the database refused the contact: .*test_no_zebra/,
      );
      const after = await stored(target);
      expect(after.contacts - before.contacts).toBe(2);
      expect(after.max).toBe(after.contacts);
    });

    it('--registry and --operators load reference data first, in the same run', async () => {
      const utr = `${utrCheckCharacter('0123123123')}123123123`;
      writeFileSync(
        join(cwd, 'more-registry.csv'),
        `utr,name,kind,partner_of\n${utr},New Contractor Ltd,contractor,\n`,
      );
      writeFileSync(join(cwd, 'more-operators.csv'), 'pid,name,roles\n7777778,Another Operator,CISR Processor\n');
      writeFileSync(
        join(cwd, 'uses-new.csv'),
        `${HEADER}\n,${utr},,agent,Sam Agent,email,Inbound,2024-02-01,authenticated,7777778,Letter,Sent the form,\n`,
      );
      const r = await cli([
        '--json',
        'import',
        'uses-new.csv',
        '--registry',
        'more-registry.csv',
        '--operators',
        'more-operators.csv',
      ]);
      expect(r.code).toBe(0);
      expect(r.json).toMatchObject({
        rowsAccepted: 1,
        contactsWritten: 1,
        registry: { rowsAccepted: 1 },
        operators: { rowsAccepted: 1 },
      });
    });
  });

  describe('crash safety and concurrency', () => {
    /** Rows of the generated log: a kill once 1,000 are committed lands with most of the file still to come. */
    const ROWS = 4000;
    let dir: string;
    /** The fixture store with the generated registry and operators loaded too, copied for each test that writes. */
    let loaded: Target;
    /** What `loaded` holds, and so each copy of it to begin with. */
    let loadedCounts: StoredCounts;
    /** The test's copy of `loaded`, removed after it. */
    let copied: Target | undefined;
    const copyOfLoaded = async () => {
      target = copied = await copyOf(loaded);
    };
    beforeAll(async () => {
      dir = scratchFolder('cis-contact-big-');
      await generate(dir, ROWS);
      loaded = await fixtureTarget(driver);
      for (const what of ['registry', 'operators'])
        await runCli([what, 'import', join(dir, `${what}.csv`), '--rejects', '/dev/null'], loaded.env);
      loadedCounts = await storedCounts(loaded);
    });
    afterAll(async () => {
      await loaded?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });
    afterEach(async () => {
      await copied?.dispose();
      copied = undefined;
    });

    it('kill -9 part-way, then the same command again, gives exactly the full set', async () => {
      await copyOfLoaded();
      const before = loadedCounts.contacts;
      const started = startCli(
        ['import', join(dir, 'contacts.csv'), '--progress', 'json'],
        { ...target.env, CIS_CONTACT_BATCH_ROWS: driver === 'pglite' ? '50' : '200' },
        { cwd },
      );
      // Killed once it has reported 1,000 rows committed, however fast the machine.
      await untilCommitted(started, 1000);
      started.child.kill('SIGKILL');
      await started.exited;
      const [partial, killedRun] = await readStore(target, async (query) => [
        (await query<StoredCounts>(STORED_COUNTS))[0]!.contacts - before,
        (await query<{ id: number }>(sql`select id from public.import_runs where finished_at is null`))[0],
      ]);
      expect(partial).toBeGreaterThanOrEqual(1000);
      expect(partial).toBeLessThan(ROWS);
      expect(killedRun).toBeDefined();
      const rerun = await cli(['--json', 'import', join(dir, 'contacts.csv')]);
      expect(rerun.json).toMatchObject({ rowsRead: ROWS, rowsRejected: 0 });
      // The killed run never finished: this one closed it as interrupted, with what it had stored.
      expect(rerun.json.closedRuns).toEqual([
        { id: killedRun!.id, file: join(dir, 'contacts.csv'), contactsWritten: partial },
      ]);
      const [closed, after] = await readStore(target, async (query) => [
        (
          await query<{ finished: boolean; summary: Record<string, unknown> }>(
            sql`select finished_at is not null as finished, summary from public.import_runs where id = ${killedRun!.id}`,
          )
        )[0],
        (await query<StoredCounts>(STORED_COUNTS))[0]!,
      ]);
      expect(closed).toMatchObject({ finished: true, summary: { interrupted: true, contactsWritten: partial } });
      expect(rerun.json.rowsAccepted).toBe(ROWS - partial);
      expect(rerun.json.rowsDuplicate).toBe(partial);
      expect(after.contacts - before).toBe(ROWS);
      expect(after.keys).toBe(after.contacts);
      expect(after.max).toBe(after.contacts);
    });

    /** The generated file's header, and `count` of its rows made new: each date moved by a day, each note tagged. */
    function newRows(count: number, tag: string): [string, string[]] {
      const [header, ...body] = readFileSync(join(dir, 'contacts.csv'), 'utf8').trimEnd().split('\n');
      return [
        header!,
        body
          .slice(0, count)
          .map((l, i) =>
            l
              .replace(
                /,(\d{4}-\d{2})-(\d{2}),authenticated,/,
                (_, ym, d) => `,${ym}-${d === '01' ? '02' : '01'},authenticated,`,
              )
              .replace(/row (\d+)"$/, `row ${i} ${tag}"`),
          ),
      ];
    }

    it('text after a closing quote late in the file is fatal, and nothing before it is written, --registry included', async () => {
      const [header, fresh] = newRows(2000, 'malformed');
      writeFileSync(
        join(cwd, 'late-quote.csv'),
        [header, ...fresh, '"x"y,1955839661,,,,email,,2020-01-01,,1234567,Letter,,', ...fresh.slice(0, 5)].join('\n'),
      );
      const utr = `${utrCheckCharacter('0456456456')}456456456`;
      writeFileSync(
        join(cwd, 'late-quote-registry.csv'),
        `utr,name,kind,partner_of\n${utr},Never Loaded Ltd,contractor,\n`,
      );
      // On `loaded` itself, which it must leave as it was (the other tests copy it).
      target = loaded;
      const r = await cli(['import', 'late-quote.csv', '--registry', 'late-quote-registry.csv'], {
        CIS_CONTACT_BATCH_ROWS: '100',
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/late-quote\.csv: line 2002: text after a closing quote.*\[file-unreadable\]/s);
      const [after, loadedUtr] = await readStore(target, async (query) => [
        (await query<StoredCounts>(STORED_COUNTS))[0],
        await query(sql`select 1 from public.cis_records where utr = ${utr}`),
      ]);
      expect(after).toEqual(loadedCounts);
      expect(loadedUtr).toHaveLength(0);
    });

    it('two imports of overlapping files at once store each unit once', async () => {
      // Each file ten batches or more; the two share 500 rows.
      const [header, shifted] = newRows(1500, 'again');
      writeFileSync(join(cwd, 'a.csv'), `${[header, ...shifted.slice(0, 1000)].join('\n')}\n`);
      writeFileSync(join(cwd, 'b.csv'), `${[header, ...shifted.slice(500, 1500)].join('\n')}\n`);
      await copyOfLoaded();
      const before = loadedCounts.contacts;
      const env = { CIS_CONTACT_BATCH_ROWS: '100' };
      // Two processes on PGlite, where the kernel's lock between them is under test; on a server, two
      // commands in this process race for the chain as two processes would.
      const importing = (file: string) =>
        runCli(['--json', 'import', file], { ...target.env, ...env }, { cwd, spawn: driver === 'pglite' });
      const [a, b] = await Promise.all([importing('a.csv'), importing('b.csv')]);
      expect(a.json.rowsAccepted + b.json.rowsAccepted).toBe(1500);
      // The embedded store is one process's: the second waits its turn, and says so.
      if (driver === 'pglite')
        expect(a.stderr + b.stderr).toContain('waiting for another cis-contact process to finish with');
      expect(a.json.rowsDuplicate + b.json.rowsDuplicate).toBe(500);
      const after = await stored(target);
      expect(after.contacts - before).toBe(1500);
      expect(after.keys).toBe(after.contacts);
      expect(after.max).toBe(after.contacts);
    });

    // A first import writes without looking keys up; a batch holding stored contacts must then be written the careful way.
    it('a batch mixing stored and new contacts writes the new ones once and counts the rest as duplicates', async () => {
      const [header, stored3000] = newRows(3000, 'again');
      const [, fresh] = newRows(500, 'third');
      await copyOfLoaded();
      // Stored first: 500 contacts the mixed file repeats.
      writeFileSync(join(cwd, 'stored.csv'), `${[header, ...stored3000.slice(2500)].join('\n')}\n`);
      expect((await cli(['--json', 'import', 'stored.csv'])).json).toMatchObject({ rowsAccepted: 500 });
      const mixed = stored3000.slice(2500).flatMap((line, i) => [line, fresh[i]!]);
      writeFileSync(join(cwd, 'mixed.csv'), `${[header, ...mixed].join('\n')}\n`);
      const before = (await stored(target)).contacts;
      const r = await cli(['--json', 'import', 'mixed.csv']);
      expect(r.json).toMatchObject({
        rowsRead: 1000,
        rowsAccepted: 500,
        rowsDuplicate: 500,
        rowsRejected: 0,
        contactsWritten: 500,
      });
      const after = await stored(target);
      expect(after.contacts - before).toBe(500);
      expect(after.keys).toBe(after.contacts);
      expect(after.max).toBe(after.contacts);
    });
  });
});
