/**
 * The contact layout: every field of a stored contact and its enquiries,
 * declared once. Every form of a contact is derived from this declaration:
 * the contact log's columns and `record`'s flags, the raw contact the rules
 * read, the canonical text the audit chain hashes (in Node and in SQL), the
 * identity the content hash covers, the COPY text and columns, the JSON Lines
 * and CSV exports and their readers, history and restore. A new optional
 * field is one entry here, plus its migration and its rule.
 *
 * Fields added after stores existed (`addedLater`) must not change what was
 * already hashed: where such a field is null (every entry stored before it),
 * the canonical text, the export's JSON line and the identity leave it out,
 * and the CSV export puts its column last, so a reader that takes columns by
 * position reads the older columns where they were.
 */

type FieldType =
  /** Text, written as a JSON string. */
  | 'text'
  /** A whole number (safe integers only), written as JSON digits. */
  | 'integer'
  /** `YYYY-MM-DD`. */
  | 'date'
  /** UTC to the microsecond, `YYYY-MM-DDTHH:MM:SS.ffffffZ`: the chain hashes this exact text. */
  | 'timestamp';

/** How an input field is given: its column in the contact log, and its `record` flag. */
interface InputSpec {
  /** The contact log's column (and the name the rules and messages use). */
  header: string;
  /** The `record` flag, without dashes. */
  flag: string;
  /** The flag's value, as `--help` shows it. */
  value: string;
  description: string;
  /** Given more than once: each --subject is an enquiry; --partners accumulate. */
  repeatable?: true;
  /** Required in the contact log's header. */
  required?: true;
}

/** Who decides a stored field's value. */
type FieldOrigin =
  /** What the operator gave, after the rules normalised it. */
  | 'contact'
  /** Where the contact is stored: the record (a partner's, for a partnership) and its partnership. */
  | 'target'
  /** The tool's bookkeeping: the source key, the content hash, the import run. */
  | 'tool'
  /** Decided under the chain-head lock, by the writing transaction or the database: place, time, writer. */
  | 'placed'
  /** The chain's own values. */
  | 'chain';

export interface StoredField {
  /** The key in the canonical text and the JSON export. */
  key: string;
  /** The database column, and the CSV export's header. */
  column: string;
  type: FieldType;
  nullable: boolean;
  origin: FieldOrigin;
  /** Hashed by the audit chain (not the chain's own values, nor the content hash). */
  chained: boolean;
  /** Part of what makes two contacts the same contact (the content hash and the fingerprint). */
  identity?: true;
  /** In the JSON and CSV exports (and so in history and restore). */
  exported: boolean;
  /**
   * Added after stores existed, by this migration (`drizzle/000N_…`): left
   * out where null, and in the CSV export after every older column, in the
   * order fields were added.
   */
  addedLater?: number;
  /** Text that is only ever digits, letters and dashes (a UTR, a word of a vocabulary, a hash): COPY takes it as it is. */
  plain?: true;
  input?: InputSpec;
}

const text = 'text' as const;

/** A contact's fields in the export's order; `enquiries` stands where the enquiries go. */
export const CONTACT_LAYOUT = [
  { key: 'seq', column: 'seq', type: 'integer', nullable: false, origin: 'placed', chained: true, exported: true },
  {
    key: 'sourceKey', column: 'source_key', type: text, nullable: false, origin: 'tool', chained: true, exported: true,
    input: { header: 'contact_ref', flag: 'ref', value: 'REF', description: 'your reference: retrying with the same --ref never records twice' },
  },
  { key: 'contentHash', column: 'content_hash', type: text, nullable: false, plain: true, origin: 'tool', chained: false, exported: false },
  {
    key: 'utr', column: 'utr', type: text, nullable: false, plain: true, origin: 'target', chained: true, exported: true,
    input: { header: 'utr', flag: 'utr', value: 'UTR', description: 'UTR of the CIS record (a partnership is recorded on each partner)', required: true },
  },
  {
    key: 'partnershipUtr', column: 'partnership_utr', type: text, nullable: true, origin: 'target', chained: true, exported: true,
    input: {
      header: 'partners', flag: 'partners', value: 'UTRS', description: 'only these partners of the partnership, separated by ; or , (repeat to add more)', repeatable: true,
    },
  },
  {
    key: 'contactType', column: 'contact_type', type: text, nullable: true, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'contact_type', flag: 'contact-type', value: 'TYPE', description: 'contractor, subcontractor, agent, capacitor or third party' },
  },
  {
    key: 'contactName', column: 'contact_name', type: text, nullable: true, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'contact_name', flag: 'contact-name', value: 'NAME', description: 'the person spoken to (at most 100 characters)' },
  },
  {
    key: 'channel', column: 'channel', type: text, nullable: false, plain: true, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'channel', flag: 'channel', value: 'CHANNEL', description: 'phone-inbound, phone-outbound, face-to-face, letter, email, fax or internal-enquiry', required: true },
  },
  {
    key: 'direction', column: 'direction', type: text, nullable: false, plain: true, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'direction', flag: 'direction', value: 'DIR', description: "Inbound or Outbound (default: the channel's)" },
  },
  {
    key: 'authentication', column: 'authentication', type: text, nullable: true, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'authentication', flag: 'auth', value: 'AUTH', description: 'authenticated or waived (not needed for internal-enquiry)' },
  },
  {
    key: 'enquiryDate', column: 'enquiry_date', type: 'date', nullable: false, origin: 'contact', chained: true, identity: true, exported: true,
    input: {
      header: 'enquiry_date', flag: 'date', value: 'DATE', description: 'enquiry date: YYYY-MM-DD, DD/MM/YYYY or 1 Apr 2015, UK order (default: today in Europe/London)', required: true,
    },
  },
  {
    key: 'operatorPid', column: 'operator_pid', type: text, nullable: false, plain: true, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'operator_pid', flag: 'operator', value: 'PID', description: 'your 7-digit PID', required: true },
  },
  { key: 'importRunId', column: 'import_run_id', type: 'integer', nullable: true, origin: 'tool', chained: true, exported: true },
  { key: 'recordedAt', column: 'recorded_at', type: 'timestamp', nullable: false, origin: 'placed', chained: true, exported: true },
  { key: 'recordedBy', column: 'recorded_by', type: text, nullable: true, origin: 'placed', chained: true, exported: true, addedLater: 4 },
  { key: 'enquiries', column: 'enquiries', type: text, nullable: false, origin: 'contact', chained: true, exported: true },
  { key: 'prevHash', column: 'prev_hash', type: text, nullable: false, plain: true, origin: 'chain', chained: false, exported: true },
  { key: 'hash', column: 'hash', type: text, nullable: false, plain: true, origin: 'chain', chained: false, exported: true },
] as const satisfies readonly StoredField[];

/** An enquiry's fields in the export's order; `contact_seq` ties it to its contact and is no field of it. */
const ENQUIRY_LAYOUT = [
  { key: 'position', column: 'position', type: 'integer', nullable: false, origin: 'tool', chained: true, exported: true },
  {
    key: 'subject', column: 'subject', type: text, nullable: false, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'subject', flag: 'subject', value: 'SUBJECT', description: 'Internal Referral, Letter, Callback, Complaint or Other; repeat for each enquiry', repeatable: true, required: true },
  },
  {
    key: 'actionTaken', column: 'action_taken', type: text, nullable: true, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'action_taken', flag: 'action', value: 'TEXT', description: 'action taken (at most 100 characters); with several --subject, give it after its own --subject', repeatable: true },
  },
  {
    key: 'generalNotes', column: 'general_notes', type: text, nullable: true, origin: 'contact', chained: true, identity: true, exported: true,
    input: { header: 'general_notes', flag: 'notes', value: 'TEXT', description: 'general notes (at most 512 characters); with several --subject, give it after its own --subject', repeatable: true },
  },
] as const satisfies readonly StoredField[];

type ContactLayoutField = (typeof CONTACT_LAYOUT)[number];
type EnquiryLayoutField = (typeof ENQUIRY_LAYOUT)[number];

type ValueOf<F extends StoredField> = (F['type'] extends 'integer' ? number : string) | (F['nullable'] extends true ? null : never);

/** Fields every entry has, and those added later, which entries stored before them lack (read as null). */
type Always<F> = F extends { addedLater: number } ? never : F;
type Later<F> = F extends { addedLater: number } ? F : never;
type Shape<F extends StoredField> = { -readonly [G in Always<F> as G['key']]: ValueIn<G> } & { -readonly [G in Later<F> as G['key']]?: ValueIn<G> };
type ValueIn<F> = F extends { key: 'enquiries' } ? ChainEnquiry[] : F extends StoredField ? ValueOf<F> : never;

/** An enquiry as stored and chained. */
export type ChainEnquiry = Shape<EnquiryLayoutField>;

/** Every field the audit chain hashes: the stored contact but for the chain's values and the content hash. */
export type ChainEntry = Shape<Extract<ContactLayoutField, { chained: true }>>;

/** An entry as exported, read back and restored: the chained fields and the chain's values. */
export type ChainedEntry = Shape<Extract<ContactLayoutField, { exported: true }>>;

/** The fields the operator gives (through the rules), which a checked contact and each of its enquiries must carry. */
export type OperatorGivenKey = Exclude<Extract<ContactLayoutField, { origin: 'contact' }>['key'], 'enquiries'>;
export type OperatorGivenEnquiryKey = Extract<EnquiryLayoutField, { origin: 'contact' }>['key'];

/** The contact log's columns that describe the contact (a header of each input field but the ref), and those of each enquiry. */
type InputHeader<F> = F extends { input: { header: infer H } } ? H : never;
export type ContactInputHeader = Exclude<InputHeader<ContactLayoutField>, 'contact_ref'>;
export type EnquiryInputHeader = InputHeader<EnquiryLayoutField>;

/** The `record` flags of a contact's fields (the ref's too), and of an enquiry's. */
type InputFlag<F> = F extends { input: { flag: infer L } } ? L : never;
export type ContactInputFlag = InputFlag<ContactLayoutField>;
export type EnquiryInputFlag = InputFlag<EnquiryLayoutField>;

/** The layout's fields that are a contact's own (not its enquiries). */
export const CONTACT_FIELDS: readonly StoredField[] = CONTACT_LAYOUT.filter((f) => f.key !== 'enquiries');
export const ENQUIRY_FIELDS: readonly StoredField[] = ENQUIRY_LAYOUT;

/** The key the contact's own reference (`contact_ref`, `--ref`) fills. */
const REF_HEADER = 'contact_ref';

const inputsOf = (fields: readonly StoredField[]) => fields.flatMap((f) => (f.input ? [{ ...f.input, field: f }] : []));

/** Every input field, a contact's then an enquiry's, each with the stored field it fills. */
export const CONTACT_INPUTS = inputsOf(CONTACT_FIELDS).filter((i) => i.header !== REF_HEADER);
export const ENQUIRY_INPUTS = inputsOf(ENQUIRY_FIELDS);
export const REF_INPUT = inputsOf(CONTACT_FIELDS).find((i) => i.header === REF_HEADER)!;
/** The contact log's columns, in order: the ref, the contact's, each enquiry's. */
export const INPUT_HEADERS: readonly string[] = [REF_INPUT.header, ...CONTACT_INPUTS.map((i) => i.header), ...ENQUIRY_INPUTS.map((i) => i.header)];
export const REQUIRED_HEADERS: readonly string[] = [...CONTACT_INPUTS, ...ENQUIRY_INPUTS].filter((i) => i.required).map((i) => i.header);
/** `record`'s flags in `--help`'s order: each input field's, the ref last. */
export const INPUT_FLAGS = [...CONTACT_INPUTS, ...ENQUIRY_INPUTS, REF_INPUT];

/**
 * The value a field holds in an object of the layout's shape (an entry, a
 * contact, a row): read by its key, which is why the object's own type cannot
 * say which of its values it is.
 */
export function fieldValue(from: object, field: Pick<StoredField, 'key'>): unknown {
  return (from as Readonly<Record<string, unknown>>)[field.key];
}
