/**
 * Where output goes: a command's result on stdout (the history table, a
 * confirmation, an import summary, a verdict — or, with --json, one JSON
 * document instead), and talk on stderr (progress, waiting, warnings about
 * the run, errors). So `history UTR | less` pages the table and `> file`
 * captures it, as with git, npm and psql. Colour only on a terminal, never
 * with NO_COLOR or --no-color.
 */

import { Chalk, type ChalkInstance, chalkStderr } from 'chalk';
import chalkStdout from 'chalk';
import type { Issue } from '../domain/catalogue.js';

export class Ui {
  private readonly noColour: boolean;
  private toStdout = false;

  constructor(readonly json: boolean, colourWanted: boolean) {
    this.noColour = !colourWanted || (process.env.NO_COLOR ?? '') !== '';
  }

  /** Colour for the stream being written: each is coloured only when it is a terminal. */
  get colour(): ChalkInstance {
    if (this.noColour) return new Chalk({ level: 0 });
    return this.toStdout ? chalkStdout : chalkStderr;
  }

  get interactive(): boolean {
    return Boolean(process.stderr.isTTY);
  }

  /** Whether a command's result goes to a terminal (not a file or a pipe): tables are wrapped only there. */
  get resultOnTerminal(): boolean {
    return Boolean(process.stdout.isTTY);
  }

  /** The width of the stream being written, for tables. */
  get columns(): number {
    return Number((this.toStdout ? process.stdout : process.stderr).columns) || 120;
  }

  /** One line: the result while `result()` runs, talk otherwise. */
  say(text = ''): void {
    (this.toStdout ? process.stdout : process.stderr).write(`${text}\n`);
  }

  /** Talk on stderr, even while reporting a result (an export's data holds stdout). */
  talk(text = ''): void {
    process.stderr.write(`${text}\n`);
  }

  /** Writes what `report` says as the command's result, on stdout. */
  result(report: () => void): void {
    this.toStdout = true;
    try {
      report();
    } finally {
      this.toStdout = false;
    }
  }

  document(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  issues(errors: readonly Issue[], warnings: readonly Issue[] = [], indent = '  '): void {
    const c = this.colour;
    for (const e of errors) this.say(`${indent}${c.red('error')}    ${c.bold(e.code)}  ${e.message}`);
    for (const w of warnings) this.say(`${indent}${c.yellow('warning')}  ${c.bold(w.code)}  ${w.message}`);
  }
}
