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
import {
  CONTACT_FIELDS,
  CONTACT_LAYOUT,
  ENQUIRY_FIELDS,
  type LayoutEntry,
  type StoredField,
  isList,
} from '../domain/layout.js';

const key = (name: string) => `'"${name}":'`;

/** A field's value as JSON text, from the column of table alias `t`; `null` where it is null. */
function json(field: StoredField, t: string): string {
  const column = `${t}.${field.column}`;
  switch (field.type) {
    case 'text':
      return `coalesce(to_json(${column})::text, 'null')`;
    case 'integer':
      return field.nullable ? `coalesce(${column}::text, 'null')` : `${column}::text`;
    // An explicit format: a date's `::text` follows the session's DateStyle.
    case 'date': {
      const text = `'"' || to_char(${column}::timestamp, 'YYYY-MM-DD') || '"'`;
      return field.nullable ? `coalesce(${text}, 'null')` : text;
    }
    case 'timestamp':
      return `'"' || to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'`;
  }
}

/** The contact's enquiries as a JSON array of objects, each of `fields` in the order given. */
function enquiriesArray(fields: readonly StoredField[]): string {
  return `(select coalesce('[' || string_agg(${object(fields, 'e')}, ',' order by e.position) || ']', '[]')
    from public.enquiries e where e.contact_seq = c.seq)`;
}

/** `,"key":value`, the enquiries' list as an array of `enquiryFields`; a field added later only where it is set (entries stored before it hash as they did). */
function member(field: LayoutEntry, t: string, enquiryFields: readonly StoredField[]): string {
  if (isList(field)) return `',' || ${key(field.key)} || ${enquiriesArray(enquiryFields)}`;
  return field.addedLater
    ? `coalesce(',"${field.key}":' || to_json(${t}.${field.column})::text, '')`
    : `',' || ${key(field.key)} || ${json(field, t)}`;
}

/** `{"k":v,...}` of `fields` in the order given (the first one always present). */
function object(fields: readonly LayoutEntry[], t: string, enquiryFields: readonly StoredField[] = []): string {
  const [first, ...rest] = fields;
  if (!first || isList(first) || first.addedLater) throw new Error('an object must start with a field every entry has');
  const head = `'{' || ${key(first.key)} || ${json(first, t)}`;
  return [head, ...rest.map((f) => member(f, t, enquiryFields)), `'}'`].join(' || ');
}

const byKey = (a: LayoutEntry, b: LayoutEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** `jsonLine`'s text: the export's keys in the export's order. */
export const EXPORT_LINE: SQL = sql.raw(
  object(
    CONTACT_LAYOUT.filter((f) => f.exported),
    'c',
    ENQUIRY_FIELDS.filter((f) => f.exported),
  ),
);

/** `canonicalEntry`'s text: RFC 8785, keys sorted, the chain values left out. */
export const CANONICAL_TEXT: SQL = sql.raw(
  object(
    (CONTACT_LAYOUT as readonly LayoutEntry[]).filter((f) => f.chained).sort(byKey),
    'c',
    ENQUIRY_FIELDS.filter((f) => f.chained).sort(byKey),
  ),
);

/** `,"key",value` of each identity field of `fields` added later, in the order they were added, where the row of table alias `t` has it. */
const addedLater = (fields: readonly StoredField[], t: string): string[] =>
  fields
    .filter((f) => f.identity && f.addedLater)
    .sort((a, b) => (a.addedLater ?? 0) - (b.addedLater ?? 0))
    .map((f) => `coalesce(',"${f.key}",' || to_json(${t}.${f.column})::text, '')`);

/** `storedContentHash`'s text: the record and partnership, then the identity fields in the layout's order. */
function identityText(): string {
  const fields = CONTACT_FIELDS.filter((f) => f.identity && !f.addedLater).map((f) => json(f, 'c'));
  const enquiryFields = ENQUIRY_FIELDS.filter((f) => f.identity && !f.addedLater)
    .map((f) => json(f, 'e'))
    .join(` || ',' || `);
  const enquiryLater = addedLater(ENQUIRY_FIELDS, 'e');
  const enquiries = `(select coalesce('[' || string_agg('[' || ${[enquiryFields, ...enquiryLater].join(' || ')} || ']', ',' order by e.position) || ']', '[]')
    from public.enquiries e where e.contact_seq = c.seq)`;
  const later = addedLater(CONTACT_FIELDS, 'c');
  const utr = CONTACT_FIELDS.find((f) => f.key === 'utr')!;
  const partnership = CONTACT_FIELDS.find((f) => f.key === 'partnershipUtr')!;
  return [
    `'["contact-v1",'`,
    json(utr, 'c'),
    `','`,
    json(partnership, 'c'),
    `',['`,
    ...fields.flatMap((f) => [f, `','`]),
    enquiries,
    ...later,
    `']]'`,
  ].join(' || ');
}

/**
 * Whether a contact's stored content hash is the one its fields give (as
 * `storedContentHash` computes it): the chain does not cover that hash, and a
 * wrong one would make a later import take a different contact for a
 * duplicate, or the same one for a conflict. `verify` reports it.
 */
export const CONTENT_HASH_MATCHES: SQL = sql.raw(
  `(left(encode(sha256(convert_to(${identityText()}, 'UTF8')), 'hex'), 32) = c.content_hash)`,
);
