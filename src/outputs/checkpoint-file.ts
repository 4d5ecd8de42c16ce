/**
 * Reads the checkpoints an auditor kept outside the store: the line
 * `verify` prints (`{"checkpoint":{"seq","headHash",…,"store"}}`), an export's
 * manifest (a JSON Lines export's last line, or a CSV export's
 * FILE.manifest.json), and the entries of a JSON Lines export itself, each of
 * which pins its own hash. Lines that are none of these (a saved terminal
 * transcript's other lines, say) are passed over. Only whole lines count: a
 * line that starts like one of them but cannot be read whole — cut, wrapped
 * by a mail client, or with a note after it — is refused naming its file and
 * line, never passed over, so a kept checkpoint can never silently drop out.
 * A file with no checkpoint at all is refused.
 */

import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { inputError } from '../domain/errors.js';
import type { Checkpoint } from '../domain/verification.js';

interface CheckpointLine {
  checkpoint?: { seq?: unknown; headHash?: unknown; store?: unknown };
  manifest?: { lastSeq?: unknown; headHash?: unknown; count?: unknown; store?: unknown };
  seq?: unknown;
  hash?: unknown;
}

const HASH = /^[0-9a-f]{64}$/;
/** How a checkpoint, a manifest or an export entry starts. */
const STARTS_LIKE_ONE = /^\s*\{\s*"(checkpoint|manifest|seq)"\s*:/;

type Pinned = { seq: number; hash: string; store?: string } | string;

/** What a line pins, 'empty' for an empty store's manifest, or why it cannot be read. */
function pinned(value: CheckpointLine): Pinned {
  const [seq, hash, store] = value.checkpoint
    ? [value.checkpoint.seq, value.checkpoint.headHash, value.checkpoint.store]
    : value.manifest
      ? [value.manifest.lastSeq, value.manifest.headHash, value.manifest.store]
      : [value.seq, value.hash, undefined];
  if (value.manifest && value.manifest.count === 0 && seq === null) return 'empty';
  if (!(typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0))
    return 'its seq is not a whole number above 0';
  if (!(typeof hash === 'string' && HASH.test(hash))) return 'its hash is not 64 hexadecimal digits';
  if (store === undefined || store === null) return { seq, hash };
  if (!(typeof store === 'string' && HASH.test(store))) return 'the store it names is not 64 hexadecimal digits';
  return { seq, hash, store };
}

export async function readCheckpoints(path: string): Promise<Checkpoint[]> {
  if (!existsSync(path))
    throw inputError('file-unreadable', { value: `the checkpoint file ${path}`, detail: 'no such file' });
  const found: Checkpoint[] = [];
  let line = 0;
  const refuse = (why: string) =>
    inputError(
      'file-unreadable',
      { value: `the checkpoint file ${path}, line ${line}`, detail: why },
      'keep each checkpoint, manifest or export entry whole on a line of its own, as cis-contact wrote it; a note goes on a line of its own',
    );
  for await (const text of createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  })) {
    line++;
    const bare = line === 1 ? text.replace(/^\ufeff/, '') : text;
    if (!STARTS_LIKE_ONE.test(bare)) {
      if (/\{\s*"(checkpoint|manifest)"\s*:/.test(bare)) throw refuse('text comes before its checkpoint on the line');
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(bare);
    } catch {
      throw refuse(
        'it starts like a checkpoint, manifest or export entry but is not one whole JSON object: it may be cut, wrapped, or have text after it',
      );
    }
    const point =
      value && typeof value === 'object' && !Array.isArray(value) ? pinned(value) : 'it is not a JSON object';
    if (point === 'empty') continue;
    if (typeof point === 'string') throw refuse(point);
    found.push({ ...point, source: `${path}:${line}` });
  }
  if (found.length === 0) {
    throw inputError(
      'file-unreadable',
      { value: path, detail: 'it holds no checkpoint' },
      'give a file with the checkpoint line cis-contact verify printed, an export manifest, or a JSON Lines export',
    );
  }
  return found;
}
