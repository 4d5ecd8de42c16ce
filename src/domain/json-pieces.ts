/**
 * Code that writes JSON as pieces of one array joined once. The identity and
 * the canonical text are made for every imported contact; writing each value
 * as its own string ("quoted", then `"key":` before it) made two or three
 * short-lived strings a field. Here a value's quotes and its key go into the
 * constant text beside it, and a string that needs no escape is joined as it
 * is: no string is made for it until the whole text is.
 */

import type { StoredField } from './layout.js';

/** What JSON.stringify escapes in a string (a quote, a backslash, controls), and surrogates, which it escapes when alone. */
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

/** Constant text, or code whose value is joined. */
export type Piece = { text: string } | { code: string };

/** The names the generated code calls its helpers by: pass `JSON_HELPERS` as the function's arguments of these names. */
export const JSON_HELPER_NAMES = ['json', 'body'] as const;
export const JSON_HELPERS = [jsonValue, jsonStringBody] as const;

/**
 * A field's value, read by the code `read`, as JSON pieces. Numbers are joined
 * as they are (their JSON is their text); null is `null`, unquoted.
 */
export function jsonPieces(field: Pick<StoredField, 'type' | 'nullable'>, read: string): Piece[] {
  if (field.type === 'integer') return [{ code: field.nullable ? `(${read} == null ? 'null' : ${read})` : read }];
  if (!field.nullable) return [{ text: '"' }, { code: `body(${read})` }, { text: '"' }];
  // Three pieces, so the quotes stay out of the value: `null`, or `"`, the body and `"`.
  return [{ code: `(${read} == null ? 'null' : '"')` }, { code: `(${read} == null ? '' : body(${read}))` }, { code: `(${read} == null ? '' : '"')` }];
}

/** Pieces as the code of an array's elements, each run of constant text one literal. */
export function piecesCode(pieces: readonly Piece[]): string[] {
  const out: string[] = [];
  let text = '';
  for (const piece of pieces) {
    if ('text' in piece) {
      text += piece.text;
      continue;
    }
    if (text) out.push(JSON.stringify(text));
    text = '';
    out.push(piece.code);
  }
  if (text) out.push(JSON.stringify(text));
  return out;
}

/**
 * Code that stores each piece at `array[n++]`: the generated writers keep an
 * array for a text and join the first `n` of it. Pushing after `length = 0`
 * would give the array a new store a call, as V8 frees it when emptied (and
 * shrinks it when cut to much less), so each text has its own.
 */
export function fill(code: readonly string[], array = 'p'): string {
  return code.map((c) => `${array}[n++] = ${c};`).join(' ');
}
