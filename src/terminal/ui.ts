/**
 * Where output goes: a command's result on stdout (the history table, a
 * confirmation, an import summary, a verdict — or, with --json, one JSON
 * document instead), and talk on stderr (progress, waiting, warnings about
 * the run, errors). So `history UTR | less` pages the table and `> file`
 * captures it, as with git, npm and psql. Colour only on a terminal, never
 * with NO_COLOR or --no-color. Every piece of text is shown screen-safe
 * (src/domain/screen-text.ts), whatever it holds: colour is applied here,
 * after the text is escaped, so a stored escape sequence never reaches the
 * terminal as one.
 */

import { Chalk, type ChalkInstance } from 'chalk';
import type { Issue } from '../domain/catalogue.js';
import { screenJson, screenText } from '../domain/screen-text.js';

type Style = 'red' | 'green' | 'yellow' | 'bold' | 'dim';

/** Text to be shown in a colour or weight: painted by the Ui when it is written. */
interface Painted {
  readonly style: Style;
  readonly text: string;
}

/** A piece of a line: plain text or painted text. */
export type Piece = string | Painted;

const paint =
  (style: Style) =>
  (text: string): Painted => ({ style, text });

/** The styles a line may use. */
const PALETTE = {
  red: paint('red'),
  green: paint('green'),
  yellow: paint('yellow'),
  bold: paint('bold'),
  dim: paint('dim'),
} as const;

/** A stream a command writes to: a terminal's says so and gives its width. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * Where a command's output goes and how it may be coloured. The process's own
 * streams and chalk's levels for them in the binary; buffers for a caller
 * running the command in process.
 */
export interface Terminal {
  stdout: OutputStream;
  stderr: OutputStream;
  /** The environment (NO_COLOR is honoured). */
  env: Readonly<Record<string, string | undefined>>;
  /** The colour levels each stream supports (chalk's 0–3); 0 when not said. */
  colourLevels?: { stdout: number; stderr: number };
}

export class Ui {
  private readonly noColour: boolean;
  private toStdout = false;
  private readonly chalks: { stdout: ChalkInstance; stderr: ChalkInstance };

  constructor(
    readonly json: boolean,
    colourWanted: boolean,
    readonly terminal: Terminal,
  ) {
    this.noColour = !colourWanted || (terminal.env.NO_COLOR ?? '') !== '';
    const levels = this.noColour ? { stdout: 0, stderr: 0 } : (terminal.colourLevels ?? { stdout: 0, stderr: 0 });
    this.chalks = {
      stdout: new Chalk({ level: levels.stdout as 0 }),
      stderr: new Chalk({ level: levels.stderr as 0 }),
    };
  }

  get stdout(): OutputStream {
    return this.terminal.stdout;
  }

  get stderr(): OutputStream {
    return this.terminal.stderr;
  }

  /** The styles for pieces of a line; see `say`. */
  get colour(): typeof PALETTE {
    return PALETTE;
  }

  /** Colour for the stream being written: each is coloured only when it is a terminal. */
  private chalkFor(stdout: boolean): ChalkInstance {
    return stdout ? this.chalks.stdout : this.chalks.stderr;
  }

  /** One line, every piece screen-safe, painted ones in their style. */
  private line(pieces: readonly Piece[], stdout: boolean): string {
    const chalk = this.chalkFor(stdout);
    return pieces.map((p) => (typeof p === 'string' ? screenText(p) : chalk[p.style](screenText(p.text)))).join('');
  }

  get interactive(): boolean {
    return Boolean(this.stderr.isTTY);
  }

  /** Whether a command's result goes to a terminal (not a file or a pipe): tables are wrapped only there. */
  get resultOnTerminal(): boolean {
    return Boolean(this.stdout.isTTY);
  }

  /** The width of the stream being written, for tables. */
  get columns(): number {
    return Number((this.toStdout ? this.stdout : this.stderr).columns) || 120;
  }

  /** One line: the result while `result()` runs, talk otherwise. */
  say(...pieces: Piece[]): void {
    (this.toStdout ? this.stdout : this.stderr).write(`${this.line(pieces, this.toStdout)}\n`);
  }

  /** Talk on stderr, even while reporting a result (an export's data holds stdout). */
  talk(...pieces: Piece[]): void {
    this.stderr.write(`${this.line(pieces, false)}\n`);
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
    this.stdout.write(`${screenJson(value, 2)}\n`);
  }

  issues(errors: readonly Issue[], warnings: readonly Issue[] = [], indent = '  '): void {
    const c = this.colour;
    for (const e of errors) this.say(indent, c.red('error'), '    ', c.bold(e.code), `  ${e.message}`);
    for (const w of warnings) this.say(indent, c.yellow('warning'), '  ', c.bold(w.code), `  ${w.message}`);
  }
}
