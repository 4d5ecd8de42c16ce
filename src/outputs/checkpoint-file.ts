/**
 * Reads the checkpoints an auditor kept outside the store: the line
 * `verify` prints (`{"checkpoint":{"seq","headHash",…}}`), an export's
 * manifest (a JSON Lines export's last line, or a CSV export's
 * FILE.manifest.json), and the entries of a JSON Lines export itself, each of
 * which pins its own hash. Lines that are none of these (a saved terminal
 * transcript, say) are passed over; a file with no checkpoint at all is refused.
 */

import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { inputError } from '../domain/errors.js';
import type { Checkpoint } from '../domain/verification.js';

interface CheckpointLine {
  checkpoint?: { seq?: unknown; headHash?: unknown };
  manifest?: { lastSeq?: unknown; headHash?: unknown };
  seq?: unknown;
  hash?: unknown;
}

const HASH = /^[0-9a-f]{64}$/;

function pinned(value: CheckpointLine): { seq: number; hash: string } | undefined {
  const [seq, hash] = value.checkpoint ? [value.checkpoint.seq, value.checkpoint.headHash]
    : value.manifest ? [value.manifest.lastSeq, value.manifest.headHash]
      : [value.seq, value.hash];
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 && typeof hash === 'string' && HASH.test(hash) ? { seq, hash } : undefined;
}

export async function readCheckpoints(path: string): Promise<Checkpoint[]> {
  if (!existsSync(path)) throw inputError('file-unreadable', { value: `the checkpoint file ${path}`, detail: 'no such file' });
  const found: Checkpoint[] = [];
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    line++;
    const start = text.indexOf('{');
    if (start === -1) continue;
    let value: CheckpointLine;
    try {
      value = JSON.parse(text.slice(start));
    } catch {
      continue;
    }
    const point = value && typeof value === 'object' ? pinned(value) : undefined;
    if (point) found.push({ ...point, source: `${path}:${line}` });
  }
  if (found.length === 0) {
    throw inputError('file-unreadable', { value: path, detail: 'it holds no checkpoint' },
      'give a file with the checkpoint line cis-contact verify printed, an export manifest, or a JSON Lines export');
  }
  return found;
}
