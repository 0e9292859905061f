import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { stampNow } from '../clock.js';

export interface ContractParty {
  siret: string;
  serviceCode: string | null;
}

/** The billing frames each party of the contract deposits (A1 to A25, by their prefix). */
export interface FramesByParty {
  holder: string[];
  cocontractor: string[];
  subcontractor: string[];
}

/**
 * A public contract's profile (the official "fiche d'identité du marché"): who the buyer is, who may deposit and
 * with which billing frames. An invoice naming its market number is pre-filled and pre-checked from it.
 */
@Entity({ tableName: 'contract' })
@Unique({ name: 'contract_market_buyer_unique', properties: ['marketNumber', 'buyerSiret'] })
export class Contract {
  [OptionalProps]?: 'moe' | 'moa' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 50 })
  marketNumber!: string;

  /** The buyer's SIRET, apart from `buyer` for the unique index: a market number is the buyer's. */
  @Property({ type: 'string', length: 14 })
  buyerSiret!: string;

  @Property({ type: 'json' })
  buyer!: ContractParty;

  /** The project manager (maître d'œuvre) of a works contract. */
  @Property({ type: 'json', nullable: true })
  moe: ContractParty | null = null;

  /** The contracting authority (maître d'ouvrage) of a works contract. */
  @Property({ type: 'json', nullable: true })
  moa: ContractParty | null = null;

  /** The main contractor (titulaire), or the group's representative. */
  @Property({ type: 'string', length: 14 })
  holderSiret!: string;

  @Property({ type: 'json' })
  frames!: FramesByParty;

  @Property({ type: 'json' })
  cocontractors!: string[];

  @Property({ type: 'json' })
  subcontractors!: Array<{ siret: string; directPayment: boolean }>;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  @Property({ type: 'datetime', onCreate: stampNow, onUpdate: stampNow })
  updatedAt!: Date;
}
