import type { CommandResult } from '../cli/exit-handler.js';
import type { Session } from '../cli/session.js';
import { interruptedError } from '../domain/errors.js';
import { type ChainReport, ChainVerifier } from '../domain/verification.js';
import { openExport } from '../csv/export-reader.js';
import { canonicalEntries, chainHead, strayEnquiry } from '../storage/history-reader.js';
import { reading } from './reading.js';

export interface VerifyFlags {
  export?: string;
  manifest?: string;
}

async function verifyDatabase(session: Session): Promise<ChainReport & { source: string }> {
  let checked = 0;
  const howFar = () => `the verify is incomplete: ${checked} entr${checked === 1 ? 'y' : 'ies'} checked, no verdict reached`;
  return reading(session, async () => {
    const store = await session.store({ create: false });
    const verifier = new ChainVerifier(true);
    // The database writes each entry's canonical text from its stored columns; the hashing and linking are checked here.
    for await (const batch of canonicalEntries(store)) {
      for (const entry of batch) {
        verifier.addCanonical(entry, entry.canonical);
        if (verifier.failed) break;
        checked++;
      }
      if (verifier.failed) break;
      if (session.signal.aborted) throw interruptedError(`verify stopped after ${checked} entries, before a verdict`);
    }
    // The stored head must be the last entry checked: nothing may hide beyond it.
    const head = await chainHead(store.db);
    const report = verifier.finish(verifier.failed ? undefined : { ...head, firstSeq: head.count > 0 ? 1 : null, filtered: false });
    const stray = report.intact ? await strayEnquiry(store.db) : null;
    if (stray) {
      const failure = { seq: stray.contactSeq, reason: `enquiry ${stray.position} of contact ${stray.contactSeq} is stored, but no contact ${stray.contactSeq} is` };
      return { ...report, intact: false, failure, source: store.location };
    }
    return { ...report, source: store.location };
  }, howFar);
}

async function verifyExport(path: string, manifestPath?: string): Promise<ChainReport & { source: string }> {
  const file = await openExport(path, manifestPath);
  // Whether the export is the whole chain is known from its manifest, which JSON Lines carry last.
  const verifier = new ChainVerifier(false);
  for await (const entry of file.entries) {
    if (entry.misescaped) {
      const report = verifier.finish();
      return { ...report, intact: false, failure: { seq: entry.seq, reason: `entry ${entry.seq}, ${entry.misescaped}` }, source: path };
    }
    verifier.add(entry);
    if (verifier.failed) break;
  }
  const manifest = file.manifest();
  const report = verifier.finish(verifier.failed ? undefined : manifest);
  if (report.intact && !manifest) {
    return { ...report, intact: false, failure: { seq: report.lastSeq, reason: 'the export has no manifest, so a truncated tail could not be ruled out' }, source: path };
  }
  return { ...report, source: path };
}

export async function verify(session: Session, flags: VerifyFlags): Promise<CommandResult> {
  const report = flags.export ? await verifyExport(flags.export, flags.manifest) : await verifyDatabase(session);
  const ui = session.ui;
  return {
    exitCode: report.intact ? 0 : 1,
    json: report,
    report: () => {
      if (report.intact) {
        ui.say(`${ui.colour.green('Intact')}: ${report.checked} entr${report.checked === 1 ? 'y' : 'ies'} in ${report.source}${report.lastSeq ? `, seq ${report.firstSeq} to ${report.lastSeq}, head ${report.headHash}` : ''}.`);
      } else {
        ui.say(`${ui.colour.red('NOT intact')}: ${report.failure!.reason}.`);
        ui.say(`  checked ${report.checked} entr${report.checked === 1 ? 'y' : 'ies'} in ${report.source}`);
      }
    },
  };
}
