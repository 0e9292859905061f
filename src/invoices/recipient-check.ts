/**
 * Before spending a deposit: does the recipient exist, is it active, and does the invoice carry what it
 * requires? Each refusal names the rule and says how to fix it, for the accountant who will read it.
 */
import type { RecipientProfile } from '../chorus/structure-directory.js';

export interface RecipientRefusal {
  rule: string;
  message: string;
  fix: string;
}

export interface InvoiceRouting {
  recipientSiret: string;
  serviceCode: string | null;
  engagementNumber: string | null;
}

export function checkRecipient(invoice: InvoiceRouting, recipient: RecipientProfile | null): RecipientRefusal | null {
  if (recipient === null) {
    return {
      rule: 'RECIPIENT_UNKNOWN',
      message: `No public structure with SIRET ${invoice.recipientSiret} exists in Chorus Pro.`,
      fix: 'Check the recipient SIRET with your client (it is on their purchase order or in the Chorus Pro directory) and submit the invoice again.',
    };
  }
  if (!recipient.active) {
    return {
      rule: 'RECIPIENT_INACTIVE',
      message: `The recipient structure ${recipient.siret} (${recipient.name}) is inactive in Chorus Pro.`,
      fix: 'Ask your client which structure now receives its invoices, and submit the invoice to that SIRET.',
    };
  }
  const service = invoice.serviceCode === null ? null : recipient.services.find((s) => s.code === invoice.serviceCode);
  if (invoice.serviceCode !== null && !service) {
    return {
      rule: 'SERVICE_UNKNOWN',
      message: `The service code ${invoice.serviceCode} does not exist for ${recipient.name} (${recipient.siret}).`,
      fix: `Use one of its service codes: ${
        recipient.services
          .filter((s) => s.active)
          .map((s) => s.code)
          .join(', ') || 'none is active'
      }.`,
    };
  }
  if (service && !service.active) {
    return {
      rule: 'SERVICE_INACTIVE',
      message: `The service ${service.code} of ${recipient.name} (${recipient.siret}) is inactive.`,
      fix: 'Ask your client for the service that replaces it and submit the invoice with that code.',
    };
  }
  if (recipient.requiresServiceCode && invoice.serviceCode === null) {
    return {
      rule: 'SERVICE_CODE_REQUIRED',
      message: `${recipient.name} (${recipient.siret}) requires a service code on every invoice.`,
      fix: `Add the service code (it is on the purchase order); active codes: ${
        recipient.services
          .filter((s) => s.active)
          .map((s) => s.code)
          .join(', ') || 'none'
      }.`,
    };
  }
  if (recipient.requiresEngagementNumber && invoice.engagementNumber === null) {
    return {
      rule: 'ENGAGEMENT_NUMBER_REQUIRED',
      message: `${recipient.name} (${recipient.siret}) requires an engagement number (purchase order / BDC number) on every invoice.`,
      fix: 'Add the engagement number printed on the purchase order and submit the invoice again.',
    };
  }
  if (
    recipient.requiresServiceCodeOrEngagementNumber &&
    invoice.engagementNumber === null &&
    invoice.serviceCode === null
  ) {
    return {
      rule: 'SERVICE_CODE_OR_ENGAGEMENT_NUMBER_REQUIRED',
      message: `${recipient.name} (${recipient.siret}) requires a service code or an engagement number.`,
      fix: 'Add the engagement number (purchase order / BDC) or the service code from the purchase order.',
    };
  }
  if (service?.requiresEngagementNumber && invoice.engagementNumber === null) {
    return {
      rule: 'ENGAGEMENT_NUMBER_REQUIRED_BY_SERVICE',
      message: `The service ${service.code} of ${recipient.name} requires an engagement number (purchase order / BDC number).`,
      fix: 'Add the engagement number printed on the purchase order and submit the invoice again.',
    };
  }
  return null;
}
