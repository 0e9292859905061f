/** An invoice as an internal system submits it, after the HTTP layer has parsed its shape. */
import { createHash } from 'node:crypto';
import { FRAMES_WITH_VALIDATOR, WORKS_FRAMES, type InvoiceType, type SyntaxeFlux } from '../chorus/codes.js';
import type { InvoiceLine, VatLine } from '../chorus/submit.js';
import type { WorksAmounts } from '../db/entities/invoice.js';
import type { Issue } from '../shared/domain-error.js';
import { parisDay } from '../shared/time.js';
import { checkDepositMode, vatBreakdownOf } from './deposit-modes.js';
import { amountOfCents, normaliseAmount, signedAmountOfCents, toCents, toSignedCents } from './money.js';

/** Chorus Pro refuses larger files. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** `flux`: a structured file; `pdf`: a plain PDF with its data; `data`: the lines alone (see the Invoice entity). */
export const DEPOSIT_MODES = ['flux', 'pdf', 'data'] as const;
export type DepositMode = (typeof DEPOSIT_MODES)[number];

export interface AttachmentInput {
  name: string;
  mimeType: string;
  content: Buffer;
}

export interface InvoiceSubmission {
  supplierSiret: string;
  recipientSiret: string;
  serviceCode: string | null;
  engagementNumber: string | null;
  marketNumber: string | null;
  number: string;
  issueDate: string;
  type: InvoiceType;
  billingFrame: string;
  /** A9 and A12: who validates it before the buyer gets it (the main contractor's SIRET). */
  validatorSiret: string | null;
  currency: string;
  amountWithoutVat: string;
  vatAmount: string;
  amountWithVat: string;
  depositMode: DepositMode;
  /** `flux` only. */
  syntaxeFlux: SyntaxeFlux | null;
  /** `pdf` and `data` (for `data`, worked out from the lines when not given). */
  vatBreakdown: VatLine[] | null;
  /** `data` only. */
  lines: InvoiceLine[] | null;
  comment: string | null;
  /** `pdf` and `data`: supporting documents, uploaded to Chorus Pro before the invoice is submitted. */
  attachments: AttachmentInput[] | null;
  /** The rejected invoice this one corrects (under a new number); optional. */
  correctsInvoiceId?: string | null;
  /** A works document: the previous document of the same billing file; optional. */
  previousInvoiceId?: string | null;
  /** A works document's amounts beside its totals; optional. */
  worksAmounts?: WorksAmounts | null;
  /** `flux` and `pdf`; none for `data`. */
  file: { name: string; content: Buffer } | null;
}

/** Today's date in France, where invoices are dated: at 00:30 in Paris an invoice of the day is not "in the future". */
export function frenchToday(now: Date): string {
  return parisDay(now);
}

/** The fields the rules below look at; any may be missing when the request's other fields are wrong. */
export type CheckedFields = Partial<
  Pick<
    InvoiceSubmission,
    | 'issueDate'
    | 'amountWithoutVat'
    | 'vatAmount'
    | 'amountWithVat'
    | 'file'
    | 'depositMode'
    | 'syntaxeFlux'
    | 'billingFrame'
    | 'type'
    | 'vatBreakdown'
    | 'lines'
    | 'validatorSiret'
    | 'worksAmounts'
    | 'previousInvoiceId'
  >
>;

/**
 * The rules that look at several fields together, or at the file's bytes; field formats are checked at the edge.
 * Each rule runs when its fields are there and well-formed, so one answer lists every problem of a request.
 */
export function checkSubmission(submission: CheckedFields, today: string): Issue[] {
  const issues: Issue[] = [];
  if (submission.issueDate !== undefined && submission.issueDate > today) {
    issues.push({
      path: 'issueDate',
      code: 'date_in_future',
      message: `The issue date ${submission.issueDate} is after today (${today}).`,
    });
  }
  const { amountWithoutVat, vatAmount, amountWithVat } = submission;
  if (
    amountWithoutVat !== undefined &&
    vatAmount !== undefined &&
    amountWithVat !== undefined &&
    toCents(amountWithoutVat) + toCents(vatAmount) !== toCents(amountWithVat)
  ) {
    issues.push({
      path: 'amountWithVat',
      code: 'amounts_do_not_add_up',
      message: `The amount with VAT (${amountWithVat}) must equal the amount without VAT (${amountWithoutVat}) plus VAT (${vatAmount}).`,
    });
  }
  if (submission.file) issues.push(...checkFile(submission.file.content));
  issues.push(...checkDepositMode(submission));
  issues.push(...checkValidator(submission));
  issues.push(...checkWorksDocument(submission));
  return issues;
}

/**
 * A works document's own fields: only a works frame (A4 to A25) names a previous document or carries works
 * amounts; the retention is at most 5 % (docs/chorus-pro-notes.md, "Works documents", read per statement); the amount
 * to pay is the amount with VAT less the retention and the advance repaid, plus the advance paid; with what earlier
 * statements billed, the amount without VAT is the works executed since, plus the price revision.
 */
function checkWorksDocument(submission: CheckedFields): Issue[] {
  const { billingFrame, worksAmounts: w, previousInvoiceId } = submission;
  if (billingFrame === undefined) return [];
  const works = WORKS_FRAMES.includes(billingFrame);
  const issues: Issue[] = [];
  if (!works) {
    const notWorks = (path: string) => ({
      path,
      code: 'not_a_works_document',
      message: `Only a works document (billing frame A4 to A25) has ${path}; this one has ${billingFrame}.`,
    });
    if (w) issues.push(notWorks('worksAmounts'));
    if (previousInvoiceId) issues.push(notWorks('previousInvoiceId'));
    return issues;
  }
  if (!w || submission.amountWithVat === undefined) return issues;
  const withVat = toCents(submission.amountWithVat);
  const retention = toCents(w.retention);
  // 5 % of the amount with VAT, rounded down to the cent: a retention of one cent more is over the limit.
  const limit = (withVat * 5n) / 100n;
  if (retention > limit) {
    issues.push({
      path: 'worksAmounts.retention',
      code: 'retention_above_limit',
      message: `The retention (retenue de garantie) ${w.retention} is more than 5 % of the amount with VAT ${submission.amountWithVat} (at most ${amountOfCents(limit)}).`,
    });
  }
  const toPay = withVat - retention - toCents(w.advanceRepayment) + toCents(w.advance);
  if (toPay !== toCents(w.amountToPay)) {
    issues.push({
      path: 'worksAmounts.amountToPay',
      code: 'amount_to_pay_wrong',
      message: `The amount to pay must be the amount with VAT ${submission.amountWithVat} less the retention ${w.retention} and the advance repaid ${w.advanceRepayment}, plus the advance ${w.advance}: ${signedAmountOfCents(toPay)}, not ${w.amountToPay}.`,
    });
  }
  if (w.previouslyInvoiced !== null && submission.amountWithoutVat !== undefined) {
    const expected = toCents(w.executedToDate) - toCents(w.previouslyInvoiced) + toSignedCents(w.priceRevision);
    if (expected !== toCents(submission.amountWithoutVat)) {
      issues.push({
        path: 'amountWithoutVat',
        code: 'works_amounts_do_not_add_up',
        message: `A statement bills the works executed to date ${w.executedToDate} less what was billed before ${w.previouslyInvoiced}, plus the price revision ${w.priceRevision}: ${signedAmountOfCents(expected)} without VAT, not ${submission.amountWithoutVat}.`,
      });
    }
  }
  return issues;
}

/**
 * A subcontractor's (A9) or co-contractor's (A12) invoice names its validator; no other does. Submitted without a
 * flux, Chorus Pro needs it in the request (`codeStructureValideur`); in a flux, the file carries it.
 */
function checkValidator(submission: CheckedFields): Issue[] {
  const { billingFrame, validatorSiret, depositMode } = submission;
  if (billingFrame === undefined || validatorSiret === undefined) return [];
  const needsOne = FRAMES_WITH_VALIDATOR.includes(billingFrame);
  if (!needsOne && validatorSiret !== null) {
    return [
      {
        path: 'validatorSiret',
        code: 'validator_not_expected',
        message: `Only a subcontractor's (A9) or co-contractor's (A12) invoice names a validator, not one with billing frame ${billingFrame}.`,
      },
    ];
  }
  if (needsOne && validatorSiret === null && depositMode !== undefined && depositMode !== 'flux') {
    return [
      {
        path: 'validatorSiret',
        code: 'validator_required',
        message: `An invoice with billing frame ${billingFrame} goes to its validator (the main contractor) first: give validatorSiret, or a marketNumber whose contract profile names the holder.`,
      },
    ];
  }
  return [];
}

/**
 * What can be told of the file without reading it; the rest is the file checker's (einvoice/inspect.ts), off the event
 * loop.
 */
function checkFile(content: Buffer): Issue[] {
  const path = 'file';
  if (content.length === 0) return [{ path, code: 'file_empty', message: 'The file is empty.' }];
  if (content.length > MAX_FILE_BYTES) {
    return [
      {
        path,
        code: 'file_too_large',
        message: `The file is ${content.length} bytes; Chorus Pro accepts at most ${MAX_FILE_BYTES} bytes (10 MB).`,
      },
    ];
  }
  return [];
}

export function sha256(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Fields added after requests were first fingerprinted count only when set: an earlier request's replay still matches.
 */
const ADDED_LATER = {
  previousInvoiceId: null,
  worksAmounts: null,
  validatorSiret: null,
  depositMode: 'flux',
  syntaxeFlux: null,
  vatBreakdown: null,
  lines: null,
  comment: null,
  attachments: null,
} as const;

/**
 * A fingerprint of what was asked, whatever the encoding (JSON or multipart): a retry under the same
 * Idempotency-Key must have the same fingerprint, a different request must not.
 */
export function submissionFingerprint(submission: InvoiceSubmission): string {
  const { file, attachments, ...rest } = submission;
  // Files count by their digest: the bytes themselves would make the fingerprint as large as the request.
  const fields = {
    ...rest,
    attachments: attachments?.map((a) => ({ name: a.name, mimeType: a.mimeType, sha256: sha256(a.content) })) ?? null,
  };
  const canonical = Object.keys(fields)
    .sort()
    .map((key) => [key, fields[key as keyof typeof fields]])
    .filter(
      ([key, value]) =>
        !(typeof key === 'string' && key in ADDED_LATER && ADDED_LATER[key as keyof typeof ADDED_LATER] === value),
    );
  return sha256(
    JSON.stringify({ fields: canonical, file: file ? { name: file.name, sha256: sha256(file.content) } : null }),
  );
}

/** What the intake stores of a submission beyond its plain fields, the same on both of its paths (intake.ts). */
export function storedFieldsOf(s: InvoiceSubmission) {
  return {
    amountWithoutVat: normaliseAmount(s.amountWithoutVat),
    vatAmount: normaliseAmount(s.vatAmount),
    amountWithVat: normaliseAmount(s.amountWithVat),
    depositMode: s.depositMode,
    fileName: s.file?.name ?? null,
    fileContent: s.file?.content ?? null,
    fileSize: s.file?.content.length ?? null,
    fileSha256: s.file ? sha256(s.file.content) : null,
    syntaxeFlux: s.syntaxeFlux,
    vatBreakdown: s.vatBreakdown ?? (s.lines ? vatBreakdownOf(s.lines) : null),
    lines: s.lines,
    comment: s.comment,
    worksAmounts: s.worksAmounts ? normalisedWorksAmounts(s.worksAmounts) : null,
  };
}

function normalisedWorksAmounts(w: WorksAmounts): WorksAmounts {
  return {
    executedToDate: normaliseAmount(w.executedToDate),
    previouslyInvoiced: w.previouslyInvoiced === null ? null : normaliseAmount(w.previouslyInvoiced),
    priceRevision: signedAmountOfCents(toSignedCents(w.priceRevision)),
    retention: normaliseAmount(w.retention),
    advance: normaliseAmount(w.advance),
    advanceRepayment: normaliseAmount(w.advanceRepayment),
    amountToPay: normaliseAmount(w.amountToPay),
  };
}

/** The details of the first timeline line: what came in. */
export function receivedDetailsOf(s: InvoiceSubmission): Record<string, unknown> {
  return {
    depositMode: s.depositMode,
    ...(s.file ? { fileName: s.file.name, fileSize: s.file.content.length } : {}),
    ...(s.syntaxeFlux ? { syntaxeFlux: s.syntaxeFlux } : {}),
    ...(s.lines ? { lines: s.lines.length } : {}),
    ...(s.attachments ? { attachments: s.attachments.map((a) => a.name) } : {}),
  };
}
