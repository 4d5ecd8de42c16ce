/**
 * Files the tool writes hold taxpayers' notes: each is its owner's only
 * whatever the umask, lands only where the user said (never through a link,
 * never in a folder others may change), never replaces a kept export unasked,
 * and holds no cell a spreadsheet could split off and run, whatever separator
 * it guesses.
 */

import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureStore, storedCounts, storedNotes } from '../support/targets.js';
import { HEADER } from '../support/contact-log.js';

const quoted = (v: string) => `"${v.replace(/"/g, '""')}"`;
const row = (ref: string, name: string, notes: string, pid = '1234567') =>
  `${ref},1955839661,,agent,${quoted(name)},email,,2020-02-02,authenticated,${pid},Letter,Sent a letter,${quoted(notes)}`;
/** Text a spreadsheet splitting by `;` or tab, or ending a row at a line break, would start a cell with, and run. */
const NAME = 'Jo;=2+3';
const NOTES = "first\t=1+1\nsecond;@SUM(A1)\n-3 days;+44 rang;'quoted";

/** Every file under DIR, with its mode. */
function walk(dir: string): { path: string; mode: number }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    return stat.isDirectory() ? walk(path) : [{ path, mode: stat.mode & 0o777 }];
  });
}

/**
 * The cells a spreadsheet would see opening TEXT with SEPARATOR as its list
 * separator: rows end at every line break (a quote that is not where a cell
 * starts holds nothing together) and a quote opening a cell is not part of it.
 * Those that start with = + - or @ it would run; the guard's `'` shows them.
 */
function runnableCells(text: string, separator: string): string[] {
  return text
    .replace(/^\ufeff/, '')
    .split(/\r\n|\n|\r/)
    .flatMap((line) => line.split(separator))
    .map((cell) => cell.replace(/^"+/, ''))
    .filter((cell) => /^[=+\-@]/.test(cell));
}

describe.each(DRIVERS)('files the tool writes, on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[], options: { umask?: string; in?: string } = {}) =>
    runCli(args, target.env, { cwd: options.in ?? cwd, umask: options.umask });

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'outputs'));
  });
  afterAll(() => target?.dispose());

  it.each(['022', '002'])(
    'a whole round under umask %s writes nothing group or others may read, and no cell a spreadsheet splitting by ; or tab would run',
    async (umask) => {
      const dir = mkdtempSync(join(cwd, `round-${umask}-`));
      const ref = (n: number) => `U${umask}-${n}`;
      // Inputs written private too, so that every file in the folder is checked.
      writeFileSync(
        join(dir, 'log.csv'),
        `${[HEADER, row(ref(1), NAME, NOTES), row(ref(2), NAME, NOTES, '9999999'), row(ref(3), 'Al', 'Sent the WAM letter')].join('\n')}\n`,
        { mode: 0o600 },
      );
      writeFileSync(
        join(dir, 'registry.csv'),
        'utr,name,kind,partner_of\n1955839661,Brick & Mortar Contractors Ltd,contractor,\n123,=bad;=worse,contractor,\n',
        { mode: 0o600 },
      );

      const registry = await cli(['registry', 'import', 'registry.csv'], { umask, in: dir });
      expect(registry.code, registry.stderr).toBe(1);
      const imported = await cli(
        ['--json', 'import', 'log.csv', '--rejects', 'log.rejects.csv', '--warnings', 'log.warnings.csv'],
        { umask, in: dir },
      );
      expect(imported.json, imported.stderr).toMatchObject({
        rowsAccepted: 2,
        rowsRejected: 1,
        warningsByCode: { abbreviation: 1 },
      });
      expect((await cli(['export', '--out', 'all.csv'], { umask, in: dir })).code).toBe(0);
      expect((await cli(['export', '--format', 'jsonl', '--out', 'all.jsonl'], { umask, in: dir })).code).toBe(0);

      const written = [
        'registry.rejects.csv',
        '.registry.rejects.csv.sha256',
        'log.rejects.csv',
        '.log.rejects.csv.sha256',
        'log.warnings.csv',
        '.log.warnings.csv.sha256',
        'all.csv',
        'all.csv.manifest.json',
        'all.jsonl',
      ];
      const files = walk(dir);
      expect(files.map((f) => f.path.slice(dir.length + 1)).sort()).toEqual(
        [...written, 'log.csv', 'registry.csv'].sort(),
      );
      expect(files.filter((f) => (f.mode & 0o077) !== 0).map((f) => `${f.path} ${f.mode.toString(8)}`)).toEqual([]);

      for (const csv of written.filter((f) => f.endsWith('.csv'))) {
        const text = readFileSync(join(dir, csv), 'utf8');
        for (const separator of [';', '\t'])
          expect(runnableCells(text, separator), `${csv} split by ${JSON.stringify(separator)}`).toEqual([]);
      }
      const exported = readFileSync(join(dir, 'all.csv'), 'utf8');
      expect(exported).toContain(`"Jo;'=2+3"`);
      expect(exported).toContain(quoted("first\t'=1+1\nsecond;'@SUM(A1)\n'-3 days;'+44 rang;''quoted"));
      // The guard is the file's, not the store's: the text and its hash are as recorded, and the export verifies.
      expect(await storedNotes(target, ref(1))).toEqual({ general_notes: NOTES, contact_name: NAME });
      expect((await cli(['verify', '--export', 'all.csv'], { in: dir })).code).toBe(0);
      // A cell a spreadsheet splitting by ; would run is not the export as written.
      writeFileSync(join(dir, 'unguarded.csv'), exported.replace(`"Jo;'=2+3"`, `"Jo;=2+3"`));
      writeFileSync(join(dir, 'unguarded.csv.manifest.json'), readFileSync(join(dir, 'all.csv.manifest.json')));
      const unguarded = await cli(['verify', '--export', 'unguarded.csv'], { in: dir });
      expect(unguarded.code).toBe(1);
      expect(unguarded.stdout).toMatch(/the contact_name cell is not escaped as export writes it/);
      // The rejected row, corrected in its rejects file, stores exactly what the log said.
      writeFileSync(
        join(dir, 'fixed.csv'),
        readFileSync(join(dir, 'log.rejects.csv'), 'utf8').replace(/,9999999,/g, ',1234567,'),
      );
      expect((await cli(['--json', 'import', 'fixed.csv', '--rejects', '/dev/null'], { in: dir })).json).toMatchObject({
        rowsAccepted: 1,
        rowsRejected: 0,
      });
      expect(await storedNotes(target, ref(2))).toEqual({ general_notes: NOTES, contact_name: NAME });
    },
    600_000,
  );

  it('export --out onto an existing file is refused, naming it and --force, with or without --json; --force replaces it', async () => {
    const kept = join(cwd, 'kept.csv');
    writeFileSync(kept, "an auditor's kept export\n");
    for (const args of [
      ['export', '--out', 'kept.csv'],
      ['--json', 'export', '--out', 'kept.csv'],
      ['export', '--format', 'jsonl', '--out', 'kept.csv'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/kept\.csv exists.*\n.*--force/);
      expect(readFileSync(kept, 'utf8')).toBe("an auditor's kept export\n");
    }
    writeFileSync(join(cwd, 'fresh.csv.manifest.json'), 'a kept manifest\n');
    const manifest = await cli(['export', '--out', 'fresh.csv']);
    expect(manifest.code).toBe(2);
    expect(manifest.stderr).toMatch(/fresh\.csv\.manifest\.json exists.*\n.*--force/);
    expect(readdirSync(cwd).filter((f) => f.startsWith('fresh.csv') || f.endsWith('.partial'))).toEqual([
      'fresh.csv.manifest.json',
    ]);
    expect((await cli(['export', '--out', 'kept.csv', '--force'])).code).toBe(0);
    expect(readFileSync(kept, 'utf8')).toMatch(/^\ufeffseq,source_key,/);
    expect(lstatSync(kept).mode & 0o777).toBe(0o600);
  }, 300_000);

  it('refuses an output or checksum path that is a link, or in a folder others may write that is not sticky, before anything is read', async () => {
    const before = await storedCounts(target);
    const dir = mkdtempSync(join(cwd, 'links-'));
    writeFileSync(
      join(dir, 'log.csv'),
      `${[HEADER, row('L-1', 'Al', 'fine'), row('L-2', 'Al', 'bad', '9999999')].join('\n')}\n`,
    );
    const precious = join(dir, 'precious.txt');
    writeFileSync(precious, 'keep me\n');
    symlinkSync(precious, join(dir, 'out.csv'));
    symlinkSync(precious, join(dir, '.checked.rejects.csv.sha256'));
    symlinkSync(join(dir, 'nowhere', 'landed.csv'), join(dir, 'dangling.rejects.csv'));
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const refused: [string[], RegExp][] = [
      [['export', '--out', 'out.csv', '--force'], /will not write out\.csv: it is a link to \S*precious\.txt/],
      [
        ['export', '--format', 'jsonl', '--out', join(open, 'all.jsonl')],
        /open is writable by other accounts \(mode 777\) and not sticky/,
      ],
      [
        ['import', 'log.csv', '--rejects', 'checked.rejects.csv'],
        /will not write \S*\.checked\.rejects\.csv\.sha256: it is a link/,
      ],
      [
        ['import', 'log.csv', '--rejects', 'dangling.rejects.csv'],
        /will not write dangling\.rejects\.csv: it is a link/,
      ],
      [
        ['import', 'log.csv', '--warnings', join(open, 'w.csv'), '--rejects', '/dev/null'],
        /writable by other accounts/,
      ],
    ];
    for (const [args, message] of refused) {
      const r = await cli(args, { in: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('[output-unsafe]');
    }
    expect(readFileSync(precious, 'utf8')).toBe('keep me\n');
    expect(readdirSync(open)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual([
      '.checked.rejects.csv.sha256',
      'dangling.rejects.csv',
      'log.csv',
      'open',
      'out.csv',
      'precious.txt',
    ]);
    expect(await storedCounts(target)).toEqual(before);
    // A sticky folder (as /tmp is) is fine: others may not replace or remove what is yours there.
    chmodSync(open, 0o1777);
    expect((await cli(['import', 'log.csv', '--rejects', join(open, 'r.csv')], { in: dir })).code).toBe(1);
    expect(readdirSync(open).sort()).toEqual(['.r.csv.sha256', 'r.csv']);
  }, 300_000);
});
