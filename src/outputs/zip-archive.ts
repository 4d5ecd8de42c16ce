/**
 * A zip archive (a workbook is one) read through its central directory, with
 * yauzl: the list of entries first, then any entry, in any order, as a
 * stream. A reader that takes the entries in the order they are stored, as
 * they stream past, has to guess whether a part it needs is still to come;
 * exceljs's streaming reader sometimes loses the parts stored after the
 * worksheet (its styles among them, so a date cell reads as a number) —
 * docs/audit.md says more.
 */

import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

export interface ZipArchive {
  /** Whether the archive holds an entry of this name. */
  has(name: string): boolean;
  /** An entry's content, uncompressed, as a stream. */
  open(name: string): Promise<Readable>;
  close(): void;
}

function openFile(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => (error ? reject(error) : resolve(zip)));
  });
}

/** Every entry the central directory lists, by name (their headers only: nothing is uncompressed). */
function readDirectory(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  const entries = new Map<string, yauzl.Entry>();
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

export async function openZip(path: string): Promise<ZipArchive> {
  const zip = await openFile(path);
  let entries: Map<string, yauzl.Entry>;
  try {
    entries = await readDirectory(zip);
  } catch (error) {
    zip.close();
    throw error;
  }
  return {
    has: (name) => entries.has(name),
    open: (name) => {
      const entry = entries.get(name);
      if (!entry) return Promise.reject(new Error(`it holds no ${name}`));
      return new Promise((resolve, reject) => {
        zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream)));
      });
    },
    close: () => zip.close(),
  };
}
