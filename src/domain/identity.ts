/**
 * Identity of stored contacts (SPEC 1.6): content hashes that tell "the same
 * contact again" from "a different contact under the same key", and source keys.
 */

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Contact, ContactTarget, Enquiry } from './contact.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** RFC 8785 canonical JSON. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no canonical JSON form');
  return text;
}

function enquiryContent(e: Enquiry) {
  return { subject: e.subject, actionTaken: e.actionTaken, generalNotes: e.generalNotes };
}

function contactFields(c: Contact) {
  return {
    contactType: c.contactType,
    contactName: c.contactName,
    channel: c.channel,
    direction: c.direction,
    authentication: c.authentication,
    enquiryDate: c.enquiryDate,
    operatorPid: c.operatorPid,
    enquiries: c.enquiries.map(enquiryContent),
  };
}

/** What one stored contact says, hashed: equal hashes mean the same contact. 128 bits as hex. */
export function contentHash(contact: Contact, target: ContactTarget): string {
  const content = { utr: target.utr, partnershipUtr: target.partnershipUtr, ...contactFields(contact) };
  return sha256Hex(canonicalJson(content)).slice(0, 32);
}

/** The fingerprint of an input contact (before partnership expansion), for rows without a contact_ref. */
export function unitFingerprint(contact: Contact): string {
  return sha256Hex(canonicalJson({ utr: contact.utr, partners: contact.partners, ...contactFields(contact) })).slice(0, 32);
}

/** The source key of one stored contact: the unit's key, plus the partner's UTR when expanded. */
export function sourceKey(unitKey: string, target: ContactTarget): string {
  return target.partnershipUtr === null ? unitKey : `${unitKey}/${target.utr}`;
}

export function fingerprintKey(fingerprint: string, occurrence: number): string {
  return `sha256:${fingerprint}#${occurrence}`;
}
