import { describe, expect, it } from 'vitest';
import { screenJson, screenText } from '../../src/domain/screen-text.js';
import { findControlCharacter } from '../../src/domain/text.js';

// Every character a terminal may act on, or that makes text read as other text.
// eslint-disable-next-line no-control-regex -- the characters a screen must not be sent
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u;

function everyCodePoint(): string {
  const all: string[] = [];
  for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) all.push(String.fromCodePoint(c));
  return all.join('');
}

describe('screen-safe text', () => {
  it('shows controls, bidi and format characters escaped, and keeps the rest', () => {
    expect(screenText('a\u001b[2Jb\u0007')).toBe('a\\x1b[2Jb\\x07');
    expect(screenText('x\r\u001b[2K\u001b[1AIntact')).toBe('x\\r\\x1b[2K\\x1b[1AIntact');
    expect(screenText('\u202egnp.exe')).toBe('\\u202egnp.exe');
    expect(screenText('a\u009bb\u200bc\ufeffd\u{e0041}')).toBe('a\\u009bb\\u200bc\\ufeffd\\u{e0041}');
    expect(screenText('line\nbreak\ttab')).toBe('line\\nbreak\ttab');
    expect(screenText('café — 日本 😀')).toBe('café — 日本 😀');
  });

  it('leaves nothing unsafe for any code point, and escaping twice changes nothing', () => {
    const shown = screenText(everyCodePoint());
    expect(shown.match(UNSAFE)).toBeNull();
    expect(screenText(shown)).toBe(shown);
  });

  it('escapes in JSON what JSON.stringify leaves raw, and the value is the same', () => {
    const value = { note: 'a\u001b\u0085\u202e\u2028\u{e0041}z' };
    const text = screenJson(value, 2);
    expect(text.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(text).toContain('\\u0085\\u202e\\u2028\\udb40\\udc41');
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('what free text may hold', () => {
  it('refuses bidi controls and invisible format characters as it refuses ESC', () => {
    expect(findControlCharacter('a\u202eb', true)).toBe('U+202E');
    expect(findControlCharacter('a\u2066b', false)).toBe('U+2066');
    expect(findControlCharacter('a\u200bb', true)).toBe('U+200B');
    expect(findControlCharacter('\ufeffa', true)).toBe('U+FEFF');
    expect(findControlCharacter('a\u{e0041}', true)).toBe('U+E0041');
  });

  it('lists every format character this Node knows (category Cf)', () => {
    const unlisted = [...everyCodePoint().matchAll(/\p{Cf}/gu)]
      .map((m) => m[0])
      .filter((ch) => findControlCharacter(ch, true) === undefined);
    expect(unlisted.map((ch) => ch.codePointAt(0)!.toString(16))).toEqual([]);
  });
});
