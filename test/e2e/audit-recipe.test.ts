/**
 * The independent check of docs/audit.md, taken from the page as written
 * (so the page cannot drift from what is tested) and run with python3, and
 * the tool's own verify, against a history its owner rewrote and re-chained:
 * a note changed behind the triggers and every hash after it recomputed, so
 * that the store alone reads whole. Kept checkpoint lines, a kept manifest
 * and a kept export show it, naming the entry and saying the store cannot
 * say by whom.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureTarget } from '../support/targets.js';
import { chainHash } from '../../src/domain/audit.js';
import { storedContentHash } from '../../src/domain/identity.js';
import { scratchFolder } from '../support/scratch.js';

const PYTHON = spawnSync('python3', ['--version']).status === 0;

/** The checking recipe of docs/audit.md: its Python block that hashes. */
function recipe(): string {
  const blocks = [
    ...readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8').matchAll(/```python\n([\s\S]*?)```/g),
  ].map((m) => m[1]!);
  const found = blocks.filter((b) => b.includes('hashlib'));
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The entry whose note the owner changes. */
const CHANGED = 5;

describe.each(DRIVERS)(
  'a history rewritten and re-chained by its owner, held to what the auditor kept (%s)',
  (driver) => {
    let target: Target;
    let cwd: string;
    const cli = (args: string[]) => runCli(args, target.env, { cwd });
    const python = (...files: string[]) => spawnSync('python3', ['verify.py', ...files], { cwd, encoding: 'utf8' });
    let changed: { sourceKey: string; recordedBy: string };

    beforeAll(async () => {
      // The sample registry and operators, loaded once a run (global-setup.ts), then the sample history.
      target = await fixtureTarget(driver);
      cwd = scratchFolder('cis-contact-recipe-');
      writeFileSync(join(cwd, 'verify.py'), recipe());
      // The sample log has rows the rules reject (exit 1); the rest is stored.
      const imported = await cli(['import', join(FIXTURES, 'contacts.csv'), '--rejects', '/dev/null']);
      expect(imported.code, imported.stderr).toBe(1);
      // What the auditor keeps where the owner cannot reach: verify's whole transcript, an export, a CSV export's manifest.
      const taken = await cli(['verify']);
      expect(taken.code, taken.stderr).toBe(0);
      writeFileSync(
        join(cwd, 'transcript.txt'),
        `$ cis-contact verify\n${taken.stdout}\nkept on the auditor's laptop\n`,
      );
      expect((await cli(['export', '--format', 'jsonl', '--out', 'kept.jsonl'])).code).toBe(0);
      expect((await cli(['export', '--out', 'kept.csv'])).code).toBe(0);
      const kept = readFileSync(join(cwd, 'kept.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l));
      expect(kept.length).toBeGreaterThan(CHANGED + 1);
      changed = { sourceKey: kept[CHANGED - 1].sourceKey, recordedBy: kept[CHANGED - 1].recordedBy };
    }, 300_000);
    afterAll(() => target?.dispose());

    it.skipIf(!PYTHON)(
      'the recipe passes the history as kept, held to the transcript, the manifest and the export (skipped only where python3 is not installed)',
      () => {
        const r = python('kept.jsonl', 'transcript.txt', 'kept.csv.manifest.json', 'kept.jsonl');
        expect(r.status, r.stderr).toBe(0);
        const count = readFileSync(join(cwd, 'kept.jsonl'), 'utf8').trimEnd().split('\n').length - 1;
        expect(r.stdout).toMatch(
          new RegExp(`^intact ${count} [0-9a-f]{64}\n${count} kept entries still have the hash they had\n$`),
        );
        // A kept line with a note typed after it is never passed over.
        const line = readFileSync(join(cwd, 'transcript.txt'), 'utf8')
          .split('\n')
          .find((l) => l.startsWith('{"checkpoint"'))!;
        writeFileSync(join(cwd, 'noted.txt'), `${line} <- taken Monday\n`);
        const noted = python('kept.jsonl', 'noted.txt');
        expect(noted.status).not.toBe(0);
        expect(noted.stderr).toMatch(/noted\.txt:1 starts like a checkpoint but is not one whole line/);
      },
    );

    it('rewritten and re-chained: the store alone reads whole; kept checkpoints make verify and the recipe name the entry and say the store cannot say by whom', async () => {
      const store = await target.open();
      try {
        // As the owner would: the trigger off, a note changed, the trigger on again, every hash from there recomputed.
        await store.db.execute(sql`alter table public.enquiries disable trigger enquiries_refuse_update_delete`);
        await store.db.execute(
          sql`update public.enquiries set general_notes = 'changed by the owner' where contact_seq = ${CHANGED}`,
        );
        await store.db.execute(sql`alter table public.enquiries enable always trigger enquiries_refuse_update_delete`);
      } finally {
        await store.close();
      }
      const exported = await cli(['export', '--format', 'jsonl']);
      const entries = exported.stdout
        .trim()
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l));
      const rechained = await target.open();
      try {
        let prev = entries[CHANGED - 2].hash as string;
        await rechained.db.execute(sql`alter table public.contacts disable trigger contacts_refuse_update_delete`);
        for (const e of entries.slice(CHANGED - 1)) {
          const hash = chainHash(prev, e);
          await rechained.db.execute(
            sql`update public.contacts set prev_hash = ${prev}, hash = ${hash}, content_hash = ${storedContentHash(e, e)} where seq = ${e.seq}`,
          );
          prev = hash;
        }
        await rechained.db.execute(
          sql`alter table public.contacts enable always trigger contacts_refuse_update_delete`,
        );
      } finally {
        await rechained.close();
      }
      // Nothing inside the store shows it.
      expect((await cli(['--json', 'verify'])).json).toMatchObject({ intact: true });
      expect((await cli(['export', '--format', 'jsonl', '--out', 'now.jsonl'])).code).toBe(0);

      // The tool, held to the kept checkpoint line: the entry it pins no longer matches, and the store cannot say who changed it.
      const last = entries.length;
      const byLine = await cli(['verify', '--checkpoint', 'transcript.txt']);
      expect(byLine.code).toBe(1);
      expect(byLine.stdout).toMatch(
        new RegExp(
          `entry ${last} \\[rewritten\\]: entry ${last} \\(\\S+\\)(, recorded by \\w+,)? was rewritten after the checkpoint; the store cannot say by whom\\. Checkpoint transcript\\.txt:\\d+ recorded`,
        ),
      );
      // Held to the kept export, which pins every entry: the very entry changed, with its writer named as its writer.
      const byExport = await cli(['verify', '--checkpoint', 'kept.jsonl']);
      expect(byExport.code).toBe(1);
      expect(byExport.stdout).toContain(
        `entry ${CHANGED} [rewritten]: entry ${CHANGED} (${changed.sourceKey}), recorded by ${changed.recordedBy}, was rewritten after the checkpoint; the store cannot say by whom.`,
      );

      if (!PYTHON) return;
      // The recipe alone cannot tell either: the re-chained export is whole in itself.
      expect(python('now.jsonl').status).toBe(0);
      const recipeByExport = python('now.jsonl', 'kept.jsonl');
      expect(recipeByExport.status).not.toBe(0);
      expect(recipeByExport.stderr).toContain(
        `AssertionError: entry ${CHANGED} (${changed.sourceKey}), recorded by ${changed.recordedBy}, was rewritten after the checkpoint kept.jsonl:${CHANGED}; the store cannot say by whom`,
      );
      for (const kept of ['transcript.txt', 'kept.csv.manifest.json']) {
        const r = python('now.jsonl', kept);
        expect(r.status, kept).not.toBe(0);
        expect(r.stderr, kept).toMatch(
          new RegExp(
            `AssertionError: entry ${last} \\(\\S+\\).* was rewritten after the checkpoint ${kept.replace(/\./g, '\\.')}:\\d+; the store cannot say by whom`,
          ),
        );
      }
    }, 300_000);
  },
);
