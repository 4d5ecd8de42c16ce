/**
 * One contact from `record` flags (also one line of `run`): check it against
 * the manual's rules, expand a partnership, and append it as one unit.
 */

import { randomUUID } from 'node:crypto';
import { partnersChangedDetail, reservedRefForm } from '../domain/identity.js';
import { describeControl, findControlCharacter } from '../domain/text.js';
import { type Issue, type IssueCode, issue } from '../domain/catalogue.js';
import { type RawContact, type RuleSettings, allErrors, allWarnings, checkContact } from '../domain/contact.js';
import { CONTACT_INPUTS, ENQUIRY_INPUTS, INPUT_FLAGS, REF_INPUT } from '../domain/layout.js';
import { type RecordFlags, flagKey } from './record-flags.js';
import type { Database, Transaction } from '../storage/database.js';
import { type StoredRef, type UnitOutcome, appendUnits } from '../storage/history-writer.js';
import type { ChainWait } from '../storage/chain-lock.js';
import { refusalIssue } from '../storage/database-errors.js';
import type { RecordOutcome, RecordedContact } from '../domain/outcomes.js';
import { ReferenceCache } from '../import/reference-lookup.js';
import { prepareUnit } from '../import/units.js';

/** Flags to raw contact input, each flag to the column it stands for; no --subject is one enquiry without a subject (reported as subject-missing). */
function rawContactFromFlags(flags: RecordFlags, today: string): RawContact {
  const raw: Record<string, string | undefined> = {};
  for (const input of CONTACT_INPUTS)
    raw[input.header] = (flags as Record<string, string | undefined>)[flagKey(input.flag)];
  // The one default a flag has and a column has not: a contact recorded now is about today, unless told otherwise.
  raw.enquiry_date ??= today;
  const enquiries = (flags.enquiries?.length ? flags.enquiries : [{}]).map((e) => {
    const enquiry: Record<string, string | undefined> = {};
    for (const input of ENQUIRY_INPUTS)
      enquiry[input.header] = (e as Record<string, string | undefined>)[flagKey(input.flag)];
    return enquiry;
  });
  return { ...raw, enquiries };
}

function summarise(stored: StoredRef[], enquiries: RecordedContact['enquiries']): RecordedContact[] {
  return stored.map((s) => ({ id: s.seq, utr: s.utr, partnershipUtr: s.partnershipUtr, enquiries }));
}

export interface RecordOptions {
  /** Reference data kept across many records (`run`). */
  references?: ReferenceCache;
  /** How to wait for the chain. */
  chain?: ChainWait;
  /** Check everything against the store, then write nothing (`record --dry-run`). */
  dryRun?: boolean;
  /** The PID when --operator is not given (CIS_CONTACT_OPERATOR, or the login's one bound PID); asked only then. */
  defaultOperator?: () => Promise<string | undefined>;
}

/** The names `record` and `run` users typed: flags, where the rules speak of the contact log's columns. */
const FLAG_OF_COLUMN: Record<string, string> = Object.fromEntries<string>([
  ...INPUT_FLAGS.map((i): [string, string] => [i.header, `--${i.flag}`]),
  ['ref', `--${REF_INPUT.flag}`],
]);
const SNAKE_COLUMNS = new RegExp(
  `\\b(${Object.keys(FLAG_OF_COLUMN)
    .filter((c) => c.includes('_'))
    .join('|')})\\b`,
  'g',
);
const LEADING_COLUMN = new RegExp(`^(${Object.keys(FLAG_OF_COLUMN).join('|')})\\b`);

/**
 * What a `record` or `run` user can do that a contact log's column cannot
 * say: an operator left out may be given by its flag or the environment
 * (the import's message, on its column, stays as the catalogue has it).
 */
const FIX_IN_FLAG_TERMS: Partial<Record<IssueCode, string>> = {
  'operator-missing': 'pass --operator PID or set CIS_CONTACT_OPERATOR',
};

function inFlagTerms(issues: readonly Issue[]): Issue[] {
  return issues.map((i) => {
    const fix = FIX_IN_FLAG_TERMS[i.code];
    const message = i.message
      .replace(SNAKE_COLUMNS, (c) => FLAG_OF_COLUMN[c] ?? c)
      .replace(LEADING_COLUMN, (c) => FLAG_OF_COLUMN[c] ?? c);
    return {
      code: i.code,
      field: i.field === null ? null : (FLAG_OF_COLUMN[i.field] ?? i.field),
      message: fix ? `${message}; ${fix}` : message,
    };
  });
}

/** One contact from flags; issues name the flags. */
export async function recordContact(
  db: Database | Transaction,
  flags: RecordFlags,
  settings: RuleSettings,
  options: RecordOptions = {},
): Promise<RecordOutcome> {
  const outcome = await recordFromFlags(db, flags, settings, options);
  return outcome.recorded
    ? { ...outcome, warnings: inFlagTerms(outcome.warnings) }
    : { ...outcome, errors: inFlagTerms(outcome.errors), warnings: inFlagTerms(outcome.warnings) };
}

async function recordFromFlags(
  db: Database | Transaction,
  given: RecordFlags,
  settings: RuleSettings,
  options: RecordOptions,
): Promise<RecordOutcome> {
  const operator = given.operator ?? (await options.defaultOperator?.());
  const flags = operator === undefined ? given : { ...given, operator };
  const raw = rawContactFromFlags(flags, settings.today);
  const refs = await (options.references ?? new ReferenceCache(db)).lookupFor([raw]);
  // Recorded now, so by someone who may record now, whatever day the contact was.
  const check = checkContact(raw, refs, { ...settings, rolesOn: 'today' });
  const warnings = allWarnings(check);
  if (!check.contact) return { recorded: false, errors: allErrors(check), warnings };

  const ref = flags.ref?.trim();
  const reserved = ref ? reservedRefForm(ref) : undefined;
  if (reserved)
    return {
      recorded: false,
      errors: [issue('ref-invalid', { field: 'ref', value: ref, detail: reserved })],
      warnings,
    };
  // A reference names its contact wherever it is shown: it may not act on a terminal, nor read as another.
  const control = ref ? findControlCharacter(ref, false) : undefined;
  if (control)
    return {
      recorded: false,
      errors: [issue('control-character', { field: 'ref', value: control, detail: describeControl(control) })],
      warnings,
    };
  const unit = prepareUnit(check.contact, check.targets, ref ? ref : `uuid:${randomUUID()}`);
  const enquiries = check.contact.enquiries.map((e, i) => ({ position: i + 1, ...e }));
  let outcomes: UnitOutcome[];
  try {
    // Without a reference nothing else tells a repeated call (the shell's up-arrow) from a second contact.
    const guard = { refuseSameContent: !ref && !flags.again, rollback: Boolean(options.dryRun) };
    outcomes = await appendUnits(db, [unit], options.chain ? { ...guard, chain: options.chain } : guard);
  } catch (error) {
    const refused = refusalIssue(error);
    if (!refused) throw error;
    return { recorded: false, errors: [refused], warnings };
  }
  const outcome = outcomes[0];
  switch (outcome?.status) {
    case 'written':
      return { recorded: true, duplicate: false, contacts: summarise(outcome.stored, enquiries), warnings };
    case 'duplicate': {
      const added = outcome.partnersAdded;
      const changed = added
        ? [issue('partners-changed', { field: 'partners', detail: partnersChangedDetail(added) })]
        : [];
      return {
        recorded: true,
        duplicate: true,
        contacts: summarise(outcome.stored, enquiries),
        warnings: [...warnings, ...changed],
      };
    }
    case 'same':
      return {
        recorded: false,
        errors: [
          issue('same-as-recorded', {
            field: '--again',
            value: String(outcome.stored[0]?.seq),
            detail: outcome.detail,
          }),
        ],
        warnings,
      };
    case 'conflict':
      return {
        recorded: false,
        errors: [issue('conflicts-with-recorded', { field: 'ref', value: outcome.sourceKey, detail: outcome.detail })],
        warnings,
      };
    case undefined:
      throw new Error('the store answered no outcome for the one contact written');
  }
}
