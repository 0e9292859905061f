/**
 * Contract profiles by market number, for the intake's hot path: kept a few seconds in this process (most
 * invoices name a market, few markets change). A profile saved here is seen at once by this process and within
 * CACHE_MS by the others.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Contract } from '../db/entities/contract.js';

const CACHE_MS = 10_000;
const MAX_CACHED = 10_000;

export class ContractDirectory {
  readonly #cache = new Map<string, { contracts: Contract[]; until: number }>();

  async forMarket(em: EntityManager, marketNumber: string): Promise<Contract[]> {
    const cached = this.#cache.get(marketNumber);
    if (cached && cached.until > performance.now()) return cached.contracts;
    const contracts = await em.fork().find(Contract, { marketNumber });
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    this.#cache.set(marketNumber, { contracts, until: performance.now() + CACHE_MS });
    return contracts;
  }

  forget(marketNumber: string): void {
    this.#cache.delete(marketNumber);
  }
}
