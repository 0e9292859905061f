/** How the simulated Chorus Pro writes its answers: field names and date formats as the real one. */
import { dayParis, isoParis } from './clock.js';
import { CADRES_FACTURATION } from '../chorus/contract/vocabulary.js';
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
    ...(invoice.service
      ? {
          idServiceExecutant: invoice.service.idService,
          codeServiceExecutant: invoice.service.codeService,
          nomServiceExecutant: invoice.service.libelle,
        }
      : {}),
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
        ? {
            idServiceExecutant: invoice.service.idService,
            codeServiceExecutant: invoice.service.codeService,
            libelleServiceExecutant: invoice.service.libelle,
          }
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
    montantTotal: {
      montantHtTotal: amount(d.amountWithoutVat),
      montantTVA: amount(d.vatAmount),
      montantTtcTotal: amount(d.amountWithVat),
      montantAPayer: amount(d.amountWithVat),
    },
    ...(outputFrameCode(d.frame) ? { cadreDeFacturation: validationFrame(invoice) } : {}),
  };
}

/** The output enum's code of a frame (A9 gives A9_FACTURE_SOUSTRAITANT); it lacks A3, A11 and A21. */
const outputFrameCode = (prefix: string | null | undefined): string | undefined =>
  ['A3', 'A11', 'A21'].includes(prefix ?? '')
    ? undefined
    : CADRES_FACTURATION.find((code) => code.startsWith(`${prefix}_`));

/** `cadreDeFacturation` as consulted: the frame, and the validator with the day it decided. */
function validationFrame(invoice: SimInvoice): Record<string, unknown> {
  const v = invoice.validation;
  return {
    codeCadreFacturation: outputFrameCode(invoice.data.frame),
    ...(v
      ? {
          typeIdentifiantValideur1: 'SIRET',
          codeValideur1: v.validatorSiret,
          ...(v.decidedAt ? { dateValidation1: isoParis(v.decidedAt) } : {}),
        }
      : {}),
  };
}

/**
 * An item of `rechercher/aTraiter/valideur`. Its amounts are typed integer in the Swagger, which euros with cents
 * cannot be: they are left out, as a reader must then take them from consulter/valideur.
 */
export function validatorInboxItem(invoice: SimInvoice, validator: SimStructure): Record<string, unknown> {
  const d = invoice.data;
  return {
    idFacture: invoice.id,
    typeDemandePaiement: 'FACTURE',
    idFournisseur: invoice.supplier.idStructureCPP,
    identifiantFournisseur: invoice.supplier.siret,
    typeIdentifiantFournisseur: 'SIRET',
    designationFournisseur: invoice.supplier.designation,
    idDestinataire: invoice.recipient.idStructureCPP,
    identifiantDestinataire: invoice.recipient.siret,
    typeIdentifiantDestinataire: 'SIRET',
    designationDestinataire: invoice.recipient.designation,
    ...(invoice.service
      ? {
          idServiceExecutant: invoice.service.idService,
          codeServiceExecutant: invoice.service.codeService,
          nomServiceExecutant: invoice.service.libelle,
        }
      : {}),
    idValideur: validator.idStructureCPP,
    identifiantValideur: validator.siret,
    typeIdentifiantValideur: 'SIRET',
    designationValideur: validator.designation,
    typeFacture: TYPE_BY_CODE[d.typeCode ?? ''] ?? 'FACTURE',
    numeroFacture: invoice.number,
    ...(d.issueDate ? { dateFacture: d.issueDate } : {}),
    dateDepot: isoParis(invoice.depositedAt),
    devise: d.currency ?? 'EUR',
    statut: invoice.status,
    ...(d.engagementNumber ? { numeroEngagement: d.engagementNumber } : {}),
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
