/**
 * Receiving an invoice: store it with its first timeline line in one transaction, or refuse it whole.
 * Enqueuing its deposit job happens after the commit (see queues/deposit-jobs.ts), never before.
 */
import { ref } from '@mikro-orm/core';
import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { AuditLine } from '../access/audit.js';
import { FollowUp } from '../db/entities/follow-up.js';
import { Invoice } from '../db/entities/invoice.js';
import { InvoiceAttachment } from '../db/entities/invoice-attachment.js';
import { InvoiceEvent } from '../db/entities/invoice-event.js';
import { SupplierAccount } from '../db/entities/supplier-account.js';
import { WORKS_FRAMES } from '../chorus/codes.js';
import { DomainError } from '../shared/domain-error.js';
import { registeredSupplier } from '../suppliers/accounts.js';
import { CORRECTABLE_REASONS } from './action-required.js';
import { markCorrected, received } from './lifecycle.js';
import { createInOneStatement, type InvoiceFields } from './intake-statement.js';
import { receivedDetailsOf, storedFieldsOf, submissionFingerprint, type InvoiceSubmission } from './submission.js';

/** `audited`: the call's audit line was written with the invoice (only on the one-statement path). */
export type IntakeOutcome =
  | { kind: 'created'; invoice: InvoiceFields; audited: boolean }
  | { kind: 'replayed'; invoice: Invoice; audited: false };

const receivedMessage = (number: string) => `Invoice ${number} received and queued for deposit.`;

/** `em` may be the global manager: the one-statement path uses only its connection pool, the careful path forks it. */
export async function receiveInvoice(
  em: EntityManager,
  submission: InvoiceSubmission,
  idempotencyKey: string | null,
  audit: AuditLine | null = null,
): Promise<IntakeOutcome> {
  const fingerprint = submissionFingerprint(submission);
  // The one statement writes the invoice alone: a correction, attachments or a works document take the unit of work
  // below.
  if (
    !submission.correctsInvoiceId &&
    !submission.attachments &&
    !submission.previousInvoiceId &&
    !submission.worksAmounts
  ) {
    const created = await createInOneStatement(em, {
      submission,
      idempotencyKey,
      fingerprint,
      message: receivedMessage(submission.number),
      audit,
    });
    if (created) return { kind: 'created', invoice: created, audited: audit !== null };
  }
  const fork = em.fork();
  const supplier = await registeredSupplier(fork, submission.supplierSiret);

  const earlier = await findEarlier(fork, supplier, submission.number, idempotencyKey, fingerprint);
  if (earlier) return earlier;

  try {
    const invoice = await fork.transactional(async (tx) => {
      const created = tx.create(Invoice, {
        supplier,
        number: submission.number,
        issueDate: submission.issueDate,
        type: submission.type,
        billingFrame: submission.billingFrame,
        validatorSiret: submission.validatorSiret,
        recipientSiret: submission.recipientSiret,
        serviceCode: submission.serviceCode,
        engagementNumber: submission.engagementNumber,
        marketNumber: submission.marketNumber,
        currency: submission.currency,
        ...storedFieldsOf(submission),
        idempotencyKey,
        requestHash: fingerprint,
      });
      const original = submission.correctsInvoiceId
        ? await linkCorrection(tx, supplier, created, submission.correctsInvoiceId)
        : null;
      if (submission.previousInvoiceId) await linkPrevious(tx, supplier, created, submission.previousInvoiceId);
      (submission.attachments ?? []).forEach((a, i) =>
        tx.create(InvoiceAttachment, {
          invoice: created,
          position: i + 1,
          name: a.name,
          mimeType: a.mimeType,
          content: a.content,
        }),
      );
      received(tx, created, {
        message: original
          ? `Invoice ${submission.number} received, correcting invoice ${original.number}, and queued for deposit.`
          : receivedMessage(submission.number),
        details: { ...receivedDetailsOf(submission), ...(original ? { correctsInvoiceId: original.id } : {}) },
      });
      return created;
    });
    return { kind: 'created', invoice, audited: false };
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    // A concurrent request won the race for this number or key: answer as if it had come first.
    const winner = await findEarlier(em.fork(), supplier, submission.number, idempotencyKey, fingerprint);
    if (winner) return winner;
    throw error;
  }
}

/** A works document's link to the previous document of its billing file: one of the supplier's works documents. */
async function linkPrevious(
  tx: EntityManager,
  supplier: SupplierAccount,
  created: Invoice,
  previousId: string,
): Promise<void> {
  const previous = await tx.findOne(Invoice, { id: previousId, supplier });
  const refuse = (code: string, message: string) =>
    new DomainError('invalid', code, message, [{ path: 'previousInvoiceId', code: code.toLowerCase(), message }]);
  if (!previous)
    throw refuse('PREVIOUS_INVOICE_NOT_FOUND', `Supplier ${supplier.siret} has no invoice with the id ${previousId}.`);
  if (!WORKS_FRAMES.includes(previous.billingFrame)) {
    throw refuse(
      'PREVIOUS_NOT_WORKS',
      `Invoice ${previous.number} has the billing frame ${previous.billingFrame}: only a works document (A4 to A25) opens a billing file.`,
    );
  }
  if (previous.marketNumber && created.marketNumber && previous.marketNumber !== created.marketNumber) {
    throw refuse(
      'PREVIOUS_OTHER_MARKET',
      `Invoice ${previous.number} belongs to market ${previous.marketNumber}, not ${created.marketNumber}: a billing file holds one market's documents.`,
    );
  }
  created.previous = ref(previous);
}

/** Links a corrected invoice to the rejected one it replaces, inside the intake transaction. */
async function linkCorrection(
  tx: EntityManager,
  supplier: SupplierAccount,
  created: Invoice,
  originalId: string,
): Promise<Invoice> {
  const original = await tx.findOne(Invoice, { id: originalId, supplier }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const refuse = (code: string, message: string, status: 'invalid' | 'conflict' = 'conflict') =>
    new DomainError(status, code, message, [{ path: 'correctsInvoiceId', code: code.toLowerCase(), message }]);
  if (!original)
    throw refuse(
      'CORRECTED_INVOICE_NOT_FOUND',
      `Supplier ${supplier.siret} has no invoice with the id ${originalId}.`,
      'invalid',
    );
  if (original.correctedBy)
    throw refuse(
      'ALREADY_CORRECTED',
      `Invoice ${original.number} was already corrected by invoice ${original.correctedBy.id}.`,
    );
  if (!original.actionRequired || !CORRECTABLE_REASONS.has(original.actionRequired)) {
    throw refuse(
      'INVOICE_NOT_REJECTED',
      `Invoice ${original.number} was not rejected (${original.chorusStatus ?? original.state}); only a rejected invoice is corrected under a new number.`,
    );
  }
  created.corrects = ref(original);
  // Inserted first: a cycle of two versioned rows in one flush makes MikroORM write an invalid batch update.
  await tx.flush();
  markCorrected(tx, original, created);
  return original;
}

/** The replay of an earlier request, or a conflict with an earlier invoice; undefined when the way is clear. */
async function findEarlier(
  em: EntityManager,
  supplier: SupplierAccount,
  number: string,
  idempotencyKey: string | null,
  fingerprint: string,
): Promise<IntakeOutcome | undefined> {
  // One query, so one snapshot: with two, a concurrent request could commit between them and a retry
  // under its key would be mistaken for a duplicate number.
  const matches = await em.find(Invoice, {
    supplier,
    $or: idempotencyKey === null ? [{ number }] : [{ number }, { idempotencyKey }],
  });
  const sameKey = idempotencyKey === null ? undefined : matches.find((m) => m.idempotencyKey === idempotencyKey);
  if (sameKey) {
    if (sameKey.requestHash === fingerprint) return { kind: 'replayed', invoice: sameKey, audited: false };
    throw new DomainError(
      'conflict',
      'IDEMPOTENCY_KEY_REUSED',
      `The Idempotency-Key was already used for a different request (invoice ${sameKey.number}); use a new key for a new request.`,
      [{ path: 'Idempotency-Key', code: 'idempotency_key_reused', message: 'This key belongs to another request.' }],
      { existingInvoiceId: sameKey.id },
    );
  }
  // An invoice Chorus Pro refused at integration (IN_REJETE) frees its number: the fixed one may come back under it.
  const sameNumber = matches.find((m) => m.number === number && m.state !== 'rejected');
  if (sameNumber) {
    throw new DomainError(
      'conflict',
      'DUPLICATE_INVOICE_NUMBER',
      `Invoice number ${number} was already submitted for supplier ${supplier.siret}; Chorus Pro refuses a number twice. ${sameNumber.chorusStatus ? 'A corrected invoice needs a new number.' : 'If it is still on its way, wait for its outcome.'}`,
      [{ path: 'number', code: 'duplicate_invoice_number', message: `Already used by invoice ${sameNumber.id}.` }],
      { existingInvoiceId: sameNumber.id },
    );
  }
  return undefined;
}

/** An invoice with its timeline, oldest first. */
export async function findInvoiceWithTimeline(
  em: EntityManager,
  id: string,
): Promise<{ invoice: Invoice; events: InvoiceEvent[]; followUps: FollowUp[] } | null> {
  const invoice = await em.findOne(Invoice, { id }, { populate: ['supplier'] });
  if (invoice === null) return null;
  const events = await em.find(InvoiceEvent, { invoice }, { orderBy: { at: 'asc', id: 'asc' } });
  const followUps = await em.find(FollowUp, { invoice }, { orderBy: { createdAt: 'asc' } });
  return { invoice, events, followUps };
}
