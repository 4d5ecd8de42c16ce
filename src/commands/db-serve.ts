/**
 * `cis-contact db serve`: the embedded store's resident holder, started
 * detached by the first command that needs the store (storage/holder-client.ts),
 * not by people. It tells its starter, on standard output, one word: `ready`,
 * `busy` (another holder has the store), or `failed` and why; then it serves
 * until its quiet period ends, `db stop` or SIGTERM.
 */

import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';

/** How a wait for the store names a holder that has it (store-lock.ts's "pid N: cis-contact ARGS"). */
const ANOTHER_HOLDER = /\(pid \d+: cis-contact db serve\b/;

function idleSeconds(session: Session, fallback: number): number {
  const given = session.env.CIS_CONTACT_HOLDER_IDLE?.trim();
  const seconds = given ? Number(given) : fallback;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}

export async function dbServe(session: Session): Promise<CommandResult> {
  const { DEFAULT_HOLDER_IDLE_SECONDS, startHolder } = await import('../storage/holder-server.js');
  const { HOLDER_SAYS } = await import('../storage/holder-address.js');
  const tell = (line: string) => session.ui.stdout.write(`${line}\n`);
  const busy = new AbortController();
  let holder;
  try {
    holder = await startHolder(session.dataDir, {
      idleMs: idleSeconds(session, DEFAULT_HOLDER_IDLE_SECONDS) * 1000,
      lock: {
        socketDir: session.env.CIS_CONTACT_LOCK_SOCKET_DIR,
        args: ['db', 'serve', '--data-dir', session.dataDir],
      },
      signal: AbortSignal.any([session.signal, busy.signal]),
      env: session.env,
      onWait: (message) => {
        if (ANOTHER_HOLDER.test(message)) busy.abort();
        else tell(`${HOLDER_SAYS.waiting}${message}`);
      },
    });
  } catch (error) {
    // Busy, or stopped by the client that started it because another holder answered first.
    if (busy.signal.aborted || session.signal.aborted) {
      tell(HOLDER_SAYS.busy);
      return { exitCode: 0, json: { served: false } };
    }
    tell(`${HOLDER_SAYS.failed}${(error as Error).message}`);
    throw error;
  }
  tell(HOLDER_SAYS.ready);
  const started = holder;
  session.signal.addEventListener('abort', () => void started.stop('stopped'), { once: true });
  if (session.signal.aborted) void started.stop('stopped');
  const reason = await started.stopped;
  session.ui.stderr.write(`holder for ${session.dataDir} left: ${reason}\n`);
  return { exitCode: 0, json: { served: true, reason } };
}
