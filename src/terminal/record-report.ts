/** Human lines for the outcome of one `record` (and each line of `run`). */

import type { RecordOutcome } from '../domain/outcomes.js';
import type { Ui } from './ui.js';

export function describeRecordOutcome(ui: Ui, outcome: RecordOutcome, prefix = '', dryRun = false): void {
  const c = ui.colour;
  if (!outcome.recorded) {
    ui.say(
      prefix,
      c.red('Not recorded'),
      `: ${outcome.errors.length} problem${outcome.errors.length === 1 ? '' : 's'}`,
    );
    ui.issues(outcome.errors, outcome.warnings);
    return;
  }
  const verb = outcome.duplicate
    ? 'Already recorded (same --ref, same content; nothing written)'
    : dryRun
      ? 'Would record'
      : 'Recorded';
  const where = outcome.contacts
    .map((x) => `contact ${x.id} on ${x.utr}${x.partnershipUtr ? ` (partner of ${x.partnershipUtr})` : ''}`)
    .join(', ');
  const enquiries = outcome.contacts[0]?.enquiries.length ?? 0;
  ui.say(prefix, c.green(verb), `: ${where}; ${enquiries} enquir${enquiries === 1 ? 'y' : 'ies'}`);
  ui.issues([], outcome.warnings);
}
