/** The formula guard is put wherever a spreadsheet may start a cell, and comes off exactly. */

import { describe, expect, it } from 'vitest';
import { neutralise, restore, restoreRow } from '../../src/csv/formula-guard.js';

describe('formula guard', () => {
  it('guards the start and after every ; tab or line break, and restores every text exactly', () => {
    expect(neutralise('Jo;=2+3')).toBe("Jo;'=2+3");
    expect(neutralise('a\t@b\n-c')).toBe("a\t'@b\n'-c");
    expect(neutralise("x;'y")).toBe("x;''y");
    expect(neutralise("'tis, late")).toBe("''tis, late");
    expect(neutralise('plain, text')).toBe('plain, text');
    const alphabet = [';', '\t', '\r', '\n', '=', '+', '-', '@', "'", 'a', ','];
    // Every text of up to five of these characters: the guard always comes off as it went on.
    let level = [''];
    const texts = [''];
    for (let n = 0; n < 5; n++) {
      level = level.flatMap((t) => alphabet.map((c) => t + c));
      for (const t of level) texts.push(t);
    }
    for (const text of texts) {
      const guarded = neutralise(text);
      expect(restore(guarded), JSON.stringify(text)).toBe(text);
      const row = [guarded];
      const removedFrom = restoreRow(row);
      expect(row).toEqual([text]);
      // Each removal is reported, by column: a guarded cell's, and no other.
      expect(removedFrom).toEqual(guarded === text ? undefined : [0]);
      expect(neutralise(restore(guarded))).toBe(guarded);
    }
  });
});
