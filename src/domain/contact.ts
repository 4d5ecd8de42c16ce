/**
 * The manual's rules for one contact: raw text in, either a
 * normalised contact with the records it lands on, or every issue it has.
 * Pure: reference data and "today" are passed in.
 */

import { type Issue, type IssueCode, catalogueOrder, issue } from './catalogue.js';
import { CONTACT_INPUTS, type ContactInputHeader, type EnquiryInputHeader } from './layout.js';
import { type DateOrder, parseDate, spreadsheetDateHint, zonedTimestamp } from './dates.js';
import { type AbbreviationFinder } from './abbreviations.js';
import { describeFindings, findPaymentDetails, findPossibleCardNumbers } from './payment.js';
import { codePointLength, describeControl, findControlCharacter, normaliseText } from './text.js';
import { UTR_FORMAT, normaliseUtr, parseUtr } from './utr.js';
import { normalisePid, parsePid } from './pid.js';
import { nearestValue } from './suggest.js';
import {
  AUTHENTICATIONS, type Authentication, CHANNELS, CONTACT_TYPES, type Channel, type ContactType, DIRECTIONS, type Direction, type RecordKind,
  SUBJECTS, type Subject, FIXED_DIRECTION, LIMITS, SCHEME_START, defaultDirection, isInternal, matchAuthentication, matchChannel,
  matchContactType, matchDirection, matchRecordingRole, matchSubject,
} from './vocabulary.js';

/** An enquiry as given, named as the contact log's columns are (`subject`, `action_taken`, …). */
export type RawEnquiry = { [H in EnquiryInputHeader]?: string | undefined };

/** Contact-level input, named as the contact log's columns are. */
export type RawContact = { [H in ContactInputHeader]?: string | undefined } & { enquiries: RawEnquiry[] };

/** The contact log's columns that describe the contact (all one contact's rows must agree on them), in the layout's order. */
const CONTACT_INPUT_HEADERS = CONTACT_INPUTS.map((i) => i.header as ContactInputHeader);

export interface RegistryEntry {
  utr: string;
  kind: RecordKind;
  /** The partners' UTRs, for a partnership. */
  partners: readonly string[];
}

export interface OperatorEntry {
  pid: string;
  roles: readonly string[];
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
}

interface Enquiry {
  subject: Subject;
  actionTaken: string | null;
  generalNotes: string | null;
}

export interface Contact {
  utr: string;
  /** The partner subset asked for, normalised and sorted; null when none was given. */
  partners: string[] | null;
  contactType: ContactType | null;
  contactName: string | null;
  channel: Channel;
  direction: Direction;
  authentication: Authentication | null;
  enquiryDate: string;
  operatorPid: string;
  enquiries: Enquiry[];
}

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
export function referencedKeys(raw: Pick<RawContact, 'utr' | 'partners' | 'operator_pid'>): { utrs: string[]; pids: string[] } {
  const utrs = [raw.utr ?? '', ...splitList(raw.partners)].map(normaliseUtr).filter((u) => UTR_FORMAT.test(u));
  const pid = parsePid(raw.operator_pid);
  return { utrs, pids: pid.ok ? [pid.pid] : [] };
}

/** A list in one cell, separated by `;` or `,`. */
export function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(/[;,]/).map((x) => x.trim()).filter((x) => x !== '');
}

interface Sink {
  errors: Issue[];
  warnings: Issue[];
}

interface TextRule {
  field: 'contact_name' | 'action_taken' | 'general_notes';
  limit: number;
  tooLong: IssueCode;
  multiline: boolean;
}

const CONTACT_NAME: TextRule = { field: 'contact_name', limit: LIMITS.contactName, tooLong: 'contact-name-too-long', multiline: false };
const ACTION_TAKEN: TextRule = { field: 'action_taken', limit: LIMITS.actionTaken, tooLong: 'action-too-long', multiline: false };
const GENERAL_NOTES: TextRule = { field: 'general_notes', limit: LIMITS.generalNotes, tooLong: 'notes-too-long', multiline: true };

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
  if (possible.length > 0) sink.warnings.push(issue('possible-card-number', { field: rule.field, value: possible.join(', ') }));
  for (const word of settings.abbreviations(text)) {
    sink.warnings.push(issue('abbreviation', { field: rule.field, value: word }));
  }
  return text;
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function checkUtrAndTargets(raw: RawContact, refs: ReferenceLookup, sink: Sink): { utr?: string; partners: string[] | null; targets: ContactTarget[] } {
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
    sink.errors.push(issue(parsed.code, { field: 'utr', ...(raw.utr?.trim() ? { value: raw.utr.trim() } : {}), detail: parsed.detail }));
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

function checkChannelAndDirection(raw: RawContact, sink: Sink): { channel: Channel | undefined; direction: Direction | undefined } {
  let channel: Channel | undefined;
  if (blank(raw.channel)) sink.errors.push(issue('channel-missing', { field: 'channel' }));
  else {
    channel = matchChannel(raw.channel!);
    if (!channel) sink.errors.push(issue('channel-invalid', { field: 'channel', value: raw.channel!.trim(), suggestion: nearestValue(raw.channel!, CHANNELS) }));
  }
  let direction: Direction | undefined;
  if (!blank(raw.direction)) {
    direction = matchDirection(raw.direction!);
    if (!direction) sink.errors.push(issue('direction-invalid', { field: 'direction', value: raw.direction!.trim(), suggestion: nearestValue(raw.direction!, DIRECTIONS) }));
  }
  if (channel) {
    const fixed = FIXED_DIRECTION[channel];
    if (direction && fixed && direction !== fixed) {
      sink.errors.push(issue('direction-conflict', { field: 'direction', value: direction, detail: channel, limit: fixed }));
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
function checkCustomerSide(raw: RawContact, channel: Channel | undefined, settings: RuleSettings, sink: Sink) {
  const customerRequired = channel !== undefined && !isInternal(channel);
  let contactType: ContactType | null = null;
  if (blank(raw.contact_type)) {
    if (customerRequired) sink.errors.push(issue('contact-type-missing', { field: 'contact_type' }));
  } else {
    contactType = matchContactType(raw.contact_type!) ?? null;
    if (!contactType) sink.errors.push(issue('contact-type-invalid', { field: 'contact_type', value: raw.contact_type!.trim(), suggestion: nearestValue(raw.contact_type!, CONTACT_TYPES) }));
  }
  const contactName = checkFreeText(raw.contact_name, CONTACT_NAME, settings, sink);
  if (contactName === null && customerRequired) sink.errors.push(issue('contact-name-missing', { field: 'contact_name' }));

  let authentication: Authentication | null = null;
  if (blank(raw.authentication)) {
    if (customerRequired) sink.errors.push(issue('authentication-required', { field: 'authentication', detail: channel }));
  } else {
    authentication = matchAuthentication(raw.authentication!) ?? null;
    // A word that is not a state of authentication is wrong whatever the channel.
    if (!authentication) sink.errors.push(issue('authentication-required', { field: 'authentication', value: raw.authentication!.trim(), suggestion: nearestValue(raw.authentication!, AUTHENTICATIONS) }));
  }
  return { contactType, contactName, authentication };
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
    sink.errors.push(zoned
      ? issue('date-format', { field: 'enquiry_date', value, detail: zoned.zone, limit: zoned.londonDate })
      : issue('date-format', { field: 'enquiry_date', value, detail: spreadsheetDateHint(value) }));
    return undefined;
  }
  if (date < SCHEME_START) sink.errors.push(issue('date-before-scheme', { field: 'enquiry_date', value: date, limit: SCHEME_START }));
  else if (date > settings.today) sink.errors.push(issue('date-in-future', { field: 'enquiry_date', value: date, limit: settings.today }));
  return date;
}

function checkOperator(raw: RawContact, refs: ReferenceLookup, sink: Sink): string | undefined {
  const field = 'operator_pid';
  const parsed = parsePid(raw.operator_pid);
  if (!parsed.ok) {
    sink.errors.push(parsed.code === 'operator-missing' ? issue('operator-missing', { field }) : issue('operator-format', { field, value: parsed.value, detail: parsed.detail }));
    return undefined;
  }
  const pid = parsed.pid;
  const operator = refs.operator(pid);
  if (!operator) sink.errors.push(issue('unknown-operator', { field, value: pid }));
  else if (!operator.roles.some((r) => matchRecordingRole(r) !== undefined)) {
    const held = operator.roles.length > 0 ? `holds ${operator.roles.join('; ')}` : 'holds no roles';
    sink.errors.push(issue('operator-not-authorised', { field, value: pid, detail: held }));
  } else if (!mayRecordUnder(operator, refs.writer)) {
    sink.errors.push(issue('operator-not-yours', { field, value: pid, detail: `you are ${refs.writer.login}` }));
  }
  return pid;
}

/** A PID bound to logins is recorded under by those logins only. */
function mayRecordUnder(operator: OperatorEntry, writer: Writer): boolean {
  return operator.logins.length === 0 || !writer.bound || operator.logins.includes(writer.login);
}

function checkEnquiry(raw: RawEnquiry, settings: RuleSettings, sink: Sink): Enquiry | undefined {
  let subject: Subject | undefined;
  if (blank(raw.subject)) sink.errors.push(issue('subject-missing', { field: 'subject' }));
  else {
    subject = matchSubject(raw.subject!);
    if (!subject) sink.errors.push(issue('subject-invalid', { field: 'subject', value: raw.subject!.trim(), suggestion: nearestValue(raw.subject!, SUBJECTS) }));
  }
  const actionTaken = checkFreeText(raw.action_taken, ACTION_TAKEN, settings, sink);
  const generalNotes = checkFreeText(raw.general_notes, GENERAL_NOTES, settings, sink);
  if (actionTaken === null) {
    if (subject === 'Other') sink.errors.push(issue('action-required', { field: 'action_taken' }));
    else sink.warnings.push(issue('action-missing', { field: 'action_taken' }));
  }
  return subject ? { subject, actionTaken, generalNotes } : undefined;
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

export function checkContact(raw: RawContact, refs: ReferenceLookup, settings: RuleSettings): ContactCheck {
  const head: Sink = { errors: [], warnings: [] };
  const where = checkUtrAndTargets(raw, refs, head);
  const { channel, direction } = checkChannelAndDirection(raw, head);
  const customer = checkCustomerSide(raw, channel, settings, head);
  const enquiryDate = checkDate(raw, settings, head);
  const operatorPid = checkOperator(raw, refs, head);

  const rawEnquiries = raw.enquiries.length > 0 ? raw.enquiries : [{}];
  const enquirySinks: Sink[] = [];
  const enquiries: Enquiry[] = [];
  for (const e of rawEnquiries) {
    const sink: Sink = { errors: [], warnings: [] };
    const enquiry = checkEnquiry(e, settings, sink);
    if (enquiry) enquiries.push(enquiry);
    finish(sink, settings.strict);
    enquirySinks.push(sink);
  }
  finish(head, settings.strict);

  const failed = head.errors.length > 0 || enquirySinks.some((s) => s.errors.length > 0);
  const contact: Contact | undefined = failed ? undefined : {
    utr: where.utr!,
    partners: where.partners,
    contactType: customer.contactType,
    contactName: customer.contactName,
    channel: channel!,
    direction: direction!,
    authentication: customer.authentication,
    enquiryDate: enquiryDate!,
    operatorPid: operatorPid!,
    enquiries,
  };
  return {
    contact,
    targets: failed ? [] : where.targets,
    contactErrors: head.errors,
    contactWarnings: head.warnings,
    enquiryErrors: enquirySinks.map((s) => s.errors),
    enquiryWarnings: enquirySinks.map((s) => s.warnings),
  };
}

/** Contact-level fields are compared as the rules read them: trimmed, and enumerations and UTRs without case. */
function comparable(field: ContactInputHeader, value: string | undefined, order: DateOrder): string {
  const v = (value ?? '').trim();
  if (field === 'contact_name') return v;
  if (field === 'utr') return normaliseUtr(v);
  if (field === 'partners') return splitList(v).map(normaliseUtr).sort().join(';');
  if (field === 'enquiry_date') return parseDate(v, order) ?? v;
  if (field === 'operator_pid') return normalisePid(v);
  return v.toLowerCase();
}

/** The contact-level fields in which a later row of a contact differs from its first row. */
export function differingContactFields(first: RawContact, other: RawContact, order: DateOrder = 'dmy'): string[] {
  return CONTACT_INPUT_HEADERS.filter((f) => comparable(f, first[f], order) !== comparable(f, other[f], order));
}
