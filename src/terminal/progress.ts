/**
 * An import's progress on stderr. `auto`: a bar with rows/s and ETA on a
 * terminal, silent otherwise (and with --json); the bar runs over the file's
 * bytes, so its ETA holds however long the rows are. `json`: one JSON object
 * a line, once a batch, for a program driving the import (each line is sent
 * only once the rows it counts are committed). `none`: silent.
 */

import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { screenJson } from '../domain/screen-text.js';
import type { Ui } from './ui.js';
import type { ImportProgress } from '../domain/outcomes.js';

export interface Progress {
  update: (progress: ImportProgress) => void;
  stop: () => void;
}

const SILENT: Progress = { update: () => {}, stop: () => {} };

export type ProgressStyle = 'auto' | 'json' | 'none';

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/**
 * `{"event":"progress","file":…,"rowsRead":…,"bytesRead":…,"bytes":…,"rowsAccepted":…,"rowsDuplicate":…,"rowsSuperseded":…,"rowsRejected":…}`
 * a line on stderr: the counts are of the rows read so far, and add up to rowsRead.
 */
function jsonLines(ui: Ui, file: string): Progress {
  const bytes = fileSize(file) ?? null;
  return {
    update: ({ rowsRead, bytesRead, rowsAccepted, rowsDuplicate, rowsSuperseded, rowsRejected }) =>
      ui.stderr.write(
        `${screenJson({ event: 'progress', file, rowsRead, bytesRead, bytes, rowsAccepted, rowsDuplicate, rowsSuperseded, rowsRejected })}\n`,
      ),
    stop: () => {},
  };
}

export function progressReporter(ui: Ui, file: string, style: ProgressStyle = 'auto'): Progress {
  if (style === 'json') return jsonLines(ui, file);
  if (style === 'none' || !ui.interactive || ui.json) return SILENT;
  const size = fileSize(file);
  if (size === undefined) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: ui.stderr,
      format: ' {bar} {percentage}% | {rows} rows | {speed} rows/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 20,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(Math.max(size, 1), 0, { rows: 0, speed: 0 });
  return {
    update: ({ rowsRead: rows, bytesRead: bytes }) => {
      const seconds = (Date.now() - started) / 1000;
      bar.update(Math.min(bytes, size), { rows, speed: seconds > 0 ? Math.round(rows / seconds) : 0 });
    },
    stop: () => bar.stop(),
  };
}
