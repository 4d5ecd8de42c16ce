/**
 * LibreOffice saving a file again, as a person does who opens an export and
 * saves it: headless, where it is installed (Debian's libreoffice-calc-nogui;
 * .ci/run installs it), with a profile of its own in the test's folder
 * (LibreOffice will not start beside another instance using the same one).
 */

import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const LIBREOFFICE = spawnSync('sh', ['-c', 'command -v soffice']).status === 0;

/** Why the tests that need LibreOffice skip where it is missing. */
export const WITHOUT_LIBREOFFICE = 'no soffice on the PATH (Debian: apt-get install libreoffice-calc-nogui)';

const SAVE_AS = {
  xlsx: ['--convert-to', 'xlsx'],
  // Read and written as UTF-8 with commas and double quotes; numbers and dates read as a spreadsheet reads them.
  csv: ['--infilter=CSV:44,34,76,1', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76'],
} as const;

/** `file` opened and saved again by LibreOffice, into `folder`/saved: the path of what it saved. */
export function savedByLibreOffice(file: string, folder: string, format: keyof typeof SAVE_AS): string {
  const out = join(folder, 'saved');
  const profile = `-env:UserInstallation=${pathToFileURL(join(folder, 'libreoffice-profile')).href}`;
  const r = spawnSync('soffice', [profile, '--headless', ...SAVE_AS[format], '--outdir', out, file], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`soffice ended with ${r.status ?? r.signal}: ${r.stderr}`);
  return join(out, basename(file));
}
