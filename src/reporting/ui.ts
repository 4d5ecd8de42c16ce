/**
 * Where output goes: one JSON document on stdout with --json, human text on
 * stderr always (SPEC 4 "Output"). Colour only on a terminal, never with
 * NO_COLOR or --no-color.
 */

import { Chalk, type ChalkInstance, chalkStderr } from 'chalk';
import type { Issue } from '../domain/catalogue.js';

export class Ui {
  readonly colour: ChalkInstance;

  constructor(readonly json: boolean, colourWanted: boolean) {
    const noColour = !colourWanted || (process.env.NO_COLOR ?? '') !== '';
    this.colour = noColour ? new Chalk({ level: 0 }) : chalkStderr;
  }

  get interactive(): boolean {
    return Boolean(process.stderr.isTTY);
  }

  say(text = ''): void {
    process.stderr.write(`${text}\n`);
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
