/**
 * docs/auditor.md is followed as written: every command in its shell blocks,
 * in order, on a store holding the sample history, with the checkpoint line
 * kept as step 1 says. Each must answer as the page says it does.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureStore } from '../support/targets.js';

const GUIDE = readFileSync(new URL('../../docs/auditor.md', import.meta.url), 'utf8');
const COMMANDS = [...GUIDE.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));

describe.each(DRIVERS)("the auditor's guide on %s", (driver) => {
  let target: Target;
  let cwd: string;

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'auditor'));
    // The sample log has rows the rules reject (exit 1); the rest is stored.
    expect(
      (await runCli(['import', join(FIXTURES, 'contacts.csv'), '--rejects', '/dev/null'], target.env, { cwd })).code,
    ).toBeLessThanOrEqual(1);
  }, 180_000);
  afterAll(() => target?.dispose());

  it('every command of the page runs as it says, in order', async () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(6);
    for (const command of COMMANDS) {
      const [program, ...args] = command.split(/ +/);
      expect(program).toBe('cis-contact');
      const r = await runCli(args, target.env, { cwd });
      expect(r.code, `${command}\n${r.stdout}${r.stderr}`).toBe(0);
      if (args[0] === 'verify') expect(r.stdout, command).toMatch(/^Intact/);
      // Step 1: the last line of a verify of the store is kept in the auditor's own file.
      if (command === 'cis-contact verify')
        writeFileSync(join(cwd, 'cis-checkpoints.txt'), `${r.stdout.trimEnd().split('\n').at(-1)}\n`);
      if (args.includes('--checkpoint')) expect(r.stdout).toMatch(/(\d+) of \1 checkpoints matched; none differs/);
      if (args[0] === 'history') expect(r.stdout).toContain('Explained the monthly return');
    }
  });
});
