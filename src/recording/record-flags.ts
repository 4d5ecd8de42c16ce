/**
 * What `record` (or a line of `run`) was given, keyed as commander and
 * yargs-parser name flags. Apart from the write path (record-contact.ts), so
 * that building the command tree loads no database code.
 */

import type { ContactInputFlag, EnquiryInputFlag } from '../domain/layout.js';

/** A flag's key in `RecordFlags`: its name in camel case, as commander and yargs-parser name options (`contact-type`: `contactType`). */
type CamelCase<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<CamelCase<B>>}` : S;
export const flagKey = <S extends string>(flag: S) =>
  flag.replace(/-(.)/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;

export type RecordFlagKey = CamelCase<ContactInputFlag | EnquiryInputFlag>;
type EnquiryFlagKey = CamelCase<EnquiryInputFlag>;

/** What `record` (or a line of `run`) was given: each flag's value, and each enquiry with its own action and notes. */
export type RecordFlags = Partial<Record<CamelCase<ContactInputFlag>, string>> & {
  enquiries?: Partial<Record<EnquiryFlagKey, string>>[];
  /** --again: a contact without --ref the same as one already stored is meant as a second one. */
  again?: boolean;
};
