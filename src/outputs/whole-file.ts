/**
 * An output written whole or not at all. It is written beside its path under
 * a temporary name and renamed over the path only when complete, so a
 * command that fails or is stopped leaves what was there before, and nothing
 * else. A path that exists and is not a regular file (/dev/null, a pipe) is
 * written directly: there is nothing there to keep, and a rename would
 * replace the device itself.
 */

import { type Stats, type WriteStream, closeSync, createWriteStream, fchmodSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { inputError } from '../domain/errors.js';

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function cannotWrite(path: string, error: unknown) {
  const e = error as NodeJS.ErrnoException;
  return inputError('output-unwritable', { value: path, detail: e.code === 'ENOENT' ? 'no such folder' : e.message },
    `${e.code === 'ENOSPC' ? 'free some space there, or choose another path' : 'choose a path in a folder you may write to'}; what was there is as it was`);
}

export class WholeFile {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  /** `target`: the file the path names (through a link, the file it points to); `temporary`: where it is written until complete. */
  private constructor(readonly path: string, private readonly target: string, private readonly temporary: string | undefined, fd: number) {
    this.stream = createWriteStream('', { fd });
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  /** Starts the file: its temporary name is taken now, so a path that cannot be written fails before any work. */
  static create(path: string): WholeFile {
    const existing = statOf(path);
    if (existing && !existing.isFile()) {
      try {
        return new WholeFile(path, path, undefined, openSync(path, 'w'));
      } catch (error) {
        throw cannotWrite(path, error);
      }
    }
    const target = existing ? realpathSync(path) : path;
    const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
    let fd: number | undefined;
    try {
      fd = openSync(temporary, 'wx');
      // The file replaced keeps its permissions.
      if (existing) fchmodSync(fd, existing.mode & 0o7777);
    } catch (error) {
      if (fd !== undefined) {
        closeSync(fd);
        rmSync(temporary, { force: true });
      }
      throw cannotWrite(path, error);
    }
    return new WholeFile(path, target, temporary, fd);
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw cannotWrite(this.path, this.failure);
    if (!this.stream.write(text)) await once(this.stream, 'drain').catch((error: unknown) => Promise.reject(cannotWrite(this.path, error)));
  }

  /** Everything is written: flushed and closed, still under its temporary name. */
  async finish(): Promise<void> {
    if (this.failure) throw cannotWrite(this.path, this.failure);
    this.stream.end();
    if (!this.stream.closed) await once(this.stream, 'close').catch((error: unknown) => Promise.reject(cannotWrite(this.path, error)));
    if (this.failure) throw cannotWrite(this.path, this.failure);
  }

  /** Finished: the file takes its name. */
  publish(): void {
    try {
      if (this.temporary) renameSync(this.temporary, this.target);
    } catch (error) {
      throw cannotWrite(this.path, error);
    }
  }

  /** Not complete: what was written goes, and the path keeps what it held. */
  discard(): void {
    this.stream.destroy();
    if (this.temporary) rmSync(this.temporary, { force: true });
  }
}
