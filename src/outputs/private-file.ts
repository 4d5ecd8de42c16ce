/**
 * Writing a file that holds stored or imported text, safely. Exports,
 * manifests, rejects and warnings files and their checksums hold taxpayers'
 * notes, so each is its owner's only (0600) whatever the umask, as the store
 * is; sharing one is a deliberate `chmod` afterwards.
 *
 * And each lands only where the user said. It is written to a new temporary
 * file beside the destination, created exclusively and never through a link
 * (O_CREAT|O_EXCL|O_NOFOLLOW: not a file someone else made, not wherever a
 * link planted at its name points), and renamed over the destination only
 * when whole. A rename replaces a link at the destination; it never writes
 * through one. A destination that is itself a link, or in a folder another
 * account may change (writable by group or others and not sticky, or another
 * account's), is refused before anything is read or written: whoever can
 * change that folder can put a link there between the check and the write,
 * or take the file away once written.
 */

import {
  type Stats,
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  openSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { inputError } from '../domain/errors.js';

const PRIVATE = 0o600;
const GROUP_OR_OTHERS_WRITE = 0o022;
const STICKY = 0o1000;

function lstatOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function unsafe(path: string, detail: string, flag: string | undefined, fix: string) {
  const elsewhere = flag ? `give another path with ${flag}` : 'write it elsewhere';
  return inputError('output-unsafe', { value: path, detail }, `${fix}, or ${elsewhere}; nothing was read or written`);
}

/**
 * Refuses, with `output-unsafe`, a destination that is a link or whose folder
 * another account may change. `flag`: the option that chooses the path, for
 * the message.
 */
export function assertSafeOutput(path: string, flag?: string): void {
  const here = lstatOf(path);
  if (here?.isSymbolicLink()) {
    let target = '';
    try {
      target = ` to ${readlinkSync(path)}`;
    } catch {
      // Unreadable: the link is refused all the same.
    }
    throw unsafe(
      path,
      `it is a link${target}, and what is written through a link lands wherever it points`,
      flag,
      'give the path of the file itself, or remove the link',
    );
  }
  const me = process.getuid?.();
  // No accounts to tell apart (Windows): the folder's permissions say nothing here.
  if (me === undefined) return;
  const folder = dirname(resolve(path));
  let stat: Stats;
  try {
    stat = statSync(folder);
  } catch {
    // No such folder: writing says so, naming the path.
    return;
  }
  if (stat.uid !== me && stat.uid !== 0) {
    throw unsafe(
      path,
      `its folder ${folder} belongs to another account (uid ${stat.uid}), which could put a link where the file goes or take it away`,
      flag,
      'write it in a folder of your own and copy it from there',
    );
  }
  if ((stat.mode & GROUP_OR_OTHERS_WRITE) !== 0 && (stat.mode & STICKY) === 0) {
    throw unsafe(
      path,
      `its folder ${folder} is writable by other accounts (mode ${(stat.mode & 0o777).toString(8)}) and not sticky: one of them could put a link where the file goes, or take it away`,
      flag,
      `write it in a folder only you may write (chmod go-w ${folder}) and copy it from there`,
    );
  }
}

/** A new, empty, private file beside a destination, open for writing. */
export interface TemporaryFile {
  fd: number;
  path: string;
}

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** Creates the temporary file the destination is written to; it takes the destination's name only through `renameOver`. */
export function createBeside(destination: string): TemporaryFile {
  const folder = dirname(destination);
  for (let attempt = 0; ; attempt++) {
    const path = join(folder, `.${basename(destination)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, PRIVATE);
    } catch (error) {
      // Someone else's file (or link) at a name drawn at random: draw again.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 8) continue;
      throw error;
    }
    try {
      // The umask can only take bits away; this makes the mode exactly the owner's.
      fchmodSync(fd, PRIVATE);
    } catch (error) {
      closeSync(fd);
      rmSync(path, { force: true });
      throw error;
    }
    return { fd, path };
  }
}

/** The whole file takes the destination's name, replacing what is there (a link included) without following it. */
export function renameOver(temporary: string, destination: string): void {
  renameSync(temporary, destination);
}

/** Writes a small file whole, privately, as above (a checksum). */
export function writePrivateFileSync(destination: string, text: string): void {
  const file = createBeside(destination);
  let open = true;
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let done = 0; done < bytes.length;) done += writeSync(file.fd, bytes, done);
    open = false;
    closeSync(file.fd);
    renameOver(file.path, destination);
  } catch (error) {
    if (open) closeSync(file.fd);
    rmSync(file.path, { force: true });
    throw error;
  }
}

/** Opens a file to read without following a link at its name. */
export function openNoFollow(path: string): number {
  return openSync(path, constants.O_RDONLY | NO_FOLLOW);
}
