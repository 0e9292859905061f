/**
 * What a deposit needs before its request can leave, each done once: the recipient checked against what Chorus Pro
 * says of it, a works document's frame against what Chorus Pro offers the account, and, without a flux, the plain PDF
 * read (deposer/pdf), the supplier's structure found and the attachments uploaded (ajouter/fichier). A refusal ends
 * the job with the sentence a person needs; a retry redoes only what is left.
 */
import type { SubmissionData } from '../../../src/chorus/submit.js';
import { WORKS_FRAMES } from '../../../src/chorus/codes.js';
import { ChorusBusinessError } from '../../../src/chorus/errors.js';
import type { WorksOffer } from '../../../src/chorus/works-offer.js';
import { InvoiceAttachment } from '../../../src/db/entities/invoice-attachment.js';
import { record, transition } from '../../../src/invoices/lifecycle.js';
import { checkRecipient } from '../../../src/invoices/recipient-check.js';
import { readingDisagreements, submissionDataOf } from '../../../src/invoices/without-flux.js';
import type { DepositResult, DepositRun } from './subject.js';
import { summaryOf, type RulesVerdict } from '../../../src/invoices/einvoice/en16931/findings.js';
import { RulesCheckError, type RulesChecker } from '../../../src/invoices/einvoice/en16931/rules-checker.js';

/** What goes out: a flux, or soumettre with its data. */
export type DepositRequest = { kind: 'flux' } | { kind: 'submit'; data: SubmissionData };

/** Every check and upload before the request; a refusal ends the run (`done`). */
export async function prepareDeposit(
  run: DepositRun,
  rulesChecker: RulesChecker,
): Promise<{ request: DepositRequest } | { done: DepositResult }> {
  const { em, subject, account, supplier } = run;
  const { invoice, last } = subject;
  await run.progress(10);
  const recipient = await run.structures.recipient(account, invoice.recipientSiret);
  const refusal = checkRecipient(invoice, recipient);
  if (refusal) {
    const sentence = `Pre-check refused invoice ${invoice.number} before any deposit: ${refusal.message} ${refusal.fix}`;
    const alert = transition(
      em,
      invoice,
      'precheck-failed',
      { message: `${refusal.message} ${refusal.fix}`, details: { rule: refusal.rule, fix: refusal.fix } },
      { errorCode: refusal.rule },
    );
    return run.refuse(alert, `${sentence} (rule ${refusal.rule}; retry once fixed)`);
  }
  if (!last && recipient) {
    // Once, before the first deposit: the timeline shows what the routing was checked against.
    record(em, invoice, 'precheck-passed', 'worker', {
      message: `Routing checked against Chorus Pro: ${recipient.name} (${invoice.recipientSiret})${invoice.serviceCode ? `, service ${invoice.serviceCode}` : ''}${invoice.engagementNumber ? `, engagement number ${invoice.engagementNumber}` : ''}.`,
      details: { recipientStructureId: recipient.structureId },
    });
  }
  if (!last && WORKS_FRAMES.includes(invoice.billingFrame)) await checkWorksOffer(run);
  if (invoice.depositMode === 'flux') {
    if (!last) await checkRulesOnce(run, rulesChecker);
    return { request: { kind: 'flux' } };
  }

  if (invoice.depositMode === 'pdf') await readPdfOnce(run);
  const structureId =
    supplier.chorusStructureId ??
    (await run.structures.ownStructure(account, supplier.siret, null))?.structureId ??
    null;
  if (structureId === null) {
    const message = `Chorus Pro shows no structure for the supplier's SIRET ${supplier.siret} on technical account ${supplier.chorusLogin}, so the invoice cannot be submitted. Attach the account to the structure in the Chorus Pro portal, then retry.`;
    const alert = transition(em, invoice, 'precheck-failed', { message }, { errorCode: 'SUPPLIER_STRUCTURE_UNKNOWN' });
    return run.refuse(alert, `Pre-check refused invoice ${invoice.number}: ${message}`);
  }
  const data = submissionDataOf(invoice, structureId, await uploadAttachmentsOnce(run));
  if (!data) {
    throw new Error(
      `Invoice ${invoice.number} (${invoice.depositMode}) lacks what soumettre needs; the intake should have refused it`,
    );
  }
  return { request: { kind: 'submit', data } };
}

/**
 * Before a flux's first deposit, the official EN 16931 rules Chorus Pro applies after accepting it: a fatal rule
 * broken refuses the invoice here, with every broken rule, instead of a rejection days later; warnings go on the
 * timeline. A file the rules do not apply to, or a relay without them, is deposited, and the timeline says why.
 */
async function checkRulesOnce(run: DepositRun, rulesChecker: RulesChecker): Promise<void> {
  const { em } = run;
  const { invoice } = run.subject;
  if (!invoice.fileContent || !invoice.syntaxeFlux) return;
  let verdict: RulesVerdict;
  try {
    verdict = await rulesChecker.check(invoice.fileContent, invoice.syntaxeFlux);
  } catch (error) {
    if (!(error instanceof RulesCheckError)) throw error;
    record(em, invoice, 'rules-checked', 'worker', {
      message: `The EN 16931 rules could not be run on the file (${error.message}); deposited without that check.`,
    });
    return;
  }
  if (verdict.outcome !== 'checked') {
    record(em, invoice, 'rules-checked', 'worker', {
      message: verdict.note?.en ?? 'The EN 16931 rules were not applied.',
      details: { outcome: verdict.outcome, profile: verdict.profile, note: verdict.note },
    });
    return;
  }
  const { errors, warnings } = verdict;
  const checked = `EN 16931 rules ${verdict.release} (${verdict.syntax}${verdict.profile ? `, profile ${verdict.profile}` : ''})`;
  if (errors.length > 0) {
    const message = `The file breaks ${errors.length === 1 ? 'a rule' : `${errors.length} rules`} of the ${checked} that Chorus Pro enforces after the deposit: ${summaryOf(errors)}. Correct the file, then submit the corrected invoice linked to this one (correctsInvoiceId ${invoice.id}).`;
    const alert = transition(
      em,
      invoice,
      'precheck-failed',
      { message, details: { rules: errors, warnings, release: verdict.release, syntax: verdict.syntax } },
      { errorCode: 'EN16931_RULES_BROKEN' },
    );
    await run.refuse(alert, `Pre-check refused invoice ${invoice.number} before any deposit: ${message}`);
  }
  const met =
    warnings.length === 0
      ? `The file meets the ${checked}.`
      : `The file meets the fatal ${checked}; ${warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`} (not blocking): ${summaryOf(warnings)}.`;
  record(em, invoice, 'rules-checked', 'worker', {
    message: verdict.note ? `${met} ${verdict.note.en}` : met,
    details: {
      release: verdict.release,
      syntax: verdict.syntax,
      profile: verdict.profile,
      warnings,
      note: verdict.note,
    },
  });
}

/**
 * Once, before a works document's first deposit: what Chorus Pro offers the account for works (frames and flux
 * formats), recorded with the syntaxeFlux used. A frame missing from a list that names some is refused here; an
 * account that cannot ask (a business refusal of the call) deposits anyway, and the timeline says so.
 */
async function checkWorksOffer(run: DepositRun): Promise<void> {
  const { em, account } = run;
  const { invoice } = run.subject;
  let offer: WorksOffer;
  try {
    offer = await run.structures.worksOffer(account);
  } catch (error) {
    if (!(error instanceof ChorusBusinessError)) throw error;
    record(em, invoice, 'works-offer', 'chorus', {
      message: `Chorus Pro did not say which works frames and flux formats this account may use (${error.message}); deposited with syntaxeFlux ${invoice.syntaxeFlux ?? '-'}.`,
    });
    return;
  }
  if (offer.frames.length > 0 && !offer.frames.includes(invoice.billingFrame)) {
    const message = `Chorus Pro does not offer billing frame ${invoice.billingFrame} to this account for works documents (it offers ${offer.frames.join(', ')}). Check the frame with the contract's profile (fiche d'identité du marché), then submit again.`;
    const alert = transition(
      em,
      invoice,
      'precheck-failed',
      { message, details: { offer } },
      { errorCode: 'FRAME_NOT_OFFERED' },
    );
    await run.refuse(alert, `Pre-check refused works document ${invoice.number}: ${message}`);
  }
  record(em, invoice, 'works-offer', 'chorus', {
    message: `Works document: Chorus Pro offers this account the frames ${offer.frames.join(', ') || '(none listed)'} and the flux formats ${offer.formats.join(', ') || '(none listed)'}; deposited as ${invoice.billingFrame} with syntaxeFlux ${invoice.syntaxeFlux ?? '-'} (the E4/E5 codes of works fluxes are unconfirmed).`,
    details: { frames: offer.frames, formats: offer.formats, syntaxeFluxUsed: invoice.syntaxeFlux },
  });
}

/** deposer/pdf once: Chorus Pro's reading goes on the timeline, with where it differs from the data given. */
async function readPdfOnce(run: DepositRun): Promise<void> {
  const { em, account } = run;
  const { invoice } = run.subject;
  if (invoice.chorusAttachmentId) return;
  if (!invoice.fileContent || !invoice.fileName) throw new Error(`Invoice ${invoice.number} has no PDF to deposit`);
  const reading = await run.invoicing.readPdf(account, { content: invoice.fileContent, name: invoice.fileName });
  invoice.chorusAttachmentId = reading.attachmentId;
  const differences = readingDisagreements(invoice, reading);
  const said = differences
    .map((d) => `${d.field} given ${d.given ?? '(none)'}, read ${d.read ?? '(nothing)'}`)
    .join('; ');
  record(em, invoice, 'pdf-read', 'chorus', {
    message:
      differences.length === 0
        ? `Chorus Pro read the PDF (attachment ${reading.attachmentId}) and agrees with the data given.`
        : `Chorus Pro read the PDF (attachment ${reading.attachmentId}) differently from the data given: ${said}. The invoice is submitted with the data given; check the PDF says the same.`,
    details: { attachmentId: reading.attachmentId, disagreements: differences },
  });
  await em.flush();
}

/**
 * ajouter/fichier for each attachment not yet uploaded, its id kept at once: a retry uploads only what is left
 * (an upload whose answer was lost leaves an unused file at Chorus Pro, never a second invoice).
 */
async function uploadAttachmentsOnce(run: DepositRun): Promise<Array<{ id: string; name: string }>> {
  const { em, account } = run;
  const attachments = await em.find(
    InvoiceAttachment,
    { invoice: run.subject.invoice },
    { orderBy: { position: 'asc' }, populate: ['content'] },
  );
  for (const attachment of attachments.filter((a) => a.chorusAttachmentId === null)) {
    const extension = attachment.name.includes('.')
      ? attachment.name.slice(attachment.name.lastIndexOf('.') + 1)
      : 'PDF';
    attachment.chorusAttachmentId = await run.invoicing.uploadAttachment(account, {
      name: attachment.name,
      mimeType: attachment.mimeType,
      extension,
      content: attachment.content,
    });
    await em.flush();
  }
  return attachments.map((a) => ({ id: a.chorusAttachmentId!, name: a.name }));
}
