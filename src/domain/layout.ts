/**
 * The contact layout: every field of a stored contact and of its enquiries,
 * declared once with its behaviour. Every form of a contact is derived from
 * this declaration: the contact log's columns and `record`'s flags with their
 * help, the checked contact's type, the free-text rules (length, control
 * characters, payment details, abbreviations, and the masked numbers a
 * rejects file brings back), how two rows of one contact are compared, which
 * catalogue entries name each field, `history`'s columns and lines, the
 * canonical text the audit chain hashes (in Node and in SQL), the identity
 * the content hash covers, the COPY text and columns, the JSON Lines and CSV
 * exports and their readers, and restore. A new optional free-text field is
 * one entry here, plus its migration; any other field, its rule too.
 *
 * Fields added after stores existed (`addedLater`) must not change what was
 * already hashed: where such a field is null (every entry stored before it),
 * the canonical text, the export's JSON line and the identity leave it out,
 * and the CSV export puts its column last, so a reader that takes columns by
 * position reads the older columns where they were.
 *
 * The forms are made by `formsOf` from a layout given to it, so a test can
 * hold them to a copy of the layout with a field of its own.
 */

import type { IssueCode } from './catalogue.js';
import {
  LIMITS,
  matchAuthentication,
  matchChannel,
  matchContactType,
  matchDirection,
  matchSubject,
} from './vocabulary.js';

type FieldType =
  /** Text, written as a JSON string. */
  | 'text'
  /** A whole number (safe integers only), written as JSON digits. */
  | 'integer'
  /** `YYYY-MM-DD`. */
  | 'date'
  /** UTC to the microsecond, `YYYY-MM-DDTHH:MM:SS.ffffffZ`: the chain hashes this exact text. */
  | 'timestamp';

/**
 * How two rows of one contact are compared (they must agree on the contact's
 * fields): as the rules read them, trimmed, then
 */
type Comparison =
  /** as written: free text, whose case is what was said. */
  | 'as-written'
  /** without case: a word of a vocabulary. */
  | 'caseless'
  /** as UTRs, and lists of them in any order. */
  | 'utr'
  | 'utr-list'
  /** as the dates they are, in the file's day and month order. */
  | 'date'
  /** as PIDs. */
  | 'pid';

/** How an input field is given: its column in the contact log, and its `record` flag. */
interface InputSpec {
  /** The contact log's column (and the name the rules and messages use). */
  header: string;
  /** The `record` flag, without dashes. */
  flag: string;
  /** The flag's value, as `--help` shows it. */
  value: string;
  /** The flag's help. */
  description: string;
  /** Given more than once: each --subject is an enquiry; --partners accumulate. */
  repeatable?: true;
  /** The enquiry's flag that starts the next enquiry when several are given (`--subject`). */
  opensEnquiry?: true;
  /** Required in the contact log's header. */
  required?: true;
  /** How rows of one contact compare it: by default as written for free text, without case otherwise. */
  compare?: Comparison;
  /** The catalogue entries that name the field, besides those every free-text field is named by. */
  codes?: readonly IssueCode[];
}

/**
 * Text a person wrote: held to its length, refused with a control character
 * (or, on one line, a line break or tab), or with payment details (a masked
 * number brought back from a rejects file included), and warned of for a
 * number written as a card's and for abbreviations.
 */
interface FreeText {
  /** The most characters it may hold, counted as PostgreSQL counts them (code points). */
  limit: number;
  /** The code for text longer than `limit`. */
  tooLong: IssueCode;
  /** May hold line breaks and tabs. */
  multiline?: true;
}

/** The codes every free-text field is named by (its `tooLong` besides). */
const FREE_TEXT_CODES = [
  'control-character',
  'payment-details',
  'possible-card-number',
  'abbreviation',
] as const satisfies readonly IssueCode[];

/** How `history` shows a field's value: as stored, unless it says */
type HistoryValue =
  /** a time, in UK time with its zone named; */
  | 'uk-time'
  /** a ref someone gave, and nothing for a key the tool made (it says nothing to a reader); */
  | 'given-ref'
  /** a partnership's UTR, after its name where the registry has one. */
  | 'partnership';

/**
 * On a terminal, `history` is one block a contact, its enquiries' lines under
 * it: where a field reads in its block (the contact's, or its enquiry's).
 */
interface HistoryLine {
  /** The block's line it is on, from 0: a contact's heading (in bold), or an enquiry's first line (its later lines under that line's label). */
  line: number;
  /** Its place on the line, left to right. */
  at: number;
  /**
   * The line's label (`Recorded: `), given by one field of the line and
   * shown whatever that field's value. With `%` the field's value is the
   * label (`%. `, an enquiry's number), and no part of the line's text.
   */
  label?: string;
  /** Its text, `%` standing for its value (`by operator %`); its value alone by default. Nothing where it has no value, and a line of nothing is not shown. */
  text?: string;
  /** What stands between its text and the text before it on its line: a space by default. */
  after?: string;
}

/**
 * A field's place in `history`: its column into a file or a pipe (one
 * enquiry a line, its contact's columns before its own), and its text on a
 * terminal. A field the operator gives, or the store places, without one is
 * still shown, by its column name, after the others.
 */
interface HistoryPlace {
  /** Its column's title. */
  title: string;
  /** Its column's place, left to right, among the contact's columns or the enquiry's. The last column is never padded. */
  place: number;
  /** Where it reads on a terminal. */
  block: HistoryLine;
  /** Shown only for a history of several records (a partnership's). */
  ofSeveral?: true;
  /** How its value is shown: as stored by default. */
  shown?: HistoryValue;
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
  /**
   * Always this many characters, which may all be digits (a UTR, a PID, a
   * hash such as the first entry's 64 zeros): a spreadsheet that reads one
   * as a number drops its leading zeros, a sign `verify --export` names.
   */
  width?: number;
  /**
   * A vocabulary's: the word given (any case, an alias) as the stored
   * spelling, or undefined. The rules read the field with it, and a column
   * map's `values` translate legacy words into it.
   */
  match?: (word: string) => string | undefined;
  /** Free text, and how it is held (a field without it is never free text). */
  freeText?: FreeText;
  /** Its place in `history`, if it has one of its own. */
  history?: HistoryPlace;
  input?: InputSpec;
}

/** A list of items of their own fields, stored in a table of their own: a contact's enquiries. */
export interface FieldList {
  key: string;
  /** Each item's fields, in the export's order. */
  items: readonly StoredField[];
  /** Given by the operator, each item numbered by the tool. */
  origin: 'contact';
  chained: true;
  exported: true;
}

export type LayoutEntry = StoredField | FieldList;

export const isList = (entry: LayoutEntry): entry is FieldList => 'items' in entry;

const text = 'text' as const;

/** An enquiry's fields in the export's order; `contact_seq` ties it to its contact and is no field of it. */
const ENQUIRY_LAYOUT = [
  {
    key: 'position',
    column: 'position',
    type: 'integer',
    nullable: false,
    origin: 'tool',
    chained: true,
    exported: true,
    history: { title: 'No', place: 0, block: { line: 0, at: 0, label: '%. ' } },
  },
  {
    key: 'subject',
    column: 'subject',
    type: text,
    nullable: false,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    match: matchSubject,
    history: { title: 'Subject', place: 1, block: { line: 0, at: 1 } },
    input: {
      header: 'subject',
      flag: 'subject',
      value: 'SUBJECT',
      description: 'Internal Referral, Letter, Callback, Complaint or Other; repeat for each enquiry',
      repeatable: true,
      opensEnquiry: true,
      required: true,
      codes: ['subject-missing', 'subject-invalid'],
    },
  },
  {
    key: 'actionTaken',
    column: 'action_taken',
    type: text,
    nullable: true,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    freeText: { limit: LIMITS.actionTaken, tooLong: 'action-too-long' },
    history: { title: 'Action taken', place: 2, block: { line: 1, at: 0, label: 'Action: ' } },
    input: {
      header: 'action_taken',
      flag: 'action',
      value: 'TEXT',
      description: 'action taken (at most 100 characters); with several --subject, give it after its own --subject',
      repeatable: true,
      codes: ['action-required', 'action-missing'],
    },
  },
  {
    key: 'generalNotes',
    column: 'general_notes',
    type: text,
    nullable: true,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    freeText: { limit: LIMITS.generalNotes, tooLong: 'notes-too-long', multiline: true },
    history: { title: 'Notes', place: 3, block: { line: 2, at: 0, label: 'Notes: ' } },
    input: {
      header: 'general_notes',
      flag: 'notes',
      value: 'TEXT',
      description: 'general notes (at most 512 characters); with several --subject, give it after its own --subject',
      repeatable: true,
    },
  },
] as const satisfies readonly StoredField[];

/** A contact's fields in the export's order, its enquiries where they stand. */
export const CONTACT_LAYOUT = [
  {
    key: 'seq',
    column: 'seq',
    type: 'integer',
    nullable: false,
    origin: 'placed',
    chained: true,
    exported: true,
    history: { title: 'Contact', place: 3, block: { line: 0, at: 0, text: 'Contact %' } },
  },
  {
    key: 'sourceKey',
    column: 'source_key',
    type: text,
    nullable: false,
    origin: 'tool',
    chained: true,
    exported: true,
    history: { title: 'Ref', place: 12, shown: 'given-ref', block: { line: 4, at: 0, label: 'Ref: ' } },
    input: {
      header: 'contact_ref',
      flag: 'ref',
      value: 'REF',
      description: 'your reference: retrying with the same --ref never records twice',
      codes: [
        'ref-invalid',
        'control-character',
        'contact-fields-differ',
        'contact-ref-reused',
        'conflicts-with-recorded',
      ],
    },
  },
  {
    key: 'contentHash',
    column: 'content_hash',
    type: text,
    nullable: false,
    plain: true,
    origin: 'tool',
    chained: false,
    exported: false,
  },
  {
    key: 'utr',
    column: 'utr',
    type: text,
    width: 10,
    nullable: false,
    plain: true,
    origin: 'target',
    chained: true,
    exported: true,
    history: { title: 'UTR', place: 0, ofSeveral: true, block: { line: 0, at: 4, text: 'on %', after: ' · ' } },
    input: {
      header: 'utr',
      flag: 'utr',
      value: 'UTR',
      description: 'UTR of the CIS record (a partnership is recorded on each partner)',
      required: true,
      compare: 'utr',
      codes: ['utr-missing', 'utr-format', 'utr-check-digit', 'unknown-record', 'partnership-without-partners'],
    },
  },
  {
    key: 'partnershipUtr',
    column: 'partnership_utr',
    type: text,
    width: 10,
    nullable: true,
    origin: 'target',
    chained: true,
    exported: true,
    history: {
      title: 'Via partnership',
      place: 11,
      shown: 'partnership',
      block: { line: 3, at: 0, label: 'Via partnership ' },
    },
    input: {
      header: 'partners',
      flag: 'partners',
      value: 'UTRS',
      description: 'only these partners of the partnership, separated by ; or , (repeat to add more)',
      repeatable: true,
      compare: 'utr-list',
      codes: ['utr-format', 'utr-check-digit', 'partners-not-allowed', 'not-a-partner', 'partners-changed'],
    },
  },
  {
    key: 'contactType',
    column: 'contact_type',
    type: text,
    nullable: true,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    match: matchContactType,
    history: { title: 'Type', place: 6, block: { line: 1, at: 1, text: '(%)' } },
    input: {
      header: 'contact_type',
      flag: 'contact-type',
      value: 'TYPE',
      description: 'contractor, subcontractor, agent, capacitor or third party',
      codes: ['contact-type-missing', 'contact-type-invalid'],
    },
  },
  {
    key: 'contactName',
    column: 'contact_name',
    type: text,
    nullable: true,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    freeText: { limit: LIMITS.contactName, tooLong: 'contact-name-too-long' },
    history: { title: 'Name', place: 7, block: { line: 1, at: 0, label: 'Spoken to: ' } },
    input: {
      header: 'contact_name',
      flag: 'contact-name',
      value: 'NAME',
      description: 'the person spoken to (at most 100 characters)',
      codes: ['contact-name-missing'],
    },
  },
  {
    key: 'channel',
    column: 'channel',
    type: text,
    nullable: false,
    plain: true,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    match: matchChannel,
    history: { title: 'Channel', place: 4, block: { line: 0, at: 2, after: ' · ' } },
    input: {
      header: 'channel',
      flag: 'channel',
      value: 'CHANNEL',
      description: 'phone-inbound, phone-outbound, face-to-face, letter, email, fax or internal-enquiry',
      required: true,
      codes: ['channel-missing', 'channel-invalid', 'direction-conflict'],
    },
  },
  {
    key: 'direction',
    column: 'direction',
    type: text,
    nullable: false,
    plain: true,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    match: matchDirection,
    history: { title: 'Dir', place: 5, block: { line: 0, at: 3, after: ', ' } },
    input: {
      header: 'direction',
      flag: 'direction',
      value: 'DIR',
      description: "Inbound or Outbound (default: the channel's)",
      codes: ['direction-invalid', 'direction-conflict'],
    },
  },
  {
    key: 'authentication',
    column: 'authentication',
    type: text,
    nullable: true,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    match: matchAuthentication,
    history: { title: 'Auth', place: 8, block: { line: 1, at: 2, after: ', ' } },
    input: {
      header: 'authentication',
      flag: 'auth',
      value: 'AUTH',
      description: 'authenticated or waived (not needed for internal-enquiry)',
      codes: ['authentication-required'],
    },
  },
  {
    key: 'enquiryDate',
    column: 'enquiry_date',
    type: 'date',
    nullable: false,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    history: { title: 'Date', place: 1, block: { line: 0, at: 1, after: ' · ' } },
    input: {
      header: 'enquiry_date',
      flag: 'date',
      value: 'DATE',
      description: 'enquiry date: YYYY-MM-DD, DD/MM/YYYY or 1 Apr 2015, UK order (default: today in Europe/London)',
      required: true,
      compare: 'date',
      codes: ['date-order', 'date-missing', 'date-format', 'date-before-scheme', 'date-in-future'],
    },
  },
  {
    key: 'operatorPid',
    column: 'operator_pid',
    type: text,
    width: 7,
    nullable: false,
    plain: true,
    origin: 'contact',
    chained: true,
    identity: true,
    exported: true,
    history: { title: 'PID', place: 9, block: { line: 2, at: 1, text: 'by operator %' } },
    input: {
      header: 'operator_pid',
      flag: 'operator',
      value: 'PID',
      description: 'your 7-digit PID',
      required: true,
      compare: 'pid',
      codes: [
        'operator-missing',
        'operator-format',
        'unknown-operator',
        'operator-not-authorised',
        'operator-not-yours',
      ],
    },
  },
  {
    key: 'importRunId',
    column: 'import_run_id',
    type: 'integer',
    nullable: true,
    origin: 'tool',
    chained: true,
    exported: true,
  },
  {
    key: 'recordedAt',
    column: 'recorded_at',
    type: 'timestamp',
    nullable: false,
    origin: 'placed',
    chained: true,
    exported: true,
    history: { title: 'Recorded', place: 2, shown: 'uk-time', block: { line: 2, at: 0, label: 'Recorded: ' } },
  },
  {
    key: 'recordedBy',
    column: 'recorded_by',
    type: text,
    nullable: true,
    origin: 'placed',
    chained: true,
    exported: true,
    addedLater: 4,
    history: { title: 'Login', place: 10, block: { line: 2, at: 2, text: '(login %)' } },
  },
  { key: 'enquiries', items: ENQUIRY_LAYOUT, origin: 'contact', chained: true, exported: true },
  {
    key: 'prevHash',
    column: 'prev_hash',
    type: text,
    width: 64,
    nullable: false,
    plain: true,
    origin: 'chain',
    chained: false,
    exported: true,
  },
  {
    key: 'hash',
    column: 'hash',
    type: text,
    width: 64,
    nullable: false,
    plain: true,
    origin: 'chain',
    chained: false,
    exported: true,
  },
] as const satisfies readonly LayoutEntry[];

/* ---- The layout's types: every typed form of a contact, from the declaration above. ---- */

type FieldsOf<L> = Exclude<L, { items: unknown }>;
type ListOf<L> = Extract<L, { items: unknown }>;
type ItemsOf<L> = ListOf<L> extends { items: readonly (infer I extends { key: string })[] } ? I : never;

type ContactLayoutField = FieldsOf<(typeof CONTACT_LAYOUT)[number]>;
type EnquiryLayoutField = (typeof ENQUIRY_LAYOUT)[number];

type ValueOf<F> = (F extends { type: 'integer' } ? number : string) | (F extends { nullable: true } ? null : never);

/** Fields every entry has, and those added later, which entries stored before them lack (read as null). */
type Always<F> = F extends { addedLater: number } ? never : F;
type Later<F> = F extends { addedLater: number } ? F : never;
type Shape<F extends { key: string }> = { -readonly [G in Always<F> as G['key']]: ValueIn<G> } & {
  -readonly [G in Later<F> as G['key']]?: ValueIn<G>;
};
type ValueIn<F> = F extends { items: readonly (infer I extends { key: string })[] } ? Shape<I>[] : ValueOf<F>;

/** An enquiry as stored and chained. */
export type ChainEnquiry = Shape<EnquiryLayoutField>;

/** Every field the audit chain hashes: the stored contact but for the chain's values and the content hash. */
export type ChainEntry = Shape<Extract<(typeof CONTACT_LAYOUT)[number], { chained: true }>>;

/** An entry as exported, read back and restored: the chained fields and the chain's values. */
export type ChainedEntry = Shape<Extract<(typeof CONTACT_LAYOUT)[number], { exported: true }>>;

/** A field's value as the rules give it: a word of its vocabulary, or its type's; null where it may be blank. */
type CheckedValue<F> =
  | (F extends { match: (word: string) => infer V }
      ? Exclude<V, undefined>
      : F extends { type: 'integer' }
        ? number
        : string)
  | (F extends { nullable: true } ? null : never);
type Given<F> = Extract<F, { origin: 'contact' }>;
type Checked<F extends { key: string }> = { -readonly [G in Given<F> as G['key']]: CheckedValue<G> };

/** What the rules make of an enquiry of layout `L`: each field the operator gives. */
export type CheckedEnquiryOf<L extends readonly LayoutEntry[]> = Checked<ItemsOf<L[number]>>;
/** What the rules make of a contact of layout `L`: each field the operator gives, and its enquiries. */
export type CheckedContactOf<L extends readonly LayoutEntry[]> = Checked<FieldsOf<L[number]>> & {
  [K in ListOf<L[number]>['key']]: CheckedEnquiryOf<L>[];
};
export type CheckedEnquiry = CheckedEnquiryOf<typeof CONTACT_LAYOUT>;
export type CheckedContact = CheckedContactOf<typeof CONTACT_LAYOUT>;

/** Each free-text field's normalised text, or null when blank: what the free-text rules give, with no rule of its own. */
type FreeTextValues<F extends { key: string }> = {
  -readonly [G in Extract<F, { freeText: object }> as G['key']]: string | null;
};
export type ContactFreeText = FreeTextValues<ContactLayoutField>;
export type EnquiryFreeText = FreeTextValues<EnquiryLayoutField>;

/** The contact log's columns that describe the contact (a header of each input field but the ref), and those of each enquiry. */
type InputHeader<F> = F extends { input: { header: infer H } } ? H : never;
export type ContactInputHeader = Exclude<InputHeader<ContactLayoutField>, 'contact_ref'>;
export type EnquiryInputHeader = InputHeader<EnquiryLayoutField>;

/** The `record` flags of a contact's fields (the ref's too), and of an enquiry's. */
type InputFlag<F> = F extends { input: { flag: infer L } } ? L : never;
export type ContactInputFlag = InputFlag<ContactLayoutField>;
export type EnquiryInputFlag = InputFlag<EnquiryLayoutField>;

/* ---- The layout's forms: made from any layout by `formsOf`. ---- */

/** An input field with the stored field it fills, and how rows compare it. */
export interface InputField extends InputSpec {
  field: StoredField;
  compare: Comparison;
}

/** A free-text field's rule: its column (the name messages use), its key, and how it is held. */
export interface TextRule {
  field: string;
  key: string;
  limit: number;
  tooLong: IssueCode;
  multiline: boolean;
}

/** A field's place in `history`, its own or the one a field without one is given: a contact's field, or an enquiry's. */
export interface HistoryTableColumn extends HistoryPlace {
  field: StoredField;
  ofEnquiry: boolean;
}

/** A line of a block of `history` on a terminal: its label, the field whose value labels it (if one does), and the fields whose text it holds, in order. */
export interface HistoryBlockLine {
  label: string;
  labelledBy?: HistoryTableColumn;
  fields: readonly HistoryTableColumn[];
}

export interface LayoutForms {
  /** The layout itself, its enquiries where they stand. */
  layout: readonly LayoutEntry[];
  /** The enquiries' list in the layout. */
  enquiryList: FieldList;
  /** The contact's own stored fields (not its enquiries), and each enquiry's. */
  contactFields: readonly StoredField[];
  enquiryFields: readonly StoredField[];
  /** The input fields of the contact but its reference, and of each enquiry. */
  contactInputs: readonly InputField[];
  enquiryInputs: readonly InputField[];
  /** The contact's own reference (`contact_ref`, `--ref`). */
  refInput: InputField;
  /** The enquiry's flag that opens the next enquiry (`--subject`). */
  enquiryOpener: InputField;
  /** The contact log's columns, in order: the ref, the contact's, each enquiry's. */
  inputHeaders: readonly string[];
  requiredHeaders: readonly string[];
  /** `record`'s flags in `--help`'s order: each input field's, the ref last. */
  inputFlags: readonly InputField[];
  /** The free-text rules of the contact's fields, and of each enquiry's. */
  contactText: readonly TextRule[];
  enquiryText: readonly TextRule[];
  /** Every free-text column, the contact's then an enquiry's: the columns checked for payment details, masked ones too. */
  freeText: readonly string[];
  /** The columns `history` shows into a file or a pipe, left to right: the contact's, then each enquiry's. */
  historyColumns: readonly HistoryTableColumn[];
  /** The lines of `history`'s block of a contact on a terminal, and of each enquiry under it. */
  historyLines: { contact: readonly HistoryBlockLine[]; enquiry: readonly HistoryBlockLine[] };
  /** The columns of a vocabulary, each with its words' matcher: a column map may translate their legacy words. */
  vocabularies: Readonly<Record<string, (word: string) => string | undefined>>;
}

/** The key the contact's own reference (`contact_ref`, `--ref`) fills. */
const REF_HEADER = 'contact_ref';

const fieldsIn = (entries: readonly LayoutEntry[]): StoredField[] =>
  entries.filter((e): e is StoredField => !isList(e));

function inputsOf(fields: readonly StoredField[]): InputField[] {
  return fields.flatMap((field) =>
    field.input
      ? [{ ...field.input, field, compare: field.input.compare ?? (field.freeText ? 'as-written' : 'caseless') }]
      : [],
  );
}

function textRulesOf(inputs: readonly InputField[]): TextRule[] {
  return inputs.flatMap(({ header, field }) =>
    field.freeText
      ? [
          {
            field: header,
            key: field.key,
            limit: field.freeText.limit,
            tooLong: field.freeText.tooLong,
            multiline: field.freeText.multiline === true,
          },
        ]
      : [],
  );
}

/**
 * The history's columns of these fields, by their place. A field with no
 * place of its own that the operator gives or the store places is still
 * shown: its column titled with its column name, after the others, on a line
 * of its own labelled with it. The tool's bookkeeping and the chain's own
 * values are left to export and verify.
 */
function historyOf(fields: readonly StoredField[], ofEnquiry: boolean): HistoryTableColumn[] {
  const placed = fields.flatMap((field) => (field.history ? [{ ...field.history, field, ofEnquiry }] : []));
  const after = (of: (c: HistoryTableColumn) => number) => Math.max(-1, ...placed.map(of)) + 1;
  const [place, line] = [after((c) => c.place), after((c) => c.block.line)];
  const unplaced = fields
    .filter((f) => !f.history && f.exported && f.origin !== 'tool' && f.origin !== 'chain')
    .map((field, i) => ({
      title: field.column,
      place: place + i,
      block: { line: line + i, at: 0, label: `${field.column}: ` },
      field,
      ofEnquiry,
    }));
  return [...placed, ...unplaced].sort((a, b) => a.place - b.place);
}

/** The lines of a block: its columns grouped by line, in order, each line's fields in theirs. */
function linesOf(columns: readonly HistoryTableColumn[]): HistoryBlockLine[] {
  const numbers = [...new Set(columns.map((c) => c.block.line))].sort((a, b) => a - b);
  return numbers.map((n) => {
    const on = columns.filter((c) => c.block.line === n).sort((a, b) => a.block.at - b.block.at);
    const labelling = on.filter((c) => c.block.label !== undefined);
    if (labelling.length > 1) throw new Error(`history's line ${n} has more than one label`);
    const [labeller] = labelling;
    const label = labeller?.block.label ?? '';
    return label.includes('%') && labeller
      ? { label, labelledBy: labeller, fields: on.filter((c) => c !== labeller) }
      : { label, fields: on };
  });
}

/** Every form of a contact that is not its stored text: from `layout`, which must hold one list (the enquiries), a reference and an enquiry's opener. */
export function formsOf(layout: readonly LayoutEntry[]): LayoutForms {
  const lists = layout.filter(isList);
  const [enquiryList] = lists;
  if (!enquiryList || lists.length > 1) throw new Error('a contact layout holds one list: its enquiries');
  const contactFields = fieldsIn(layout);
  const enquiryFields = enquiryList.items;
  const ownInputs = inputsOf(contactFields);
  const refInput = ownInputs.find((i) => i.header === REF_HEADER);
  const contactInputs = ownInputs.filter((i) => i !== refInput);
  const enquiryInputs = inputsOf(enquiryFields);
  const enquiryOpener = enquiryInputs.find((i) => i.opensEnquiry);
  if (!refInput || !enquiryOpener)
    throw new Error(`a contact layout has a ${REF_HEADER} and an enquiry field that opens each enquiry`);
  const contactText = textRulesOf(contactInputs);
  const enquiryText = textRulesOf(enquiryInputs);
  const contactHistory = historyOf(contactFields, false);
  const enquiryHistory = historyOf(enquiryFields, true);
  return {
    layout,
    enquiryList,
    contactFields,
    enquiryFields,
    contactInputs,
    enquiryInputs,
    refInput,
    enquiryOpener,
    inputHeaders: [refInput.header, ...contactInputs.map((i) => i.header), ...enquiryInputs.map((i) => i.header)],
    requiredHeaders: [...contactInputs, ...enquiryInputs].filter((i) => i.required).map((i) => i.header),
    inputFlags: [...contactInputs, ...enquiryInputs, refInput],
    contactText,
    enquiryText,
    freeText: [...contactText, ...enquiryText].map((r) => r.field),
    historyColumns: [...contactHistory, ...enquiryHistory],
    historyLines: { contact: linesOf(contactHistory), enquiry: linesOf(enquiryHistory) },
    vocabularies: Object.fromEntries(
      [...contactInputs, ...enquiryInputs].flatMap((i) => (i.field.match ? [[i.header, i.field.match]] : [])),
    ),
  };
}

/** The contact layout's forms. */
export const FORMS: LayoutForms = formsOf(CONTACT_LAYOUT);

export const CONTACT_FIELDS = FORMS.contactFields;
export const ENQUIRY_FIELDS = FORMS.enquiryFields;
/** Every input field, a contact's then an enquiry's, each with the stored field it fills. */
export const CONTACT_INPUTS = FORMS.contactInputs;
export const ENQUIRY_INPUTS = FORMS.enquiryInputs;
export const REF_INPUT = FORMS.refInput;
export const INPUT_HEADERS = FORMS.inputHeaders;
export const REQUIRED_HEADERS = FORMS.requiredHeaders;
export const INPUT_FLAGS = FORMS.inputFlags;

/**
 * The columns a catalogue entry names in the contact log: the input fields
 * that say so, and every free-text field for the free-text codes and its own
 * too-long code, in the layout's order. The entry's own `fields` add what lies
 * outside the layout (options, the registry's and operators' columns).
 */
export function layoutFieldsNaming(code: IssueCode, forms: LayoutForms = FORMS): string[] {
  const naming = (i: InputField) =>
    i.codes?.includes(code) === true ||
    (i.field.freeText !== undefined &&
      (i.field.freeText.tooLong === code || (FREE_TEXT_CODES as readonly IssueCode[]).includes(code)));
  return [forms.refInput, ...forms.contactInputs, ...forms.enquiryInputs].filter(naming).map((i) => i.header);
}

/**
 * The value a field holds in an object of the layout's shape (an entry, a
 * contact, a row): read by its key, which is why the object's own type cannot
 * say which of its values it is.
 */
export function fieldValue(from: object, field: Pick<StoredField, 'key'>): unknown {
  return (from as Readonly<Record<string, unknown>>)[field.key];
}
