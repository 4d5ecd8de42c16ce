/**
 * Which files cis-contact may overwrite: only a rejects file it wrote itself
 * and that nobody has changed since. A rejects file is where a migration
 * team makes its corrections; running the first import again must never
 * destroy that work. So each one the tool writes gets a checksum beside it,
 * in a hidden file in `sha256sum` format (`sha256sum -c` checks it):
 * `.NAME.sha256` next to `NAME`. A file whose checksum no longer matches,
 * or that has none, was written or changed by someone else. The checksum is
 * written as privately as the file (private-file.ts), and read without
 * following a link planted at its name.
 */

import { createHash } from 'node:crypto';
import { closeSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openNoFollow, writePrivateFileSync } from './private-file.js';

export function checksumPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.sha256`);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Keeps the checksum of a file just written (not of a device such as /dev/null). */
export function recordWritten(path: string, digest: string): void {
  if (!statSync(path).isFile()) return;
  writePrivateFileSync(checksumPathOf(path), `${digest}  ${basename(path)}\n`);
}

function checksumKept(checksumPath: string): string | undefined {
  const fd = openNoFollow(checksumPath);
  try {
    return readFileSync(fd, 'utf8').split(/\s+/)[0];
  } finally {
    closeSync(fd);
  }
}

/** True when the file is one cis-contact wrote and nobody has changed since. */
export function writtenByUsAndUnchanged(path: string): boolean {
  try {
    return checksumKept(checksumPathOf(path)) === sha256(readFileSync(path));
  } catch {
    return false;
  }
}

/**
 * True when no checksum stands beside the file. A rejects file takes its name
 * before its checksum is written, so one without a checksum is what an
 * import stopped between the two (killed, the power cut) leaves behind.
 */
export function checksumMissing(path: string): boolean {
  try {
    closeSync(openNoFollow(checksumPathOf(path)));
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** A running checksum of what is being written. */
export const newDigest = () => createHash('sha256');
