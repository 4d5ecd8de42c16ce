/**
 * Where an embedded store's resident holder listens: a Unix socket in a
 * folder of its own inside the store's private folder, named as PostgreSQL
 * names its sockets (`.s.PGSQL.5432`), so a client reaches it as it reaches a
 * server's socket folder. Only the store's owner can reach inside (0700);
 * before connecting, a client checks that the folders and the socket are its
 * own and open to nobody else, so a socket another account planted in a
 * store left open is never taken for the holder.
 */

import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The binary the holder runs as (`cis-contact db serve`), and what creates a store for it. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/cis-contact.js', import.meta.url));

/** What the holder says on its standard output while it starts, one line each (holder-client.ts reads them). */
export const HOLDER_SAYS = { ready: 'ready', busy: 'busy', waiting: 'waiting ', failed: 'failed ' } as const;

/** How the holder's notice to a client waiting for its turn begins (wire-relay.ts), which holder-client.ts passes on. */
export const HOLDER_WAIT_NOTICE = 'waiting for the store: ';

const HOLDER_FOLDER = 'holder';
export const HOLDER_PORT = 5432;
/** A socket's path has a short length limit (108 bytes on Linux, with its terminating zero). */
const SOCKET_PATH_MAX = 100;

export interface HolderAddress {
  folder: string;
  socket: string;
}

/** The holder's folder and socket for the store in DIR; undefined where the path is too long for a socket. */
export function holderAddress(dataDir: string): HolderAddress | undefined {
  const folder = join(dataDir, HOLDER_FOLDER);
  const socket = join(folder, `.s.PGSQL.${HOLDER_PORT}`);
  return Buffer.byteLength(socket) <= SOCKET_PATH_MAX && process.platform !== 'win32' ? { folder, socket } : undefined;
}

/** Whether PATH is this account's own, not a link, and (for a folder) closed to everyone else. */
function ownAndClosed(path: string, kind: 'folder' | 'socket'): boolean {
  try {
    const stat = lstatSync(path);
    const me = process.getuid?.();
    if (me !== undefined && stat.uid !== me) return false;
    if (kind === 'folder') return stat.isDirectory() && (stat.mode & 0o077) === 0;
    return stat.isSocket();
  } catch {
    return false;
  }
}

/** Whether the holder's socket may be trusted to be this account's holder: everything on its path its own and private. */
export function trustedHolderSocket(dataDir: string, address: HolderAddress): boolean {
  return (
    ownAndClosed(dataDir, 'folder') && ownAndClosed(address.folder, 'folder') && ownAndClosed(address.socket, 'socket')
  );
}
