import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, ISSUE_CODES, isIssueCode, issue } from '../../src/domain/catalogue.js';
import { catalogueMarkdown, listing } from '../../src/terminal/catalogue-listing.js';
import { checkContact } from '../../src/domain/contact.js';
import { checkRegistryRow } from '../../src/domain/reference-data.js';
import { LIMITS } from '../../src/domain/vocabulary.js';
import { lookup as LOOKUP, settings as SETTINGS, validContact } from '../support/domain-fixtures.js';
import { storageError } from '../../src/domain/errors.js';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the issue catalogue as users read it', () => {
  it('docs/codes.md is exactly what the catalogue generates (npm run docs:codes)', () => {
    expect(readFileSync(join(ROOT, 'docs/codes.md'), 'utf8')).toBe(catalogueMarkdown());
  });

  it('codes --json lists every code there is, in catalogue order, each with its severity, title, fields, source and an example', async () => {
    // Every place that raises a code takes an IssueCode (issue(), CisError and
    // its helpers, Issue.code), the union of the catalogue's own codes: a code
    // built at run time (a rule's tooLong, a UTR check's result) is one of them
    // by its type, so listing the whole catalogue lists every code raised.
    const r = await runCli(['--json', 'codes'], {});
    expect(r.code).toBe(0);
    expect(r.json.map((entry: { code: string }) => entry.code)).toEqual([...ISSUE_CODES]);
    expect(ISSUE_CODES.length).toBeGreaterThan(50);
    for (const entry of r.json) {
      expect(entry, entry.code).toMatchObject({
        severity: expect.stringMatching(/^(fatal|error|warning|failure)$/),
        title: expect.any(String),
        fields: expect.any(Array),
        manual: expect.any(String),
        example: expect.any(String),
      });
    }
    expect(JSON.stringify(r.json)).not.toMatch(/\bSPEC\b/);
  });

  it('a misspelt code does not compile (npm run typecheck), and one smuggled past the types is refused at run time', () => {
    // Each @ts-expect-error fails the type check if the line below it ever compiles.
    // @ts-expect-error 'chanel-invalid' is not a code
    expect(() => issue('chanel-invalid')).toThrow('unknown issue code chanel-invalid');
    // @ts-expect-error nor is 'disk-ful'
    expect(() => storageError('disk-ful', { value: '/tmp' })).toThrow('unknown issue code disk-ful');
    // @ts-expect-error a check against a misspelt code cannot compile either
    expect(issue('channel-invalid').code === 'chanel-invalid').toBe(false);
    expect(isIssueCode('channel-invalid')).toBe(true);
    expect(isIssueCode('chanel-invalid')).toBe(false);
  });

  it("the examples quote the rules' own limits: each is the message the rules give for a value one over", () => {
    const long = (n: number) => 'x'.repeat(n);
    const check = checkContact(validContact({ contact_name: long(LIMITS.contactName + 1) }), LOOKUP, SETTINGS);
    const fromRules = [
      ...check.contactErrors,
      ...checkContact(
        validContact({
          enquiries: [
            {
              subject: 'Callback',
              action_taken: long(LIMITS.actionTaken + 1),
              general_notes: long(LIMITS.generalNotes + 1),
            },
          ],
        }),
        LOOKUP,
        SETTINGS,
      ).enquiryErrors[0]!,
      ...checkRegistryRow({ utr: '1955839661', name: long(LIMITS.recordName + 1), kind: 'contractor' }, () => undefined)
        .errors,
    ];
    for (const code of ['contact-name-too-long', 'action-too-long', 'notes-too-long', 'name-too-long'] as const) {
      const raised = fromRules.find((i) => i.code === code);
      expect(raised, code).toBeDefined();
      expect(listing(CATALOGUE.get(code)!).example, code).toBe(raised!.message);
    }
    expect(listing(CATALOGUE.get('notes-too-long')!).example).toContain(`the limit is ${LIMITS.generalNotes}`);
  });

  it('codes CODE shows one entry on stdout; an unknown code is a usage error', async () => {
    const one = await runCli(['codes', 'payment-details'], {});
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(
      /^payment-details {2}error {2}Payment details in free text\n {2}fields: {2}contact_name, action_taken, general_notes\n {2}source: {2}DMBM510250/,
    );
    expect(one.stderr).toBe('');
    const unknown = await runCli(['codes', 'nope'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nope is not an issue code');
  });
});
