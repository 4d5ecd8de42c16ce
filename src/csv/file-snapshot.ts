/**
 * A file is read whole or not at all. The whole-file check proves the file
 * can be read faithfully as it was then; a file that another program goes on
 * writing (a log still being exported, appended to, or copied in) would be
 * imported part old, part new, and the rows read early committed before the
 * rest exist. So the file's size and modification time are taken when the
 * check starts, and the import stops (`file-changed`) as soon as they differ.
 */

import { statSync } from 'node:fs';
import { storageError } from '../domain/errors.js';

export interface FileSnapshot {
  path: string;
  size: number;
  mtimeMs: number;
}

export function snapshotOf(path: string): FileSnapshot | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? { path, size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch {
    // The check itself says why the file cannot be read.
    return undefined;
  }
}

/** Fails with `file-changed` if the file is no longer what the whole-file check read. */
export function assertUnchanged(snapshot: FileSnapshot | undefined): void {
  if (!snapshot) return;
  const now = snapshotOf(snapshot.path);
  if (now && now.size === snapshot.size && now.mtimeMs === snapshot.mtimeMs) return;
  const what = !now
    ? 'it was removed'
    : now.size !== snapshot.size
      ? `its size went from ${snapshot.size} to ${now.size} bytes`
      : `it was modified at ${new Date(now.mtimeMs).toISOString()}`;
  throw storageError(
    'file-changed',
    { value: snapshot.path, detail: what },
    'the file may still be being written or copied; once it is complete and left alone, run the same command again: nothing is stored twice',
  );
}
