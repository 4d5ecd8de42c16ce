/**
 * The audit chain: hash = sha256(prev_hash || canonical JSON of the
 * contact with its enquiries). The README documents this exact form so an
 * auditor can recompute it with other tools.
 */

import { canonicalJson, sha256Hex } from './identity.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainEnquiry {
  position: number;
  subject: string;
  actionTaken: string | null;
  generalNotes: string | null;
}

/** Every stored field of a contact except the chain values themselves. */
export interface ChainEntry {
  seq: number;
  sourceKey: string;
  utr: string;
  partnershipUtr: string | null;
  contactType: string | null;
  contactName: string | null;
  channel: string;
  direction: string;
  authentication: string | null;
  enquiryDate: string;
  operatorPid: string;
  importRunId: number | null;
  /** UTC, microseconds: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  recordedAt: string;
  /**
   * The database login that wrote it. Null on entries stored before it was
   * kept: the canonical form then leaves the key out, so they hash as before.
   */
  recordedBy: string | null;
  enquiries: ChainEnquiry[];
}

/** An entry before it is chained: everything but its place, time and writer, which are known only under the chain-head lock. */
export type PendingEntry = Omit<ChainEntry, 'seq' | 'recordedAt' | 'recordedBy'>;

/** The keys that sort before `recordedAt`, inserted in sorted order (see `canonicalEntry`). */
function sortedHead(e: PendingEntry) {
  return {
    authentication: e.authentication,
    channel: e.channel,
    contactName: e.contactName,
    contactType: e.contactType,
    direction: e.direction,
    enquiries: e.enquiries.map((q) => ({
      actionTaken: q.actionTaken, generalNotes: q.generalNotes, position: q.position, subject: q.subject,
    })),
    enquiryDate: e.enquiryDate,
    importRunId: e.importRunId,
    operatorPid: e.operatorPid,
    partnershipUtr: e.partnershipUtr,
  };
}

/** The entry as a plain object, its keys inserted in sorted order. */
function sortedEntry(e: ChainEntry) {
  const written = e.recordedBy === null ? { recordedAt: e.recordedAt } : { recordedAt: e.recordedAt, recordedBy: e.recordedBy };
  return { ...sortedHead(e), ...written, seq: e.seq, sourceKey: e.sourceKey, utr: e.utr };
}

/** The canonical form through the RFC 8785 library: what `verify --export` and an auditor use. */
export function canonicalEntryByLibrary(entry: ChainEntry): string {
  return canonicalJson(sortedEntry(entry));
}

/**
 * An entry's canonical text around its `recordedAt`, `recordedBy` and `seq`
 * (which sort together): built while a contact is checked, so that chaining it under the
 * lock is two concatenations and one SHA-256.
 */
export interface CanonicalTemplate {
  head: string;
  tail: string;
}

/**
 * RFC 8785 writes strings and numbers exactly as ECMAScript's JSON.stringify
 * does, so the native serialiser given an object whose keys were inserted in
 * sorted order produces the canonical form (safe integers only, which seq,
 * position and import_run_id are). The import writes millions of entries, and
 * this is an order of magnitude faster than the library; tests prove it
 * byte-identical for arbitrary entries (the library sorts keys itself, so a
 * key out of order here would show), and `verify` recomputes with the library.
 */
export function canonicalTemplate(e: PendingEntry): CanonicalTemplate {
  const head = JSON.stringify(sortedHead(e));
  return {
    head: `${head.slice(0, -1)},"recordedAt":`,
    tail: `,"sourceKey":${JSON.stringify(e.sourceKey)},"utr":${JSON.stringify(e.utr)}}`,
  };
}

/** `"recordedAt":` onwards up to `"seq":`, in JSON: the part of an entry its writer's transaction decides. */
function writtenJson(recordedAt: string, recordedBy: string | null): string {
  const at = JSON.stringify(recordedAt);
  return recordedBy === null ? at : `${at},"recordedBy":${JSON.stringify(recordedBy)}`;
}

/** The template completed, with the time and writer already in their JSON form. */
function placed(template: CanonicalTemplate, seq: number, written: string): string {
  return `${template.head}${written},"seq":${seq}${template.tail}`;
}

export function canonicalText(template: CanonicalTemplate, seq: number, recordedAt: string, recordedBy: string | null): string {
  return placed(template, seq, writtenJson(recordedAt, recordedBy));
}

/** The same text as `canonicalEntryByLibrary`, fast. */
export function canonicalEntry(e: ChainEntry): string {
  return canonicalText(canonicalTemplate(e), e.seq, e.recordedAt, e.recordedBy);
}

export function chainHash(prevHash: string, entry: ChainEntry): string {
  return sha256Hex(prevHash + canonicalEntry(entry));
}

/**
 * Chains entries one transaction writes (its time and login, so their JSON is
 * made once): `chainHash` of the entry each template was made from, placed at
 * `seq`.
 */
export function chainHasherAt(recordedAt: string, recordedBy: string): (prevHash: string, template: CanonicalTemplate, seq: number) => string {
  const written = writtenJson(recordedAt, recordedBy);
  return (prevHash, template, seq) => sha256Hex(prevHash + placed(template, seq, written));
}
