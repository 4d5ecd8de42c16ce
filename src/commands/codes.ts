import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { CATALOGUE, isIssueCode } from '../domain/catalogue.js';
import { usageError } from '../domain/errors.js';
import { allListings, catalogueMarkdown, listing } from '../terminal/catalogue-listing.js';

export interface CodesFlags {
  markdown?: boolean;
}

export async function codes(session: Session, code: string | undefined, flags: CodesFlags): Promise<CommandResult> {
  const wanted = code?.trim().toLowerCase();
  const entry = wanted !== undefined && isIssueCode(wanted) ? CATALOGUE.get(wanted) : undefined;
  if (code !== undefined && !entry)
    throw usageError(`${code} is not an issue code`, 'cis-contact codes lists them all');
  const list = entry ? [listing(entry)] : allListings();
  const ui = session.ui;
  return {
    exitCode: 0,
    json: entry ? list[0] : list,
    report: () => {
      if (flags.markdown) {
        ui.stdout.write(catalogueMarkdown());
        return;
      }
      const c = ui.colour;
      for (const l of list) {
        ui.say(c.bold(l.code), `  ${l.severity}  ${l.title}`);
        if (l.fields.length > 0) ui.say(`  fields:  ${l.fields.join(', ')}`);
        ui.say(`  source:  ${l.manual}`);
        ui.say(`  example: ${l.example}`);
      }
    },
  };
}
