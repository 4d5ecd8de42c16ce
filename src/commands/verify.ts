import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { interruptedError } from '../domain/errors.js';
import { type ChainReport, ChainVerifier, type Checkpoint, FAILURES_LISTED } from '../domain/verification.js';
import { readCheckpoints } from '../outputs/checkpoint-file.js';
import { openExport } from '../outputs/export-reader.js';
import { canonicalEntries, chainHead, storeIdentity, strayEnquiries } from '../storage/history-reader.js';
import { forbiddenEntries } from '../storage/forbidden-entries.js';
import { switchedOffTriggers } from '../storage/switched-off-triggers.js';
import { type Issue, issue } from '../domain/catalogue.js';
import { reading } from './reading.js';
import { type Completeness, UNNAMED_FILTER, checkCompleteness } from './export-completeness.js';

export interface VerifyFlags {
  export?: string;
  manifest?: string;
  checkpoint?: string[];
}

/** What an auditor keeps outside the store: the chain's head as it stands now. */
export interface CheckpointLine {
  /** `store`: the hash of the store's first entry, which names it (a restore keeps it). */
  checkpoint: { seq: number; headHash: string; takenAt: string; location: string; store: string };
}

/**
 * `complete`: whether every entry is there that should be — true, false (one
 * is missing), or null when that cannot be shown (a filtered export without
 * its store); `completeness` says why, or what the store showed, for a filtered export.
 * `hint`: the likely cause of a failure, where one is plain (a CSV export a spreadsheet saved again).
 */
type Verdict = ChainReport & {
  source: string;
  checkpoint: CheckpointLine['checkpoint'] | null;
  complete: boolean | null;
  completeness: string | null;
  hint?: string;
  warnings?: Issue[];
};

async function verifyDatabase(session: Session, checkpoints: Checkpoint[]): Promise<Verdict> {
  let checked = 0;
  const howFar = () =>
    `the verify is incomplete: ${checked} entr${checked === 1 ? 'y' : 'ies'} checked, no verdict reached`;
  return reading(
    session,
    async () => {
      const store = await session.store({ create: false });
      const verifier = new ChainVerifier(true, checkpoints);
      // The database writes each entry's canonical text from its stored columns; the hashing and linking are checked here.
      for await (const batch of canonicalEntries(store)) {
        for (const entry of batch) {
          verifier.addCanonical(entry, entry.canonical);
          if (!entry.contentHashMatches) {
            verifier.fail(
              entry,
              'altered',
              `entry ${entry.seq} (source key ${entry.sourceKey}): its content hash is not the one its content gives, so a re-import would take another contact for it`,
            );
          }
        }
        checked += batch.length;
        if (session.signal.aborted)
          throw interruptedError({ value: 'verify', detail: `after ${checked} entries, before a verdict` });
      }
      // An enquiry whose contact is not stored is outside the chain: looked for apart.
      const stray = await strayEnquiries(store.db, FAILURES_LISTED);
      for (const [i, s] of stray.first.entries()) {
        verifier.fail(
          { seq: s.contactSeq, sourceKey: null, recordedBy: null },
          'missing',
          `enquiry ${s.position} of contact ${s.contactSeq} is stored, but no contact ${s.contactSeq} is${i === stray.first.length - 1 && stray.count > stray.first.length ? ` (and ${stray.count - stray.first.length} more such enquiries)` : ''}`,
        );
      }
      // Entries stored before the database refused what the tool refuses (drizzle/0007): their chain holds, but they are named.
      const forbidden = await forbiddenEntries(store.db, FAILURES_LISTED);
      for (const [i, f] of forbidden.first.entries()) {
        const more =
          i === forbidden.first.length - 1 && forbidden.count > forbidden.first.length
            ? ` (and ${forbidden.count - forbidden.first.length} more such findings)`
            : '';
        verifier.fail(f, 'forbidden', `${f.reason}${more}`);
      }
      // The stored head must be the last entry checked: nothing may hide beyond it.
      const head = await chainHead(store.db);
      const report = verifier.finish({ ...head, firstSeq: head.count > 0 ? 1 : null, filtered: false });
      const checkpoint =
        report.intact && report.lastSeq !== null
          ? {
              seq: report.lastSeq,
              headHash: report.headHash!,
              takenAt: new Date().toISOString(),
              location: store.location,
              store: (await storeIdentity(store.db))!,
            }
          : null;
      // A guard switched off is no failure of the chain, but an auditor must hear of it.
      const warnings = (await switchedOffTriggers(store.db)).map((t) =>
        issue('trigger-disabled', { value: t.trigger, detail: `on ${t.table} (${t.state})` }),
      );
      return {
        ...report,
        source: store.location,
        checkpoint,
        complete: !verifier.missingFound,
        completeness: null,
        warnings,
      };
    },
    howFar,
  );
}

async function verifyExport(
  session: Session,
  path: string,
  manifestPath: string | undefined,
  checkpoints: Checkpoint[],
): Promise<Verdict> {
  const file = await openExport(path, manifestPath);
  // Whether the export is the whole chain is known from its manifest, which JSON Lines carry last.
  const verifier = new ChainVerifier(false, checkpoints);
  for await (const entry of file.entries) {
    if (entry.misescaped) verifier.fail(entry, 'altered', `entry ${entry.seq}, ${entry.misescaped}`);
    verifier.add(entry);
  }
  const manifest = file.manifest();
  if (!manifest)
    verifier.fail(null, 'missing', 'the export has no manifest, so a truncated tail could not be ruled out');
  // A whole export is complete by its own chain; a filtered one only as far as its store can show.
  const filtered: Completeness | undefined = manifest?.filtered
    ? await checkCompleteness(session, path, manifestPath, manifest, verifier)
    : undefined;
  const report = verifier.finish(manifest);
  const complete = verifier.missingFound ? false : filtered && !filtered.shown ? null : true;
  const resaved = file.resaved();
  // The stored history may be intact: what changed is the file, as a spreadsheet changes any CSV it saves.
  const hint =
    !report.intact && resaved.length > 0
      ? `the file looks saved again by a spreadsheet: ${resaved.join('; ')}. Verify the file export wrote (open a copy, never the original), or export again; --format xlsx is the form to open in a spreadsheet`
      : undefined;
  return {
    ...report,
    source: path,
    checkpoint: null,
    complete,
    completeness: filtered?.said ?? null,
    ...(hint ? { hint } : {}),
  };
}

export async function verify(session: Session, flags: VerifyFlags): Promise<CommandResult> {
  const checkpoints: Checkpoint[] = [];
  for (const path of flags.checkpoint ?? []) checkpoints.push(...(await readCheckpoints(path)));
  const report = flags.export
    ? await verifyExport(session, flags.export, flags.manifest, checkpoints)
    : await verifyDatabase(session, checkpoints);
  const ui = session.ui;
  const entries = (n: number) => `${n} entr${n === 1 ? 'y' : 'ies'}`;
  return {
    exitCode: report.intact ? 0 : 1,
    json: report,
    report: () => {
      for (const w of report.warnings ?? [])
        ui.talk(ui.colour.yellow('warning'), '  ', ui.colour.bold(w.code), `  ${w.message}`);
      const span = `${entries(report.checked)} in ${report.source}${report.lastSeq ? `, seq ${report.firstSeq} to ${report.lastSeq}, head ${report.headHash}` : ''}`;
      if (report.intact && report.complete === null) {
        // A filtered export whose entries check out, but with no store to say none was cut: never a bare "Intact".
        const headline =
          report.completeness === UNNAMED_FILTER
            ? 'Entries authentic; completeness cannot be shown'
            : 'Entries authentic; completeness cannot be shown without the store';
        ui.say(ui.colour.yellow(headline), `: ${span}.`);
        ui.say(`  Not shown complete: ${report.completeness}.`);
        if (report.checkpoints.given > 0)
          ui.say(`  ${report.checkpoints.matched} of ${report.checkpoints.given} checkpoints matched; none differs.`);
        return;
      }
      if (report.intact) {
        ui.say(ui.colour.green(report.completeness ? 'Intact and complete' : 'Intact'), `: ${span}.`);
        if (report.completeness) ui.say(`  Complete: ${report.completeness}.`);
        if (report.checkpoints.given > 0)
          ui.say(`  ${report.checkpoints.matched} of ${report.checkpoints.given} checkpoints matched; none differs.`);
        else if (report.checkpoint) {
          ui.say(
            "  The chain is whole as it stands. The tables' owner or a superuser can rewrite and re-chain a history so that it still reads whole:",
          );
          ui.say(
            '  such a rewrite shows only against a checkpoint kept outside the store (verify --checkpoint FILE). Keep this line somewhere they cannot reach:',
          );
        }
        // One line, kept by the auditor somewhere the store's owner cannot reach: `verify --checkpoint FILE` holds the store to it later.
        if (report.checkpoint) ui.say(JSON.stringify({ checkpoint: report.checkpoint } satisfies CheckpointLine));
        return;
      }
      ui.say(
        ui.colour.red('NOT intact'),
        `: ${report.failureCount} problem${report.failureCount === 1 ? '' : 's'} in ${report.source} (checked ${entries(report.checked)}):`,
      );
      for (const f of report.failures) {
        // A rewritten entry's writer is not who rewrote it: its reason says so in words, not in this bracket.
        const who = f.recordedBy && f.kind !== 'rewritten' ? `, recorded by ${f.recordedBy}` : '';
        ui.say(`  ${f.seq === null ? '-' : `entry ${f.seq}`} [${f.kind}${who}]: ${f.reason}`);
      }
      if (report.failureCount > report.failures.length)
        ui.say(
          `  … and ${report.failureCount - report.failures.length} more (the first ${report.failures.length} are listed)`,
        );
      if (report.complete === null && report.completeness) ui.say(`  Not shown complete: ${report.completeness}.`);
      if (report.hint) ui.say(`Likely cause: ${report.hint}.`);
    },
  };
}
