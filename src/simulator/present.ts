/** How the simulated Chorus Pro writes its answers: field names and date formats as the real one. */
import type { SimInvoice, SimStructure } from './model.js';

/** `2018-02-16T15:10:25.536+01:00`: ISO with the Paris offset, as Chorus writes date-times. */
export function isoParis(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const millis = String(ms % 1000).padStart(3, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${millis}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `2026-11-20 14:05`: the history format some clients met (no seconds, no zone). */
export function shortParis(ms: number): string {
  return isoParis(ms).slice(0, 16).replace('T', ' ');
}

export function dayParis(ms: number): string {
  return isoParis(ms).slice(0, 10);
}

const amount = (value: string | null) => (value === null ? undefined : Number(value));

const TYPE_BY_CODE: Record<string, string> = { '380': 'FACTURE', '381': 'AVOIR', '386': 'ACOMPTE' };

/** An item of `rechercher/fournisseur`'s `listeFactures`. */
export function searchItem(invoice: SimInvoice): Record<string, unknown> {
  const d = invoice.data;
  return {
    identifiantFactureCPP: invoice.id,
    numeroFacture: invoice.number,
    numeroFluxDepot: invoice.fluxNumber,
    statut: invoice.status,
    dateHeureEtatCourant: isoParis(invoice.statusAt),
    ...(invoice.comment ? { commentaireEtatCourant: invoice.comment } : {}),
    typeDemandePaiement: 'FACTURE',
    typeFacture: TYPE_BY_CODE[d.typeCode ?? ''] ?? 'FACTURE',
    dateFacture: d.issueDate ?? undefined,
    dateDepot: dayParis(invoice.depositedAt),
    montantHT: amount(d.amountWithoutVat),
    montantTTC: amount(d.amountWithVat),
    montantAPayer: amount(d.amountWithVat),
    devise: d.currency ?? 'EUR',
    codeFournisseur: invoice.supplier.siret,
    typeIdentifiantFournisseur: 'SIRET',
    designationFournisseur: invoice.supplier.designation,
    idDestinataire: invoice.recipient.idStructureCPP,
    codeDestinataire: invoice.recipient.siret,
    designationDestinataire: invoice.recipient.designation,
    ...(invoice.service ? { idServiceExecutant: invoice.service.idService, codeServiceExecutant: invoice.service.codeService, nomServiceExecutant: invoice.service.libelle } : {}),
    ...(d.engagementNumber ? { numeroBonCommande: d.engagementNumber } : {}),
    modeDepot: 'EDI_MIXTE',
    rejetTraite: false,
  };
}

/** `consulter/fournisseur`'s `facture`. */
export function consultedInvoice(invoice: SimInvoice): Record<string, unknown> {
  const d = invoice.data;
  return {
    identifiantFactureCPP: invoice.id,
    numeroFacture: invoice.number,
    statutFacture: invoice.status,
    modeDepot: 'EDI_MIXTE',
    rejetTraite: false,
    ...(invoice.comment ? { commentaire: invoice.comment } : {}),
    destinataire: {
      idDestinataire: invoice.recipient.idStructureCPP,
      codeDestinataire: invoice.recipient.siret,
      libelleDestinataire: invoice.recipient.designation,
      ...(invoice.service
        ? { idServiceExecutant: invoice.service.idService, codeServiceExecutant: invoice.service.codeService, libelleServiceExecutant: invoice.service.libelle }
        : {}),
      miseEnPaiementDestinataire: !invoice.recipient.flags.statutMiseEnPaiementNestPasRemonte,
    },
    fournisseur: {
      idFournisseur: invoice.supplier.idStructureCPP,
      typeIdentifiantFournisseur: 'SIRET',
      codeFournisseur: invoice.supplier.siret,
      raisonSocialeFournisseur: invoice.supplier.designation,
    },
    references: {
      ...(d.issueDate ? { dateFacture: d.issueDate } : {}),
      dateDepot: dayParis(invoice.depositedAt),
      codeDeviseFacture: d.currency ?? 'EUR',
      typeFacture: TYPE_BY_CODE[d.typeCode ?? ''] ?? 'FACTURE',
      ...(d.engagementNumber ? { numeroBonCommande: d.engagementNumber } : {}),
    },
    montantTotal: { montantHtTotal: amount(d.amountWithoutVat), montantTVA: amount(d.vatAmount), montantTtcTotal: amount(d.amountWithVat), montantAPayer: amount(d.amountWithVat) },
  };
}

export function structureItem(s: SimStructure): Record<string, unknown> {
  return {
    idStructureCPP: s.idStructureCPP,
    identifiantStructure: s.siret,
    designationStructure: s.designation,
    statut: s.active ? 'ACTIVE' : 'INACTIVE',
    typeIdentifiantStructure: 'SIRET',
  };
}
