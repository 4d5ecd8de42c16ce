/**
 * The contact import driven directly, on both drivers, where a test must act
 * at a precise point of an import: between the whole-file check and the
 * rows, or between two batches.
 */

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abbreviationFinder } from '../../src/domain/abbreviations.js';
import { NO_MAP } from '../../src/csv/header.js';
import { DEFAULT_FORMAT } from '../../src/csv/reader.js';
import { type ContactImportOptions, importContacts } from '../../src/import/contact-import.js';
import { checkLogFile } from '../../src/import/contact-log.js';
import { sql } from 'drizzle-orm';
import { type Store, rows } from '../../src/storage/database.js';
import { DRIVERS, type Target, fixtureStore } from '../support/targets.js';
import { HEADER } from '../support/contact-log.js';

const row = (ref: string) =>
  `${ref},1955839661,,agent,Jo Bloggs,email,,2020-02-02,authenticated,1234567,Letter,Sent a letter,note of ${ref}`;
const settings = { today: '2026-11-22', strict: false, abbreviations: abbreviationFinder() };

describe.each(DRIVERS)('the contact import on %s', (driver) => {
  let target: Target;
  let cwd: string;
  let store: Store;

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'contact-import'));
    store = await target.open();
  });
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  /** Through the import's own store: the embedded one admits one holder at a time. */
  const storedContacts = async () =>
    (await rows<{ n: number }>(store.db, sql`select count(*)::int as n from public.contacts`))[0]!.n;

  /** A log of `n` rows, checked as the import command checks it. */
  async function checkedLog(name: string, n: number) {
    const file = join(cwd, name);
    writeFileSync(file, `${[HEADER, ...Array.from({ length: n }, (_, i) => row(`${name}-${i + 1}`))].join('\n')}\n`);
    const unchanged = await checkLogFile(file, { format: DEFAULT_FORMAT }, NO_MAP);
    const options: ContactImportOptions = {
      file,
      format: DEFAULT_FORMAT,
      map: NO_MAP,
      rejectsPath: join(cwd, `${name}.rejects.csv`),
      rejectsAlways: false,
      dryRun: false,
      settings,
      unchanged,
    };
    return { file, options };
  }

  it('a log that changes after the whole-file check stores nothing: file-changed, a storage failure', async () => {
    const { file, options } = await checkedLog('grown', 10);
    appendFileSync(file, `${row('grown-11')}\n`);
    const before = await storedContacts();
    await expect(importContacts(store, options)).rejects.toMatchObject({
      kind: 'storage',
      code: 'file-changed',
      message: expect.stringMatching(/grown changed while it was being imported: its size went from \d+ to \d+ bytes/),
    });
    expect(await storedContacts()).toBe(before);
  });

  it('a log appended to between batches stops the import at the next batch: what was committed is what was counted', async () => {
    const { file, options } = await checkedLog('appended', 40);
    const before = await storedContacts();
    let counted = 0;
    const run = importContacts(store, {
      ...options,
      batchRows: 5,
      onProgress: ({ rowsRead: rows }) => {
        // Another program goes on writing the file once the first batch is in.
        if (counted === 0) appendFileSync(file, `${row('appended-41')}\n`);
        counted = rows;
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'file-changed' });
    const stored = (await storedContacts()) - before;
    expect(stored).toBe(counted);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(40);
  });
});
