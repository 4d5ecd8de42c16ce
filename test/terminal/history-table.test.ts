import { describe, expect, it } from 'vitest';
import {
  CONTACT_EXTRAS,
  ENQUIRY_EXTRAS,
  displayWidth,
  oneLine,
  recordedTime,
  wrapText,
} from '../../src/terminal/history-table.js';

describe('history for people', () => {
  it('wraps every line to the width, wide characters counted twice, over-long words cut', () => {
    const text = `Spoke to 田中さん about the return ${'x'.repeat(50)} and then\nagain the next day`;
    for (const width of [80, 40, 12]) {
      const lines = wrapText(text, width);
      expect(Math.max(...lines.map(displayWidth))).toBeLessThanOrEqual(width);
      expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/[ \n]/g, ''));
    }
    expect(displayWidth('田中')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('shows stored controls escaped, and a tab as \\t, on a terminal', () => {
    expect(wrapText('a\u001b[2Jb\tc', 80)).toEqual(['a\\x1b[2Jb\\tc']);
  });

  it('on one line, a real line break and a typed backslash-n never look the same', () => {
    expect(oneLine('one\ntwo')).toBe('one\\ntwo');
    expect(oneLine('one\\ntwo')).toBe('one\\\\ntwo');
    expect(oneLine('a\tb\u202e')).toBe('a\\tb\\u202e');
  });

  it('names the recording time in UK time with its zone', () => {
    expect(recordedTime('2026-01-15T09:05:03.123456Z')).toBe('2026-01-15 09:05:03 GMT');
    expect(recordedTime('2026-07-15T09:05:03.123456Z')).toBe('2026-07-15 10:05:03 BST');
  });

  it('places every field of the layout today, so none is shown only by its column name', () => {
    expect(CONTACT_EXTRAS.map((f) => f.key)).toEqual([]);
    expect(ENQUIRY_EXTRAS.map((f) => f.key)).toEqual([]);
  });
});
