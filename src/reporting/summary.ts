/** A readable summary of an import: counts, then counts per code. */

import { catalogueOrder } from '../domain/catalogue.js';
import type { Ui } from './ui.js';

export function summaryTable(
  ui: Ui, title: string, counts: [string, number][], rejectsByCode: Record<string, number>,
  warningsByCode: Record<string, number>, rejectsFile: string | null,
): void {
  const c = ui.colour;
  ui.say(c.bold(title));
  const width = Math.max(...counts.map(([label]) => label.length));
  for (const [label, n] of counts) ui.say(`  ${label.padEnd(width)}  ${String(n).padStart(9)}`);
  const section = (heading: string, byCode: Record<string, number>, paint: (s: string) => string) => {
    const codes = Object.keys(byCode).sort(catalogueOrder);
    if (codes.length === 0) return;
    ui.say(heading);
    const w = Math.max(...codes.map((code) => code.length));
    for (const code of codes) ui.say(`  ${paint(code.padEnd(w))}  ${String(byCode[code]).padStart(9)}`);
  };
  section('Rejected rows by reason:', rejectsByCode, c.red);
  section('Warnings by reason:', warningsByCode, c.yellow);
  if (rejectsFile) ui.say(`Rejected rows, with their lines and reasons: ${rejectsFile}`);
}
