/**
 * Free-text rules: line endings, trimming, length in
 * Unicode code points (what PostgreSQL's varchar(n) counts), control and
 * invisible format characters.
 */

import { FORMS } from './layout.js';

/** `\r\n` and `\r` become `\n`; leading and trailing white space is removed. */
export function normaliseText(input: string): string {
  const unified = input.indexOf('\r') === -1 ? input : input.replace(/\r\n?/g, '\n');
  return unified.trim();
}

/** Length in code points: a surrogate pair counts once, as PostgreSQL counts it. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Invisible format characters (Unicode category Cf): bidi controls (U+202A–202E,
 * U+2066–2069), zero-width spaces and joiners, the byte-order mark, tags. They
 * make text read differently from what is stored, so free text may not hold
 * them. Listed, not `\p{Cf}`, so that the database's constraint (drizzle/0007)
 * holds the very same list whatever Unicode version Node knows.
 */
const FORMAT_CHARACTERS =
  '\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u180e\\u200b-\\u200f\\u202a-\\u202e' +
  '\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb\\u{110bd}\\u{110cd}\\u{13430}-\\u{1343f}\\u{1bca0}-\\u{1bca3}' +
  '\\u{1d173}-\\u{1d17a}\\u{e0001}\\u{e0020}-\\u{e007f}';

/** What text may not hold, as a bracket expression: single-line text, and notes (which may hold tabs and line breaks). */
export const FORBIDDEN_CHARACTERS = {
  singleLine: `[\\u0000-\\u001f\\u007f-\\u009f${FORMAT_CHARACTERS}]`,
  multiLine: `[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${FORMAT_CHARACTERS}]`,
} as const;

const CONTROL_SINGLE_LINE = new RegExp(FORBIDDEN_CHARACTERS.singleLine, 'u');
const CONTROL_MULTI_LINE = new RegExp(FORBIDDEN_CHARACTERS.multiLine, 'u');

/** The code point as `U+XXXX`. */
const codePointName = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first forbidden control or format character, as `U+XXXX`, or undefined. Notes may hold line breaks and tabs. */
export function findControlCharacter(s: string, multiline: boolean): string | undefined {
  const m = (multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).exec(s);
  if (!m) return undefined;
  return codePointName(m[0].codePointAt(0)!);
}

/** The free text that may hold line breaks and tabs, as messages name it (`general_notes`). */
const MULTILINE_TEXT = [...FORMS.contactText, ...FORMS.enquiryText]
  .filter((rule) => rule.multiline)
  .map((rule) => rule.field)
  .join(' and ');

export function describeControl(code: string): string | undefined {
  if (code === 'U+000A') return `line breaks are allowed in ${MULTILINE_TEXT} only`;
  if (code === 'U+0009') return `tabs are allowed in ${MULTILINE_TEXT} only`;
  if (code === 'U+0000') return 'PostgreSQL cannot store U+0000 at all';
  // Past the C1 controls, only format characters are forbidden.
  if (Number.parseInt(code.slice(2), 16) > 0x9f) {
    return 'bidi controls and invisible format characters make text read differently from what is stored';
  }
  return undefined;
}
