/**
 * Receiving an invoice: store it with its first timeline line in one transaction, or refuse it whole.
 * Enqueuing its deposit job happens after the commit (see queues/deposit-jobs.ts), never before.
 */
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { Invoice } from '../db/entities/invoice.js';
import { InvoiceEvent } from '../db/entities/invoice-event.js';
import { SupplierAccount } from '../db/entities/supplier-account.js';
import { DomainError } from '../shared/domain-error.js';
import { normaliseAmount } from './money.js';
import { sha256, submissionFingerprint, type InvoiceSubmission } from './submission.js';

export type IntakeOutcome = { kind: 'created'; invoice: Invoice } | { kind: 'replayed'; invoice: Invoice };

export async function receiveInvoice(
  em: EntityManager,
  submission: InvoiceSubmission,
  idempotencyKey: string | null,
): Promise<IntakeOutcome> {
  const fingerprint = submissionFingerprint(submission);
  const fork = em.fork();
  const supplier = await fork.findOne(SupplierAccount, { siret: submission.supplierSiret });
  if (supplier === null) {
    throw new DomainError('invalid', 'UNKNOWN_SUPPLIER', `No supplier account is registered for SIRET ${submission.supplierSiret}.`, [
      { path: 'supplierSiret', code: 'unknown_supplier', message: 'Register the supplier with POST /v1/suppliers first.' },
    ]);
  }

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
        recipientSiret: submission.recipientSiret,
        serviceCode: submission.serviceCode,
        engagementNumber: submission.engagementNumber,
        marketNumber: submission.marketNumber,
        currency: submission.currency,
        amountWithoutVat: normaliseAmount(submission.amountWithoutVat),
        vatAmount: normaliseAmount(submission.vatAmount),
        amountWithVat: normaliseAmount(submission.amountWithVat),
        fileName: submission.file.name,
        fileContent: submission.file.content,
        fileSize: submission.file.content.length,
        fileSha256: sha256(submission.file.content),
        syntaxeFlux: submission.syntaxeFlux,
        idempotencyKey,
        requestHash: fingerprint,
      });
      tx.create(InvoiceEvent, {
        invoice: created,
        type: 'received',
        source: 'intake',
        message: `Invoice ${submission.number} received and queued for deposit.`,
        details: { fileName: submission.file.name, fileSize: submission.file.content.length, syntaxeFlux: submission.syntaxeFlux },
      });
      return created;
    });
    return { kind: 'created', invoice };
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    // A concurrent request won the race for this number or key: answer as if it had come first.
    const winner = await findEarlier(em.fork(), supplier, submission.number, idempotencyKey, fingerprint);
    if (winner) return winner;
    throw error;
  }
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
    if (sameKey.requestHash === fingerprint) return { kind: 'replayed', invoice: sameKey };
    throw new DomainError(
      'conflict',
      'IDEMPOTENCY_KEY_REUSED',
      `The Idempotency-Key was already used for a different request (invoice ${sameKey.number}); use a new key for a new request.`,
      [{ path: 'Idempotency-Key', code: 'idempotency_key_reused', message: 'This key belongs to another request.' }],
      { existingInvoiceId: sameKey.id },
    );
  }
  const sameNumber = matches.find((m) => m.number === number);
  if (sameNumber) {
    throw new DomainError(
      'conflict',
      'DUPLICATE_INVOICE_NUMBER',
      `Invoice number ${number} was already submitted for supplier ${supplier.siret}; Chorus Pro refuses a number twice. A corrected invoice needs a new number.`,
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
): Promise<{ invoice: Invoice; events: InvoiceEvent[] } | null> {
  const invoice = await em.findOne(Invoice, { id }, { populate: ['supplier'] });
  if (invoice === null) return null;
  const events = await em.find(InvoiceEvent, { invoice }, { orderBy: { at: 'asc', id: 'asc' } });
  return { invoice, events };
}
