import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuotingScan, checkQuoting } from '../../src/csv/quoting.js';
import { readCsv } from '../../src/csv/reader.js';

const dir = mkdtempSync(join(tmpdir(), 'cis-quoting-'));
let files = 0;

function fileOf(content: string | Buffer): string {
  const path = join(dir, `q${files++}.csv`);
  writeFileSync(path, content);
  return path;
}

/** The scan's answer with the bytes cut into chunks at the given places. */
function scanned(content: string | Buffer, cuts: number[] = []): boolean {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const scan = new QuotingScan('utf-8');
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

describe('the quick scan of a file\'s quoting', () => {
  it('is certain of well-formed files with LF line endings', () => {
    for (const text of [
      'a,b\n1,2\n',
      'a,b\n"x, ""y""",2\n"one\ntwo",3\n',
      'a,b\nsaid "hi",2\nx"",y\n',
      '"a","b"\n"",""\n',
      '\ufeff"a",b\n1,2',
      'a,b\n1,"closes at the very end"',
      '',
    ]) expect(scanned(text), text).toBe(true);
  });

  it('is not certain of text after a closing quote, spaces before a comma, a CR, or a quote still open', () => {
    for (const text of ['a,b\n"x"y,3\n', 'a,b\n"x" ,3\n', 'a,b\r\n1,2\r\n', 'a,b\n1,"open\n']) {
      expect(scanned(text), text).toBe(false);
    }
  });

  it('gives the same answer wherever the chunks are cut, a quote pair or a closing quote included', () => {
    const text = 'a,b\n"x ""y""",2\n"z",3\n';
    for (let cut = 0; cut <= text.length; cut++) expect(scanned(text, [cut]), `cut at ${cut}`).toBe(true);
    const bad = 'a,b\n"x""y"z,2\n';
    for (let cut = 0; cut <= bad.length; cut++) expect(scanned(bad, [cut]), `cut at ${cut}`).toBe(false);
  });

  it('property: when the scan is certain, the reader finds nothing fatal, however the bytes are chunked', async () => {
    const csvish = fc.array(fc.constantFrom('"', '"', ',', '\n', 'a', ' ', '\r'), { maxLength: 24 }).map((cs) => cs.join(''));
    await fc.assert(fc.asyncProperty(csvish, fc.array(fc.nat({ max: 24 }), { maxLength: 3 }), async (text, cuts) => {
      const certain = scanned(text, cuts);
      expect(certain).toBe(scanned(text));
      if (certain) expect(await readerVerdict(text)).toBe('fine');
    }), { numRuns: 1500 });
  });
});

describe('checkQuoting', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i},"notes of row ${i}, with ""quotes"""`);

  it('fails with file-unreadable naming the line, even far past the first chunk', async () => {
    const path = fileOf(['n,notes', ...rows(20000), '"x"y,3', ...rows(10)].join('\n'));
    await expect(checkQuoting(path, 'utf-8')).rejects.toMatchObject({ code: 'file-unreadable', message: expect.stringMatching(/line 20002: trailing quote/) });
  });

  it('passes well-formed files, CRLF ones (read through the parser) and a quote left open at the end (a row error)', async () => {
    await expect(checkQuoting(fileOf(['n,notes', ...rows(20000)].join('\n')), 'utf-8')).resolves.toBeUndefined();
    await expect(checkQuoting(fileOf(['n,notes', ...rows(100)].join('\r\n')), 'utf-8')).resolves.toBeUndefined();
    await expect(checkQuoting(fileOf('n,notes\n1,"open\n'), 'utf-8')).resolves.toBeUndefined();
    await expect(checkQuoting(fileOf('n,notes\r\n"x"y,3\r\n'), 'utf-8')).rejects.toMatchObject({ code: 'file-unreadable' });
  });
});
