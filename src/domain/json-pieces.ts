/**
 * JSON written as pieces of one array, joined once. The identity and the
 * canonical text are made for every imported contact; writing each value as
 * its own string ("quoted", then `"key":` before it) made two or three
 * short-lived strings a field, and concatenating them a tree of small strings
 * that is copied whole again when it is hashed. Here a value's quotes go in
 * as constant pieces beside it, and a string that needs no escape goes in as
 * it is: no string is made for it until the whole text is joined.
 */

import type { StoredField } from './layout.js';

/** What JSON.stringify escapes in a string (a quote, a backslash, controls), and surrogates, which it escapes when alone. */
// eslint-disable-next-line no-control-regex -- JSON escapes U+0000 to U+001F: this range is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string's JSON text between its quotes: the string itself when nothing in it needs an escape. */
export function jsonStringBody(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value).slice(1, -1) : value;
}

/**
 * JSON.stringify's text of a value, without copying a string that needs no
 * escape (JSON.stringify builds every string it writes anew).
 */
export function jsonValue(value: unknown): string {
  return typeof value === 'string' && !NEEDS_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * A field's value as JSON, pushed onto `out` as JSON.stringify writes it:
 * null (or absent) as `null`; a whole number as its digits (the layout's
 * integers are safe integers, so this is RFC 8785's form too); any other type
 * (text, date, timestamp) as a quoted string.
 */
export function pushJson(out: string[], field: Pick<StoredField, 'type'>, value: unknown): void {
  if (value === null || value === undefined) out.push('null');
  else if (field.type === 'integer') out.push(String(value));
  else out.push('"', jsonStringBody(String(value)), '"');
}
