/**
 * The audit chain: hash = sha256(prev_hash || canonical JSON of the
 * contact with its enquiries). The README documents this exact form so an
 * auditor can recompute it with other tools.
 */

import { canonicalJson, sha256Hex } from './identity.js';
import { jsonStringBody } from './json-pieces.js';
import {
  CONTACT_LAYOUT,
  type ChainEnquiry,
  type ChainEntry,
  type LayoutEntry,
  type StoredField,
  fieldValue,
  isList,
} from './layout.js';

export const GENESIS_HASH = '0'.repeat(64);

export type { ChainEntry } from './layout.js';

/** An entry before it is chained: everything but its place, time and writer, which are known only under the chain-head lock. */
export type PendingEntry = Omit<ChainEntry, PlacedKey>;

/** The chained fields in canonical order (RFC 8785 sorts keys by UTF-16 code units, as `sort()` does). */
const byKey = (a: LayoutEntry, b: LayoutEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
type PlacedKey = 'seq' | 'recordedAt' | 'recordedBy';

type Values = Record<string, unknown>;

/** `,"key":value`: a placed field as a member of the canonical object; a field added later is left out where null. */
function member(field: LayoutEntry, value: unknown): string {
  if (value == null && !isList(field) && field.addedLater) return '';
  return `,${JSON.stringify(field.key)}:${JSON.stringify(value)}`;
}

/**
 * An entry's canonical text but for the fields its writer decides under the
 * lock: the text between them, so that chaining it is a few concatenations
 * and one SHA-256. Built while a contact is checked.
 */
export interface CanonicalTemplate {
  /** One more than the placed fields: the text before, between and after them. */
  parts: string[];
}

/**
 * A chained field and the text its member starts with: `"key":`, after a
 * comma but for the first member of its object (and `"key":"` for a string,
 * so its opening quote is no piece of its own).
 */
interface Member<F extends LayoutEntry = StoredField> {
  field: F;
  name: string;
  quoted: string;
}

const membersOf = <F extends LayoutEntry>(fields: readonly F[]): Member<F>[] =>
  fields.map((field, i) => {
    const name = `${i === 0 ? '' : ','}${JSON.stringify(field.key)}:`;
    return { field, name, quoted: `${name}"` };
  });

/** `"key":value`, as `pushJson` writes the value; a field added later is left out where null (an entry made before it was kept may lack it altogether). */
function pushMember(out: string[], member: Pick<Member, 'name' | 'quoted'>, field: StoredField, value: unknown): void {
  if (value === null || value === undefined) {
    if (!field.addedLater) out.push(member.name, 'null');
  } else if (field.type === 'integer') {
    out.push(member.name, String(value));
  } else {
    out.push(member.quoted, jsonStringBody(String(value)), '"');
  }
}

/** `"enquiries":[{…},{…}]`, each enquiry's members in canonical order. */
function pushEnquiries(
  out: string[],
  name: string,
  enquiries: readonly ChainEnquiry[],
  members: readonly Member[],
): void {
  out.push(name, '[');
  let open = '{';
  for (const enquiry of enquiries) {
    out.push(open);
    open = ',{';
    for (const member of members) pushMember(out, member, member.field, fieldValue(enquiry, member.field));
    out.push('}');
  }
  out.push(']');
}

function filled(template: CanonicalTemplate, members: readonly string[]): string {
  const { parts } = template;
  let out = parts[0]!;
  for (let i = 0; i < members.length; i++) out += members[i]! + parts[i + 1]!;
  return out;
}

/** The canonical text of a layout's entries, and the chain's hashes of them. */
export interface ChainText {
  /** The canonical form through the RFC 8785 library, which sorts the keys itself: what `verify --export` and an auditor use. */
  canonicalEntryByLibrary: (entry: ChainEntry) => string;
  /**
   * RFC 8785 writes strings and numbers exactly as ECMAScript's JSON.stringify
   * does, so members written in sorted key order with the native serialiser are
   * the canonical form (safe integers only, which seq, position and
   * import_run_id are). The import writes millions of entries, and this is an
   * order of magnitude faster than the library; tests prove it byte-identical
   * for arbitrary entries, and `verify` recomputes with the library.
   *
   * Each part of the text is one array of pieces joined once: a concatenation
   * would be a tree of small strings, kept alive until the contact is written,
   * and copied whole again when it is hashed.
   */
  canonicalTemplate: (entry: PendingEntry) => CanonicalTemplate;
  /** The same text as `canonicalEntryByLibrary`, fast. */
  canonicalEntry: (e: ChainEntry) => string;
  chainHash: (prevHash: string, entry: ChainEntry) => string;
  /**
   * Chains entries one transaction writes (its time and login, so their JSON is
   * made once): `chainHash` of the entry each template was made from, placed at
   * `seq`.
   */
  chainHasherAt: (
    recordedAt: string,
    recordedBy: string,
  ) => (prevHash: string, template: CanonicalTemplate, seq: number) => string;
}

/** The canonical text and the chain's hashes of the entries of `layout`: the contact layout's, or a copy of it with a field of a test's own. */
export function chainTextOf(layout: readonly LayoutEntry[]): ChainText {
  const chained = layout.filter((f) => f.chained).sort(byKey);
  const chainedEnquiry = layout
    .filter(isList)
    .flatMap((list) => list.items)
    .filter((f) => f.chained)
    .sort(byKey);
  /** The fields an entry's writer decides under the lock (its time, its login, its seq), in canonical order. */
  const placed = chained.filter((f) => f.origin === 'placed');
  if (
    placed
      .map((f) => f.key)
      .sort()
      .join() !== (['recordedAt', 'recordedBy', 'seq'] satisfies PlacedKey[]).join()
  )
    throw new Error('the layout places other fields than seq, recordedAt and recordedBy');
  const [firstChained] = chained;
  if (
    !firstChained ||
    isList(firstChained) ||
    firstChained.origin === 'placed' ||
    firstChained.addedLater ||
    chainedEnquiry[0]?.addedLater
  ) {
    throw new Error('the first canonical key must be always present and known before the lock');
  }
  const canonicalMembers = membersOf(chained);
  const enquiryMembers = membersOf(chainedEnquiry);

  /** The placed fields' members, in canonical order, for one transaction's time and writer at `seq`. */
  const placedMembers = (seq: number, recordedAt: string, recordedBy: string | null): string[] => {
    const values: Record<PlacedKey, unknown> = { seq, recordedAt, recordedBy };
    return placed.map((f) => member(f, values[f.key as PlacedKey]));
  };

  const canonicalTemplate = (entry: PendingEntry): CanonicalTemplate => {
    const parts: string[] = [];
    let part: string[] = ['{'];
    for (const member of canonicalMembers) {
      const { field } = member;
      if (field.origin === 'placed') {
        parts.push(part.join(''));
        part = [];
      } else if (isList(field)) {
        pushEnquiries(part, member.name, entry.enquiries, enquiryMembers);
      } else {
        pushMember(part, member, field, fieldValue(entry, field));
      }
    }
    part.push('}');
    parts.push(part.join(''));
    return { parts };
  };

  const canonicalEntry = (e: ChainEntry): string =>
    filled(canonicalTemplate(e), placedMembers(e.seq, e.recordedAt, e.recordedBy ?? null));

  return {
    canonicalEntryByLibrary(entry) {
      const values: Values = {};
      for (const f of chained) {
        const value = fieldValue(entry, f);
        if (value == null && !isList(f) && f.addedLater) continue;
        values[f.key] = isList(f)
          ? (value as ChainEnquiry[]).map((q) =>
              Object.fromEntries(
                chainedEnquiry.flatMap((e) => {
                  const v = fieldValue(q, e);
                  return v == null && e.addedLater ? [] : [[e.key, v]];
                }),
              ),
            )
          : value;
      }
      return canonicalJson(values);
    },
    canonicalTemplate,
    canonicalEntry,
    chainHash: (prevHash, entry) => sha256Hex(prevHash + canonicalEntry(entry)),
    chainHasherAt(recordedAt, recordedBy) {
      const members = placedMembers(0, recordedAt, recordedBy);
      const seqAt = placed.findIndex((f) => f.key === 'seq');
      const seqField = placed[seqAt]!;
      // One array for every entry, joined flat: the text is hashed at once, with no tree of strings to copy first.
      const pieces: string[] = [];
      return (prevHash, template, seq) => {
        members[seqAt] = member(seqField, seq);
        const { parts } = template;
        pieces.length = 0;
        pieces.push(prevHash, parts[0]!);
        for (let i = 0; i < members.length; i++) pieces.push(members[i]!, parts[i + 1]!);
        return sha256Hex(pieces.join(''));
      };
    },
  };
}

export const { canonicalEntryByLibrary, canonicalTemplate, canonicalEntry, chainHash, chainHasherAt } =
  chainTextOf(CONTACT_LAYOUT);
