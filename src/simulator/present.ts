/** How the simulated Chorus Pro writes its answers: field names and date formats as the real one. */
import { dayParis, isoParis } from './clock.js';
import type { SimInvoice, SimStructure } from './model.js';

const amount = (value: string | null) => (value === null ? undefined : Number(value));

const TYPE_BY_CODE: Record<string, string> = { '380': 'FACTURE', '381': 'AVOIR', '386': 'ACOMPTE' };

/** An item of `rechercher/fournisseur`'s `listeFactures`. */
export function searchItem(invoice: SimInvoice): Record<string, unknown> {
  const d = invoice.data;
  return {
    identifiantFactureCPP: invoice.id,
    numeroFacture: invoice.number,
    ...(invoice.fluxNumber ? { numeroFluxDepot: invoice.fluxNumber } : {}),
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
