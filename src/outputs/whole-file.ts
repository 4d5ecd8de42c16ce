/**
 * An output written whole or not at all, privately (private-file.ts). It is
 * written beside its path under a temporary name and renamed over the path
 * only when complete, so a command that fails or is stopped leaves what was
 * there before, and nothing else. A path that exists and is neither a
 * regular file nor a link (/dev/null, a pipe) is written directly: there is
 * nothing there to keep, and a rename would replace the device itself.
 */

import { type Stats, type WriteStream, constants, createWriteStream, lstatSync, openSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { inputError } from '../domain/errors.js';
import { assertSafeOutput, createBeside, renameOver } from './private-file.js';

function lstatOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function cannotWrite(path: string, error: unknown) {
  const e = error as NodeJS.ErrnoException;
  return inputError(
    'output-unwritable',
    { value: path, detail: e.code === 'ENOENT' ? 'no such folder' : e.message },
    `${e.code === 'ENOSPC' ? 'free some space there, or choose another path' : 'choose a path in a folder you may write to'}; what was there is as it was`,
  );
}

export class WholeFile {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  /** `temporary`: where it is written until complete (none for a device or pipe, written directly). */
  private constructor(
    readonly path: string,
    private readonly temporary: string | undefined,
    fd: number,
  ) {
    this.stream = createWriteStream('', { fd });
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  /**
   * Starts the file: its temporary name is taken now, so a path that cannot
   * be written fails before any work. `flag`: the option that chose the path.
   */
  static create(path: string, flag?: string): WholeFile {
    assertSafeOutput(path, flag);
    const existing = lstatOf(path);
    if (existing && !existing.isFile()) {
      try {
        return new WholeFile(path, undefined, openSync(path, constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0)));
      } catch (error) {
        throw cannotWrite(path, error);
      }
    }
    try {
      const temporary = createBeside(path);
      return new WholeFile(path, temporary.path, temporary.fd);
    } catch (error) {
      throw cannotWrite(path, error);
    }
  }

  async write(text: string | Uint8Array): Promise<void> {
    if (this.failure) throw cannotWrite(this.path, this.failure);
    if (!this.stream.write(text))
      await once(this.stream, 'drain').catch((error: unknown) => Promise.reject(cannotWrite(this.path, error)));
  }

  /** Everything is written: flushed and closed, still under its temporary name. */
  async finish(): Promise<void> {
    if (this.failure) throw cannotWrite(this.path, this.failure);
    this.stream.end();
    if (!this.stream.closed)
      await once(this.stream, 'close').catch((error: unknown) => Promise.reject(cannotWrite(this.path, error)));
    if (this.failure) throw cannotWrite(this.path, this.failure);
  }

  /** Finished: the file takes its name. */
  publish(): void {
    try {
      if (this.temporary) renameOver(this.temporary, this.path);
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
