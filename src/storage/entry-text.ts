/**
 * Entries as text the database writes: an export's JSON line and the chain's
 * canonical JSON, built in SQL so that reading a million contacts costs Node
 * little more than passing the text on (export) or hashing it (verify).
 *
 * Byte-identical to what Node writes (`jsonLine`, `canonicalEntry`): strings
 * go through `to_json(text)`, whose escaping (\" \\ \b \f \n \r \t, other
 * characters below U+0020 as lower-case \u00xx, everything else as is) is
 * ECMAScript's JSON.stringify's for any text PostgreSQL can hold; numbers are
 * integers, written as digits. Tests compare both forms on both drivers.
 */

import { type SQL, sql } from 'drizzle-orm';

/** A value as JSON: a string escaped, or `null`. */
const str = (column: string) => `coalesce(to_json(${column})::text, 'null')`;
/** An integer as JSON. */
const int = (column: string) => `coalesce(${column}::text, 'null')`;
const key = (name: string) => `'"${name}":'`;

/** `{"k":v,...}` from [key, JSON expression] pairs, in the order given. */
function object(members: [string, string][]): string {
  return `'{' || ${members.map(([k, v], i) => `${i === 0 ? '' : `',' || `}${key(k)} || ${v}`).join(' || ')} || '}'`;
}

const RECORDED_AT = `to_char(c.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
/** `,"recordedBy":"…"` where the entry has a writer, nothing where it has none (entries stored before writers were kept). */
const RECORDED_BY = `coalesce(',"recordedBy":' || to_json(c.recorded_by)::text, '')`;

/** The contact's enquiries as a JSON array, each object's keys in `order`. */
function enquiriesArray(order: [string, string][]): string {
  return `(select coalesce('[' || string_agg(${object(order)}, ',' order by e.position) || ']', '[]')
    from enquiries e where e.contact_seq = c.seq)`;
}

const ENQUIRY_AS_EXPORTED: [string, string][] = [
  ['position', int('e.position')], ['subject', str('e.subject')], ['actionTaken', str('e.action_taken')], ['generalNotes', str('e.general_notes')],
];
const ENQUIRY_CANONICAL: [string, string][] = [
  ['actionTaken', str('e.action_taken')], ['generalNotes', str('e.general_notes')], ['position', int('e.position')], ['subject', str('e.subject')],
];

/** `jsonLine`'s text: the export's keys in the export's order. */
export const EXPORT_LINE: SQL = sql.raw(`'{"seq":' || c.seq::text
  || ',"sourceKey":' || ${str('c.source_key')} || ',"utr":' || ${str('c.utr')}
  || ',"partnershipUtr":' || ${str('c.partnership_utr')} || ',"contactType":' || ${str('c.contact_type')}
  || ',"contactName":' || ${str('c.contact_name')} || ',"channel":' || ${str('c.channel')}
  || ',"direction":' || ${str('c.direction')} || ',"authentication":' || ${str('c.authentication')}
  || ',"enquiryDate":"' || c.enquiry_date::text || '","operatorPid":' || ${str('c.operator_pid')}
  || ',"importRunId":' || ${int('c.import_run_id')} || ',"recordedAt":"' || ${RECORDED_AT} || '"' || ${RECORDED_BY}
  || ',"enquiries":' || ${enquiriesArray(ENQUIRY_AS_EXPORTED)}
  || ',"prevHash":"' || c.prev_hash || '","hash":"' || c.hash || '"}'`);

/** `canonicalEntry`'s text: RFC 8785, keys sorted, the chain values left out. */
export const CANONICAL_TEXT: SQL = sql.raw(`'{"authentication":' || ${str('c.authentication')}
  || ',"channel":' || ${str('c.channel')} || ',"contactName":' || ${str('c.contact_name')}
  || ',"contactType":' || ${str('c.contact_type')} || ',"direction":' || ${str('c.direction')}
  || ',"enquiries":' || ${enquiriesArray(ENQUIRY_CANONICAL)}
  || ',"enquiryDate":"' || c.enquiry_date::text || '","importRunId":' || ${int('c.import_run_id')}
  || ',"operatorPid":' || ${str('c.operator_pid')} || ',"partnershipUtr":' || ${str('c.partnership_utr')}
  || ',"recordedAt":"' || ${RECORDED_AT} || '"' || ${RECORDED_BY}
  || ',"seq":' || c.seq::text || ',"sourceKey":' || ${str('c.source_key')} || ',"utr":' || ${str('c.utr')} || '}'`);

/**
 * Whether a contact's stored content hash is the one its fields give (as
 * `storedContentHash` computes it): the chain does not cover that hash, and a
 * wrong one would make a later import take a different contact for a
 * duplicate, or the same one for a conflict. `verify` reports it.
 */
const IDENTITY_TEXT = `'["contact-v1",' || ${str('c.utr')} || ',' || ${str('c.partnership_utr')}
  || ',[' || ${str('c.contact_type')} || ',' || ${str('c.contact_name')} || ',' || ${str('c.channel')}
  || ',' || ${str('c.direction')} || ',' || ${str('c.authentication')} || ',"' || c.enquiry_date::text || '",' || ${str('c.operator_pid')}
  || ',' || (select coalesce('[' || string_agg('[' || ${str('e.subject')} || ',' || ${str('e.action_taken')} || ',' || ${str('e.general_notes')} || ']', ',' order by e.position) || ']', '[]')
    from enquiries e where e.contact_seq = c.seq) || ']]'`;

export const CONTENT_HASH_MATCHES: SQL = sql.raw(`(left(encode(sha256(convert_to(${IDENTITY_TEXT}, 'UTF8')), 'hex'), 32) = c.content_hash)`);
