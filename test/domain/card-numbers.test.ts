/**
 * A card number typed a digit out fails Luhn nine times in ten: a number
 * written as a card is written is payment details beside a card word,
 * whether or not it passes Luhn, and a warning without one. References that
 * are not card-shaped pass untouched.
 */

import { describe, expect, it } from 'vitest';
import {
  findPaymentDetails,
  findPossibleCardNumbers,
  luhnValid,
  maskPaymentDetails,
} from '../../src/domain/payment.js';
import { allErrors, allWarnings, checkContact } from '../../src/domain/contact.js';
import { lookup, settings, validContact } from '../support/domain-fixtures.js';

const notes = (general_notes: string, strict = false) =>
  checkContact(
    validContact({ enquiries: [{ subject: 'Letter', action_taken: 'Sent a letter', general_notes }] }),
    lookup,
    { ...settings, strict },
  );
const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

describe('card-like numbers', () => {
  it('beside a card word, a card-shaped number failing Luhn is payment-details, naming the field and masking all but its last four digits', () => {
    expect(luhnValid('4736776126833715')).toBe(false);
    const check = notes('Customer paid by card 4736 7761 2683 3715 today.');
    const [error] = allErrors(check);
    expect(error?.code).toBe('payment-details');
    expect(error?.message).toBe(
      'general_notes contains a payment card number (**** **** **** 3715); payment details must never be recorded in notes',
    );
    expect(maskPaymentDetails('Customer paid by card 4736 7761 2683 3715 today.')).toBe(
      'Customer paid by card **** **** **** 3715 today.',
    );
    for (const text of [
      'VISA 4736776126833715',
      '4736-7761-2683-3715 exp 09/27',
      'Amex 3782 822463 10006 used',
      'debit card, long number 4736 7761 2683 371',
    ]) {
      expect(
        findPaymentDetails(text).map((f) => f.kind),
        text,
      ).toEqual(['card']);
    }
  });

  it('without a card word, a card-shaped number failing Luhn is stored with a possible-card-number warning (an error under --strict), masked in the message', () => {
    const check = notes('Invoice 4736776126833715 settled.');
    expect(codes(allErrors(check))).toEqual([]);
    const [warning] = allWarnings(check);
    expect(warning?.code).toBe('possible-card-number');
    expect(warning?.message).toMatch(
      /^general_notes holds \*{12}3715, a number written as a payment card number is, with no card word near it/,
    );
    expect(codes(allErrors(notes('Invoice 4736776126833715 settled.', true)))).toEqual(['possible-card-number']);
    // A card word far from it says nothing of the number.
    expect(
      findPossibleCardNumbers(
        `Asked about the card scheme.${' Then talked at length about the return.'.repeat(2)} Ref 4736 7761 2683 3715.`,
      ),
    ).toEqual(['**** **** **** 3715']);
  });

  it('references, dates and phone numbers that are not card-shaped pass untouched, even beside a card word', () => {
    for (const text of [
      'Credit note 20150612 33445566 issued',
      'card sent, ref INV4736776126833715',
      'debit 2015-06-12 2015-07-01 and 2015-08-03',
      'card holder rang 0161 496 0000 and 07700 900123',
      'invoice 47367761268337151234 (20 digits)',
      'credit 473-677-612-683-371',
    ]) {
      expect(findPaymentDetails(text), text).toEqual([]);
      expect(findPossibleCardNumbers(text), text).toEqual([]);
    }
  });
});
