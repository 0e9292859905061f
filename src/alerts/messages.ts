/**
 * The words of an alert: the e-mail (French first, the portal's language, then English) and the one-line
 * summary used in logs and job names. Built from the notification's payload only, so a replay says the same.
 */
import type { Notification } from '../db/entities/notification.js';
import type { InvoiceSnapshot } from './notify.js';

export interface EmailMessage {
  subject: string;
  text: string;
}

const REASON_TITLE: Record<string, { fr: string; en: string }> = {
  precheck_failed: { fr: 'refusée avant dépôt', en: 'refused before deposit' },
  rejected_at_integration: { fr: 'rejetée par Chorus Pro', en: 'rejected by Chorus Pro' },
  deposit_failed: { fr: 'dépôt en échec', en: 'deposit failed' },
  rejected_by_recipient: { fr: 'rejetée par le destinataire', en: 'rejected by the recipient' },
  suspended: { fr: 'suspendue', en: 'suspended' },
  to_recycle: { fr: 'à recycler', en: 'to recycle' },
  wrong_validator: { fr: 'valideur erroné', en: 'wrong validator' },
};

function invoiceLines(invoice: InvoiceSnapshot, lang: 'fr' | 'en'): string[] {
  const fr = lang === 'fr';
  const status = invoice.chorusStatus
    ? `${invoice.chorusStatus}${invoice.stageLabel ? ` (${invoice.stageLabel})` : ''}`
    : fr
      ? 'pas encore dans Chorus Pro'
      : 'not in Chorus Pro yet';
  return [
    `${fr ? 'Facture' : 'Invoice'}: ${invoice.number}`,
    `${fr ? 'Bon de commande (BDC)' : 'Purchase order (BDC)'}: ${invoice.engagementNumber ?? '-'}`,
    `${fr ? 'Montant TTC' : 'Amount incl. VAT'}: ${invoice.amountWithVat} ${invoice.currency}`,
    `${fr ? 'Destinataire (SIRET)' : 'Recipient (SIRET)'}: ${invoice.recipientSiret}${invoice.serviceCode ? ` / service ${invoice.serviceCode}` : ''}`,
    `${fr ? 'Statut Chorus Pro' : 'Chorus Pro status'}: ${status}`,
  ];
}

function link(publicUrl: string | null, invoice: InvoiceSnapshot): string[] {
  return publicUrl ? [`${publicUrl.replace(/\/$/, '')}/v1/invoices/${invoice.id}`] : [];
}

/** A payload value as a person reads it (payloads are JSON, read back untyped). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : (JSON.stringify(value) ?? '');
}

export function emailFor(notification: Pick<Notification, 'event' | 'payload'>, publicUrl: string | null): EmailMessage {
  const p = notification.payload;
  const invoice = p.invoice as InvoiceSnapshot | undefined;
  switch (notification.event) {
    case 'invoice.action_required': {
      const reason = text(p.reason);
      const title = REASON_TITLE[reason] ?? { fr: 'action requise', en: 'action required' };
      const next = p.nextStep as { fr: string; en: string };
      const chorusReason = (p.chorusReason as string | null) ?? null;
      return {
        subject: `Facture ${invoice!.number} ${title.fr} / Invoice ${invoice!.number} ${title.en}`,
        text: [
          `Votre facture ${invoice!.number} est ${title.fr}.`,
          ...invoiceLines(invoice!, 'fr'),
          `Motif : ${chorusReason ?? text(p.message)}`,
          `À faire : ${next.fr}`,
          '',
          `Your invoice ${invoice!.number} is ${title.en}.`,
          ...invoiceLines(invoice!, 'en'),
          `Reason: ${chorusReason ?? text(p.message)}`,
          `Next step: ${next.en}`,
          ...link(publicUrl, invoice!),
        ].join('\n'),
      };
    }
    case 'invoice.status_changed':
      return {
        subject: `Facture ${invoice!.number} : ${text(p.to)} / Invoice ${invoice!.number}: ${text(p.to)}`,
        text: [
          `Le statut Chorus Pro de votre facture ${invoice!.number} est passé de ${text(p.from ?? '-')} à ${text(p.to)} le ${text(p.at)}.`,
          ...invoiceLines(invoice!, 'fr'),
          ...(p.comment ? [`Commentaire : ${text(p.comment)}`] : []),
          '',
          `The Chorus Pro status of your invoice ${invoice!.number} went from ${text(p.from ?? '-')} to ${text(p.to)} on ${text(p.at)}.`,
          ...invoiceLines(invoice!, 'en'),
          ...(p.comment ? [`Comment: ${text(p.comment)}`] : []),
          ...link(publicUrl, invoice!),
        ].join('\n'),
      };
    case 'invoice.payment_overdue':
      return {
        subject: `Facture ${invoice!.number} peut-être payée en retard / Invoice ${invoice!.number} possibly paid late`,
        text: [
          `La facture ${invoice!.number}, mise à disposition le ${text(p.madeAvailableOn)}, n'est pas indiquée payée à l'échéance du ${text(p.dueOn)} (délai de ${text(p.delayDays)} jours).`,
          ...invoiceLines(invoice!, 'fr'),
          `Intérêts moratoires estimés : ${text(p.estimatedInterest ?? 'taux non configuré')} ; indemnité forfaitaire : ${text(p.indemnity)} EUR, dus dans les 45 jours suivant le paiement.`,
          '',
          `Invoice ${invoice!.number}, made available on ${text(p.madeAvailableOn)}, is not reported paid by its due date ${text(p.dueOn)} (${text(p.delayDays)}-day delay).`,
          ...invoiceLines(invoice!, 'en'),
          `Estimated late-payment interest: ${text(p.estimatedInterest ?? 'rate not configured')}; fixed indemnity: ${text(p.indemnity)} EUR, due within 45 days of payment.`,
          ...link(publicUrl, invoice!),
        ].join('\n'),
      };
    case 'supplier.account_refused':
    case 'supplier.password_expiring': {
      const supplier = p.supplier as { siret: string; chorusLogin: string };
      const refused = notification.event === 'supplier.account_refused';
      return {
        subject: refused
          ? `Compte technique Chorus Pro refusé (${supplier.siret}) / Chorus Pro technical account refused`
          : `Mot de passe du compte technique Chorus Pro bientôt expiré (${supplier.siret}) / Technical account password expiring`,
        text: [
          refused
            ? `Chorus Pro refuse le compte technique ${supplier.chorusLogin} du fournisseur ${supplier.siret} : les factures attendent. Mettez à jour l'identifiant ou le mot de passe (POST /v1/suppliers).`
            : `Le mot de passe du compte technique ${supplier.chorusLogin} (${supplier.siret}) expire le ${text(p.passwordExpiresOn)}. Changez-le dans Chorus Pro puis ici (POST /v1/suppliers).`,
          '',
          text(p.message),
        ].join('\n'),
      };
    }
  }
}
