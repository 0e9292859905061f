/**
 * Amounts are exact decimals carried as strings ("1200.00") and compared in integer cents with BigInt,
 * never as binary floats: 0.1 + 0.2 must equal 0.3 on an invoice.
 */

/** Non-negative, at most 13 integer digits (numeric(15,2) in PostgreSQL) and at most 2 decimals. */
export const AMOUNT_PATTERN = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

export function toCents(amount: string): bigint {
  if (!AMOUNT_PATTERN.test(amount)) throw new Error(`Not an amount: ${amount}`);
  const [units = '0', decimals = ''] = amount.split('.');
  return BigInt(units) * 100n + BigInt(decimals.padEnd(2, '0'));
}

/** Integer cents (non-negative) as the two-decimal amount we store and return: 1250n is "12.50". */
export function amountOfCents(cents: bigint): string {
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/** The canonical two-decimal form we store and return ("12.5" becomes "12.50"). */
export function normaliseAmount(amount: string): string {
  return amountOfCents(toCents(amount));
}

/** A signed amount ("-150.00", a price revision) in integer cents. */
export function toSignedCents(amount: string): bigint {
  return amount.startsWith('-') ? -toCents(amount.slice(1)) : toCents(amount);
}

/** Integer cents of either sign as a two-decimal amount: -1250n is "-12.50". */
export function signedAmountOfCents(cents: bigint): string {
  return cents < 0n ? `-${amountOfCents(-cents)}` : amountOfCents(cents);
}
