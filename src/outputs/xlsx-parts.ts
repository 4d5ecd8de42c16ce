/**
 * What a reader needs from a workbook before its first worksheet: which part
 * that worksheet is, whether the workbook counts dates from 1904, which cell
 * styles show a number as a date, and the shared strings a spreadsheet that
 * saved the file again keeps its text in. Each is an XML part of the zip
 * (ECMA-376, SpreadsheetML), read with saxes.
 */

import { posix } from 'node:path';
import { SaxesParser } from 'saxes';
import type { ZipArchive } from './zip-archive.js';
import { localName, parseWhole } from './xml-part.js';

export interface WorkbookParts {
  /** The first worksheet's part, e.g. `xl/worksheets/sheet1.xml`. */
  firstSheet: string;
  /** Dates are days since 1904-01-01 rather than since 1900 (old Mac workbooks). */
  date1904: boolean;
  /** For each cell style, by its index: whether a number in that style is shown as a date. */
  dateStyles: readonly boolean[];
  /** The shared strings, by index: each one's text, and whether it is formatted text (runs of styles). */
  sharedStrings: readonly SharedString[];
}

interface SharedString {
  text: string;
  formatted: boolean;
}

const WORKBOOK = 'xl/workbook.xml';
const WORKBOOK_RELATIONSHIPS = 'xl/_rels/workbook.xml.rels';
const STYLES = 'xl/styles.xml';
const SHARED_STRINGS = 'xl/sharedStrings.xml';

/** The first sheet's relationship id, and the date system. */
async function readWorkbook(zip: ZipArchive): Promise<{ sheetRelationship: string | undefined; date1904: boolean }> {
  let sheetRelationship: string | undefined;
  let date1904 = false;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (name === 'workbookPr') date1904 = tag.attributes.date1904 === '1' || tag.attributes.date1904 === 'true';
    if (name === 'sheet' && sheetRelationship === undefined) {
      // r:id, whatever the prefix the file gives the relationships namespace.
      const id = Object.entries(tag.attributes).find(
        ([attribute]) => attribute.includes(':') && localName(attribute) === 'id',
      );
      sheetRelationship = id?.[1];
    }
  });
  await parseWhole(parser, await zip.open(WORKBOOK));
  return { sheetRelationship, date1904 };
}

/** Where a relationship of the workbook points, as a part's name in the zip. */
async function relationshipTarget(zip: ZipArchive, id: string): Promise<string | undefined> {
  let target: string | undefined;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    if (localName(tag.name) === 'Relationship' && tag.attributes.Id === id) target = tag.attributes.Target;
  });
  await parseWhole(parser, await zip.open(WORKBOOK_RELATIONSHIPS));
  if (target === undefined) return undefined;
  return target.startsWith('/') ? target.slice(1) : posix.normalize(posix.join('xl', target));
}

/** Built-in number formats that show a date or a time (ECMA-376 Part 1, 18.8.30, with the East Asian ones). */
function isBuiltInDateFormat(id: number): boolean {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

/** A format code shows a date or time if, outside quoted text, colours and escaped characters, it has a date or time letter. */
function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*]/g, '')
    .replace(/[\\_*]./g, '');
  return /[ymdhsb]/i.test(bare);
}

async function readDateStyles(zip: ZipArchive): Promise<boolean[]> {
  if (!zip.has(STYLES)) return [];
  const formatCodes = new Map<number, string>();
  const styleFormats: number[] = [];
  let inCellStyles = false;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (name === 'numFmt') formatCodes.set(Number(tag.attributes.numFmtId), tag.attributes.formatCode ?? '');
    if (name === 'cellXfs') inCellStyles = true;
    if (name === 'xf' && inCellStyles) styleFormats.push(Number(tag.attributes.numFmtId ?? 0));
  });
  parser.on('closetag', (tag) => {
    if (localName(tag.name) === 'cellXfs') inCellStyles = false;
  });
  await parseWhole(parser, await zip.open(STYLES));
  return styleFormats.map((id) => {
    const code = formatCodes.get(id);
    return code === undefined ? isBuiltInDateFormat(id) : isDateFormatCode(code);
  });
}

/** Each `<si>`: the text of its `<t>`s (not of its phonetic guides), formatted if it has runs. */
async function readSharedStrings(zip: ZipArchive): Promise<SharedString[]> {
  if (!zip.has(SHARED_STRINGS)) return [];
  const strings: SharedString[] = [];
  let current: SharedString | undefined;
  let inText = false;
  let inPhonetic = false;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (name === 'si') current = { text: '', formatted: false };
    else if (name === 'r' && current) current.formatted = true;
    else if (name === 'rPh') inPhonetic = true;
    else if (name === 't') inText = !inPhonetic;
  });
  parser.on('text', (text) => {
    if (inText && current) current.text += text;
  });
  parser.on('closetag', (tag) => {
    const name = localName(tag.name);
    if (name === 't') inText = false;
    else if (name === 'rPh') inPhonetic = false;
    else if (name === 'si' && current) {
      strings.push(current);
      current = undefined;
    }
  });
  await parseWhole(parser, await zip.open(SHARED_STRINGS));
  return strings;
}

/** The workbook's parts a worksheet is read with; undefined if the file is no workbook or holds no worksheet. */
export async function readWorkbookParts(zip: ZipArchive): Promise<WorkbookParts | undefined> {
  if (!zip.has(WORKBOOK) || !zip.has(WORKBOOK_RELATIONSHIPS)) return undefined;
  const { sheetRelationship, date1904 } = await readWorkbook(zip);
  if (sheetRelationship === undefined) return undefined;
  const firstSheet = await relationshipTarget(zip, sheetRelationship);
  if (firstSheet === undefined || !zip.has(firstSheet)) return undefined;
  return { firstSheet, date1904, dateStyles: await readDateStyles(zip), sharedStrings: await readSharedStrings(zip) };
}
