import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseUtr, parseUtr, utrCheckCharacter } from '../../src/domain/utr.js';

describe('UTR', () => {
  it.each(['1955839661', '2234567890', '1097172564', '2108834503'])('accepts the valid UTR %s', (utr) => {
    expect(parseUtr(utr)).toEqual({ ok: true, utr });
  });

  it.each(['1234567890', '2955839661', '5550000621'])('rejects %s for its check digit', (utr) => {
    expect(parseUtr(utr)).toMatchObject({ ok: false, code: 'utr-check-digit' });
  });

  it('normalises spaces, one K prefix or suffix and 13 digits', () => {
    expect(normaliseUtr(' 19558 39661 ')).toBe('1955839661');
    expect(normaliseUtr('K1955839661')).toBe('1955839661');
    expect(normaliseUtr('1955839661k')).toBe('1955839661');
    expect(normaliseUtr('0001955839661')).toBe('1955839661');
    expect(parseUtr('1231955839661K')).toEqual({ ok: true, utr: '1955839661' });
  });

  it('reports missing and malformed UTRs', () => {
    expect(parseUtr('  ')).toMatchObject({ code: 'utr-missing' });
    expect(parseUtr('195583966')).toMatchObject({ code: 'utr-format' });
    expect(parseUtr('KK1955839661')).toMatchObject({ code: 'utr-format' });
    expect(parseUtr('19558396611')).toMatchObject({ code: 'utr-format' });
    expect(parseUtr('195583966A')).toMatchObject({ code: 'utr-format' });
  });

  it('property: exactly one first digit makes nine digits a valid UTR', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (nine) => {
        const valid = [...'0123456789'].filter((first) => parseUtr(first + nine).ok);
        expect(valid).toEqual([utrCheckCharacter(`0${nine}`)]);
      }),
    );
  });

  it('property: spaces and a K prefix or suffix never change the result', () => {
    const validUtr = fc.stringMatching(/^\d{9}$/).map((nine) => utrCheckCharacter(`0${nine}`) + nine);
    fc.assert(
      fc.property(validUtr, fc.constantFrom('K', 'k', ''), fc.boolean(), (utr, k, prefix) => {
        const spaced = `${utr.slice(0, 5)} ${utr.slice(5)}`;
        const written = prefix ? k + spaced : spaced + k;
        expect(parseUtr(written)).toEqual({ ok: true, utr });
      }),
    );
  });
});

describe('forms spreadsheets write', () => {
  it("Excel's leading ' and pandas' trailing .0 are read as a PID's .0 is, when nothing else is wrong", () => {
    expect(parseUtr("'1955839661")).toEqual({ ok: true, utr: '1955839661' });
    expect(parseUtr('1955839661.0')).toEqual({ ok: true, utr: '1955839661' });
    expect(parseUtr("'K1955839661")).toEqual({ ok: true, utr: '1955839661' });
    expect(parseUtr('1955839662.0')).toMatchObject({ ok: false, code: 'utr-check-digit' });
    expect(parseUtr('1955839661.5')).toMatchObject({ ok: false, code: 'utr-format' });
    expect(parseUtr("''1955839661")).toMatchObject({ ok: false, code: 'utr-format' });
    // A leading zero lost to a number column: refused, never padded.
    expect(parseUtr('195583966.0')).toMatchObject({
      ok: false,
      code: 'utr-format',
      detail: expect.stringMatching(/9 digits: a spreadsheet may have dropped a leading zero/),
    });
  });

  it('a UTR in scientific notation is utr-format, with the hint that a spreadsheet made it a number', () => {
    expect(parseUtr('8.10433E+09')).toMatchObject({
      ok: false,
      code: 'utr-format',
      detail: expect.stringMatching(/spreadsheet/),
    });
    expect(parseUtr('1955839661')).toEqual({ ok: true, utr: '1955839661' });
  });
});
