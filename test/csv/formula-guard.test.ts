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
    // Checked without expect() per text (161,000 of them): the texts that fail, with what went wrong, are listed at the end.
    const failures: string[] = [];
    for (const text of texts) {
      const guarded = neutralise(text);
      const row = [guarded];
      const removedFrom = restoreRow(row);
      if (restore(guarded) !== text)
        failures.push(`${JSON.stringify(text)}: restore gives ${JSON.stringify(restore(guarded))}`);
      if (row[0] !== text) failures.push(`${JSON.stringify(text)}: restoreRow gives ${JSON.stringify(row[0])}`);
      // Each removal is reported, by column: a guarded cell's, and no other.
      if (JSON.stringify(removedFrom) !== JSON.stringify(guarded === text ? undefined : [0]))
        failures.push(`${JSON.stringify(text)}: removals reported ${JSON.stringify(removedFrom)}`);
      if (neutralise(restore(guarded)) !== guarded)
        failures.push(`${JSON.stringify(text)}: guarding again gives ${JSON.stringify(neutralise(restore(guarded)))}`);
    }
    expect(texts.length).toBe(1 + 11 + 11 ** 2 + 11 ** 3 + 11 ** 4 + 11 ** 5);
    expect(failures.slice(0, 20)).toEqual([]);
  });
});
