/**
 * `cis-contact db stop`: asks the embedded store's resident holder to leave
 * now, and waits until it has closed the store. The holder is found through
 * the store's lock, which only a process of the store's owner can hold and
 * answer for, inside the owner's private folder.
 */

import { usageError } from '../domain/errors.js';
import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';

const HOLDER_PID = /^pid (\d+): cis-contact db serve\b/;

/** Whether process `pid` still exists (signal 0 asks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the holder's process to be gone too (it has let go of the store; its last files close as it exits). */
async function processEnded(pid: number): Promise<void> {
  for (let waited = 0; alive(pid) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
}

export async function dbStop(session: Session): Promise<CommandResult> {
  if (session.server) {
    throw usageError("db stop stops the embedded store's holder; a PostgreSQL server is stopped by its administrator");
  }
  const { lockHolder, lockReleased } = await import('../storage/store-lock.js');
  const lock = { socketDir: session.env.CIS_CONTACT_LOCK_SOCKET_DIR };
  const dataDir = session.dataDir;
  const holder = await lockHolder(dataDir, lock).catch(() => undefined);
  const pid = holder ? HOLDER_PID.exec(holder)?.[1] : undefined;
  if (!pid) {
    return {
      exitCode: 0,
      json: { stopped: false, location: dataDir },
      report: () =>
        session.ui.say(
          holder
            ? `No holder is serving ${dataDir}: ${holder} has it open in its own process.`
            : `No holder is serving ${dataDir}.`,
        ),
    };
  }
  process.kill(Number(pid), 'SIGTERM');
  await lockReleased(dataDir, lock, session.signal);
  await processEnded(Number(pid));
  return {
    exitCode: 0,
    json: { stopped: true, pid: Number(pid), location: dataDir },
    report: () => session.ui.say(`Stopped the holder of ${dataDir} (pid ${pid}); the store is closed.`),
  };
}
