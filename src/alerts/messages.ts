/**
 * The words of an alert: the e-mail (French first, the portal's language, then English) and the one-line
 * summary used in logs and job names. Built from the notification's payload only, so a replay says the same.
 */
import type { Notification } from '../db/entities/notification.js';
import type { InvoiceSnapshot, ValidationSnapshot } from './notify.js';
import { parisDay, parisTime } from '../shared/time.js';
import type { ActionReason } from '../invoices/action-required.js';

export interface EmailMessage {
  subject: string;
  text: string;
}

const REASON_TITLE: Record<ActionReason, { fr: string; en: string }> = {
  precheck_failed: { fr: 'refusée avant dépôt', en: 'refused before deposit' },
  rejected_at_integration: { fr: 'rejetée par Chorus Pro', en: 'rejected by Chorus Pro' },
  deposit_failed: { fr: 'dépôt en échec', en: 'deposit failed' },
  rejected_by_recipient: { fr: 'rejetée par le destinataire', en: 'rejected by the recipient' },
  refused_by_validator: { fr: 'refusée par le valideur', en: 'refused by the validator' },
  suspended: { fr: 'suspendue', en: 'suspended' },
  to_recycle: { fr: 'à recycler', en: 'to recycle' },
  wrong_validator: { fr: 'valideur erroné', en: 'wrong validator' },
  supplier_account_refused: { fr: 'compte technique refusé', en: 'technical account refused' },
};

function invoiceLines(invoice: InvoiceSnapshot, lang: 'fr' | 'en'): string[] {
  const fr = lang === 'fr';
  // The raw code, its own words, then the stage it belongs to: "MANDATEE, Mandatée (étape : Mise en paiement)".
  const words = invoice.statusLabel ? `, ${invoice.statusLabel}` : '';
  const stage = invoice.stageLabel ? ` (${fr ? 'étape : ' : 'stage: '}${invoice.stageLabel})` : '';
  const status = invoice.chorusStatus
    ? `${invoice.chorusStatus}${words}${stage}`
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
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : (JSON.stringify(value) ?? '');
}

export function emailFor(
  notification: Pick<Notification, 'event' | 'payload'>,
  publicUrl: string | null,
): EmailMessage {
  const p = notification.payload;
  const invoice = p.invoice as InvoiceSnapshot | undefined;
  switch (notification.event) {
    case 'invoice.action_required': {
      const reason = text(p.reason);
      // A payload written by an older version may name a reason this one no longer has.
      const title = (REASON_TITLE as Partial<Record<string, { fr: string; en: string }>>)[reason] ?? {
        fr: 'action requise',
        en: 'action required',
      };
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
    case 'invoice.clock_expired': {
      const dueFr = dayIn(text(p.dueAt), 'fr');
      const startFr = dayIn(text(p.startedAt), 'fr');
      const [dueEn, startEn] = [dayIn(text(p.dueAt), 'en'), dayIn(text(p.startedAt), 'en')];
      return {
        subject: `Facture de travaux ${invoice!.number} : délai de la maîtrise d'œuvre dépassé / Works document ${invoice!.number}: project manager's delay ran out`,
        text: [
          `La maîtrise d'œuvre (MOE) disposait de ${text(p.days)} jours à compter du ${startFr} pour traiter votre document ${invoice!.number} ; ce délai a expiré le ${dueFr}. Le délai de paiement court néanmoins depuis sa mise à disposition de la MOE : relancez-la, et l'acheteur si besoin.`,
          ...invoiceLines(invoice!, 'fr'),
          '',
          `The project manager (MOE) had ${text(p.days)} days from ${startEn} to process your document ${invoice!.number}; that delay ran out on ${dueEn}. The payment delay runs anyway from the day it was made available to the MOE: remind the MOE, and the buyer if need be.`,
          ...invoiceLines(invoice!, 'en'),
          ...link(publicUrl, invoice!),
        ].join('\n'),
      };
    }
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
    case 'supplier.sync_failing':
    case 'supplier.sync_recovered': {
      const supplier = p.supplier as { siret: string; chorusLogin: string };
      const since = new Date(text(p.failingSince));
      const [dayFr, dayEn] = [dayIn(since.toISOString(), 'fr'), dayIn(since.toISOString(), 'en')];
      const time = parisTime(since);
      if (notification.event === 'supplier.sync_failing') {
        return {
          subject: `Suivi des statuts Chorus Pro en échec (${supplier.siret}) / Chorus Pro status sync failing`,
          text: [
            `Depuis le ${dayFr} à ${time}, chorus-relay ne parvient plus à lire les statuts Chorus Pro des factures du fournisseur ${supplier.siret} (compte technique ${supplier.chorusLogin}) : un rejet ou une suspension ne vous serait pas signalé. Dernière erreur : ${text(p.error)}`,
            '',
            `Since ${dayEn} ${time} (Paris), chorus-relay has failed to read the Chorus Pro statuses of supplier ${supplier.siret}'s invoices (technical account ${supplier.chorusLogin}): a rejection or a suspension would not reach you. Last error: ${text(p.error)}`,
            '',
            text(p.message),
          ].join('\n'),
        };
      }
      return {
        subject: `Suivi des statuts Chorus Pro rétabli (${supplier.siret}) / Chorus Pro status sync recovered`,
        text: [
          `Les statuts Chorus Pro des factures du fournisseur ${supplier.siret} sont de nouveau lus (en échec depuis le ${dayFr} à ${time}) ; les changements survenus entre-temps sont enregistrés.`,
          '',
          `The Chorus Pro statuses of supplier ${supplier.siret}'s invoices are read again (failing since ${dayEn} ${time}, Paris time); the changes made meanwhile are recorded.`,
        ].join('\n'),
      };
    }
    case 'validation.required':
    case 'validation.reminder':
    case 'validation.tacitly_approved':
      return validationEmail(notification.event, p, publicUrl);
  }
}

/** `2026-12-15T10:00:00.000Z` as the day in Paris: 15/12/2026 in French, 2026-12-15 in English. */
function dayIn(iso: string, lang: 'fr' | 'en'): string {
  const day = parisDay(new Date(iso));
  return lang === 'fr' ? day.split('-').reverse().join('/') : day;
}

function validationEmail(
  event: 'validation.required' | 'validation.reminder' | 'validation.tacitly_approved',
  p: Record<string, unknown>,
  publicUrl: string | null,
): EmailMessage {
  const v = p.validation as ValidationSnapshot;
  const cocontractor = (v.frame ?? '').startsWith('A12');
  const party = {
    fr: cocontractor ? 'cotraitant' : 'sous-traitant',
    en: cocontractor ? 'co-contractor' : 'subcontractor',
  };
  const who = `${v.supplierName ?? v.supplierSiret ?? '?'}${v.supplierName && v.supplierSiret ? ` (SIRET ${v.supplierSiret})` : ''}`;
  const [dayFr, dayEn] = [dayIn(v.deadline, 'fr'), dayIn(v.deadline, 'en')];
  const daysLeft = typeof p.daysLeft === 'number' ? p.daysLeft : null;
  const lines = (lang: 'fr' | 'en') => {
    const fr = lang === 'fr';
    return [
      `${fr ? 'Facture' : 'Invoice'}: ${v.invoiceNumber}`,
      `${fr ? (cocontractor ? 'Cotraitant' : 'Sous-traitant') : cocontractor ? 'Co-contractor' : 'Subcontractor'}: ${who}`,
      `${fr ? 'Marché' : 'Market'}: ${v.marketNumber ?? '-'}`,
      `${fr ? 'Acheteur' : 'Buyer'}: ${v.recipientName ?? v.recipientSiret ?? '-'}`,
      `${fr ? 'Montant TTC' : 'Amount incl. VAT'}: ${v.amountWithVat ?? '-'} EUR`,
      `${fr ? 'Statut Chorus Pro' : 'Chorus Pro status'}: ${v.chorusStatus}`,
    ];
  };
  const decide = publicUrl
    ? [`${publicUrl.replace(/\/$/, '')}/v1/validations/${v.id}`]
    : [`POST /v1/validations/${v.id}/approve | POST /v1/validations/${v.id}/refuse {"reason": "..."}`];
  if (event === 'validation.tacitly_approved') {
    return {
      subject: `Facture ${v.invoiceNumber} validée tacitement / Invoice ${v.invoiceNumber} tacitly approved`,
      text: [
        `La facture ${v.invoiceNumber} de votre ${party.fr} ${who} n'a été ni validée ni refusée avant le ${dayFr} : Chorus Pro la considère comme validée et la transmet à l'acheteur.`,
        ...lines('fr'),
        '',
        `Invoice ${v.invoiceNumber} from your ${party.en} ${who} was neither approved nor refused by ${dayEn}: Chorus Pro takes it as approved and sends it on to the buyer.`,
        ...lines('en'),
      ].join('\n'),
    };
  }
  const reminder = event === 'validation.reminder';
  const leftFr = daysLeft === null ? '' : ` (plus que ${daysLeft} jour${daysLeft > 1 ? 's' : ''})`;
  const leftEn = daysLeft === null ? '' : ` (${daysLeft} day${daysLeft > 1 ? 's' : ''} left)`;
  return {
    subject: reminder
      ? `Rappel : facture ${v.invoiceNumber} à valider avant le ${dayFr}${leftFr} / Reminder: invoice ${v.invoiceNumber} to validate by ${dayEn}${leftEn}`
      : `Facture ${v.invoiceNumber} de votre ${party.fr} à valider avant le ${dayFr} / Invoice ${v.invoiceNumber} from your ${party.en} to validate by ${dayEn}`,
    text: [
      `${reminder ? 'Rappel : v' : 'V'}otre ${party.fr} ${who} a déposé la facture ${v.invoiceNumber} dans Chorus Pro. En tant que titulaire, validez-la ou refusez-la (avec un motif) avant le ${dayFr}${leftFr} ; sans réponse, elle sera réputée validée et transmise à l'acheteur.`,
      ...lines('fr'),
      '',
      `${reminder ? 'Reminder: y' : 'Y'}our ${party.en} ${who} deposited invoice ${v.invoiceNumber} in Chorus Pro. As the main contractor, approve it or refuse it (with a reason) by ${dayEn}${leftEn}; without an answer it counts as approved and goes on to the buyer.`,
      ...lines('en'),
      '',
      ...decide,
    ].join('\n'),
  };
}
