import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuotingScan } from '../../src/csv/quoting.js';
import { checkWholeFile } from '../../src/csv/file-check.js';
import { readCsv } from '../../src/csv/reader.js';
import { scratchFolder } from '../support/scratch.js';

const dir = scratchFolder('cis-quoting-');
let files = 0;

function fileOf(content: string | Buffer): string {
  const path = join(dir, `q${files++}.csv`);
  writeFileSync(path, content);
  return path;
}

/** The scan's answer with the bytes cut into chunks at the given places. */
function scanned(content: string, cuts: number[] = [], delimiter: ',' | ';' | '\t' = ','): boolean {
  const bytes = Buffer.from(content);
  const scan = new QuotingScan('utf-8', delimiter);
  let from = 0;
  for (const cut of [...cuts, bytes.length].sort((a, b) => a - b)) {
    scan.push(bytes.subarray(from, Math.max(from, cut)));
    from = Math.max(from, cut);
  }
  return scan.certain();
}

/** What the import's own reader makes of the file: fatal, an unclosed quote, or fine. */
async function readerVerdict(content: string): Promise<'fatal' | 'unclosed' | 'fine'> {
  try {
    for await (const item of readCsv(fileOf(content))) if (item.kind === 'unclosed-quote') return 'unclosed';
    return 'fine';
  } catch {
    return 'fatal';
  }
}

describe("the quick scan of a file's quoting", () => {
  it('is certain of well-formed files with LF, CRLF or CR line endings, in any mix', () => {
    for (const text of [
      'a,b\n1,2\n',
      'a,b\n"x, ""y""",2\n"one\ntwo",3\n',
      '"a","b"\n"",""\n',
      '\ufeff"a",b\n1,2',
      'a,b\n1,"closes at the very end"',
      'a,b\n"a CR\rinside",x\r\n',
      'a,b\r\n"x, ""y""",2\r\n"one\ntwo\r\nthree",3\r\n',
      'a,b\r\n1,2\r\n"x",2\r\n',
      '\ufeff"a",b\r\n1,"2"',
      'a,b\r\n"x"\n,3\r\n',
      'a,b\r\n1,"x"\r',
      'a,b\r1,"2"\r"3",4\n',
      '',
    ])
      expect(scanned(text), JSON.stringify(text)).toBe(true);
    expect(scanned('a;b\n"x; y";"2"\n', [], ';')).toBe(true);
    expect(scanned('a\tb\r\n"x\ty"\t"2"\r\n', [], '\t')).toBe(true);
  });

  it('is not certain of text after a closing quote, spaces before a separator, a quote where no field starts, or a quote still open', () => {
    for (const text of ['a,b\n"x"y,3\n', 'a,b\n"x" ,3\n', 'a,b\nsaid "hi",2\n', 'a,b\nx"",y\n', 'a,b\n1,"open\n'])
      expect(scanned(text), JSON.stringify(text)).toBe(false);
    // A comma is text in a file separated by semicolons.
    expect(scanned('a;b\n"x",y;2\n', [], ';')).toBe(false);
  });

  it('gives the same answer wherever the chunks are cut, a quote pair, a closing quote or a BOM included', () => {
    for (const text of ['a,b\n"x ""y""",2\n"z",3\n', '\ufeff"a",b\r\n"x ""y""",2\r\n"z",3\r\n']) {
      for (let cut = 0; cut <= Buffer.byteLength(text); cut++) expect(scanned(text, [cut]), `cut at ${cut}`).toBe(true);
    }
    const bad = 'a,b\n"x""y"z,2\n';
    for (let cut = 0; cut <= bad.length; cut++) expect(scanned(bad, [cut]), `cut at ${cut}`).toBe(false);
  });

  it('property: when the scan is certain, the reader finds nothing fatal, however the bytes are chunked', async () => {
    const piece = fc.constantFrom('"', '"', '""', ',', '\n', '\r\n', '\r\n', '\r', 'a', ' ');
    const csvish = fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join(''));
    await fc.assert(
      fc.asyncProperty(csvish, fc.array(fc.nat({ max: 40 }), { maxLength: 3 }), async (text, cuts) => {
        const certain = scanned(text, cuts);
        expect(certain).toBe(scanned(text));
        if (certain) expect(await readerVerdict(text)).toBe('fine');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the whole-file check: quoting', () => {
  const checkQuoting = (path: string, encoding: 'utf-8' | 'windows-1252', confirmEncoding = false) =>
    checkWholeFile(path, { format: { encoding }, confirmEncoding });
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i},"notes of row ${i}, with ""quotes"""`);

  it('fails with file-unreadable naming the line, even far past the first chunk, LF or CRLF', async () => {
    for (const ending of ['\n', '\r\n']) {
      const path = fileOf(['n,notes', ...rows(20000), '"x"y,3', ...rows(10)].join(ending));
      await expect(checkQuoting(path, 'utf-8')).rejects.toMatchObject({
        code: 'file-unreadable',
        message: expect.stringMatching(/line 20002: text after a closing quote/),
      });
    }
  });

  it('passes well-formed files, LF or CRLF; refuses spaces after a closing quote', async () => {
    await expect(checkQuoting(fileOf(['n,notes', ...rows(20000)].join('\n')), 'utf-8')).resolves.toMatchObject({
      size: expect.any(Number),
    });
    await expect(checkQuoting(fileOf(['n,notes', ...rows(20000)].join('\r\n')), 'utf-8')).resolves.toMatchObject({
      size: expect.any(Number),
    });
    // Not certain to the quick scan, so read through the parser, which refuses it as RFC 4180 does.
    await expect(checkQuoting(fileOf('n,notes\n"x"  ,3\n'), 'utf-8')).rejects.toMatchObject({
      code: 'file-unreadable',
      message: expect.stringMatching(/line 2: text after a closing quote/),
    });
    await expect(checkQuoting(fileOf('n,notes\r\n"x"y,3\r\n'), 'utf-8')).rejects.toMatchObject({
      code: 'file-unreadable',
    });
  });

  it('reads windows-1252 bytes the same way, where EF BB BF are three characters, not a byte-order mark', async () => {
    const latin = (text: string) => Buffer.from(text, 'latin1');
    const accented = (n: number) => Array.from({ length: n }, (_, i) => `${i},"café ${i}, à ""côté"""`);
    const late = fileOf(latin(['n,notes', ...accented(20000), '"x"y,3', ...accented(10)].join('\r\n')));
    await expect(checkQuoting(late, 'windows-1252')).rejects.toMatchObject({
      code: 'file-unreadable',
      message: expect.stringMatching(/line 20002: text after a closing quote/),
    });
    await expect(
      checkQuoting(fileOf(latin(['n,notes', ...accented(20000)].join('\n'))), 'windows-1252'),
    ).resolves.toMatchObject({ size: expect.any(Number) });
    // In UTF-8, EF BB BF is a byte-order mark and the first field starts after it; in windows-1252 it is
    // the first field's text, so a quote after it stands where no field starts.
    const bomBytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin('"a",b\n1,2\n')]);
    const scan = (encoding: 'utf-8' | 'windows-1252') => {
      const s = new QuotingScan(encoding);
      s.push(bomBytes);
      return s.certain();
    };
    expect(scan('utf-8')).toBe(true);
    expect(scan('windows-1252')).toBe(false);
    await expect(checkQuoting(fileOf(bomBytes), 'utf-8')).resolves.toMatchObject({ size: expect.any(Number) });
    await expect(checkQuoting(fileOf(bomBytes), 'windows-1252', true)).rejects.toMatchObject({
      code: 'file-unreadable',
      message: expect.stringMatching(/line 1: a quote inside a value/),
    });
  });

  it('a quote never closed is fatal, naming where it opened and how much it would swallow', async () => {
    // Rows after it hold no quote: the open one runs to the end of the file.
    const plain = (n: number, from: number) => Array.from({ length: n }, (_, i) => `${from + i},plain notes`);
    const lines = ['n,notes', ...plain(9, 1), '10,"never closed', ...plain(20, 11)];
    for (const ending of ['\n', '\r\n']) {
      await expect(checkQuoting(fileOf(`${lines.join(ending)}${ending}`), 'utf-8')).rejects.toMatchObject({
        code: 'unclosed-quote',
        message: expect.stringMatching(
          /line 11 opens a quoted field that is never closed; it would swallow the 20 lines after it/,
        ),
      });
    }
  });

  it('a file that fails while being read is unreadable, not taken as well formed', async () => {
    await expect(checkQuoting(dir, 'utf-8')).rejects.toMatchObject({
      code: 'file-unreadable',
      message: `cannot read ${dir}: it is a folder, not a file`,
    });
  });
});
