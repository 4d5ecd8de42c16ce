/** Abbreviations and acronyms the manual asks operators to avoid (CISR90270). */

import { DEFAULT_ABBREVIATIONS } from './vocabulary.js';

export type AbbreviationFinder = (text: string) => string[];

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Finds whole words written in capitals, as listed; case matters ("ao" is not "AO"). */
export function abbreviationFinder(list: readonly string[] = DEFAULT_ABBREVIATIONS): AbbreviationFinder {
  const words = list.map((w) => w.trim()).filter((w) => w !== '');
  if (words.length === 0) return () => [];
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${words.map(escape).join('|')})(?![\\p{L}\\p{N}_])`, 'gu');
  return (text) => {
    const found = text.match(pattern);
    return found ? [...new Set(found)] : [];
  };
}

/** A list from configuration: words separated by commas, semicolons or white space. */
export function parseAbbreviationList(text: string): string[] {
  return text.split(/[\s,;]+/).filter((w) => w !== '');
}
