/**
 * Every catalogue message is a whole sentence however it is rendered: with
 * what it needs, and with or without each thing it may mention.
 */

import { describe, expect, it } from 'vitest';
import { CATALOGUE, type IssueParams } from '../../src/domain/catalogue.js';
import { checkContact, allErrors } from '../../src/domain/contact.js';
import { lookup, settings, validContact } from '../support/domain-fixtures.js';

const SAMPLE: Required<IssueParams> = {
  field: 'general_notes',
  value: 'V-17',
  detail: 'what was found',
  limit: 100,
  length: 101,
  suggestion: 'letter',
};
/** Other values, each different from the sample at both ends, to find where a value goes in a message. */
const OTHER: Required<IssueParams> = {
  field: 'contact_name',
  value: 'Z9',
  detail: 'another reason',
  limit: 7,
  length: 3,
  suggestion: 'email',
};
const PARAMS = Object.keys(SAMPLE) as (keyof IssueParams)[];
type Message = (p: IssueParams) => string;

/** The parameters a message reads when given all of them. */
function paramsRead(message: Message): Set<keyof IssueParams> {
  const read = new Set<keyof IssueParams>();
  message(
    new Proxy(SAMPLE, {
      get: (target, key) => {
        if (PARAMS.includes(key as keyof IssueParams)) read.add(key as keyof IssueParams);
        return target[key as keyof IssueParams];
      },
    }),
  );
  return read;
}

function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((all, item) => [...all, ...all.map((s) => [...s, item])], [[]]);
}

const given = (names: readonly (keyof IssueParams)[], from = SAMPLE) =>
  Object.fromEntries(names.map((p) => [p, from[p]])) as IssueParams;

/** What an empty slot, or a sentence cut off, leaves behind. */
const BROKEN: [string, RegExp][] = [
  ['a value never given', /\b(undefined|null|NaN)\b|\[object/],
  ['an empty quote or bracket', /""|''|\(\s*\)/],
  ['two spaces', / {2}/],
  ['a space before punctuation', / [,;:.)]/],
  ['punctuation twice', /[,;:]\s*[,;:.]/],
  ['a sentence that stops short', /([,;:(]|\b(for|of|at|to|in|on|the|a|an|by|with|and|or|is))\s*$/],
  ['white space at an end', /^\s|\s$/],
];

/** Words a message puts where it was not given something, each naming that thing itself. */
const STAND_INS = new Set([
  'the file',
  'operator_pid',
  'is not valid UTF-8',
  'a flag or argument is wrong',
  'the contact',
  'the command',
]);

/**
 * The words a message puts in the place of `param` when it is not given,
 * where its words around that place stay as they were ("for channel given:"):
 * '' for a slot left empty; undefined when the words around it go too.
 */
function standIn(message: Message, all: readonly (keyof IssueParams)[], param: keyof IssueParams): string | undefined {
  const withIt = message(given(all));
  const withOther = message({ ...given(all), [param]: OTHER[param] });
  let before = 0;
  while (before < withIt.length && withIt[before] === withOther[before]) before++;
  let after = 0;
  while (
    after < withIt.length - before &&
    withIt[withIt.length - 1 - after] === withOther[withOther.length - 1 - after]
  )
    after++;
  const without = message(given(all.filter((p) => p !== param)));
  const [head, tail] = [withIt.slice(0, before), withIt.slice(withIt.length - after)];
  if (!without.startsWith(head) || !without.endsWith(tail) || without.length < head.length + tail.length)
    return undefined;
  return without.slice(head.length, without.length - tail.length);
}

/** Why a message is not a whole sentence rendered in every way it may be, or nothing. */
function brokenSentences(message: Message, needs: readonly (keyof IssueParams)[]): string[] {
  const read = paramsRead(message);
  const optional = [...read].filter((p) => !needs.includes(p));
  const problems = needs.filter((need) => !read.has(need)).map((need) => `needs ${need} but never mentions it`);
  for (const extra of subsets(optional)) {
    const text = message(given([...needs, ...extra]));
    for (const [what, pattern] of BROKEN) if (pattern.test(text)) problems.push(`${what}: ${text}`);
  }
  for (const param of optional) {
    const words = standIn(message, [...needs, ...optional], param);
    if (words !== undefined && !STAND_INS.has(words))
      problems.push(
        `without ${param}, "${words}" stands in its place: ${message(given([...needs, ...optional].filter((p) => p !== param)))}`,
      );
  }
  return problems;
}

describe('catalogue messages', () => {
  it.each([...CATALOGUE.values()].map((e) => [e.code, e] as const))(
    '%s reads as a whole sentence with what it needs, and with or without each thing it may mention',
    (_, entry) => {
      expect(brokenSentences(entry.message, entry.needs ?? [])).toEqual([]);
    },
  );

  it.each([...CATALOGUE.values()].map((e) => [e.code, e] as const))(
    '%s, rendered with its documented fields, shows each one it needs',
    (_, entry) => {
      const text = entry.message(given(entry.needs ?? []));
      for (const need of entry.needs ?? []) expect(text, need).toContain(String(SAMPLE[need]));
    },
  );

  it('the check finds a slot left empty or filled with a word that is not the thing, as messages once had', () => {
    const filled: Message = (p) =>
      `authentication must be authenticated or waived for channel ${p.detail ?? 'given'}: a contact is authenticated first`;
    expect(brokenSentences(filled, [])).toEqual([
      expect.stringMatching(/^without detail, "given" stands in its place: .*for channel given: a contact/),
    ]);
    const empty: Message = (p) => `the column map ${p.value ?? ''} is invalid`;
    expect(brokenSentences(empty, [])).toEqual([
      expect.stringMatching(/^two spaces: the column map {2}is invalid/),
      expect.stringMatching(/^without value, "" stands in its place/),
    ]);
    expect(brokenSentences((p) => `${p.value} is gone`, [])).toEqual([
      expect.stringMatching(/^a value never given: undefined is gone/),
      expect.stringMatching(/"undefined" stands in its place/),
    ]);
    expect(brokenSentences((p) => `${p.value} is gone`, ['value'])).toEqual([]);
  });

  it('a channel that is not valid is one error: the rules that depend on the channel are not also raised', () => {
    const bare = { channel: 'telepathy', contact_type: '', contact_name: '', authentication: '' };
    const errors = allErrors(checkContact(validContact(bare), lookup, settings));
    expect(errors).toEqual([
      {
        code: 'channel-invalid',
        field: 'channel',
        message: expect.stringContaining('channel ("telepathy") must be one of'),
      },
    ]);
    expect(
      allErrors(checkContact(validContact({ ...bare, channel: '' }), lookup, settings)).map((e) => e.code),
    ).toEqual(['channel-missing']);
    // A word that is no state of authentication is wrong whatever the channel, and says so without naming one.
    const unknownWord = allErrors(checkContact(validContact({ ...bare, authentication: 'maybe' }), lookup, settings));
    expect(unknownWord.map((e) => e.message)).toEqual([
      expect.stringContaining('channel ("telepathy")'),
      'authentication ("maybe") must be authenticated or waived: a contact is authenticated, or authentication waived, before anything is recorded',
    ]);
    // With a valid channel, what it requires is still asked for.
    expect(
      allErrors(checkContact(validContact({ ...bare, channel: 'email' }), lookup, settings)).map((e) => e.message),
    ).toEqual([
      expect.stringMatching(/^contact_type is required/),
      expect.stringMatching(/^contact_name \(the person spoken to\) is required/),
      'authentication must be authenticated or waived for channel email: a contact is authenticated, or authentication waived, before anything is recorded',
    ]);
  });
});
