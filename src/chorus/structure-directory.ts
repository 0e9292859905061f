/**
 * What Chorus Pro says a recipient requires (and what it offers an account for works documents), read through the
 * Structures and Transverses APIs and cached in Redis with a TTL
 * (structures change rarely; a deposit must not cost four look-ups). Returns English domain terms.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../queues/redis.js';
import type { ChorusClient, TechnicalAccount } from './client.js';
import { parseChorusDate } from './dates.js';
import { parisDay } from '../shared/time.js';
import { worksOffer, type WorksOffer } from './works-offer.js';

export interface RecipientService {
  id: number;
  code: string;
  active: boolean;
  requiresEngagementNumber: boolean;
}

export interface RecipientProfile {
  siret: string;
  structureId: number;
  name: string;
  active: boolean;
  requiresServiceCode: boolean;
  requiresEngagementNumber: boolean;
  requiresServiceCodeOrEngagementNumber: boolean;
  /** `statutMiseEnPaiementNestPasRemonte`: this structure never reports payment. */
  paymentStatusNotReported: boolean;
  services: RecipientService[];
}

/** A pseudo-service Chorus Pro lists that is not a real one (docs/chorus-pro-notes.md, "Answers"). */
const PSEUDO_SERVICES = new Set(['FACTURES_PUBLIQUES']);

export class StructureDirectory {
  /** Look-ups under way in this process: the deposits of a batch to one recipient wait for the same one. */
  readonly #pending = new Map<string, Promise<RecipientProfile | null>>();

  constructor(
    private readonly chorus: ChorusClient,
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    private readonly ttlSeconds: number,
  ) {}

  /** The recipient's profile, or null when no public structure has this SIRET. */
  async recipient(account: TechnicalAccount, siret: string): Promise<RecipientProfile | null> {
    const key = `${this.keyPrefix}:structure:${siret}`;
    const cached = await this.redis.get(key);
    if (cached !== null) return JSON.parse(cached) as RecipientProfile | null;
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const lookUp = (async () => {
      const profile = await this.#lookUp(account, siret);
      // A missing structure is cached for a shorter time: it may be created soon.
      await this.redis.set(
        key,
        JSON.stringify(profile),
        'EX',
        profile ? this.ttlSeconds : Math.min(this.ttlSeconds, 300),
      );
      return profile;
    })();
    this.#pending.set(key, lookUp);
    try {
      return await lookUp;
    } finally {
      this.#pending.delete(key);
    }
  }

  /**
   * The supplier's own structure as its technical account sees it: its id and when the account's password
   * expires (`dateExpirationMotPasseCompteTech`, given only for one's own structure). Not cached: read daily.
   */
  async ownStructure(
    account: TechnicalAccount,
    siret: string,
    knownStructureId: number | null,
  ): Promise<{ structureId: number; passwordExpiresOn: string | null } | null> {
    const structureId =
      knownStructureId ??
      (await this.chorus.rechercherStructure(account, siret)).find((s) => s.identifiantStructure === siret)
        ?.idStructureCPP;
    if (structureId === undefined) return null;
    const detail = await this.chorus.consulterStructure(account, structureId);
    const expires = detail.informationGenerales?.dateExpirationMotPasseCompteTech;
    const date = expires ? parseChorusDate(expires) : null;
    return { structureId, passwordExpiresOn: date ? parisDay(date) : null };
  }

  /**
   * What Chorus Pro offers this technical account for works documents (works-offer.ts), cached like a profile: a
   * batch of works documents asks once, not twice per document.
   */
  async worksOffer(account: TechnicalAccount): Promise<WorksOffer> {
    const key = `${this.keyPrefix}:works-offer:${createHash('sha256').update(account.login).digest('hex').slice(0, 16)}`;
    const cached = await this.redis.get(key);
    if (cached !== null) return JSON.parse(cached) as WorksOffer;
    const offer = await worksOffer(this.chorus, account);
    await this.redis.set(key, JSON.stringify(offer), 'EX', this.ttlSeconds);
    return offer;
  }

  /** Drops the cached profile, so the next check reads Chorus Pro again. */
  async forget(siret: string): Promise<void> {
    await this.redis.del(`${this.keyPrefix}:structure:${siret}`);
  }

  async #lookUp(account: TechnicalAccount, siret: string): Promise<RecipientProfile | null> {
    const matches = (await this.chorus.rechercherStructure(account, siret)).filter(
      (s) => s.identifiantStructure === siret,
    );
    const found = matches[0];
    if (!found) return null;
    const detail = await this.chorus.consulterStructure(account, found.idStructureCPP);
    const flags = detail.parametres ?? {};
    const listed = (await this.chorus.rechercherServicesStructure(account, found.idStructureCPP)).filter(
      (s) => !PSEUDO_SERVICES.has(s.codeService),
    );
    const services: RecipientService[] = [];
    for (const service of listed) {
      const active = service.estActif ?? true;
      // Only active services can receive invoices, so only their engagement flag matters.
      const requiresEngagementNumber = active
        ? ((await this.chorus.consulterServiceStructure(account, found.idStructureCPP, service.idService)).parametres
            ?.numeroEngagement ?? false)
        : false;
      services.push({ id: service.idService, code: service.codeService, active, requiresEngagementNumber });
    }
    return {
      siret,
      structureId: found.idStructureCPP,
      name: found.designationStructure ?? detail.informationGenerales?.raisonSocialeStructure ?? siret,
      active: found.statut !== 'INACTIVE',
      requiresServiceCode: flags.codeServiceDoitEtreRenseigne ?? false,
      requiresEngagementNumber: flags.numeroEJDoitEtreRenseigne ?? false,
      requiresServiceCodeOrEngagementNumber: flags.gestionNumeroEJOuCodeService ?? false,
      paymentStatusNotReported: flags.statutMiseEnPaiementNestPasRemonte ?? false,
      services,
    };
  }
}
