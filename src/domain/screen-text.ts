/**
 * What reaches a screen shows what is stored without letting it act on the
 * terminal: a stored ESC could clear the screen, retitle the window, write to
 * the clipboard or overwrite a verdict already printed, and a bidi control
 * makes text read differently from what is stored. So every C0 and C1
 * control (tab aside), DEL, line and paragraph separators and every
 * invisible format character (Unicode category Cf) is shown escaped, as
 * `\x1b`, `\r`, `\n` or `\u202e`. A printed line is one line: a line break
 * in it is shown as `\n` too (the history table splits notes itself first).
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const c = ch.codePointAt(0)!;
  if (c < 0x80) return `\\x${c.toString(16).padStart(2, '0')}`;
  return c > 0xffff ? `\\u{${c.toString(16)}}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

/** Text as it may be shown on a terminal or written to a pipe. */
export function screenText(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

// JSON.stringify escapes C0 controls itself; DEL, C1, the separators and format characters it leaves raw.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\p{Cf}]/gu;

/** A value as JSON whose text holds nothing a terminal acts on: each such character as a `\uXXXX` escape, the same value. */
export function screenJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (ch) => {
    let out = '';
    for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}
