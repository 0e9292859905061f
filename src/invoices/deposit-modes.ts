/**
 * What each deposit mode needs (flux, pdf, data), and the arithmetic of an invoice given as data: each line is
 * quantity × unit price rounded half-up to the cent, the VAT of a rate is its base × rate rounded the same way,
 * and the totals must match to the cent, as Chorus Pro checks them (a refusal there costs a round trip and a
 * rejected invoice; here it is a 422 naming the field).
 */
import { SUBMIT_FRAMES } from '../chorus/codes.js';
import type { InvoiceLine, VatLine } from '../chorus/submit.js';
import type { Issue } from '../shared/domain-error.js';
import { isPdf } from './einvoice/inspect.js';
import { amountOfCents, toCents } from './money.js';
import type { DepositMode } from './submission.js';

export interface ModeFields {
  depositMode?: DepositMode;
  syntaxeFlux?: string | null;
  billingFrame?: string;
  type?: string;
  vatBreakdown?: VatLine[] | null;
  lines?: InvoiceLine[] | null;
  amountWithoutVat?: string;
  vatAmount?: string;
  file?: { content: Buffer } | null;
  attachments?: Array<{ name: string }> | null;
}

/** A non-negative decimal with at most `places` decimals, as an integer scaled by 10^places. */
function scaled(value: string, places: number): bigint {
  const [units = '0', decimals = ''] = value.split('.');
  return BigInt(units) * 10n ** BigInt(places) + BigInt(decimals.padEnd(places, '0').slice(0, places));
}

/** `a / b` rounded half-up (both non-negative). */
const roundedDivision = (a: bigint, b: bigint) => (a * 2n + b) / (2n * b);

/** A line's amount without VAT, in cents: quantity (up to 4 decimals) × unit price, rounded to the cent. */
export function lineCents(line: InvoiceLine): bigint {
  return roundedDivision(scaled(line.quantity, 4) * toCents(line.unitPrice), 10_000n);
}

/** The VAT of a base at a rate in percent (up to 2 decimals), rounded to the cent. */
export function vatCents(baseCents: bigint, rate: string): bigint {
  return roundedDivision(baseCents * scaled(rate, 2), 10_000n);
}

/** The VAT summary of a data invoice: one line per rate, in the order the rates first appear. */
export function vatBreakdownOf(lines: readonly InvoiceLine[]): VatLine[] {
  const bases = new Map<string, bigint>();
  for (const line of lines) {
    const rate = amountOfCents(scaled(line.vatRate, 2));
    bases.set(rate, (bases.get(rate) ?? 0n) + lineCents(line));
  }
  return [...bases].map(([rate, base]) => ({
    rate: rate.replace(/\.00$/, ''),
    base: amountOfCents(base),
    vat: amountOfCents(vatCents(base, rate)),
  }));
}

/** The rules of the request's deposit mode; each runs when its fields parsed, so one answer lists every problem. */
export function checkDepositMode(f: ModeFields): Issue[] {
  const mode = f.depositMode ?? 'flux';
  const issues: Issue[] = [];
  const add = (path: string, code: string, message: string) => issues.push({ path, code, message });
  if (mode === 'flux') {
    if (f.syntaxeFlux === null)
      add(
        'syntaxeFlux',
        'invalid_type',
        'syntaxeFlux is required for a structured file (depositMode "flux"): it names the file’s format.',
      );
    if (f.file === null) add('file', 'invalid_type', 'file is required for depositMode "flux".');
    if (f.lines)
      add('lines', 'not_allowed', 'lines are for depositMode "data"; a structured file carries its own lines.');
    if (f.vatBreakdown)
      add(
        'vatBreakdown',
        'not_allowed',
        'vatBreakdown is for depositMode "pdf" or "data"; a structured file carries its own.',
      );
    if (f.attachments)
      add(
        'attachments',
        'not_allowed',
        'attachments are for depositMode "pdf" or "data"; a structured file carries its own.',
      );
    return issues;
  }
  if (f.syntaxeFlux)
    add(
      'syntaxeFlux',
      'not_allowed',
      `syntaxeFlux names a structured file's format; depositMode "${mode}" sends none.`,
    );
  if (f.billingFrame !== undefined && !SUBMIT_FRAMES.includes(f.billingFrame)) {
    add(
      'billingFrame',
      'frame_not_submittable',
      `Chorus Pro takes billing frame ${f.billingFrame} only in a structured file; depositMode "${mode}" allows ${SUBMIT_FRAMES.join(', ')}.`,
    );
  }
  if (f.type === 'ACOMPTE')
    add(
      'type',
      'type_not_submittable',
      `Chorus Pro takes a prepayment invoice (ACOMPTE) only in a structured file; depositMode "${mode}" allows FACTURE or AVOIR.`,
    );
  if (mode === 'pdf') {
    if (f.file === null) add('file', 'invalid_type', 'file is required for depositMode "pdf": the invoice as a PDF.');
    else if (f.file && !isPdf(f.file.content))
      add('file', 'file_not_pdf', 'depositMode "pdf" needs a PDF file (it does not start with %PDF-).');
    if (f.lines) add('lines', 'not_allowed', 'lines are for depositMode "data"; with "pdf" the PDF is the invoice.');
    if (f.vatBreakdown === null)
      add(
        'vatBreakdown',
        'invalid_type',
        'vatBreakdown is required for depositMode "pdf": one line per VAT rate, {rate, base, vat}.',
      );
  } else {
    if (f.file) add('file', 'not_allowed', 'depositMode "data" sends no file: the lines are the invoice.');
    if (f.lines === null)
      add(
        'lines',
        'invalid_type',
        'lines are required for depositMode "data": {description, quantity, unit, unitPrice, vatRate}.',
      );
  }
  issues.push(...checkAmounts(f));
  return issues;
}

/** Lines against the amount without VAT, each VAT line against its base, the VAT lines against the totals. */
function checkAmounts(f: ModeFields): Issue[] {
  const issues: Issue[] = [];
  const net = f.amountWithoutVat === undefined ? null : toCents(f.amountWithoutVat);
  const vat = f.vatAmount === undefined ? null : toCents(f.vatAmount);
  if (f.lines) {
    const sum = f.lines.reduce((total, line) => total + lineCents(line), 0n);
    if (net !== null && sum !== net) {
      issues.push({
        path: 'lines',
        code: 'lines_do_not_add_up',
        message: `The lines add up to ${amountOfCents(sum)} without VAT (each quantity × unit price rounded to the cent), but amountWithoutVat is ${amountOfCents(net)}.`,
      });
    }
  }
  const breakdown = f.vatBreakdown ?? (f.lines ? vatBreakdownOf(f.lines) : null);
  if (!breakdown) return issues;
  const given = f.vatBreakdown !== null && f.vatBreakdown !== undefined;
  breakdown.forEach((line, i) => {
    const expected = vatCents(toCents(line.base), line.rate);
    if (given && toCents(line.vat) !== expected) {
      issues.push({
        path: `vatBreakdown.${i}.vat`,
        code: 'vat_line_wrong',
        message: `VAT at ${line.rate} % of ${line.base} is ${amountOfCents(expected)} (rounded to the cent), not ${line.vat}.`,
      });
    }
  });
  const bases = breakdown.reduce((total, line) => total + toCents(line.base), 0n);
  const vats = breakdown.reduce((total, line) => total + toCents(line.vat), 0n);
  if (given && net !== null && bases !== net) {
    issues.push({
      path: 'vatBreakdown',
      code: 'vat_bases_do_not_add_up',
      message: `The VAT bases add up to ${amountOfCents(bases)}, but amountWithoutVat is ${amountOfCents(net)}.`,
    });
  }
  if (vat !== null && vats !== vat) {
    const source = given ? 'The VAT lines add up to' : 'The lines give, rate by rate,';
    issues.push({
      path: 'vatAmount',
      code: 'vat_does_not_add_up',
      message: `${source} ${amountOfCents(vats)} of VAT, but vatAmount is ${amountOfCents(vat)}.`,
    });
  }
  return issues;
}
