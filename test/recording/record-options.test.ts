/**
 * A contact's flags are read by two parsers: commander for `record` (the
 * command tree's) and yargs-parser for each line of a `run` script. Both are
 * configured from RECORD_OPTIONS; this holds them to the same answers for
 * every flag, in both spellings, with the order of repeated enquiry flags,
 * and to the same refusal of a flag with no value.
 */

import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  type FlagEvent,
  RECORD_OPTIONS,
  addRecordOptions,
  flagsFromEvents,
  parseRecordArgs,
} from '../../src/recording/record-options.js';

/** The flags as `record` reads them: a commander command given the record options, parsed as the CLI parses. */
function viaCommander(words: string[]) {
  const given: FlagEvent[] = [];
  const command = addRecordOptions(new Command('record'), given, words)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  command.parse(words, { from: 'user' });
  return flagsFromEvents(given);
}

/** The flags as a `run` script line is read. */
const viaScript = (words: string[]) => parseRecordArgs(words);

/** Plain words, punctuation, a line break, digits, and values that start with a dash (read as values, never as flags). */
const VALUES = [
  'Jo Bloggs',
  "O'Brien & Sons, 12 High St",
  'line one\nline two',
  '1955839661',
  'x',
  '-5 days late',
  '-',
  '--',
];

describe('record and run read the same flags the same way', () => {
  it.each(RECORD_OPTIONS.map((spec) => [spec.flag]))(
    '--%s, as two words and as --flag=value, for every kind of value',
    (flag) => {
      for (const value of VALUES) {
        const expected = viaCommander([`--${flag}`, value]);
        expect(viaScript([`--${flag}`, value]), `--${flag} ${JSON.stringify(value)}`).toEqual(expected);
        expect(viaCommander([`--${flag}=${value}`])).toEqual(expected);
        expect(viaScript([`--${flag}=${value}`])).toEqual(expected);
      }
    },
  );

  it('every flag at once, in the order given', () => {
    const words = RECORD_OPTIONS.flatMap((spec, i) => [`--${spec.flag}`, `value ${i}`]);
    expect(viaScript(words)).toEqual(viaCommander(words));
  });

  it('an --action or --notes belongs to the --subject before it, however many there are', () => {
    const words = [
      '--subject',
      'Callback',
      '--action',
      'Rang back',
      '--notes',
      'Left a message',
      '--subject',
      'Other',
      '--notes',
      'Asked about the return',
      '--action',
      'Checked it',
      '--subject',
      'Letter',
    ];
    const expected = viaCommander(words);
    expect(expected.enquiries).toHaveLength(3);
    expect(viaScript(words)).toEqual(expected);
  });

  it.each(RECORD_OPTIONS.map((spec) => [spec.flag]))('--%s with no value is refused by both', (flag) => {
    expect(() => viaCommander(['--utr', '1955839661', `--${flag}`])).toThrow();
    expect(() => viaScript(['--utr', '1955839661', `--${flag}`])).toThrow(new RegExp(`--${flag} needs a value`));
  });

  it('a flag followed by another flag, not a value, is refused by both', () => {
    expect(() => viaCommander(['--channel', '--auth', 'authenticated'])).toThrow(/--channel has no value/);
    expect(() => viaScript(['--channel', '--auth', 'authenticated'])).toThrow(/--channel has no value/);
  });
});
