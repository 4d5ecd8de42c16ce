/**
 * Payment details in free text (DMBM510250): card numbers (13-19 digits,
 * optionally grouped by spaces or hyphens, passing Luhn) and bank accounts (a
 * sort code together with an 8-digit account number in the same field).
 * Detected numbers are masked, all but the last four digits, wherever they are
 * shown again.
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

// Runs of digit groups joined by single spaces or hyphens, not touching other digits.
const DIGIT_RUN = /(?<![\d])\d+(?:[ -]\d+)*(?![\d])/g;
const SORT_CODE = /(?<![\d-])(\d{2})([- ])(\d{2})\2(\d{2})(?![\d-])/g;
const ACCOUNT = /(?<![\d-])\d{8}(?![\d-])/g;

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

function findAccounts(text: string, out: PaymentFinding[]): void {
  const sortCodes = [...text.matchAll(SORT_CODE)];
  if (sortCodes.length === 0) return;
  const accounts = [...text.matchAll(ACCOUNT)];
  if (accounts.length === 0) return;
  for (const m of sortCodes) out.push({ kind: 'sort-code', start: m.index, end: m.index + m[0].length });
  for (const m of accounts) out.push({ kind: 'account', start: m.index, end: m.index + m[0].length });
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
