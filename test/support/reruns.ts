/**
 * What every stopped-import test asks of the same command run again: it
 * completes the import exactly.
 */

import { expect } from 'vitest';
import { runCli } from './cli.js';
import type { Target } from './targets.js';

/**
 * Runs the import of `file` (`rows` rows) again after one stopped part-way
 * had committed `partial` of them: it reads every row, finds those stored,
 * writes the rest, and the store then holds every row once — as many
 * entries as rows, and `extra` recorded meanwhile, numbered without a gap
 * (a source key is unique in the store).
 */
export async function expectRerunCompletes(
  target: Target,
  run: { file: string; rows: number; partial: number; cwd: string; extra?: number },
): Promise<void> {
  const { file, rows, partial, cwd, extra = 0 } = run;
  const rerun = await runCli(['--json', 'import', file], target.env, { cwd });
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(rerun.json).toMatchObject({
    rowsRead: rows,
    rowsRejected: 0,
    rowsDuplicate: partial,
    rowsAccepted: rows - partial,
  });
  expect((await runCli(['--json', 'verify'], target.env, { cwd })).json).toMatchObject({
    intact: true,
    checked: rows + extra,
    firstSeq: 1,
    lastSeq: rows + extra,
  });
}
