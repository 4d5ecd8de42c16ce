/**
 * The issue catalogue: every kind of problem the tool can report, with a
 * stable kebab-case code. Codes are a public contract: tests, rejects files
 * and scripts match on them, so never rename one. `cis-contact codes` and
 * docs/codes.md are generated from this list.
 *
 * The order of entries is "catalogue order", used to sort `reject_codes`.
 */

/** `failure`: a command that could not do its job (exit 2 for what the user can fix, 3 for storage). */
type Severity = 'fatal' | 'error' | 'warning' | 'failure';

/** What a message template may mention. */
export interface IssueParams {
  field?: string;
  limit?: number | string;
  length?: number;
  value?: string;
  detail?: string;
  /** The value a misspelt one was most likely meant to be ("did you mean"). */
  suggestion?: string;
}

/** One code's entry; `C` is narrowed to the code literals once the catalogue is declared. */
export interface CatalogueEntry<C extends string = IssueCode> {
  readonly code: C;
  readonly severity: Severity;
  readonly title: string;
  /**
   * What the code concerns outside the contact layout: options, the
   * environment, the registry's and operators' columns. The contact log's
   * columns it concerns are the layout's to say (`layoutFieldsNaming`), so a
   * new field is named by the codes it declares.
   */
  readonly fields: readonly string[];
  /** Where the rule comes from: an HMRC manual page, or the project's own documentation. */
  readonly manual: string;
  /** What the message cannot do without; anything else it mentions is optional, and it reads as a whole sentence without it. */
  readonly needs?: readonly (keyof IssueParams)[];
  readonly message: (p: IssueParams) => string;
}

const f = (p: IssueParams) => p.field ?? 'the field';
const v = (p: IssueParams) => (p.value === undefined ? '' : ` ("${p.value}")`);
const d = (p: IssueParams) => (p.detail ? `: ${p.detail}` : '');
const meant = (p: IssueParams) => (p.suggestion ? `; did you mean ${p.suggestion}?` : '');
const CONTACT_TYPES = 'contractor, subcontractor, agent, capacitor or third party';
const CHANNELS = 'phone-inbound, phone-outbound, face-to-face, letter, email, fax or internal-enquiry';
const SUBJECTS = 'Internal Referral, Letter, Callback, Complaint or Other';
const DATE_FORMS = 'YYYY-MM-DD, DD/MM/YYYY, DD/MM/YY or 1 Apr 2015, UK order, a time of day allowed';
const RECORDING_ROLE_LIST =
  'CISR Processor, CISR Processor Manager, CISR Penalty Administrator, CISR Pursuit Officer and CISR Pursuit Manager';

/** What serves a store, by its location: a server's is a postgres:// URL; otherwise the embedded store's resident holder. */
function servedBy(location: string | undefined): string {
  return location?.startsWith('postgres://')
    ? `the PostgreSQL server at ${location}`
    : `the holder of the embedded store at ${location}`;
}

// `as const` keeps each code a literal, so IssueCode is the union of them and a
// misspelt code anywhere in the tool fails to compile; `satisfies` still checks
// every entry against the shape.
const entries = [
  // Fatal: nothing is written by the run.
  {
    code: 'file-unreadable',
    severity: 'fatal',
    title: 'File cannot be read',
    fields: [],
    manual: 'docs/formats.md',
    message: (p) => `cannot read ${p.value ?? 'the file'}${d(p)}`,
  },
  {
    code: 'checkpoint-other-store',
    severity: 'fatal',
    title: 'Checkpoint of another store',
    fields: [],
    manual: 'docs/audit.md',
    needs: ['value', 'detail'],
    message: (p) => `the checkpoint at ${p.value} is of another store, so it says nothing about this one${d(p)}`,
  },
  {
    code: 'export-other-store',
    severity: 'fatal',
    title: 'Export of another store',
    fields: [],
    manual: 'docs/audit.md',
    needs: ['value', 'detail'],
    message: (p) =>
      `the export ${p.value} is of another store, so this store cannot show whether it is complete${d(p)}`,
  },
  {
    code: 'missing-column',
    severity: 'fatal',
    title: 'Required column missing',
    fields: [],
    manual: 'docs/formats.md',
    message: (p) =>
      p.field === undefined
        ? // The one case with no column to name: no header line at all.
          `${p.value ?? 'the file'} is empty: it has no header line`
        : `required column ${p.field} is missing from the header`,
  },
  {
    code: 'unknown-column',
    severity: 'fatal',
    title: 'Unknown column',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['field'],
    message: (p) =>
      (p.length ?? 1) > 1
        ? `columns ${f(p)} are not known columns; rename or drop them with --map${d(p)}`
        : `column ${f(p)} is not a known column; rename or drop it with --map${d(p)}`,
  },
  {
    code: 'duplicate-column',
    severity: 'fatal',
    title: 'Column appears twice',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['field'],
    message: (p) => `column ${f(p)} appears more than once in the header${d(p)}`,
  },
  {
    code: 'unclosed-quote',
    severity: 'fatal',
    title: 'Quoted field never closed',
    fields: [],
    manual: 'RFC 4180; docs/formats.md',
    needs: ['limit'],
    message: (p) =>
      `${p.value ? `${p.value}: ` : ''}line ${p.limit} opens a quoted field that is never closed${p.detail ? `; ${p.detail}` : ''}`,
  },
  {
    code: 'invalid-encoding',
    severity: 'fatal',
    title: 'Not in the declared character encoding',
    fields: [],
    manual: 'RFC 3629; docs/formats.md',
    message: (p) => `${p.value ?? 'the file'} ${p.detail ?? 'is not valid UTF-8'}`,
  },
  {
    code: 'output-is-input',
    severity: 'fatal',
    title: 'An output would overwrite an input',
    fields: ['--rejects'],
    manual: 'docs/formats.md',
    needs: ['value', 'detail'],
    message: (p) => `${p.value} ${p.detail}`,
  },
  {
    code: 'output-unsafe',
    severity: 'fatal',
    title: 'Output path another account could redirect',
    fields: ['--out', '--manifest', '--rejects', '--warnings'],
    manual: 'docs/storage.md',
    needs: ['value', 'detail'],
    message: (p) => `will not write ${p.value}: ${p.detail}`,
  },
  {
    code: 'date-order',
    severity: 'fatal',
    title: 'Dates not all readable in one day and month order',
    fields: ['--date-order'],
    manual: 'docs/formats.md',
    needs: ['field', 'value', 'limit', 'detail'],
    message: (p) => `line ${p.limit}: ${f(p)} "${p.value}" ${p.detail}; nothing was stored`,
  },
  {
    code: 'map-invalid',
    severity: 'fatal',
    title: 'Column map is invalid',
    fields: ['--map'],
    manual: 'docs/formats.md',
    message: (p) => `the column map${p.value ? ` ${p.value}` : ''} is invalid${d(p)}`,
  },

  // Row errors: the row and its contact are rejected.
  {
    code: 'row-shape',
    severity: 'error',
    title: 'Wrong number of fields',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['length', 'limit'],
    message: (p) => `the row has ${p.length} fields; the header has ${p.limit}${d(p)}`,
  },
  {
    code: 'row-unterminated',
    severity: 'error',
    title: 'Last row has no line ending',
    fields: [],
    manual: 'docs/formats.md',
    message: () =>
      'the last row does not end with a line break, though the lines before it do: the file may have been cut short or may still be being written, so the row may be cut too; once the file is complete, end its last line with a line break and import it again',
  },
  {
    code: 'ref-invalid',
    severity: 'error',
    title: 'Contact reference has a reserved form',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['field', 'detail'],
    message: (p) =>
      `${f(p)}${v(p)} ${p.detail}: the tool keys contacts without a reference that way, so a reference may not contain a slash, nor start with sha256: or uuid: (its own forms)`,
  },
  {
    code: 'control-character',
    severity: 'error',
    title: 'Control character in text',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['field', 'value'],
    message: (p) => `${f(p)} contains the control character ${p.value}${p.detail ? `; ${p.detail}` : ''}`,
  },
  {
    code: 'utr-missing',
    severity: 'error',
    title: 'UTR missing',
    fields: [],
    manual: 'CISR90020',
    needs: ['field'],
    message: (p) => `${f(p)} is required`,
  },
  {
    code: 'utr-format',
    severity: 'error',
    title: 'UTR is not 10 digits',
    fields: [],
    manual: 'CISR90020',
    needs: ['field'],
    message: (p) =>
      `${f(p)}${v(p)} is not a UTR: it must be 10 digits (13 with a K prefix or suffix is accepted)${p.detail ? `; ${p.detail}` : ''}`,
  },
  {
    code: 'utr-check-digit',
    severity: 'error',
    title: 'UTR check digit wrong',
    fields: [],
    manual: 'CISR90020',
    needs: ['field'],
    message: (p) => `${f(p)}${v(p)} fails the UTR modulus-11 check digit`,
  },
  {
    code: 'unknown-record',
    severity: 'error',
    title: 'No such CIS record',
    fields: [],
    manual: 'CISR90020',
    needs: ['field'],
    message: (p) => `${f(p)}${v(p)} is not a CIS record in the registry`,
  },
  {
    code: 'partners-not-allowed',
    severity: 'error',
    title: 'Partners given for a non-partnership',
    fields: [],
    manual: 'CISR90270',
    needs: ['value', 'detail'],
    message: (p) => `partners may only be given for a partnership; ${p.value} is a ${p.detail}`,
  },
  {
    code: 'not-a-partner',
    severity: 'error',
    title: 'Not a partner of the partnership',
    fields: [],
    manual: 'CISR90270',
    needs: ['value', 'detail'],
    message: (p) => `partners: ${p.value} is not a partner of partnership ${p.detail}`,
  },
  {
    code: 'partnership-without-partners',
    severity: 'error',
    title: 'Partnership has no partners',
    fields: [],
    manual: 'CISR90270',
    needs: ['value'],
    message: (p) => `partnership ${p.value} has no partners to record the contact on (a partnership never holds notes)`,
  },
  {
    code: 'contact-type-missing',
    severity: 'error',
    title: 'Contact type missing',
    fields: [],
    manual: 'CISR90610',
    message: () => `contact_type is required (${CONTACT_TYPES}) unless the channel is internal-enquiry`,
  },
  {
    code: 'contact-type-invalid',
    severity: 'error',
    title: 'Contact type not recognised',
    fields: [],
    manual: 'CISR90610',
    message: (p) => `contact_type${v(p)} must be one of ${CONTACT_TYPES}${meant(p)}`,
  },
  {
    code: 'contact-name-missing',
    severity: 'error',
    title: 'Contact name missing',
    fields: [],
    manual: 'CISR90610',
    message: () => 'contact_name (the person spoken to) is required unless the channel is internal-enquiry',
  },
  {
    code: 'contact-name-too-long',
    severity: 'error',
    title: 'Contact name too long',
    fields: [],
    manual: 'CISR90610',
    needs: ['length', 'limit'],
    message: (p) => `contact_name is ${p.length} characters; the limit is ${p.limit}`,
  },
  {
    code: 'channel-missing',
    severity: 'error',
    title: 'Channel missing',
    fields: [],
    manual: 'CISR90020',
    message: () => `channel is required (${CHANNELS})`,
  },
  {
    code: 'channel-invalid',
    severity: 'error',
    title: 'Channel not recognised',
    fields: [],
    manual: 'CISR90020',
    message: (p) => `channel${v(p)} must be one of ${CHANNELS}${meant(p)}`,
  },
  {
    code: 'direction-invalid',
    severity: 'error',
    title: 'Direction not recognised',
    fields: [],
    manual: 'CISR90610',
    message: (p) => `direction${v(p)} must be Inbound or Outbound${meant(p)}`,
  },
  {
    code: 'direction-conflict',
    severity: 'error',
    title: 'Direction contradicts the channel',
    fields: [],
    manual: 'CISR90610',
    needs: ['value', 'detail', 'limit'],
    message: (p) => `direction ${p.value} contradicts channel ${p.detail}, which is always ${p.limit}`,
  },
  {
    code: 'authentication-required',
    severity: 'error',
    title: 'Authentication required',
    fields: [],
    manual: 'CISR90020',
    message: (p) =>
      `authentication${v(p)} must be authenticated or waived${p.detail ? ` for channel ${p.detail}` : ''}: a contact is authenticated, or authentication waived, before anything is recorded${meant(p)}`,
  },
  {
    code: 'date-missing',
    severity: 'error',
    title: 'Enquiry date missing',
    fields: [],
    manual: 'CISR90610',
    message: () => `enquiry_date is required (${DATE_FORMS})`,
  },
  {
    code: 'date-format',
    severity: 'error',
    title: 'Enquiry date not a date',
    fields: [],
    manual: 'CISR90610',
    // With `limit` (its London date), the value is a timestamp with a time zone (`detail`).
    message: (p) =>
      p.limit === undefined
        ? `enquiry_date${v(p)} is not a real date in one of the forms ${DATE_FORMS}${p.detail ? `; ${p.detail}` : ''}`
        : `enquiry_date${v(p)} is a moment with a time zone${p.detail ? ` (${p.detail})` : ''}, not a date: in London it is ${p.limit}; write the day the contact was made as a date (YYYY-MM-DD)`,
  },
  {
    code: 'date-before-scheme',
    severity: 'error',
    title: 'Date before the scheme began',
    fields: [],
    manual: 'CISR90610',
    needs: ['value', 'limit'],
    message: (p) => `enquiry_date ${p.value} is before ${p.limit}, when the scheme's contact history begins`,
  },
  {
    code: 'date-in-future',
    severity: 'error',
    title: 'Date in the future',
    fields: [],
    manual: 'CISR90610',
    needs: ['value', 'limit'],
    message: (p) => `enquiry_date ${p.value} is after today (${p.limit}, Europe/London)`,
  },
  {
    code: 'operator-missing',
    severity: 'error',
    title: 'Operator PID missing',
    fields: [],
    manual: 'CISR90610',
    message: (p) => `${p.field ?? 'operator_pid'} is required: the 7-digit PID of the operator`,
  },
  {
    code: 'operator-format',
    severity: 'error',
    title: 'Operator PID not 7 digits',
    fields: [],
    manual: 'CISR90610',
    message: (p) => `${p.field ?? 'operator_pid'}${v(p)} must be exactly 7 digits${p.detail ? `; ${p.detail}` : ''}`,
  },
  {
    code: 'unknown-operator',
    severity: 'error',
    title: 'No such operator',
    fields: [],
    manual: 'CISR90610',
    needs: ['value'],
    message: (p) => `operator_pid ${p.value} is not a known operator`,
  },
  {
    code: 'operator-not-authorised',
    severity: 'error',
    title: 'Operator may not record contacts',
    fields: [],
    manual: 'CISR90610, DMBM524558',
    needs: ['value', 'detail'],
    message: (p) => `operator ${p.value} holds no role that may record a contact (${p.detail})`,
  },
  {
    code: 'operator-not-yours',
    severity: 'error',
    title: 'Operator bound to other logins',
    fields: [],
    manual: 'docs/access.md',
    needs: ['value'],
    message: (p) =>
      `operator PID ${p.value} is bound to other database logins${p.detail ? ` (${p.detail})` : ''}; record under your own PID`,
  },
  {
    code: 'subject-missing',
    severity: 'error',
    title: 'Subject missing',
    fields: [],
    manual: 'CISR90270',
    message: () => `subject is required (${SUBJECTS})`,
  },
  {
    code: 'subject-invalid',
    severity: 'error',
    title: 'Subject not recognised',
    fields: [],
    manual: 'CISR90270',
    message: (p) => `subject${v(p)} must be one of ${SUBJECTS}${meant(p)}`,
  },
  {
    code: 'action-required',
    severity: 'error',
    title: 'Action taken required',
    fields: [],
    manual: 'CISR90610',
    message: () => 'action_taken is required when the subject is Other',
  },
  {
    code: 'action-too-long',
    severity: 'error',
    title: 'Action taken too long',
    fields: [],
    manual: 'CISR90610',
    needs: ['length', 'limit'],
    message: (p) => `action_taken is ${p.length} characters; the limit is ${p.limit}`,
  },
  {
    code: 'notes-too-long',
    severity: 'error',
    title: 'General notes too long',
    fields: [],
    manual: 'CISR90610',
    needs: ['length', 'limit'],
    message: (p) => `general_notes is ${p.length} characters; the limit is ${p.limit}`,
  },
  {
    code: 'payment-details',
    severity: 'error',
    title: 'Payment details in free text',
    fields: [],
    manual: 'DMBM510250',
    needs: ['field'],
    message: (p) =>
      p.value
        ? `${f(p)} still holds the masked number ${p.value} from a rejects file: write the text as the contact gave it, without the payment details`
        : `${f(p)} contains ${p.detail ?? 'payment details'}; payment details must never be recorded in notes`,
  },
  {
    code: 'contact-fields-differ',
    severity: 'error',
    title: 'Rows of one contact disagree',
    fields: [],
    manual: 'CISR90270',
    needs: ['field', 'value', 'limit'],
    message: (p) =>
      `${f(p)} differs from the first row of contact_ref ${p.value} (line ${p.limit}); rows of one contact must agree on contact-level fields`,
  },
  {
    code: 'contact-ref-reused',
    severity: 'error',
    title: 'Contact reference reused',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['value', 'limit'],
    message: (p) =>
      `contact_ref ${p.value} was already used by the contact that began at line ${p.limit}, with other rows; rows of one contact must be adjacent (the same rows repeated are a duplicate)`,
  },
  {
    code: 'conflicts-with-recorded',
    severity: 'error',
    title: 'Conflicts with a recorded contact',
    fields: [],
    manual: 'CISR90270',
    needs: ['value'],
    message: (p) =>
      `${p.value} is already recorded with different content${d(p)}; recorded contacts are never changed, record a correction as a new contact`,
  },
  {
    code: 'same-as-recorded',
    severity: 'error',
    title: 'Same as a contact already recorded',
    fields: ['--again'],
    manual: 'README.md',
    needs: ['value'],
    message: (p) =>
      `the same contact (record, date, operator, who was spoken to, channel and every enquiry) is already stored as contact ${p.value}${p.detail ? ` (${p.detail})` : ''}; nothing was stored: if this really is a second contact, give --again`,
  },
  {
    code: 'sibling-rejected',
    severity: 'error',
    title: 'Another row of the contact was rejected',
    fields: [],
    manual: 'CISR90270',
    message: (p) =>
      `another row of the same contact was rejected${p.detail ? ` (${p.detail})` : ''}; a contact is recorded whole or not at all`,
  },
  {
    code: 'database-rejected',
    severity: 'error',
    title: 'The database refused the contact',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['detail'],
    message: (p) => `the database refused ${p.value ?? 'the contact'}: ${p.detail}`,
  },

  // Scripts (`run`).
  {
    code: 'line-unreadable',
    severity: 'error',
    title: 'Script line a shell would not accept',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['detail'],
    message: (p) => `the line cannot be read as it stands: ${p.detail}; nothing of it was recorded`,
  },

  // Reference data (registry and operator files).
  {
    code: 'name-missing',
    severity: 'error',
    title: 'Name missing',
    fields: ['name'],
    manual: 'docs/formats.md',
    message: () => 'name is required',
  },
  {
    code: 'name-too-long',
    severity: 'error',
    title: 'Name too long',
    fields: ['name'],
    manual: 'docs/formats.md',
    needs: ['length', 'limit'],
    message: (p) => `name is ${p.length} characters; the limit is ${p.limit}`,
  },
  {
    code: 'kind-invalid',
    severity: 'error',
    title: 'Kind not recognised',
    fields: ['kind'],
    manual: 'docs/formats.md',
    message: (p) => `kind${v(p)} must be contractor, subcontractor or partnership`,
  },
  {
    code: 'partner-of-invalid',
    severity: 'error',
    title: 'partner_of names no partnership',
    fields: ['partner_of'],
    manual: 'docs/formats.md',
    needs: ['value', 'detail'],
    message: (p) => `partner_of: ${p.value} ${p.detail}`,
  },
  {
    code: 'roles-missing',
    severity: 'error',
    title: 'Roles missing',
    fields: ['roles'],
    manual: 'docs/formats.md',
    message: () => 'roles is required: one or more role names, separated by semicolons or commas',
  },
  {
    code: 'role-unknown',
    severity: 'error',
    title: 'Role not known',
    fields: ['roles'],
    manual: 'CISR90610, DMBM524558',
    needs: ['value'],
    message: (p) =>
      `roles: "${p.value}" is not a role the tool knows; the roles that may record are ${RECORDING_ROLE_LIST}, and CIS Read Only and CISR Viewer may be held (check the spelling)`,
  },
  {
    code: 'period-invalid',
    severity: 'error',
    title: 'Dates of roles invalid',
    fields: ['roles_from', 'roles_to', 'leaving_date'],
    manual: 'docs/formats.md',
    needs: ['field', 'value', 'detail'],
    message: (p) => `${f(p)} "${p.value}" ${p.detail}`,
  },

  // Warnings: stored and counted; --strict turns them into errors.
  {
    code: 'action-missing',
    severity: 'warning',
    title: 'Action taken left blank',
    fields: [],
    manual: 'CISR90610',
    message: () => 'action_taken is blank: record the action taken',
  },
  {
    code: 'abbreviation',
    severity: 'warning',
    title: 'Abbreviation used',
    fields: [],
    manual: 'CISR90270',
    needs: ['field', 'value'],
    message: (p) => `${f(p)} uses the abbreviation ${p.value}; write it out in full`,
  },
  {
    code: 'identical-row',
    severity: 'warning',
    title: 'Row repeats an earlier row',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['limit'],
    message: (p) =>
      `the row repeats line ${p.limit} (the same contact, case and surrounding spaces aside); both are kept as separate contacts (fix the file if one is a copy)`,
  },
  {
    code: 'matches-recorded',
    severity: 'warning',
    title: 'Row matches a contact another import stored',
    fields: [],
    manual: 'docs/formats.md',
    needs: ['value'],
    message: (p) =>
      `the row matches contact ${p.value}${p.detail ? `, recorded from ${p.detail}` : ''}, so it is not stored again; if it is a row corrected in a rejects file whose reject_ columns were dropped, import it with those columns (or give it a contact_ref) so it is stored as the row it was`,
  },
  {
    code: 'possible-card-number',
    severity: 'warning',
    title: 'Number written as a card number is',
    fields: [],
    manual: 'DMBM510250',
    needs: ['field', 'value'],
    message: (p) =>
      `${f(p)} holds ${p.value}, a number written as a payment card number is, with no card word near it; if it is a card number, take it out (payment details must never be recorded), and if it is a reference it is stored as written`,
  },
  {
    code: 'guard-removed',
    severity: 'warning',
    title: "Spreadsheet's formula guard removed",
    fields: [],
    manual: 'docs/formats.md',
    needs: ['field', 'value'],
    message: (p) =>
      `${f(p)} starts with ' before ${p.value}, read as a spreadsheet's formula guard: the ' is removed and the text stored without it; if the ' belongs to the text (a file that neither cis-contact nor a spreadsheet guarding formulas wrote), import the file with --keep-apostrophes`,
  },
  {
    code: 'partners-changed',
    severity: 'warning',
    title: 'Partnership changed since it was recorded',
    fields: [],
    manual: 'CISR90270',
    needs: ['detail'],
    message: (p) =>
      `this partnership contact was recorded for the partners of its day; ${p.detail}. Nothing new is recorded`,
  },
  {
    code: 'trigger-disabled',
    severity: 'warning',
    title: "A store's protective trigger is switched off",
    fields: [],
    manual: 'docs/auditor.md',
    needs: ['value'],
    message: (p) =>
      `the store's trigger ${p.value} is switched off${d(p)}, so the database no longer refuses what that trigger guards against; ask the database's administrator to switch it back on (ALTER TABLE … ENABLE ALWAYS TRIGGER) and find out who switched it off and why`,
  },

  // Command failures: not about a row or a file's content; the hint printed under the message says what to do.
  {
    code: 'usage',
    severity: 'failure',
    title: 'Wrong flags or arguments',
    fields: [],
    manual: 'cis-contact COMMAND --help',
    message: (p) => p.detail ?? 'a flag or argument is wrong',
  },
  {
    code: 'no-store',
    severity: 'failure',
    title: 'No store there',
    fields: ['--data-dir', 'DATABASE_URL'],
    manual: 'docs/storage.md',
    needs: ['value'],
    message: (p) => `no cis-contact store at ${p.value}: reading commands never create one`,
  },
  {
    code: 'store-outdated',
    severity: 'failure',
    title: 'Store behind this cis-contact',
    fields: ['DATABASE_URL'],
    manual: 'docs/operations.md',
    needs: ['value', 'limit', 'detail'],
    message: (p) =>
      `the store at ${p.value} is at schema version ${p.limit}, older than this cis-contact (version ${p.detail}): on a server only cis-contact db migrate upgrades it`,
  },
  {
    code: 'client-outdated',
    severity: 'failure',
    title: 'cis-contact behind the store',
    fields: ['DATABASE_URL', '--data-dir'],
    manual: 'docs/operations.md',
    needs: ['value', 'limit', 'detail'],
    message: (p) =>
      `this cis-contact is older than the store at ${p.value} (the store is at schema version ${p.limit}, this cis-contact at ${p.detail}): upgrade it`,
  },
  {
    code: 'login-not-own',
    severity: 'failure',
    title: 'Session is another login',
    fields: ['DATABASE_URL'],
    manual: 'docs/operations.md',
    needs: ['value', 'limit', 'detail'],
    message: (p) =>
      `the server at ${p.value} runs this session as ${p.detail}, not as ${p.limit}, the login asked for: a writer must be its own login, since the database stamps each contact with it`,
  },
  {
    code: 'store-not-empty',
    severity: 'failure',
    title: 'Restore needs an empty store',
    fields: [],
    manual: 'docs/storage.md',
    needs: ['value', 'limit'],
    message: (p) => `${p.value} already holds ${p.limit} contacts: a restore only fills an empty store`,
  },
  {
    code: 'export-not-intact',
    severity: 'failure',
    title: 'Export cannot be restored',
    fields: [],
    manual: 'docs/audit.md',
    needs: ['value', 'detail'],
    message: (p) => `${p.value} cannot be restored: ${p.detail}`,
  },
  {
    code: 'output-unwritable',
    severity: 'failure',
    title: 'Output cannot be written',
    fields: ['--out', '--manifest'],
    manual: 'docs/audit.md',
    needs: ['value', 'detail'],
    message: (p) => `cannot write ${p.value}: ${p.detail}`,
  },
  {
    code: 'database-unreachable',
    severity: 'failure',
    title: 'Server unreachable or lost',
    fields: ['DATABASE_URL'],
    manual: 'docs/storage.md',
    needs: ['value'],
    // With `detail` (how far the command had got) the connection was lost mid-way; without, it was never made.
    message: (p) =>
      p.detail === undefined
        ? `cannot reach ${servedBy(p.value)}${p.limit ? ` (${p.limit})` : ''}`
        : `lost the connection to ${servedBy(p.value)}${p.limit ? ` (${p.limit})` : ''}: ${p.detail}`,
  },
  {
    code: 'server-stopped-command',
    severity: 'failure',
    title: 'Server stopped the command',
    fields: ['DATABASE_URL'],
    manual: 'docs/operations.md',
    needs: ['value', 'detail'],
    message: (p) => `${servedBy(p.value)} stopped the command${p.limit ? ` (${p.limit})` : ''}: ${p.detail}`,
  },
  {
    code: 'database-unavailable',
    severity: 'failure',
    title: 'Database refused the session',
    fields: ['DATABASE_URL', '--data-dir'],
    manual: 'docs/storage.md',
    needs: ['value', 'detail'],
    message: (p) => `cannot use the database at ${p.value}: ${p.detail}`,
  },
  {
    code: 'permission-denied',
    severity: 'failure',
    title: 'Login lacks the rights',
    fields: ['DATABASE_URL'],
    manual: 'docs/access.md',
    needs: ['value', 'detail'],
    message: (p) =>
      `the database login may not do this at ${p.value} (${p.detail})${p.limit ? `: it needs the ${p.limit} role` : ''}`,
  },
  {
    code: 'database-url-invalid',
    severity: 'failure',
    title: 'Not a PostgreSQL URL',
    fields: ['DATABASE_URL'],
    manual: 'docs/storage.md',
    message: (p) => `the database URL (--database-url or DATABASE_URL) is not a PostgreSQL connection URI${d(p)}`,
  },
  {
    code: 'file-changed',
    severity: 'failure',
    title: 'File changed while being imported',
    fields: [],
    manual: 'docs/formats.md',
    message: (p) => `${p.value ?? 'the file'} changed while it was being imported${d(p)}`,
  },
  {
    code: 'disk-full',
    severity: 'failure',
    title: 'No space left for the store',
    fields: ['--data-dir'],
    manual: 'docs/storage.md',
    needs: ['value'],
    message: (p) => `no space left on ${p.value}${d(p)}`,
  },
  {
    code: 'data-dir-unusable',
    severity: 'failure',
    title: 'Data directory unusable',
    fields: ['--data-dir'],
    manual: 'docs/storage.md',
    needs: ['value', 'detail'],
    message: (p) => `cannot use the data directory ${p.value}: ${p.detail}`,
  },
  {
    code: 'interrupted',
    severity: 'failure',
    title: 'Stopped by a signal',
    fields: [],
    manual: 'docs/storage.md',
    needs: ['detail'],
    message: (p) => `${p.value ?? 'the command'} stopped ${p.detail}`,
  },
  {
    code: 'internal-error',
    severity: 'failure',
    title: 'A bug in cis-contact',
    fields: [],
    manual: 'cis-contact',
    needs: ['detail'],
    message: (p) => `internal error: ${p.detail}`,
  },
] as const satisfies readonly CatalogueEntry<string>[];

/** Every code the tool can report: a misspelt one is a type error, not a run-time surprise. */
export type IssueCode = (typeof entries)[number]['code'];

/** Every code, in catalogue order. */
export const ISSUE_CODES: readonly IssueCode[] = entries.map((e) => e.code);

export const CATALOGUE: ReadonlyMap<IssueCode, CatalogueEntry> = new Map(
  entries.map((e) => [e.code, e as CatalogueEntry]),
);
const ORDER = new Map<IssueCode, number>(entries.map((e, i) => [e.code, i]));

/** A string from outside (a command line, a rejects file) that names a code. */
export function isIssueCode(text: string): text is IssueCode {
  return CATALOGUE.has(text as IssueCode);
}

function entryOf(code: IssueCode): CatalogueEntry {
  const entry = CATALOGUE.get(code);
  // Unreachable from typed code; a guard for a code that came in untyped (JSON, a cast).
  if (!entry) throw new Error(`unknown issue code ${code}`);
  return entry;
}

/** How many rows carried each code (a summary's `rejectsByCode`, `warningsByCode`). */
export type CodeCounts = Partial<Record<IssueCode, number>>;

/** One problem found in one place. `field` uses the CSV column names. */
export interface Issue {
  code: IssueCode;
  /** The column or flag at fault, or null when the issue is the row's or the contact's as a whole. */
  field: string | null;
  message: string;
}

export function issue(code: IssueCode, params: IssueParams = {}): Issue {
  return { code, field: params.field ?? null, message: entryOf(code).message(params) };
}

export function catalogueOrder(a: IssueCode, b: IssueCode): number {
  return (ORDER.get(a) ?? Number.MAX_SAFE_INTEGER) - (ORDER.get(b) ?? Number.MAX_SAFE_INTEGER);
}
