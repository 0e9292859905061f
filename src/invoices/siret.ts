/** SIRET checks as INSEE defines them (docs/chorus-pro-notes.md, "Identifiers and e-invoice data"). */

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** La Poste's establishments (SIREN 356000000) do not follow Luhn: their digit sum is a multiple of 5 instead. */
const LA_POSTE_SIREN = '356000000';

export function isValidSiret(value: string): boolean {
  if (!/^\d{14}$/.test(value)) return false;
  if (luhn(value)) return true;
  return value.startsWith(LA_POSTE_SIREN) && [...value].reduce((sum, c) => sum + Number(c), 0) % 5 === 0;
}
