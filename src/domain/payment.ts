/**
 * Payment details in free text (DMBM510250): card numbers (13-19 digits,
 * optionally grouped by spaces or hyphens, passing Luhn; or, Luhn or not,
 * written as a card is written beside a card word) and bank accounts (a sort
 * code beside an 8-digit account number). Detected numbers are masked, all
 * but the last four digits, wherever they are shown again. A number written
 * as a card is, with no card word near, may be a card typed a digit out
 * (which fails Luhn nine times in ten) or a reference: it is found apart
 * (`findPossibleCardNumbers`), for a warning.
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
const BETWEEN =
  /^(?:[\s,.;:()/#-]|sort\s*code|s\/c|account(?:\s*(?:no|number))?|a\/c|acc(?:t|ount)?|bank|no|number)*$/i;
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
        if (j === i + 1 && (groups[i]!.digits.length < CARD_GROUP_MIN || groups[i]!.digits.length > CARD_GROUP_MAX))
          break;
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

/** How many of `sizes` (digit groups, from the first) make a card as cards are printed, or 0. */
function cardGroups(sizes: readonly number[]): number {
  if (sizes[0]! >= 13 && sizes[0]! <= 19) return 1;
  if (sizes[0] !== 4) return 0;
  // Amex (4-6-5) and Diners (4-6-4).
  if (sizes[1] === 6 && (sizes[2] === 5 || sizes[2] === 4)) return 3;
  // Groups of four, the last perhaps shorter.
  let digits = 4;
  let k = 1;
  while (k < sizes.length && sizes[k] === 4 && digits + 4 <= 19) {
    digits += 4;
    k++;
  }
  const last = sizes[k] ?? 4;
  if (last < 4 && digits + last >= 13) return k + 1;
  return digits >= 13 ? k : 0;
}

/** Card-shaped spans: one run of 13-19 digits, groups of four (the last may be shorter), or 4-6-5 and 4-6-4 as Amex and Diners print them. */
function cardShapedSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (const run of text.matchAll(DIGIT_RUN)) {
    const groups = [...run[0].matchAll(/\d+/g)].map((g) => ({
      start: run.index + g.index,
      end: run.index + g.index + g[0].length,
      size: g[0].length,
    }));
    for (let i = 0; i < groups.length;) {
      const taken = cardGroups(groups.slice(i, i + 6).map((g) => g.size));
      if (taken === 0) {
        i++;
        continue;
      }
      spans.push({ start: groups[i]!.start, end: groups[i + taken - 1]!.end });
      i += taken;
    }
  }
  return spans;
}

/** Words that say a number is a card's: card, the schemes, debit and credit, the security code and expiry. */
const CARD_WORD =
  /(?<![\p{L}\d])(?:cards?|visa|master\s?card|maestro|amex|american\s+express|debit|credit|cvv2?|cvc2?|cv2|security\s+code|expiry|expires|exp)(?![\p{L}\d])/giu;
/** How far from a number, in characters, a card word may stand and still be about it. */
const CARD_WORD_REACH = 40;

function nearCardWord(
  text: string,
  span: { start: number; end: number },
  words: { start: number; end: number }[],
): boolean {
  return words.some((w) =>
    w.end <= span.start ? span.start - w.end <= CARD_WORD_REACH : w.start - span.end <= CARD_WORD_REACH,
  );
}

/** Card-shaped numbers that neither pass Luhn nor stand near a card word (or, with `nearWord`, those that do). */
function cardShapedFailingLuhn(text: string, cards: PaymentFinding[], nearWord: boolean): PaymentFinding[] {
  const words = [...text.matchAll(CARD_WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  return cardShapedSpans(text)
    .filter((span) => !cards.some((c) => c.start < span.end && span.start < c.end))
    .filter((span) => nearCardWord(text, span, words) === nearWord)
    .map((span) => ({ kind: 'card' as const, ...span }));
}

export function findPaymentDetails(text: string): PaymentFinding[] {
  // Fast exit: most notes hold too few digits to contain either kind.
  if (countDigits(text) < 13 && !/\d{8}/.test(text)) return [];
  const out: PaymentFinding[] = [];
  findCards(text, out);
  out.push(...cardShapedFailingLuhn(text, out, true));
  findAccounts(text, out);
  return out.sort((a, b) => a.start - b.start);
}

/**
 * Numbers written as a card is written, with no card word near, that are not
 * payment details by the rules above (they fail Luhn): each masked but its
 * last four digits, for a warning that never repeats them.
 */
export function findPossibleCardNumbers(text: string): string[] {
  if (countDigits(text) < 13) return [];
  const cards: PaymentFinding[] = [];
  findCards(text, cards);
  return cardShapedFailingLuhn(text, cards, false).map((x) => maskSpan(text.slice(x.start, x.end), KEEP.card));
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
  const what =
    hasCard && hasAccount
      ? 'a payment card number and bank account details'
      : hasCard
        ? 'a payment card number'
        : 'bank account details (sort code and account number)';
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
