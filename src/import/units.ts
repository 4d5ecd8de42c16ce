/** From a checked contact to the unit that storage writes all or nothing (SPEC 1.5, 1.6). */

import type { Contact, ContactTarget } from '../domain/contact.js';
import { contentHashes, sourceKey } from '../domain/identity.js';
import type { PreparedUnit } from '../storage/history-writer.js';

/** One stored contact per target; each key is the unit's key plus the partner's UTR when expanded. */
export function prepareUnit(
  contact: Contact, targets: readonly ContactTarget[], unitKey: string, hashes: readonly string[] = contentHashes(contact, targets),
): PreparedUnit {
  return {
    contacts: targets.map((target, i) => ({
      sourceKey: sourceKey(unitKey, target),
      contentHash: hashes[i]!,
      target,
      contact,
    })),
  };
}
