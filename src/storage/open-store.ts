/**
 * Opens the store: a PostgreSQL server through postgres.js when one is
 * named (see connection.ts), otherwise an embedded PostgreSQL (PGlite) in a data directory,
 * through its resident holder (holder-client.ts) unless told to open it here.
 * Drivers are imported lazily: start-up time matters for `record`, and a
 * server user never loads PGlite's WebAssembly.
 */

import type { Store, StoreOptions } from './database.js';

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.server) {
    const { openServerStore } = await import('./server-driver.js');
    return openServerStore(options.server, options.applicationName ?? 'cis-contact');
  }
  if (options.holder) {
    // The holder is reached (started, when none answers) while the database code loads: the two overlap.
    const { reachHolder } = await import('./holder-start.js');
    const [address, { openHeldStore }] = await Promise.all([
      reachHolder(options.dataDir, { ...options, env: options.holder.env }),
      import('./holder-client.js'),
    ]);
    // The holder names the command and its process to others waiting behind it.
    const name = `${options.applicationName ?? 'cis-contact'} (process ${process.pid})`;
    if (address) return openHeldStore(options.dataDir, address, name, options.onWait, options.signal);
  }
  const { openEmbeddedStore } = await import('./embedded-driver.js');
  return openEmbeddedStore(options.dataDir, options);
}
