/**
 * Another local account on the same machine (a jump host, a team's migration
 * box) can neither redirect what the tool writes nor hold the store's lock.
 * The test makes that account itself, so it needs root; elsewhere it is
 * skipped, saying why.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureStore, storedCounts } from '../support/targets.js';
import { HEADER } from '../support/contact-log.js';

const ROOT = process.getuid?.() === 0;
const ACCOUNT = `cisother${process.pid}`;
const LOG = `${HEADER}\nO-1,1955839661,,agent,Al,email,,2020-02-02,authenticated,9999999,Letter,Sent a letter,private notes\n`;
const RECORD = [
  'record',
  '--utr',
  '1955839661',
  '--operator',
  '1234567',
  '--contact-type',
  'agent',
  '--contact-name',
  'Jo Bloggs',
  '--channel',
  'phone-inbound',
  '--auth',
  'authenticated',
  '--subject',
  'Callback',
  '--action',
  'Explained the statement',
];

let uid = 0;
let gid = 0;
/** Runs a command as the other account. */
const asOther = (command: string, args: string[]) => execFileSync(command, args, { uid, gid, cwd: '/', stdio: 'pipe' });
const made: string[] = [];
function folder(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), name));
  made.push(dir);
  return dir;
}

describe.skipIf(!ROOT)(
  'another local account (skipped unless run as root: the test makes and removes that account)',
  () => {
    beforeAll(() => {
      execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', ACCOUNT], {
        stdio: 'pipe',
      });
      uid = Number(execFileSync('id', ['-u', ACCOUNT]).toString());
      gid = Number(execFileSync('id', ['-g', ACCOUNT]).toString());
    });
    afterAll(() => {
      made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
      execFileSync('userdel', [ACCOUNT], { stdio: 'pipe' });
    });

    describe.each(DRIVERS)('on %s', (driver) => {
      let target: Target;
      let cwd: string;
      const cli = (args: string[]) => runCli(args, target.env, { cwd });

      beforeAll(async () => {
        ({ target, cwd } = await fixtureStore(driver, 'other-account'));
      });
      afterAll(() => target?.dispose());

      it("links it plants at an output or checksum path, in a sticky shared folder, redirect nothing; nothing is written in its folder or through to the owner's files", async () => {
        writeFileSync(join(cwd, 'log.csv'), LOG);
        const mine = folder('cis-mine-');
        const kept = join(mine, 'kept.txt');
        writeFileSync(kept, "the owner's file\n");
        const theirs = folder('cis-theirs-');
        chownSync(theirs, uid, gid);
        chmodSync(theirs, 0o777);
        const shared = folder('cis-shared-');
        chmodSync(shared, 0o1777);
        const plant = (target: string, link: string) => asOther('ln', ['-s', target, join(shared, link)]);
        plant(join(theirs, 'loot.csv'), 'team.rejects.csv');
        plant(kept, '.checked.rejects.csv.sha256');
        plant(kept, 'all.csv');
        plant(join(theirs, 'loot.json'), 'fresh.csv.manifest.json');
        const before = await storedCounts(target);
        for (const args of [
          ['import', 'log.csv', '--rejects', join(shared, 'team.rejects.csv')],
          ['import', 'log.csv', '--rejects', join(shared, 'checked.rejects.csv')],
          ['import', 'log.csv', '--rejects', '/dev/null', '--warnings', join(shared, 'checked.rejects.csv')],
          ['export', '--out', join(shared, 'all.csv'), '--force'],
          ['export', '--out', join(shared, 'fresh.csv')],
        ]) {
          const r = await cli(args);
          expect(r.code, args.join(' ')).toBe(2);
          expect(r.stderr).toMatch(/will not write \S+: it is a link .*\[output-unsafe\]/);
        }
        expect(readFileSync(kept, 'utf8')).toBe("the owner's file\n");
        expect(readdirSync(theirs)).toEqual([]);
        expect(readdirSync(shared).sort()).toEqual([
          '.checked.rejects.csv.sha256',
          'all.csv',
          'fresh.csv.manifest.json',
          'team.rejects.csv',
        ]);
        expect(await storedCounts(target)).toEqual(before);
      }, 300_000);

      it('a folder of its own is refused as a destination, however open: it could swap a link in, or take the file', async () => {
        const theirs = folder('cis-theirs-');
        chownSync(theirs, uid, gid);
        chmodSync(theirs, 0o755);
        writeFileSync(join(cwd, 'log.csv'), LOG);
        for (const args of [
          ['import', 'log.csv', '--rejects', join(theirs, 'log.rejects.csv')],
          ['export', '--format', 'jsonl', '--out', join(theirs, 'all.jsonl')],
        ]) {
          const r = await cli(args);
          expect(r.code, args.join(' ')).toBe(2);
          expect(r.stderr).toMatch(
            new RegExp(`its folder \\S+ belongs to another account \\(uid ${uid}\\).*\\[output-unsafe\\]`),
          );
        }
        expect(readdirSync(theirs)).toEqual([]);
      }, 300_000);
    });

    describe("the embedded store's lock", () => {
      let target: Target;
      let cwd: string;
      let squatter: ChildProcess | undefined;

      beforeAll(async () => {
        ({ target, cwd } = await fixtureStore('pglite', 'squat'));
      });
      afterAll(async () => {
        squatter?.kill('SIGKILL');
        await target?.dispose();
      });

      it("cannot be named, bound or held by it: the owner's command does not wait", async () => {
        const store = realpathSync(target.env.CIS_CONTACT_DATA_DIR!);
        // The name the lock once had, which any account could work out from the store's path and bind first.
        const abstract = `\0cis-contact-store-${createHash('sha256').update(store).digest('hex').slice(0, 32)}`;
        const script = `
        const net = require('node:net');
        const tries = { abstract: ${JSON.stringify(abstract)}, inside: ${JSON.stringify(join(store, 'cis-contact.lock'))} };
        const results = {};
        let pending = 2;
        const report = () => { if (--pending === 0) process.stdout.write(JSON.stringify(results) + '\\n'); };
        for (const [name, address] of Object.entries(tries)) {
          const server = net.createServer(() => {});
          server.once('error', (e) => { results[name] = e.code; report(); });
          server.listen(address, () => { results[name] = 'bound'; report(); });
        }
        setInterval(() => {}, 1000);`;
        const child = spawn(process.execPath, ['-e', script], {
          uid,
          gid,
          cwd: '/',
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        squatter = child;
        const results = await new Promise<Record<string, string>>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('\n')) resolve(JSON.parse(out));
          });
          child.once('exit', (code) =>
            reject(new Error(`the other account's process exited (${code}) before it said what it could bind`)),
          );
        });
        // It holds the old name; the store's own folder is closed to it.
        expect(results).toEqual({ abstract: 'bound', inside: 'EACCES' });
        const r = await runCli(RECORD, target.env, { cwd });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).not.toContain('waiting');
      }, 300_000);
    });
  },
);
