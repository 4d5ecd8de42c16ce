import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CsvItem, type Delimiter, type Encoding, MAX_ROW_CHARS, readCsv } from '../../src/csv/reader.js';
import { scratchFolder } from '../support/scratch.js';

const dir = scratchFolder('cis-reader-');
let files = 0;

async function itemsOf(
  content: string | Buffer,
  encoding: Encoding = 'utf-8',
  delimiter: Delimiter = ',',
): Promise<CsvItem[]> {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(path, content);
  const items: CsvItem[] = [];
  for await (const item of readCsv(path, { encoding, delimiter })) items.push(item);
  return items;
}

const rows = (items: CsvItem[]) => items.map((i) => (i.kind === 'row' ? [i.line, ...i.values] : [i.line, i.kind]));

describe('reading CSV', () => {
  it('reads quoted commas, doubled quotes and line breaks, counting physical lines and skipping blank ones', async () => {
    const items = await itemsOf('a,b\r\n"x, ""y""",2\r\n\r\n"one\r\ntwo\r\nthree",3\r\nlast,4');
    expect(rows(items)).toEqual([
      [1, 'a', 'b'],
      [2, 'x, "y"', '2'],
      [4, 'one\r\ntwo\r\nthree', '3'],
      [7, 'last', '4'],
    ]);
  });

  it('takes CRLF, LF and CR line endings in any mix, counting lines as an editor does, across read chunks too', async () => {
    expect(rows(await itemsOf('a,b\r\n1,2\n3,"x\ry"\r4,5\r\n6,7\n'))).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
      [3, '3', 'x\ry'],
      [5, '4', '5'],
      [6, '6', '7'],
    ]);
    const endings = ['\r\n', '\n', '\r'];
    const lines = Array.from({ length: 30000 }, (_, i) => `${i},row ${i} ${'y'.repeat(i % 31)}`);
    const text = `n,notes${endings[0]}${lines.map((l, i) => `${l}${endings[i % 3]}`).join('')}`;
    const items = await itemsOf(text);
    expect(items).toHaveLength(30001);
    items
      .slice(1)
      .forEach((item, i) =>
        expect(item).toMatchObject({ kind: 'row', line: i + 2, values: [String(i), `row ${i} ${'y'.repeat(i % 31)}`] }),
      );
  });

  it('reads a semicolon or a tab as the separator it is told', async () => {
    expect(rows(await itemsOf('a;b\n"x; ""y""";2\n', 'utf-8', ';'))).toEqual([
      [1, 'a', 'b'],
      [2, 'x; "y"', '2'],
    ]);
    expect(rows(await itemsOf('a\tb\r\nx, y\t2\r\n', 'utf-8', '\t'))).toEqual([
      [1, 'a', 'b'],
      [2, 'x, y', '2'],
    ]);
  });

  it('reads UTF-16 with its byte-order mark, little- or big-endian, characters whole across read chunks', async () => {
    const text = `\ufeffn\tnotes\r\n${Array.from({ length: 20000 }, (_, i) => `${i}\tRenée 🏗 ${i}\r\n`).join('')}`;
    const le = Buffer.from(text, 'utf16le');
    for (const [bytes, encoding] of [
      [le, 'utf-16le'],
      [Buffer.from(le).swap16(), 'utf-16be'],
    ] as const) {
      const items = await itemsOf(bytes, encoding, '\t');
      expect(items).toHaveLength(20001);
      expect(items[0]).toMatchObject({ values: ['n', 'notes'] });
      items
        .slice(1)
        .forEach((item, i) => expect(item).toMatchObject({ line: i + 2, values: [String(i), `Renée 🏗 ${i}`] }));
    }
    await expect(
      itemsOf(Buffer.concat([le.subarray(0, 40), Buffer.from([0x00, 0xd8, 0x41, 0x00])]), 'utf-16le', '\t'),
    ).rejects.toMatchObject({ code: 'invalid-encoding' });
  });

  it('skips a row whose cells are all empty, as a blank line, and says so', async () => {
    expect(rows(await itemsOf('a,b,c\n1,2,3\n,,\n"",,\n\n4,,\n,,'))).toEqual([
      [1, 'a', 'b', 'c'],
      [2, '1', '2', '3'],
      [3, 'empty'],
      [4, 'empty'],
      [6, '4', '', ''],
      [7, 'empty'],
    ]);
  });

  it('names a row too long outside quotes as such, not as a quote', async () => {
    const items = await itemsOf(`a,b\n1,2\n3,${'x'.repeat(MAX_ROW_CHARS + 10)}\n4,5\n`);
    expect(rows(items)).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
      [3, 'too-long'],
    ]);
  });

  it('marks the last row when the file does not end with a line break: it may have been cut', async () => {
    const last = (items: CsvItem[]) => items[items.length - 1];
    expect(last(await itemsOf('a,b\n1,2\n3,4'))).toMatchObject({ values: ['3', '4'], unterminated: true });
    expect(last(await itemsOf('a,b\r\n1,2\r\n3,"4\r\nfour"'))).toMatchObject({ line: 3, unterminated: true });
    for (const ending of ['\n', '\r\n', '\r'])
      expect(last(await itemsOf(`a,b${ending}1,2${ending}3,4${ending}`))).not.toHaveProperty('unterminated');
  });

  it('drops a UTF-8 byte-order mark and decodes windows-1252', async () => {
    expect(rows(await itemsOf('\ufeffutr,notes\n1,café\n'))).toEqual([
      [1, 'utr', 'notes'],
      [2, '1', 'café'],
    ]);
    expect(rows(await itemsOf(Buffer.from([0x61, 0x0a, 0x80, 0xe9, 0x0a]), 'windows-1252'))).toEqual([
      [1, 'a'],
      [2, '€é'],
    ]);
  });

  it('keeps rows and characters whole across read chunks', async () => {
    // Enough rows that quoted line breaks and a four-byte character fall on every chunk boundary somewhere.
    const lines = ['n,notes'];
    for (let i = 0; i < 6000; i++) lines.push(`${i},"row ${i} 🏗 ${'x'.repeat(i % 97)}\nsecond line, with ""quotes"""`);
    const items = await itemsOf(`${lines.join('\n')}\n`);
    expect(items).toHaveLength(6001);
    items.slice(1).forEach((item, i) => {
      expect(item).toMatchObject({
        kind: 'row',
        line: 2 + 2 * i,
        values: [String(i), `row ${i} 🏗 ${'x'.repeat(i % 97)}\nsecond line, with "quotes"`],
      });
    });
  });

  it('reports a quote left open at the end at the line its row starts; the rows before it stand', async () => {
    expect(rows(await itemsOf('a,b\n1,2\n3,"open\nmore\n'))).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
      [3, 'unclosed-quote'],
    ]);
  });

  it('takes a row still open past the longest a row can be as an unclosed quote, rather than re-reading it for ever', async () => {
    const items = await itemsOf(`a,b\n1,2\n3,"${'closed far too late '.repeat(Math.ceil(MAX_ROW_CHARS / 10))}"\n4,5\n`);
    expect(rows(items)).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
      [3, 'unclosed-quote'],
    ]);
  });

  it('tells a quote left open from a row too long outside quotes, after any mix of line endings and quoted line breaks', async () => {
    const before = 'a,b\r\n"one\r\ntwo",1\r"x\ry",2\n';
    const open = `${before}6,"${'still open '.repeat(Math.ceil(MAX_ROW_CHARS / 10))}"\n6,7\n`;
    const long = `${before}6,"closed",${'x'.repeat(MAX_ROW_CHARS + 10)}\r\n6,7\n`;
    expect(rows(await itemsOf(open))).toEqual([
      [1, 'a', 'b'],
      [2, 'one\r\ntwo', '1'],
      [4, 'x\ry', '2'],
      [6, 'unclosed-quote'],
    ]);
    expect(rows(await itemsOf(long))).toEqual([
      [1, 'a', 'b'],
      [2, 'one\r\ntwo', '1'],
      [4, 'x\ry', '2'],
      [6, 'too-long'],
    ]);
    expect(rows(await itemsOf(Buffer.from(`\ufeff${open}`, 'utf16le'), 'utf-16le')).at(-1)).toEqual([
      6,
      'unclosed-quote',
    ]);
    expect(rows(await itemsOf(`"${'x'.repeat(MAX_ROW_CHARS + 10)}`)).at(-1)).toEqual([1, 'unclosed-quote']);
    expect(rows(await itemsOf(`\ufeff${'x'.repeat(MAX_ROW_CHARS + 10)}`)).at(-1)).toEqual([1, 'too-long']);
  });

  it('refuses a quote inside a value that does not start with one, and text after a closing quote, naming the line', async () => {
    await expect(itemsOf('a,b\nsaid "hi",2\n')).rejects.toThrow(
      /f\d+\.csv: line 2: a quote inside a value that does not start with one/,
    );
    await expect(itemsOf('a,b\n1,2\n"x"y,3\n')).rejects.toThrow(/f\d+\.csv: line 3: text after a closing quote/);
  });
});
