/**
 * Opens the store: a PostgreSQL server through postgres.js when a URL is
 * given, otherwise an embedded PostgreSQL (PGlite) in a data directory.
 * Drivers are imported lazily: start-up time matters for `record`, and a
 * server user never loads PGlite's WebAssembly.
 */

import type { Store, StoreOptions } from './database.js';

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const { openServerStore } = await import('./server-driver.js');
    return openServerStore(options.databaseUrl);
  }
  const { openEmbeddedStore } = await import('./embedded-driver.js');
  return openEmbeddedStore(options.dataDir, options);
}
