/**
 * A rejects file takes its name before its checksum is written beside it, so
 * one without a checksum was left by an import stopped in between: the next
 * run names it as such, never overwrites it and never invites importing it
 * as a file of corrections. No storage is involved: one driver does.
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { type Target, fixtureStore, storedCounts } from '../support/targets.js';

const HEADER =
  'contact_ref,utr,partners,contact_type,contact_name,channel,direction,enquiry_date,authentication,operator_pid,subject,action_taken,general_notes';

describe('a rejects file left by an interrupted import', () => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore('pglite', 'interrupted'));
  });
  afterAll(() => target?.dispose());

  it('is named as left by an interrupted import, with move it away or --rejects, and kept as it is', async () => {
    const log = join(cwd, 'killed.csv');
    writeFileSync(
      log,
      `${HEADER}\nK-1,1955839661,,agent,Jo Bloggs,email,,2020-02-02,authenticated,9999999,Letter,Sent a letter,\n`,
    );
    const rejects = join(cwd, 'killed.rejects.csv');
    expect((await cli(['import', log])).code).toBe(1);
    // What a kill between the file taking its name and its checksum leaves.
    rmSync(join(cwd, '.killed.rejects.csv.sha256'));
    const left = readFileSync(rejects, 'utf8');
    const before = await storedCounts(target);
    const again = await cli(['import', log]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /killed\.rejects\.csv was left by an interrupted import \(no checksum stands beside it, so it may not be whole\): move it away or pass --rejects with another path \[output-is-input\]/,
    );
    expect(again.stderr).not.toContain('may hold your corrections');
    expect(readFileSync(rejects, 'utf8')).toBe(left);
    expect(await storedCounts(target)).toEqual(before);
    // Given another path, the run goes ahead and leaves the file where it is.
    const elsewhere = await cli(['import', log, '--rejects', join(cwd, 'killed-2.rejects.csv')]);
    expect(elsewhere.code).toBe(1);
    expect(existsSync(join(cwd, 'killed-2.rejects.csv'))).toBe(true);
    expect(readFileSync(rejects, 'utf8')).toBe(left);
  });
});
