/**
 * The demo echoes each command before running it: what it echoes, pasted
 * into a shell, must be the same words.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../support/cli.js';

const demo = readFileSync(`${FIXTURES}demo.sh`, 'utf8');
const quoted = /^quoted\(\) \{[\s\S]*?^\}$/m.exec(demo)?.[0];

describe('the demo', () => {
  it('echoes commands that paste back as the same words', () => {
    expect(quoted).toBeDefined();
    const words = [
      'record',
      '--contact-name',
      'Jo Bloggs',
      '--action',
      "the partnership's return",
      '--notes',
      '$HOME `x` "q" \\ *',
      '--ref',
      'DEMO-1',
      '',
    ];
    const line = execFileSync('bash', ['-c', `${quoted}\nquoted "$@"`, 'bash', ...words], { encoding: 'utf8' });
    // Pasted: bash reads the echoed line as it would read it from a user.
    const back = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
    expect(back.split('\0').slice(0, -1)).toEqual(words);
    const echoed = execFileSync('bash', ['-c', `${quoted}\nquoted "$@"`, 'bash', ...words.slice(0, 5)], {
      encoding: 'utf8',
    });
    expect(echoed).toBe("record --contact-name 'Jo Bloggs' --action 'the partnership'\\''s return'");
  });
});
