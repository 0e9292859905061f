/** An invoice as an internal system submits it, after the HTTP layer has parsed its shape. */
import { createHash } from 'node:crypto';
import { FRAMES_WITH_VALIDATOR, type InvoiceType, type SyntaxeFlux } from '../chorus/codes.js';
import type { InvoiceLine, VatLine } from '../chorus/submit.js';
import type { Issue } from '../shared/domain-error.js';
import { checkDepositMode, vatBreakdownOf } from './deposit-modes.js';
import { normaliseAmount, toCents } from './money.js';

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
  /** `flux` and `pdf`; none for `data`. */
  file: { name: string; content: Buffer } | null;
}

/** Built once: creating an Intl.DateTimeFormat costs more than the rest of a date check (seen in the intake profile). */
const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in France, where invoices are dated: at 00:30 in Paris an invoice of the day is not "in the future". */
export function frenchToday(now: Date): string {
  return PARIS_DAY.format(now);
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
  >
>;

/**
 * The rules that look at several fields together, or at the file's bytes; field formats are checked at the edge.
 * Each rule runs when its fields are there and well-formed, so one answer lists every problem of a request.
 */
export function checkSubmission(submission: CheckedFields, today: string): Issue[] {
  const issues: Issue[] = [];
  if (submission.issueDate !== undefined && submission.issueDate > today) {
    issues.push({ path: 'issueDate', code: 'date_in_future', message: `The issue date ${submission.issueDate} is after today (${today}).` });
  }
  const { amountWithoutVat, vatAmount, amountWithVat } = submission;
  if (amountWithoutVat !== undefined && vatAmount !== undefined && amountWithVat !== undefined && toCents(amountWithoutVat) + toCents(vatAmount) !== toCents(amountWithVat)) {
    issues.push({
      path: 'amountWithVat',
      code: 'amounts_do_not_add_up',
      message: `The amount with VAT (${amountWithVat}) must equal the amount without VAT (${amountWithoutVat}) plus VAT (${vatAmount}).`,
    });
  }
  if (submission.file) issues.push(...checkFile(submission.file.content));
  issues.push(...checkDepositMode(submission));
  issues.push(...checkValidator(submission));
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

/** What can be told of the file without reading it; the rest is the file checker's (einvoice/inspect.ts), off the event loop. */
function checkFile(content: Buffer): Issue[] {
  const path = 'file';
  if (content.length === 0) return [{ path, code: 'file_empty', message: 'The file is empty.' }];
  if (content.length > MAX_FILE_BYTES) {
    return [{ path, code: 'file_too_large', message: `The file is ${content.length} bytes; Chorus Pro accepts at most ${MAX_FILE_BYTES} bytes (10 MB).` }];
  }
  return [];
}

export function sha256(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Fields added after requests were first fingerprinted count only when set: an earlier request's replay still matches. */
const ADDED_LATER = { validatorSiret: null, depositMode: 'flux', syntaxeFlux: null, vatBreakdown: null, lines: null, comment: null, attachments: null } as const;

/**
 * A fingerprint of what was asked, whatever the encoding (JSON or multipart): a retry under the same
 * Idempotency-Key must have the same fingerprint, a different request must not.
 */
export function submissionFingerprint(submission: InvoiceSubmission): string {
  const { file, attachments, ...rest } = submission;
  // Files count by their digest: the bytes themselves would make the fingerprint as large as the request.
  const fields = { ...rest, attachments: attachments?.map((a) => ({ name: a.name, mimeType: a.mimeType, sha256: sha256(a.content) })) ?? null };
  const canonical = Object.keys(fields)
    .sort()
    .map((key) => [key, fields[key as keyof typeof fields]])
    .filter(([key, value]) => !(typeof key === 'string' && key in ADDED_LATER && ADDED_LATER[key as keyof typeof ADDED_LATER] === value));
  return sha256(JSON.stringify({ fields: canonical, file: file ? { name: file.name, sha256: sha256(file.content) } : null }));
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
