/**
 * An operator sends an invoice that needs attention back to the deposit queue (the API's retry; Bull Board's
 * retry of the failed job reaches the same place through the deposit processor).
 */
import { LockMode } from '@mikro-orm/postgresql';
import type { AppContext } from '../context.js';
import { Invoice } from '../db/entities/invoice.js';
import { enqueueDeposit } from '../queues/enqueue.js';
import { DomainError } from '../shared/domain-error.js';
import { RETRYABLE_STATES } from './states.js';
import { transition } from './lifecycle.js';

export async function retryDeposit(ctx: AppContext, invoiceId: string): Promise<Invoice> {
  const invoice = await ctx.orm.em.fork().transactional(async (tx) => {
    // Locked so that of two retries at once the second finds it queued (409) rather than failing on its version.
    const invoice = await tx.findOne(Invoice, invoiceId, {
      populate: ['supplier'],
      lockMode: LockMode.PESSIMISTIC_WRITE,
    });
    if (!invoice) throw new DomainError('not-found', 'INVOICE_NOT_FOUND', `No invoice has the id ${invoiceId}.`);
    if (!RETRYABLE_STATES.includes(invoice.state)) {
      throw new DomainError(
        'conflict',
        'INVOICE_NOT_RETRYABLE',
        `Invoice ${invoice.number} is ${invoice.state}; only invoices that need attention or failed the pre-check can be retried.`,
      );
    }
    transition(tx, invoice, 'retry-requested', { message: 'An operator asked for the deposit to be tried again.' });
    await tx.flush();
    return invoice;
  });
  // A recipient may have been fixed in Chorus Pro since: read it again rather than from the cache.
  await ctx.chorus[invoice.supplier.getEntity().environment]?.structures.forget(invoice.recipientSiret);
  const job = await ctx.queues.deposit.getJob(invoice.id);
  if (job && (await job.isFailed())) {
    await job.retry('failed');
  } else {
    if (job) await job.remove();
    await enqueueDeposit(ctx, { id: invoice.id, number: invoice.number, supplierId: invoice.supplier.id });
  }
  return invoice;
}
