import { describe, expect, it } from 'vitest';
import { normaliseAmount, signedAmountOfCents, toCents, toSignedCents } from '../../src/invoices/money.js';
import { isValidSiret } from '../../src/invoices/siret.js';

describe('isValidSiret', () => {
  it('accepts SIRETs with a valid Luhn checksum', () => {
    expect(isValidSiret('73282932000074')).toBe(true);
    expect(isValidSiret('11000201100044')).toBe(true);
  });

  it('refuses a wrong checksum, wrong length or non-digits', () => {
    expect(isValidSiret('73282932000075')).toBe(false);
    expect(isValidSiret('7328293200007')).toBe(false);
    expect(isValidSiret('7328293200007A')).toBe(false);
    expect(isValidSiret('732 829 320 00074')).toBe(false);
  });

  it('applies the La Poste rule (digit sum multiple of 5) only to SIREN 356000000', () => {
    expect(isValidSiret('35600000049837')).toBe(true); // digit sum 45, Luhn fails
    expect(isValidSiret('35600000000048')).toBe(true); // head office, Luhn-valid
    expect(isValidSiret('35600000049838')).toBe(false); // digit sum 46
    // A digit sum that is a multiple of 5 does not rescue a SIRET of another SIREN.
    expect(isValidSiret('73282932000078')).toBe(false);
  });
});

describe('amounts', () => {
  it('counts in integer cents, so decimal sums are exact', () => {
    expect(toCents('0.10') + toCents('0.20')).toBe(toCents('0.30'));
    expect(toCents('1200')).toBe(120000n);
    expect(toCents('9999999999999.99')).toBe(999999999999999n);
  });

  it('normalises to two decimals', () => {
    expect(normaliseAmount('12.5')).toBe('12.50');
    expect(normaliseAmount('0')).toBe('0.00');
    expect(normaliseAmount('1000.00')).toBe('1000.00');
  });

  it('refuses negatives, three decimals and leading zeros', () => {
    expect(() => toCents('-1.00')).toThrow();
    expect(() => toCents('1.001')).toThrow();
    expect(() => toCents('01.00')).toThrow();
  });
});

describe('signed amounts (a price revision may be negative)', () => {
  it('read and print both signs to the cent', () => {
    expect(toSignedCents('-150.5')).toBe(-15050n);
    expect(toSignedCents('0.10')).toBe(10n);
    expect(signedAmountOfCents(-15050n)).toBe('-150.50');
    expect(signedAmountOfCents(toSignedCents('-0.01') + toSignedCents('0.03'))).toBe('0.02');
  });
});
