/**
 * Identity of stored contacts (SPEC 1.6): content hashes that tell "the same
 * contact again" from "a different contact under the same key", and source keys.
 */

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Contact, ContactTarget } from './contact.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** RFC 8785 canonical JSON. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no canonical JSON form');
  return text;
}

/**
 * Content and fingerprints are internal identities, never shown to an auditor,
 * so they hash a fixed-order JSON array: deterministic, and much cheaper per
 * row than canonicalising an object.
 */
function contactFields(c: Contact): unknown[] {
  const enquiries = c.enquiries.map((e) => [e.subject, e.actionTaken, e.generalNotes]);
  return [c.contactType, c.contactName, c.channel, c.direction, c.authentication, c.enquiryDate, c.operatorPid, enquiries];
}

/** What one stored contact says, hashed: equal hashes mean the same contact. 128 bits as hex. */
export function contentHash(contact: Contact, target: ContactTarget): string {
  return sha256Hex(JSON.stringify(['content-v1', target.utr, target.partnershipUtr, ...contactFields(contact)])).slice(0, 32);
}

/** The fingerprint of an input contact (before partnership expansion), for rows without a contact_ref. */
export function unitFingerprint(contact: Contact): string {
  return sha256Hex(JSON.stringify(['unit-v1', contact.utr, contact.partners, ...contactFields(contact)])).slice(0, 32);
}
/** The source key of one stored contact: the unit's key, plus the partner's UTR when expanded. */
export function sourceKey(unitKey: string, target: ContactTarget): string {
  return target.partnershipUtr === null ? unitKey : `${unitKey}/${target.utr}`;
}

export function fingerprintKey(fingerprint: string, occurrence: number): string {
  return `sha256:${fingerprint}#${occurrence}`;
}
