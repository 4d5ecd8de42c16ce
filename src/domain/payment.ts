/**
 * Payment details in free text (DMBM510250): card numbers (13-19 digits,
 * optionally grouped by spaces or hyphens, passing Luhn) and bank accounts (a
 * sort code beside an 8-digit account number). Detected numbers are masked,
 * all but the last four digits, wherever they are shown again.
 *
 * Precise enough for real notes, which are full of dates, case, reference
 * and phone numbers: a number glued to letters is a reference, not a card; a
 * card's groups are the 3-6 digit blocks printed on cards (so two dates side
 * by side are not one); and a sort-code-shaped group (`14-07-20` is also a
 * date) counts only beside an 8-digit account number, with nothing between
 * them but separators and bank words.
 */

export interface PaymentFinding {
  kind: 'card' | 'account' | 'sort-code';
  start: number;
  end: number;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// Runs of digit groups joined by single spaces or hyphens, not touching other digits or letters.
const DIGIT_RUN = /(?<![\p{L}\d])\d+(?:[ -]\d+)*(?![\p{L}\d])/gu;
const SORT_CODE = /(?<![\p{L}\d-])\d{2}([- ])\d{2}\1\d{2}(?![\p{L}\d]|-\d)/gu;
const ACCOUNT = /(?<![\p{L}\d-])\d{8}(?![\p{L}\d]|-\d)/gu;
/** What may stand between a sort code and its account number: separators and bank words. */
const BETWEEN = /^(?:[\s,.;:()/#-]|sort\s*code|s\/c|account(?:\s*(?:no|number))?|a\/c|acc(?:t|ount)?|bank|no|number)*$/i;
/** A card's printed groups; a lone run of 13-19 digits is one group. */
const CARD_GROUP_MIN = 3;
const CARD_GROUP_MAX = 6;

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** Card numbers: the longest span of whole groups within a run whose 13-19 digits pass Luhn. */
function findCards(text: string, out: PaymentFinding[]): void {
  for (const run of text.matchAll(DIGIT_RUN)) {
    const groups = [...run[0].matchAll(/\d+/g)].map((g) => ({
      start: run.index + g.index,
      end: run.index + g.index + g[0].length,
      digits: g[0],
    }));
    let i = 0;
    while (i < groups.length) {
      let digits = '';
      let best = -1;
      for (let j = i; j < groups.length && digits.length + groups[j]!.digits.length <= 19; j++) {
        const size = groups[j]!.digits.length;
        if (j > i && (size < CARD_GROUP_MIN || size > CARD_GROUP_MAX)) break;
        if (j === i + 1 && (groups[i]!.digits.length < CARD_GROUP_MIN || groups[i]!.digits.length > CARD_GROUP_MAX)) break;
        digits += groups[j]!.digits;
        if (digits.length >= 13 && luhnValid(digits)) best = j;
      }
      if (best >= 0) {
        out.push({ kind: 'card', start: groups[i]!.start, end: groups[best]!.end });
        i = best + 1;
      } else i++;
    }
  }
}

/** Sort codes and account numbers that stand beside each other, in either order. */
function findAccounts(text: string, out: PaymentFinding[]): void {
  const sortCodes = [...text.matchAll(SORT_CODE)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  if (sortCodes.length === 0) return;
  const accounts = [...text.matchAll(ACCOUNT)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const found = new Set<{ start: number; end: number }>();
  for (const code of sortCodes) {
    for (const account of accounts) {
      const [first, second] = code.start < account.start ? [code, account] : [account, code];
      if (!BETWEEN.test(text.slice(first.end, second.start))) continue;
      found.add(code);
      found.add(account);
    }
  }
  for (const span of found) out.push({ kind: sortCodes.includes(span) ? 'sort-code' : 'account', ...span });
}

export function findPaymentDetails(text: string): PaymentFinding[] {
  // Fast exit: most notes hold too few digits to contain either kind.
  if (countDigits(text) < 13 && !/\d{8}/.test(text)) return [];
  const out: PaymentFinding[] = [];
  findCards(text, out);
  findAccounts(text, out);
  return out.sort((a, b) => a.start - b.start);
}

function maskSpan(span: string, keep: number): string {
  let masked = '';
  for (let i = span.length - 1; i >= 0; i--) {
    const ch = span[i]!;
    if (ch >= '0' && ch <= '9') {
      masked = (keep > 0 ? ch : '*') + masked;
      keep--;
    } else masked = ch + masked;
  }
  return masked;
}

/** A sort code is masked whole; card and account numbers keep their last four digits. */
const KEEP: Record<PaymentFinding['kind'], number> = { card: 4, account: 4, 'sort-code': 0 };

/** Every digit of each finding except its last four becomes `*`. */
export function maskPaymentDetails(text: string, findings = findPaymentDetails(text)): string {
  if (findings.length === 0) return text;
  let result = '';
  let cursor = 0;
  for (const finding of findings) {
    if (finding.start < cursor) continue;
    result += text.slice(cursor, finding.start) + maskSpan(text.slice(finding.start, finding.end), KEEP[finding.kind]);
    cursor = finding.end;
  }
  return result + text.slice(cursor);
}

export function describeFindings(text: string, findings: PaymentFinding[]): string {
  const masked = findings.map((x) => maskSpan(text.slice(x.start, x.end), KEEP[x.kind]));
  const kinds = new Set(findings.map((x) => x.kind));
  const hasCard = kinds.has('card');
  const hasAccount = kinds.has('account');
  const what = hasCard && hasAccount
    ? 'a payment card number and bank account details'
    : hasCard ? 'a payment card number' : 'bank account details (sort code and account number)';
  return `${what} (${masked.join(', ')})`;
}

/** A number as `maskPaymentDetails` leaves it: a sort code all stars, or stars then the last four digits. */
const MASKED = /\*\*([- ])\*\*\1\*\*|(?:\*[ -]?){4,}\d{4}/;

/**
 * The masked number a rejects file holds, if the text still has one: the
 * rejects file never repeats payment details, so a row brought back with its
 * mask untouched would store stars instead of what the contact said.
 */
export function findMaskedNumber(text: string): string | undefined {
  return MASKED.exec(text)?.[0];
}
