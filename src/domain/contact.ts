/**
 * The manual's rules for one contact: raw text in, either a
 * normalised contact with the records it lands on, or every issue it has.
 * Pure: reference data and "today" are passed in.
 */

import { type Issue, catalogueOrder, issue } from './catalogue.js';
import {
  type CheckedContact,
  type CheckedEnquiry,
  type ContactFreeText,
  type ContactInputHeader,
  type EnquiryFreeText,
  type EnquiryInputHeader,
  FORMS,
  type InputField,
  type LayoutForms,
  type TextRule,
} from './layout.js';
import { type DateOrder, parseDate, spreadsheetDateHint, zonedTimestamp } from './dates.js';
import { type AbbreviationFinder } from './abbreviations.js';
import { describeFindings, findMaskedNumber, findPaymentDetails, findPossibleCardNumbers } from './payment.js';
import { codePointLength, describeControl, findControlCharacter, normaliseText } from './text.js';
import { UTR_FORMAT, normaliseUtr, parseUtr } from './utr.js';
import { normalisePid, parsePid } from './pid.js';
import { type RolesThroughTime, notAuthorisedBecause } from './operator-roles.js';
import { nearestValue } from './suggest.js';
import {
  AUTHENTICATIONS,
  type Authentication,
  CHANNELS,
  CONTACT_TYPES,
  type Channel,
  type ContactType,
  DIRECTIONS,
  type Direction,
  type RecordKind,
  SUBJECTS,
  type Subject,
  FIXED_DIRECTION,
  SCHEME_START,
  defaultDirection,
  isInternal,
  matchAuthentication,
  matchChannel,
  matchContactType,
  matchDirection,
  matchSubject,
} from './vocabulary.js';

/** An enquiry as given, named as the contact log's columns are (`subject`, `action_taken`, …). */
export type RawEnquiry = { [H in EnquiryInputHeader]?: string | undefined };

/** Contact-level input, named as the contact log's columns are. */
export type RawContact = { [H in ContactInputHeader]?: string | undefined } & { enquiries: RawEnquiry[] };

export interface RegistryEntry {
  utr: string;
  kind: RecordKind;
  /** The partners' UTRs, for a partnership. */
  partners: readonly string[];
}

/** An operator: the roles held always, dated roles and a leaving date (operator-roles.ts). */
export interface OperatorEntry extends RolesThroughTime {
  pid: string;
  /** The database logins allowed to record under the PID; empty: not bound. */
  logins: readonly string[];
}

/** Who is writing: the database login, and whether PID bindings hold it (they cannot hold a superuser). */
export interface Writer {
  login: string;
  bound: boolean;
}

/** Reference data the caller has already fetched for the UTRs and PIDs a contact names. */
export interface ReferenceLookup {
  record(utr: string): RegistryEntry | undefined;
  operator(pid: string): OperatorEntry | undefined;
  writer: Writer;
}

export interface RuleSettings {
  /** Today in Europe/London, `YYYY-MM-DD`. */
  today: string;
  strict: boolean;
  abbreviations: AbbreviationFinder;
  /** How the file writes `03/04/2015`: day first unless it says otherwise (checked for the whole file first). */
  dateOrder?: DateOrder;
  /**
   * Which day's roles the operator must hold: the enquiry date's (an import
   * of history, the default) or today's (`record` and `run`: a contact
   * recorded now is recorded by someone who may record now).
   */
  rolesOn?: 'enquiry-date' | 'today';
}

/** An enquiry after the rules: each of its fields the operator gives, as the layout declares them. */
type Enquiry = CheckedEnquiry;

/**
 * A contact after the rules: each field the layout says the operator gives,
 * its enquiries, and where it is stored as it was asked (the rules decide the
 * records from these).
 */
export type Contact = CheckedContact & {
  utr: string;
  /** The partner subset asked for, normalised and sorted; null when none was given. */
  partners: string[] | null;
};

/** Where a contact is stored: a partner's record carries the partnership it came from. */
export interface ContactTarget {
  utr: string;
  partnershipUtr: string | null;
}

export interface ContactCheck {
  contact: Contact | undefined;
  targets: ContactTarget[];
  contactErrors: Issue[];
  contactWarnings: Issue[];
  /** Per enquiry, in input order. */
  enquiryErrors: Issue[][];
  enquiryWarnings: Issue[][];
}

export function allErrors(check: ContactCheck): Issue[] {
  return [...check.contactErrors, ...check.enquiryErrors.flat()];
}

export function allWarnings(check: ContactCheck): Issue[] {
  return [...check.contactWarnings, ...check.enquiryWarnings.flat()];
}

/** The UTRs and PIDs a contact names, normalised, so a caller can fetch them before checking. */
export function referencedKeys(raw: Pick<RawContact, 'utr' | 'partners' | 'operator_pid'>): {
  utrs: string[];
  pids: string[];
} {
  const utrs = [raw.utr ?? '', ...splitList(raw.partners)].map(normaliseUtr).filter((u) => UTR_FORMAT.test(u));
  const pid = parsePid(raw.operator_pid);
  return { utrs, pids: pid.ok ? [pid.pid] : [] };
}

/** A list in one cell, separated by `;` or `,`. */
export function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/[;,]/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

interface Sink {
  errors: Issue[];
  warnings: Issue[];
}

/** Normalised free text, or null when blank; every problem goes to the sink. */
function checkFreeText(raw: string | undefined, rule: TextRule, settings: RuleSettings, sink: Sink): string | null {
  if (raw === undefined) return null;
  const text = normaliseText(raw);
  if (text === '') return null;
  const control = findControlCharacter(text, rule.multiline);
  if (control) {
    const detail = describeControl(control);
    sink.errors.push(issue('control-character', { field: rule.field, value: control, ...(detail ? { detail } : {}) }));
  }
  // Code units bound code points from above, so short text needs no count.
  if (text.length > rule.limit) {
    const length = codePointLength(text);
    if (length > rule.limit) sink.errors.push(issue(rule.tooLong, { field: rule.field, length, limit: rule.limit }));
  }
  const findings = findPaymentDetails(text);
  if (findings.length > 0) {
    sink.errors.push(issue('payment-details', { field: rule.field, detail: describeFindings(text, findings) }));
  }
  const possible = findPossibleCardNumbers(text);
  if (possible.length > 0)
    sink.warnings.push(issue('possible-card-number', { field: rule.field, value: possible.join(', ') }));
  for (const word of settings.abbreviations(text)) {
    sink.warnings.push(issue('abbreviation', { field: rule.field, value: word }));
  }
  return text;
}

/** Every free-text field of `rules`, read from `raw` by its column and checked: its text, or null when blank, by its key. */
function checkTexts(
  raw: Readonly<Record<string, unknown>>,
  rules: readonly TextRule[],
  settings: RuleSettings,
  sink: Sink,
): Record<string, string | null> {
  const texts: Record<string, string | null> = {};
  for (const rule of rules) {
    const value = raw[rule.field];
    texts[rule.key] = checkFreeText(typeof value === 'string' ? value : undefined, rule, settings, sink);
  }
  return texts;
}

/**
 * In a rejects file brought back: free text whose masked payment number was
 * left as the rejects file wrote it (a mask is no payment detail the rules
 * see, but stars stored for what the contact said). `read` gives a column's
 * value by its name.
 */
export function maskedNumbers(read: (column: string) => string | undefined, forms: LayoutForms = FORMS): Issue[] {
  const found: Issue[] = [];
  for (const field of forms.freeText) {
    const value = read(field);
    const masked = value === undefined ? undefined : findMaskedNumber(value);
    if (masked) found.push(issue('payment-details', { field, value: masked }));
  }
  return found;
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function checkUtrAndTargets(
  raw: RawContact,
  refs: ReferenceLookup,
  sink: Sink,
): { utr?: string; partners: string[] | null; targets: ContactTarget[] } {
  const parsed = parseUtr(raw.utr);
  const partnersGiven = splitList(raw.partners);
  const partners: string[] = [];
  for (const p of partnersGiven) {
    const r = parseUtr(p);
    if (r.ok) partners.push(r.utr);
    else sink.errors.push(issue(r.code, { field: 'partners', value: p, detail: r.detail }));
  }
  const subset = partnersGiven.length > 0 ? [...new Set(partners)].sort() : null;
  if (!parsed.ok) {
    sink.errors.push(
      issue(parsed.code, {
        field: 'utr',
        ...(raw.utr?.trim() ? { value: raw.utr.trim() } : {}),
        detail: parsed.detail,
      }),
    );
    return { partners: subset, targets: [] };
  }
  const utr = parsed.utr;
  const record = refs.record(utr);
  if (!record) {
    sink.errors.push(issue('unknown-record', { field: 'utr', value: utr }));
    return { utr, partners: subset, targets: [] };
  }
  if (record.kind !== 'partnership') {
    if (subset) sink.errors.push(issue('partners-not-allowed', { field: 'partners', value: utr, detail: record.kind }));
    return { utr, partners: subset, targets: [{ utr, partnershipUtr: null }] };
  }
  if (record.partners.length === 0) {
    sink.errors.push(issue('partnership-without-partners', { field: 'utr', value: utr }));
    return { utr, partners: subset, targets: [] };
  }
  const members = new Set(record.partners);
  for (const p of subset ?? []) {
    if (!members.has(p)) sink.errors.push(issue('not-a-partner', { field: 'partners', value: p, detail: utr }));
  }
  const chosen = subset ?? [...record.partners].sort();
  return { utr, partners: subset, targets: chosen.map((p) => ({ utr: p, partnershipUtr: utr })) };
}

function checkChannelAndDirection(
  raw: RawContact,
  sink: Sink,
): { channel: Channel | undefined; direction: Direction | undefined } {
  let channel: Channel | undefined;
  if (blank(raw.channel)) sink.errors.push(issue('channel-missing', { field: 'channel' }));
  else {
    channel = matchChannel(raw.channel!);
    if (!channel)
      sink.errors.push(
        issue('channel-invalid', {
          field: 'channel',
          value: raw.channel!.trim(),
          suggestion: nearestValue(raw.channel!, CHANNELS),
        }),
      );
  }
  let direction: Direction | undefined;
  if (!blank(raw.direction)) {
    direction = matchDirection(raw.direction!);
    if (!direction)
      sink.errors.push(
        issue('direction-invalid', {
          field: 'direction',
          value: raw.direction!.trim(),
          suggestion: nearestValue(raw.direction!, DIRECTIONS),
        }),
      );
  }
  if (channel) {
    const fixed = FIXED_DIRECTION[channel];
    if (direction && fixed && direction !== fixed) {
      sink.errors.push(
        issue('direction-conflict', { field: 'direction', value: direction, detail: channel, limit: fixed }),
      );
    }
    if (blank(raw.direction)) direction = defaultDirection(channel);
  }
  return { channel, direction };
}

/**
 * The person spoken to and their authentication. Whether they are required
 * depends on the channel: without a valid channel (already an error of its
 * own) they are not asked for, so one mistake is reported once.
 */
function checkCustomerSide(raw: RawContact, channel: Channel | undefined, contactName: string | null, sink: Sink) {
  const customerRequired = channel !== undefined && !isInternal(channel);
  let contactType: ContactType | null = null;
  if (blank(raw.contact_type)) {
    if (customerRequired) sink.errors.push(issue('contact-type-missing', { field: 'contact_type' }));
  } else {
    contactType = matchContactType(raw.contact_type!) ?? null;
    if (!contactType)
      sink.errors.push(
        issue('contact-type-invalid', {
          field: 'contact_type',
          value: raw.contact_type!.trim(),
          suggestion: nearestValue(raw.contact_type!, CONTACT_TYPES),
        }),
      );
  }
  if (contactName === null && customerRequired)
    sink.errors.push(issue('contact-name-missing', { field: 'contact_name' }));

  let authentication: Authentication | null = null;
  if (blank(raw.authentication)) {
    if (customerRequired)
      sink.errors.push(issue('authentication-required', { field: 'authentication', detail: channel }));
  } else {
    authentication = matchAuthentication(raw.authentication!) ?? null;
    // A word that is not a state of authentication is wrong whatever the channel.
    if (!authentication)
      sink.errors.push(
        issue('authentication-required', {
          field: 'authentication',
          value: raw.authentication!.trim(),
          suggestion: nearestValue(raw.authentication!, AUTHENTICATIONS),
        }),
      );
  }
  return { contactType, authentication };
}

function checkDate(raw: RawContact, settings: RuleSettings, sink: Sink): string | undefined {
  if (blank(raw.enquiry_date)) {
    sink.errors.push(issue('date-missing', { field: 'enquiry_date' }));
    return undefined;
  }
  const date = parseDate(raw.enquiry_date!, settings.dateOrder);
  if (!date) {
    const value = raw.enquiry_date!.trim();
    const zoned = zonedTimestamp(value);
    sink.errors.push(
      zoned
        ? issue('date-format', { field: 'enquiry_date', value, detail: zoned.zone, limit: zoned.londonDate })
        : issue('date-format', { field: 'enquiry_date', value, detail: spreadsheetDateHint(value) }),
    );
    return undefined;
  }
  if (date < SCHEME_START)
    sink.errors.push(issue('date-before-scheme', { field: 'enquiry_date', value: date, limit: SCHEME_START }));
  else if (date > settings.today)
    sink.errors.push(issue('date-in-future', { field: 'enquiry_date', value: date, limit: settings.today }));
  return date;
}

function checkOperator(
  raw: RawContact,
  refs: ReferenceLookup,
  settings: RuleSettings,
  enquiryDate: string | undefined,
  sink: Sink,
): string | undefined {
  const field = 'operator_pid';
  const parsed = parsePid(raw.operator_pid);
  if (!parsed.ok) {
    sink.errors.push(
      parsed.code === 'operator-missing'
        ? issue('operator-missing', { field })
        : issue('operator-format', { field, value: parsed.value, detail: parsed.detail }),
    );
    return undefined;
  }
  const pid = parsed.pid;
  const operator = refs.operator(pid);
  const today = settings.rolesOn === 'today';
  const unauthorised =
    operator &&
    notAuthorisedBecause(operator, today ? settings.today : enquiryDate, today ? 'today' : 'the enquiry date');
  if (!operator) sink.errors.push(issue('unknown-operator', { field, value: pid }));
  else if (unauthorised)
    sink.errors.push(issue('operator-not-authorised', { field, value: pid, detail: unauthorised }));
  else if (!mayRecordUnder(operator, refs.writer)) {
    sink.errors.push(issue('operator-not-yours', { field, value: pid, detail: `you are ${refs.writer.login}` }));
  }
  return pid;
}

/** A PID bound to logins is recorded under by those logins only. */
function mayRecordUnder(operator: OperatorEntry, writer: Writer): boolean {
  return operator.logins.length === 0 || !writer.bound || operator.logins.includes(writer.login);
}

function checkEnquiry(raw: RawEnquiry, settings: RuleSettings, forms: LayoutForms, sink: Sink): Enquiry | undefined {
  let subject: Subject | undefined;
  if (blank(raw.subject)) sink.errors.push(issue('subject-missing', { field: 'subject' }));
  else {
    subject = matchSubject(raw.subject!);
    if (!subject)
      sink.errors.push(
        issue('subject-invalid', {
          field: 'subject',
          value: raw.subject!.trim(),
          suggestion: nearestValue(raw.subject!, SUBJECTS),
        }),
      );
  }
  const texts = checkTexts(raw, forms.enquiryText, settings, sink) as EnquiryFreeText;
  if (texts.actionTaken === null) {
    if (subject === 'Other') sink.errors.push(issue('action-required', { field: 'action_taken' }));
    else sink.warnings.push(issue('action-missing', { field: 'action_taken' }));
  }
  return subject ? { ...texts, subject } : undefined;
}

/** Under --strict every warning is an error; issues are listed in catalogue order. */
function finish(sink: Sink, strict: boolean): void {
  if (strict && sink.warnings.length > 0) {
    sink.errors.push(...sink.warnings);
    sink.warnings = [];
  }
  sink.errors.sort(byCatalogue);
  sink.warnings.sort(byCatalogue);
}

const byCatalogue = (a: Issue, b: Issue) => catalogueOrder(a.code, b.code);

/**
 * Every rule of the manual for one contact. `forms` are the layout's (a test
 * gives those of a layout with a field of its own): each free-text field is
 * checked by the free-text rules whatever it is, the others by their rules.
 */
export function checkContact(
  raw: RawContact,
  refs: ReferenceLookup,
  settings: RuleSettings,
  forms: LayoutForms = FORMS,
): ContactCheck {
  const head: Sink = { errors: [], warnings: [] };
  const where = checkUtrAndTargets(raw, refs, head);
  const { channel, direction } = checkChannelAndDirection(raw, head);
  const texts = checkTexts(raw, forms.contactText, settings, head) as ContactFreeText;
  const customer = checkCustomerSide(raw, channel, texts.contactName, head);
  const enquiryDate = checkDate(raw, settings, head);
  const operatorPid = checkOperator(raw, refs, settings, enquiryDate, head);

  const rawEnquiries = raw.enquiries.length > 0 ? raw.enquiries : [{}];
  const enquirySinks: Sink[] = [];
  const enquiries: Enquiry[] = [];
  for (const e of rawEnquiries) {
    const sink: Sink = { errors: [], warnings: [] };
    const enquiry = checkEnquiry(e, settings, forms, sink);
    if (enquiry) enquiries.push(enquiry);
    finish(sink, settings.strict);
    enquirySinks.push(sink);
  }
  finish(head, settings.strict);

  const failed = head.errors.length > 0 || enquirySinks.some((s) => s.errors.length > 0);
  // The free-text fields are added after the literal (Object.assign), not spread into it: a spread of an
  // object built from the layout cost about 4 µs a contact in the import, more than every rule together.
  const contact: Contact | undefined = failed
    ? undefined
    : Object.assign(
        {
          utr: where.utr!,
          partners: where.partners,
          contactType: customer.contactType,
          channel: channel!,
          direction: direction!,
          authentication: customer.authentication,
          enquiryDate: enquiryDate!,
          operatorPid: operatorPid!,
          enquiries,
        },
        texts,
      );
  return {
    contact,
    targets: failed ? [] : where.targets,
    contactErrors: head.errors,
    contactWarnings: head.warnings,
    enquiryErrors: enquirySinks.map((s) => s.errors),
    enquiryWarnings: enquirySinks.map((s) => s.warnings),
  };
}

/** A contact-level field's value as the rules read it, trimmed, compared as the layout says. */
function comparable(input: InputField, value: unknown, order: DateOrder): string {
  const v = (typeof value === 'string' ? value : '').trim();
  switch (input.compare) {
    case 'as-written':
      return v;
    case 'caseless':
      return v.toLowerCase();
    case 'utr':
      return normaliseUtr(v);
    case 'utr-list':
      return splitList(v).map(normaliseUtr).sort().join(';');
    case 'date':
      return parseDate(v, order) ?? v;
    case 'pid':
      return normalisePid(v);
  }
}

/** The contact-level fields (the contact log's columns, in the layout's order) in which a later row of a contact differs from its first row. */
export function differingContactFields(
  first: RawContact,
  other: RawContact,
  order: DateOrder = 'dmy',
  forms: LayoutForms = FORMS,
): string[] {
  const a = first as Readonly<Record<string, unknown>>;
  const b = other as Readonly<Record<string, unknown>>;
  return forms.contactInputs
    .filter((i) => comparable(i, a[i.header], order) !== comparable(i, b[i.header], order))
    .map((i) => i.header);
}
