/**
 * A progress bar with rows/s and elapsed time on a terminal; silent otherwise
 * (and with --json). The bar runs over the file's bytes, so its ETA holds
 * however long the rows are.
 */

import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Ui } from './ui.js';

export interface Progress {
  update: (rowsRead: number, bytesRead: number) => void;
  stop: () => void;
}

const SILENT: Progress = { update: () => {}, stop: () => {} };

export function progressReporter(ui: Ui, file: string): Progress {
  if (!ui.interactive || ui.json) return SILENT;
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return SILENT;
  }
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: ' {bar} {percentage}% | {rows} rows | {speed} rows/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 20,
    fps: 5,
  }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  bar.start(Math.max(size, 1), 0, { rows: 0, speed: 0 });
  return {
    update: (rows, bytes) => {
      const seconds = (Date.now() - started) / 1000;
      bar.update(Math.min(bytes, size), { rows, speed: seconds > 0 ? Math.round(rows / seconds) : 0 });
    },
    stop: () => bar.stop(),
  };
}
