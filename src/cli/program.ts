/**
 * The command tree. Command modules are imported only when their
 * command runs, so `record` called from a script loads no CSV or PGlite code.
 * `main` takes the arguments, the environment, the streams and the signal,
 * and returns the exit code: the binary (index.ts) passes its process's, and
 * a caller may run commands in its own process with its own (the tests do).
 * The tree is built afresh for each call, so nothing outlives a run.
 */

import { Command, CommanderError, Option } from 'commander';
import { fail, runCommand } from './exit-handler.js';
import type { CommandResult } from '../commands/command-result.js';
import { type FlagEvent, addRecordOptions, flagsFromEvents, strayWordsError } from '../recording/record-options.js';
import { type GlobalOptions, Session, type SessionIo } from '../commands/session.js';
import type { RecordSwitches } from '../commands/record.js';
import { VERSION } from '../commands/version.js';
import { type Job, ROLES } from '../storage/roles.js';

const LOAD_REGISTRY = 'load this registry file first, in the same run (repeat for several, loaded in order)';
const LOAD_OPERATORS =
  'load this operators file first, in the same run (repeat for several: the rows of one PID add up across them)';
const ENCODING =
  'utf-8 (default), windows-1252 (latin1) or utf-16; a file with a UTF-16 byte-order mark (Excel\'s "Unicode Text") is read as UTF-16 whatever this says, and a rejects file as UTF-8';
const DELIMITER = 'the separator: , ; or tab (default: whichever makes the header name known columns)';
const CONFIRM_ENCODING =
  'with --encoding windows-1252: the file really is windows-1252, though its bytes also read as UTF-8 (without it, such a file is refused, since é would be stored as Ã©)';

/** An option that may be given several times: every value, in order. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** The role a command's job takes on a server, from its options. */
type RoleOf = Job | ((opts: Record<string, unknown>) => Job);

/** A job that loads reference data first takes the admin role. */
const loadingReferences =
  (base: Job): RoleOf =>
  (opts) =>
    opts.registry || opts.operators ? ROLES.admin : base;

/** What one call of `main` shares with its commands' actions: how to run, and the exit code once known. */
interface Run {
  io: SessionIo;
  exitCode: number;
}

/** Runs a command's action inside a session; the exit handler owns the outcome. */
function action<A extends unknown[]>(
  run: Run,
  load: () => Promise<(session: Session, ...args: A) => Promise<CommandResult>>,
  role?: RoleOf,
) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const session = new Session(command.optsWithGlobals<GlobalOptions>(), run.io);
    session.command =
      command.parent && command.parent.parent ? `${command.parent.name()} ${command.name()}` : command.name();
    const params = args.slice(0, -2);
    const opts = command.opts();
    session.job = typeof role === 'function' ? role(opts) : role;
    run.exitCode = await runCommand(session, async () => (await load())(session, ...([...params, opts] as A)));
  };
}

function example(command: Command, ...lines: string[]): Command {
  return command.addHelpText(
    'after',
    `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`,
  );
}

/** `argv`: the words given, for messages that say where a word stands. */
function buildProgram(run: Run, argv: readonly string[]): Command {
  const program = new Command('cis-contact')
    .description(
      "Contact History for HMRC's Construction Industry Scheme: record contacts, import legacy logs, and serve the history back.",
    )
    .option('--json', 'print one JSON document on stdout')
    .option('--no-color', 'no colour in human output (NO_COLOR is honoured too)')
    .option('--database-url <url>', 'a PostgreSQL server (default: $DATABASE_URL; otherwise the embedded store)')
    .option('--data-dir <dir>', 'the embedded store (default: $CIS_CONTACT_DATA_DIR or $XDG_DATA_HOME/cis-contact)')
    .option(
      '--no-holder',
      'open the embedded store in this process instead of through its resident holder (also: CIS_CONTACT_NO_HOLDER=1)',
    )
    .option(
      '--abbreviations <list>',
      "abbreviations to warn about, comma-separated (default: $CIS_CONTACT_ABBREVIATIONS or the manual's list)",
    )
    .option(
      '--chain-wait <seconds>',
      'how long a writer waits for another to let go of the chain before giving up (default: $CIS_CONTACT_CHAIN_WAIT or 60)',
    )
    .version(VERSION, '--version', 'print the version')
    .exitOverride()
    .configureOutput({
      outputError: () => {},
      writeOut: (text) => void run.io.stdout.write(text),
      writeErr: (text) => void run.io.stderr.write(text),
      getOutHelpWidth: () => run.io.stdout.columns ?? 80,
      getErrHelpWidth: () => run.io.stderr.columns ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });

  const db = program.command('db').description('database maintenance');
  example(
    db.command('migrate').description('apply the schema migrations (also done automatically on first use)'),
    'cis-contact db migrate --database-url postgres://postgres@127.0.0.1:5432/cis',
  ).action(action(run, async () => (await import('../commands/db-migrate.js')).dbMigrate, ROLES.admin));
  example(
    db
      .command('roles')
      .description(
        "on a PostgreSQL server: create this store's three roles, PREFIX_auditor (history, export, verify), PREFIX_recorder (also record, run, import) and PREFIX_admin (also migrations, registry and operators imports, restore), grant each what its job needs and nothing to PUBLIC (not even CONNECT), and print the GRANT lines for your logins. Safe to run again",
      )
      .option(
        '--prefix <name>',
        "the roles' prefix (default: cis_contact_ and the database's name, so each store has roles of its own)",
      )
      .option(
        '--drop',
        "instead: drop this store's roles (what they own goes back to the database's owner), and list roles left by databases that no longer exist",
      ),
    'cis-contact db roles --database-url postgres://postgres@127.0.0.1:5432/cis',
    'cis-contact db roles --prefix cis_north',
    'cis-contact db roles --drop',
  ).action(action(run, async () => (await import('../commands/db-roles.js')).dbRoles, ROLES.admin));
  example(
    db
      .command('restore')
      .argument('<export>', 'a whole-history export (JSON Lines, or CSV with its manifest)')
      .description(
        'load an audit export into an empty store, keeping every seq, time, key and hash; the chain is verified as it loads, and a broken, cut or filtered export writes nothing. Back up with export, recover or move to a server with restore',
      )
      .addOption(new Option('--registry <file>', LOAD_REGISTRY).argParser(collect))
      .addOption(new Option('--operators <file>', LOAD_OPERATORS).argParser(collect))
      .option(
        '--map <file>',
        'JSON {"Legacy header": "column", "Column to drop": null} for the --registry and --operators files',
      ),
    'cis-contact export --format jsonl --out backup.jsonl',
    'cis-contact db restore backup.jsonl --registry registry.csv --operators operators.csv --database-url postgres://postgres@127.0.0.1:5432/cis',
  ).action(action(run, async () => (await import('../commands/db-restore.js')).dbRestore, ROLES.admin));

  example(
    db
      .command('stop')
      .description(
        "stop the embedded store's resident holder now (it also leaves by itself after $CIS_CONTACT_HOLDER_IDLE seconds, default 300, with no command connected)",
      ),
    'cis-contact db stop',
  ).action(action(run, async () => (await import('../commands/db-stop.js')).dbStop));
  db.command('serve', { hidden: true })
    .description("serve the embedded store to this account's commands (started by them, detached)")
    .action(action(run, async () => (await import('../commands/db-serve.js')).dbServe));

  const referenceOptions = (c: Command) =>
    c
      .option('--rejects <path>', 'where rejected rows go (default: <file>.rejects.csv here, only if any)')
      .option('--encoding <name>', ENCODING)
      .option('--confirm-encoding', CONFIRM_ENCODING)
      .option('--delimiter <separator>', DELIMITER)
      .option('--map <file>', 'JSON {"Legacy header": "column", "Column to drop": null}');

  const registry = program.command('registry').description('the registry of CIS records and partnerships');
  example(
    referenceOptions(
      registry
        .command('import')
        .argument('<file>', 'CSV with utr, name, kind, partner_of')
        .description('load CIS records and partnership memberships; re-importing updates names and kinds'),
    ),
    'cis-contact registry import fixtures/registry.csv',
  ).action(action(run, async () => (await import('../commands/reference-import.js')).registryImport, ROLES.admin));

  const operators = program.command('operators').description('the operators who record contacts');
  example(
    referenceOptions(
      operators
        .command('import')
        .argument('<file>', 'CSV with pid, name, roles and, optionally, logins, roles_from, roles_to and leaving_date')
        .description(
          "load operators and their roles; re-importing updates them. roles_from and roles_to date a row's roles (one row a period; no dates: held always) and leaving_date is the last day of service: a contact is checked against the roles held on its enquiry date. A logins column binds a PID to the database logins that may record under it (blank: not bound); a file without one leaves bindings as they are, and one without leaving_date the leaving dates",
        ),
    ),
    'cis-contact operators import fixtures/operators.csv',
  ).action(action(run, async () => (await import('../commands/reference-import.js')).operatorsImport, ROLES.admin));

  const record = program
    .command('record')
    .description(
      'record one contact; --operator defaults to $CIS_CONTACT_OPERATOR (or, on a server, to the one PID your login is bound to)',
    );
  // Flags are kept in the order given: an --action or --notes belongs to the --subject before it.
  const given: FlagEvent[] = [];
  addRecordOptions(record, given, argv);
  // Words that follow no flag (an unquoted value of several words) are named, with the quoting meant, not counted.
  record.allowExcessArguments(true).hook('preAction', (command) => {
    if (command.args.length > 0) throw strayWordsError(argv, command.args);
  });
  record
    .option(
      '--again',
      'record it even though the same contact (no --ref) is already stored for this record and date: a second, identical contact is meant',
    )
    .option(
      '--dry-run',
      'check everything against the database and print what would be stored, with its warnings; write nothing',
    )
    .option('--strict', 'refuse the contact if it raises any warning (nothing is stored)');
  example(
    record,
    'cis-contact record --utr 1955839661 --operator 1234567 --contact-type agent --contact-name "Jo Bloggs" --channel phone-inbound --auth authenticated --subject Callback --action "Explained the deduction statement"',
    'cis-contact record --utr 2108834503 --operator 1234567 --channel internal-enquiry --subject "Internal Referral" --action "Referred to debt management" --subject Other --action "Checked the return" --ref CASE-1001',
  ).action(
    action(
      run,
      async () => {
        const { record: recordCommand } = await import('../commands/record.js');
        return (session: Session, switches: RecordSwitches) => recordCommand(session, flagsFromEvents(given), switches);
      },
      ROLES.recorder,
    ),
  );

  example(
    program
      .command('import')
      .argument('<file>', 'contact log CSV (columns: docs/formats.md)')
      .description(
        'bulk import a contact log: every row checked, partnerships expanded, rejected rows written to a re-importable rejects file',
      )
      .option('--rejects <path>', 'rejects file (default: <file>.rejects.csv here, written only if a row is rejected)')
      .option('--dry-run', 'check everything against the database, write nothing')
      .option('--strict', 'treat warnings as errors')
      .option('--warnings <path>', "write the accepted rows that carried warnings here, in the rejects file's shape")
      .option(
        '--outcomes <path>',
        'write the outcome of every row here: line, reject_source_line, outcome (accepted, duplicate, superseded, rejected, empty), seq, source_key, codes',
      )
      .option('--encoding <name>', ENCODING)
      .option('--confirm-encoding', CONFIRM_ENCODING)
      .option(
        '--delimiter <separator>',
        `${DELIMITER}; the log's only, each --registry or --operators file's is found from its own header`,
      )
      .option(
        '--map <file>',
        'JSON {"columns": {"Legacy header": "column", "Column to drop": null}, "values": {"channel": {"Tel In": "phone-inbound"}}}',
      )
      .addOption(
        new Option(
          '--date-order <order>',
          'how the file writes 03/04/2015: dmy, day first (3 April, the default), or mdy, month first (US order: 4 March); a file with a date the order cannot read is refused whole',
        )
          .choices(['dmy', 'mdy'])
          .default('dmy'),
      )
      .option(
        '--keep-apostrophes',
        "keep a leading ' before = + - @ or a tab, for a file that neither cis-contact nor a spreadsheet guarding formulas wrote (by default it is read as a formula guard, removed, and each removal warned of: guard-removed); a rejects file's are always the tool's own and removed",
      )
      .addOption(new Option('--registry <file>', LOAD_REGISTRY).argParser(collect))
      .addOption(new Option('--operators <file>', LOAD_OPERATORS).argParser(collect))
      .addOption(
        new Option(
          '--progress <style>',
          'auto: a bar on a terminal, nothing otherwise; json: on stderr, one JSON object a line for each batch once committed ({"event":"progress","rowsRead":…,"bytesRead":…,"bytes":…,"rowsAccepted":…,"rowsDuplicate":…,"rowsSuperseded":…,"rowsRejected":…}, counts so far); none',
        )
          .choices(['auto', 'json', 'none'])
          .default('auto'),
      ),
    'cis-contact import fixtures/contacts.csv --registry fixtures/registry.csv --operators fixtures/operators.csv',
    'cis-contact import fixtures/legacy-contacts.csv --map fixtures/legacy-map.json --dry-run',
  ).action(
    action(run, async () => (await import('../commands/import.js')).importCommand, loadingReferences(ROLES.recorder)),
  );

  example(
    program
      .command('run')
      .argument('<script>', 'a file of record argument lists, or - for standard input')
      .description(
        'scripted recording: one record argument list a line (shell-style quoting; blank lines and # comments skipped), all in one process',
      )
      .option('--stop-on-error', 'stop at the first line that fails')
      .option('--dry-run', 'check every line against the database, write nothing')
      .option('--strict', 'refuse a line that raises any warning (it stores nothing)')
      .option(
        '--from-line <n>',
        'start at line N of the script, skipping the lines before it: a run stopped part-way names the N that completes it with nothing stored twice',
      ),
    'cis-contact run contacts.txt',
    'cis-contact run contacts.txt --from-line 218',
    "printf '%s\\n' '--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action \"Sent a letter\" --ref L-1' | cis-contact run -",
  ).action(action(run, async () => (await import('../commands/run.js')).run, ROLES.recorder));

  example(
    program
      .command('history')
      .argument('<utr>', 'the CIS record (a partnership lists its partners)')
      .description("one record's contact history, newest first; by default the last three months (CISR90260)")
      .option('--from <date>', 'enquiries on or after this date')
      .option('--to <date>', 'enquiries on or before this date')
      .option('--all', 'every date')
      .option('--subject <subject>', 'only contacts with an enquiry of this subject'),
    'cis-contact history 1955839661',
    'cis-contact history 1955839661 --all --subject Complaint --json',
  ).action(action(run, async () => (await import('../commands/history.js')).history, ROLES.auditor));

  example(
    program
      .command('export')
      .description('audit export in recording order, with every stored field and the audit chain values, streamed')
      .option('--from <date>', 'enquiries on or after this date')
      .option('--to <date>', 'enquiries on or before this date')
      .option('--utr <utr>', "one record's contacts (or a partnership's, on its partners)")
      .option(
        '--format <format>',
        'csv (default), jsonl, or xlsx (a workbook to open in a spreadsheet: UTRs, PIDs and text kept as text)',
      )
      .option(
        '--out <file>',
        'write here (default: standard output; xlsx needs a file); a CSV or xlsx manifest goes to FILE.manifest.json',
      )
      .option('--manifest <file>', "where a CSV or xlsx export's manifest goes (needed for CSV on standard output)")
      .option(
        '--force',
        'replace --out (and its manifest) if it exists; without it an existing file is never replaced',
      ),
    'cis-contact export --format jsonl --out history.jsonl',
    'cis-contact export --from 2024-04-06 --to 2025-04-05 --out year.csv',
    'cis-contact export --utr 1955839661 --format xlsx --out 1955839661.xlsx',
  ).action(action(run, async () => (await import('../commands/export.js')).exportCommand, ROLES.auditor));

  example(
    program
      .command('verify')
      .description(
        'recompute the audit chain over the database, or over an export file, and name every entry that does not match; print a checkpoint to keep outside the store',
      )
      .option(
        '--export <file>',
        'verify this export (JSON Lines, or CSV with FILE.manifest.json) instead of the database; a filtered export is shown complete only against its store, when one is to hand',
      )
      .option('--manifest <file>', "a CSV export's manifest, when it is not FILE.manifest.json")
      .option(
        '--checkpoint <file...>',
        'also prove every entry up to each checkpoint in these files is unchanged (checkpoint lines verify printed, export manifests, JSON Lines exports)',
      ),
    'cis-contact verify >> ~/audit/checkpoints.txt',
    'cis-contact verify --checkpoint ~/audit/checkpoints.txt',
    'cis-contact verify --export history.jsonl --checkpoint history-2026-11.jsonl',
  ).action(action(run, async () => (await import('../commands/verify.js')).verify, ROLES.auditor));

  example(
    program
      .command('codes')
      .argument('[code]', 'one code')
      .description(
        'the issue codes a rejects file, a message or --json may carry: severity, title, fields, source, an example message',
      )
      .option('--markdown', 'as the Markdown table of docs/codes.md'),
    'cis-contact codes',
    'cis-contact codes payment-details --json',
  ).action(action(run, async () => (await import('../commands/codes.js')).codes));

  return program;
}

/** Parses the arguments (without node and the script) and runs the command; returns the exit code. */
export async function main(args: readonly string[], io: SessionIo): Promise<number> {
  const run: Run = { io, exitCode: 0 };
  const program = buildProgram(run, args);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return run.exitCode;
  } catch (error) {
    if (
      error instanceof CommanderError &&
      (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
    ) {
      return 0;
    }
    if (error instanceof CommanderError && error.code === 'commander.help') return 2;
    return fail(new Session(program.opts<GlobalOptions>(), io), error);
  }
}
