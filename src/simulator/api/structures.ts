/** The Structures API (`/cpro/structures/v1/...`): search and consult structures and their services. */
import { BUSINESS_ERRORS, BusinessError } from '../business-errors.js';
import { isoParis } from '../clock.js';
import { structureItem } from '../present.js';
import { emptySearch, list, objectOf, ok, paginate, type ApiContext, type Handlers } from './answers.js';

export function structuresApi({ world, variants }: ApiContext): Handlers {
  const structure = (id: unknown) => {
    const found = world.structureById(Number(id));
    if (!found) throw new BusinessError(BUSINESS_ERRORS.structures.unknownStructure);
    return found;
  };
  return {
    rechercherStructure: (account, body) => {
      const criteria = objectOf(body.structure);
      const attached = new Set(account.structureSirets);
      const restrict = body.restreindreStructuresPrivees !== false;
      const designation =
        typeof criteria.raisonSocialeStructure === 'string' ? criteria.raisonSocialeStructure.toUpperCase() : null;
      const matches = world.seed.structures
        .filter((s) => s.type === 'PUBLIQUE' || !restrict || attached.has(s.siret))
        .filter((s) => criteria.identifiantStructure === undefined || s.siret === criteria.identifiantStructure)
        .filter((s) => criteria.typeStructure === undefined || s.type === criteria.typeStructure)
        .filter((s) => criteria.statutStructure === undefined || (criteria.statutStructure === 'ACTIF') === s.active)
        .filter((s) => designation === null || s.designation.includes(designation));
      const empty = emptySearch(variants, matches.length);
      if (empty) return empty;
      const paging = objectOf(body.parametres);
      const { slice, parametresRetour } = paginate(matches, paging.pageResultatDemandee, paging.nbResultatsParPage);
      return ok('GCU_MSG_01_000', { listeStructures: list(variants, slice.map(structureItem)), parametresRetour });
    },
    consulterStructure: (account, body) => {
      const s = structure(body.idStructureCPP);
      // Only the account's own structures show when its password expires (it must be changed every 424 days).
      const own = account.structureSirets.includes(s.siret);
      return ok('GCU_MSG_01_000', {
        adressePostaleDuSiege: { adresse: '1 rue de l’Exemple', codePostal: '75007', ville: 'PARIS', pays: 'FR' },
        informationGenerales: {
          idStructureCPP: s.idStructureCPP,
          identifiantStructure: s.siret,
          typeIdentifiantStructure: 'SIRET',
          raisonSocialeStructure: s.designation,
          structurePriveePublique: s.type,
          ...(own ? { dateExpirationMotPasseCompteTech: isoParis(world.passwordExpiresAt(account)) } : {}),
        },
        parametres: {
          ...s.flags,
          connexionEDI: false,
          estMoaUniquement: false,
          estValideurDelegue: false,
          getaMoa: false,
          nonDiffusibleInsee: false,
          recevoirDonneesViaEDI: false,
        },
      });
    },
    rechercherServicesStructure: (_account, body) => {
      const s = structure(body.idStructure);
      const empty = emptySearch(variants, s.services.length);
      if (empty) return empty;
      const paging = objectOf(body.parametresRechercherServicesStructure);
      const { slice, parametresRetour } = paginate(s.services, paging.pageResultatDemandee, paging.nbResultatsParPage);
      const item = (v: (typeof s.services)[number]) => ({
        idService: v.idService,
        codeService: v.codeService,
        libelleService: v.libelle,
        estActif: v.active,
        statutService: v.active ? 'ACTIF' : 'INACTIF',
      });
      return ok('GCU_MSG_01_000', { listeServices: list(variants, slice.map(item)), parametresRetour });
    },
    consulterServiceStructure: (_account, body) => {
      const s = structure(body.idStructure);
      const service = s.services.find((v) => v.idService === body.idService);
      if (!service) throw new BusinessError(BUSINESS_ERRORS.structures.unknownService);
      return ok('GCU_MSG_01_000', {
        informationsGenerales: { codeService: service.codeService, nomService: service.libelle },
        parametres: {
          numeroEngagement: service.numeroEngagement,
          miseEnPaiement: !s.flags.statutMiseEnPaiementNestPasRemonte,
        },
      });
    },
  };
}
