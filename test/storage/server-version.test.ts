/** The oldest server a store may live on: named when older, and the real server passes. */

import { describe, expect, it } from 'vitest';
import { requireServerVersion, serverTooOld } from '../../src/storage/server-version.js';
import { SERVER_URL, createTarget } from '../support/targets.js';

describe('minimum PostgreSQL server version', () => {
  it('a server older than PostgreSQL 13 is named with the version found', () => {
    expect(serverTooOld(120_017, '12.17')).toBe(
      'the server is PostgreSQL 12.17, and cis-contact needs PostgreSQL 13 or later',
    );
    expect(serverTooOld(129_999, '12.99')).toContain('12.99');
  });

  it('PostgreSQL 13 and later hold a store', () => {
    expect(serverTooOld(130_000, '13.0')).toBeUndefined();
    expect(serverTooOld(150_020, '15.20')).toBeUndefined();
  });

  it.skipIf(!SERVER_URL)('the test server passes the check made on opening a store', async () => {
    const target = await createTarget('postgres', false);
    const store = await target.open();
    try {
      await expect(requireServerVersion(store.db, store.location)).resolves.toBeUndefined();
    } finally {
      await store.close();
      await target.dispose();
    }
  });
});
