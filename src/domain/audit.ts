/**
 * The audit chain (SPEC 5): hash = sha256(prev_hash || canonical JSON of the
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
  enquiries: ChainEnquiry[];
}

export function canonicalEntry(entry: ChainEntry): string {
  return canonicalJson({
    seq: entry.seq,
    sourceKey: entry.sourceKey,
    utr: entry.utr,
    partnershipUtr: entry.partnershipUtr,
    contactType: entry.contactType,
    contactName: entry.contactName,
    channel: entry.channel,
    direction: entry.direction,
    authentication: entry.authentication,
    enquiryDate: entry.enquiryDate,
    operatorPid: entry.operatorPid,
    importRunId: entry.importRunId,
    recordedAt: entry.recordedAt,
    enquiries: entry.enquiries.map((e) => ({
      position: e.position, subject: e.subject, actionTaken: e.actionTaken, generalNotes: e.generalNotes,
    })),
  });
}

export function chainHash(prevHash: string, entry: ChainEntry): string {
  return sha256Hex(prevHash + canonicalEntry(entry));
}
