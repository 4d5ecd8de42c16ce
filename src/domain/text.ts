/**
 * Free-text rules: line endings, trimming, length in
 * Unicode code points (what PostgreSQL's varchar(n) counts), control characters.
 */

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

// eslint-disable-next-line no-control-regex
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** The first forbidden control character, as `U+XXXX`, or undefined. Notes may hold line breaks and tabs. */
export function findControlCharacter(s: string, multiline: boolean): string | undefined {
  const m = (multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).exec(s);
  if (!m) return undefined;
  return `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export function describeControl(code: string): string | undefined {
  if (code === 'U+000A') return 'line breaks are allowed in general_notes only';
  if (code === 'U+0009') return 'tabs are allowed in general_notes only';
  if (code === 'U+0000') return 'PostgreSQL cannot store U+0000 at all';
  return undefined;
}
