import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { inputError, usageError } from '../domain/errors.js';
import { nearestValue } from '../domain/suggest.js';
import { SUBJECTS, matchSubject } from '../domain/vocabulary.js';
import { findRecords, recordNames } from '../storage/reference-repository.js';
import { historyOf } from '../storage/history-reader.js';
import { historyTable, sayWrapped } from '../terminal/history-table.js';
import { dateFilter, utrArgument } from './filters.js';
import { threeMonthsBefore } from '../domain/dates.js';
import { reading } from './reading.js';

export interface HistoryFlags {
  from?: string;
  to?: string;
  all?: boolean;
  subject?: string;
}

export async function history(session: Session, utrText: string, flags: HistoryFlags): Promise<CommandResult> {
  const utr = utrArgument(utrText);
  let subject: string | undefined;
  if (flags.subject !== undefined) {
    subject = matchSubject(flags.subject);
    if (!subject) {
      const near = nearestValue(flags.subject, SUBJECTS);
      throw usageError(
        `--subject ${flags.subject}: use Internal Referral, Letter, Callback, Complaint or Other${near ? `; did you mean ${near}?` : ''}`,
      );
    }
  }
  const dates = dateFilter(flags);
  const today = session.rules().today;
  const from = flags.all ? dates.from : (dates.from ?? (dates.to ? undefined : threeMonthsBefore(today)));
  const { record, contacts, partnerships } = await reading(
    session,
    async () => {
      const store = await session.store({ create: false });
      const found = (await findRecords(store.db, [utr])).get(utr);
      if (!found) throw inputError('unknown-record', { field: 'UTR', value: utr });
      const contacts = await historyOf(store.db, { utr, from, to: dates.to, subject });
      const partnerships = await recordNames(
        store.db,
        contacts.flatMap((c) => (c.partnershipUtr ? [c.partnershipUtr] : [])),
      );
      return { record: found, contacts, partnerships };
    },
    () => 'no history was shown',
  );
  const partnership = record.kind === 'partnership';
  const ui = session.ui;
  return {
    exitCode: 0,
    json: contacts.map(({ seq, ...rest }) => ({ id: seq, seq, ...rest })),
    report: () => {
      // On a terminal every line fits its width; into a file or a pipe nothing is wrapped.
      const say = (text: string, indent = 0) =>
        ui.resultOnTerminal ? sayWrapped(ui, text, indent) : ui.say(' '.repeat(indent), text);
      const period =
        flags.all && !dates.from && !dates.to ? 'all dates' : `${from ?? 'the beginning'} to ${dates.to ?? today}`;
      if (partnership) {
        say(
          `${utr} is a partnership: it holds no contact notes (CISR90270). Its contacts are recorded on each partner's own record:`,
        );
        say(`partners: ${record.partners.join(', ') || 'none'}`, 2);
        say(`Contacts recorded for this partnership on its partners, ${period}, newest first:`);
      } else {
        say(
          `Contact history of ${utr} (${record.kind}), ${period}, newest first${subject ? `, subject ${subject}` : ''}:`,
        );
      }
      if (contacts.length === 0) {
        say(`none${flags.all ? '' : ' (use --all for every date)'}`, 2);
        return;
      }
      historyTable(ui, contacts, { partnerships }, partnership);
    },
  };
}
