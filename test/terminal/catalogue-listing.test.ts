import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/domain/catalogue.js';
import { catalogueMarkdown, listing } from '../../src/terminal/catalogue-listing.js';
import { checkContact } from '../../src/domain/contact.js';
import { checkRegistryRow } from '../../src/domain/reference-data.js';
import { LIMITS } from '../../src/domain/vocabulary.js';
import { lookup as LOOKUP, settings as SETTINGS, validContact } from '../support/domain-fixtures.js';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the issue catalogue as users read it', () => {
  it('docs/codes.md is exactly what the catalogue generates (npm run docs:codes)', () => {
    expect(readFileSync(join(ROOT, 'docs/codes.md'), 'utf8')).toBe(catalogueMarkdown());
  });

  it('codes --json lists every code the source can report, each with its severity, title, fields, source and an example', async () => {
    const raised = new Set<string>();
    const pattern = /(?:inputError|storageError|interruptedError|issue|new CisError\([^,]+,)\s*\(?\s*'([a-z0-9-]+)'/g;
    for (const file of sources(join(ROOT, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(pattern)) raised.add(match[1]!);
    }
    raised.add('interrupted');
    raised.add('usage');
    expect(raised.size).toBeGreaterThan(50);
    const r = await runCli(['--json', 'codes'], {});
    expect(r.code).toBe(0);
    const listed = new Map<string, any>(r.json.map((entry: { code: string }) => [entry.code, entry]));
    for (const code of raised) {
      expect(listed.has(code), code).toBe(true);
      expect(listed.get(code)).toMatchObject({ severity: expect.stringMatching(/^(fatal|error|warning|failure)$/), title: expect.any(String), manual: expect.any(String), example: expect.any(String) });
    }
    expect([...listed.keys()]).toEqual([...CATALOGUE.keys()]);
    expect(JSON.stringify(r.json)).not.toMatch(/\bSPEC\b/);
  });

  it("the examples quote the rules' own limits: each is the message the rules give for a value one over", () => {
    const long = (n: number) => 'x'.repeat(n);
    const check = checkContact(validContact({ contact_name: long(LIMITS.contactName + 1) }), LOOKUP, SETTINGS);
    const fromRules = [
      ...check.contactErrors,
      ...checkContact(validContact({ enquiries: [{ subject: 'Callback', action_taken: long(LIMITS.actionTaken + 1), general_notes: long(LIMITS.generalNotes + 1) }] }), LOOKUP, SETTINGS).enquiryErrors[0]!,
      ...checkRegistryRow({ utr: '1955839661', name: long(LIMITS.recordName + 1), kind: 'contractor' }, () => undefined).errors,
    ];
    for (const code of ['contact-name-too-long', 'action-too-long', 'notes-too-long', 'name-too-long']) {
      const raised = fromRules.find((i) => i.code === code);
      expect(raised, code).toBeDefined();
      expect(listing(CATALOGUE.get(code)!).example, code).toBe(raised!.message);
    }
    expect(listing(CATALOGUE.get('notes-too-long')!).example).toContain(`the limit is ${LIMITS.generalNotes}`);
  });

  it('codes CODE shows one entry on stdout; an unknown code is a usage error', async () => {
    const one = await runCli(['codes', 'payment-details'], {});
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^payment-details {2}error {2}Payment details in free text\n {2}fields: {2}contact_name, action_taken, general_notes\n {2}source: {2}DMBM510250/);
    expect(one.stderr).toBe('');
    const unknown = await runCli(['codes', 'nope'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nope is not an issue code');
  });
});
