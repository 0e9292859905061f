/**
 * What a contract profile says of an invoice that names its market number: which party deposits it (the holder,
 * a co-contractor, a subcontractor), whether that party may use the invoice's billing frame, whether it goes to
 * the contract's buyer and service. The service code left out is taken from the profile.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '../access/roles.js';
import { FRAMES_WITH_VALIDATOR } from '../chorus/codes.js';
import { Contract, type FramesByParty } from '../db/entities/contract.js';
import type { Issue } from '../shared/domain-error.js';

export type ContractRole = keyof FramesByParty;

/** The frames each party deposits unless the profile says otherwise (works-and-limits §1.2). */
export const DEFAULT_FRAMES: FramesByParty = {
  holder: ['A1', 'A2', 'A4', 'A7'],
  cocontractor: ['A12', 'A13', 'A14'],
  subcontractor: ['A9', 'A10', 'A11'],
};

const ROLE_NAMES: Record<ContractRole, string> = { holder: 'the holder (titulaire)', cocontractor: 'a co-contractor', subcontractor: 'a subcontractor' };

export function roleOf(contract: Contract, siret: string): ContractRole | null {
  if (contract.holderSiret === siret) return 'holder';
  if (contract.cocontractors.includes(siret)) return 'cocontractor';
  if (contract.subcontractors.some((s) => s.siret === siret)) return 'subcontractor';
  return null;
}

export interface ProfiledFields {
  supplierSiret: string;
  recipientSiret: string;
  serviceCode: string | null;
  billingFrame: string;
  marketNumber: string | null;
  validatorSiret: string | null;
}

/**
 * Who validates this party's invoice under this frame: the holder (titulaire, or the group's representative) for
 * a subcontractor's A9 or a co-contractor's A12; nobody otherwise.
 */
export function validatorOf(contract: Contract, role: ContractRole | null, billingFrame: string): string | null {
  return role !== null && role !== 'holder' && FRAMES_WITH_VALIDATOR.includes(billingFrame) ? contract.holderSiret : null;
}

/**
 * The contract of this market for this recipient, if there is one, and what it finds wrong. `contracts` are the
 * profiles with the invoice's market number (one per buyer).
 */
export function checkAgainstContracts(invoice: ProfiledFields, contracts: readonly Contract[]): { contract: Contract | null; issues: Issue[] } {
  if (!invoice.marketNumber || contracts.length === 0) return { contract: null, issues: [] };
  const contract = contracts.find((c) => c.buyerSiret === invoice.recipientSiret);
  if (!contract) {
    const buyers = contracts.map((c) => c.buyerSiret).join(', ');
    return {
      contract: null,
      issues: [
        {
          path: 'recipientSiret',
          code: 'contract_recipient',
          message: `Market ${invoice.marketNumber} is bought by ${buyers} (its contract profile), not by ${invoice.recipientSiret}.`,
        },
      ],
    };
  }
  const issues: Issue[] = [];
  const role = roleOf(contract, invoice.supplierSiret);
  if (!role) {
    issues.push({
      path: 'supplierSiret',
      code: 'contract_party',
      message: `${invoice.supplierSiret} is not a party to market ${invoice.marketNumber}: add it to the contract profile as a co-contractor or subcontractor.`,
    });
  } else if (role === 'subcontractor' && !contract.subcontractors.find((s) => s.siret === invoice.supplierSiret)!.directPayment) {
    issues.push({
      path: 'supplierSiret',
      code: 'contract_no_direct_payment',
      message: `${invoice.supplierSiret} is a subcontractor of market ${invoice.marketNumber} without direct payment: it bills the holder ${contract.holderSiret}, not the buyer, so its invoices do not go to Chorus Pro.`,
    });
  } else if (!contract.frames[role].includes(invoice.billingFrame)) {
    issues.push({
      path: 'billingFrame',
      code: 'contract_frame',
      message: `${invoice.supplierSiret} is ${ROLE_NAMES[role]} of market ${invoice.marketNumber}, which deposits with billing frame ${contract.frames[role].join(', ')}, not ${invoice.billingFrame}.`,
    });
  }
  const validator = validatorOf(contract, role, invoice.billingFrame);
  if (validator && invoice.validatorSiret && invoice.validatorSiret !== validator) {
    issues.push({
      path: 'validatorSiret',
      code: 'contract_validator',
      message: `Invoices of ${ROLE_NAMES[role!]} of market ${invoice.marketNumber} are validated by the holder ${validator}, not by ${invoice.validatorSiret}.`,
    });
  }
  if (contract.buyer.serviceCode && invoice.serviceCode && invoice.serviceCode !== contract.buyer.serviceCode) {
    issues.push({
      path: 'serviceCode',
      code: 'contract_service_code',
      message: `Market ${invoice.marketNumber} is billed to service ${contract.buyer.serviceCode}, not ${invoice.serviceCode}.`,
    });
  }
  return { contract, issues };
}

export interface ContractInput {
  marketNumber: string;
  buyer: Contract['buyer'];
  moe: Contract['moe'];
  moa: Contract['moa'];
  holderSiret: string;
  frames: { [K in keyof FramesByParty]?: string[] | undefined };
  cocontractors: string[];
  subcontractors: Contract['subcontractors'];
}

/** Saves a profile: a new one, or the replacement of the profile of the same market and buyer. */
export async function saveContract(em: EntityManager, input: ContractInput): Promise<{ contract: Contract; created: boolean }> {
  const fields = {
    ...input,
    buyerSiret: input.buyer.siret,
    frames: {
      holder: input.frames.holder ?? DEFAULT_FRAMES.holder,
      cocontractor: input.frames.cocontractor ?? DEFAULT_FRAMES.cocontractor,
      subcontractor: input.frames.subcontractor ?? DEFAULT_FRAMES.subcontractor,
    },
  };
  const existing = await em.findOne(Contract, { marketNumber: input.marketNumber, buyerSiret: input.buyer.siret });
  const contract = existing ? em.assign(existing, fields) : em.create(Contract, fields);
  await em.flush();
  return { contract, created: !existing };
}

/** The profiles whose holder is within the scope (all of them for a key of every supplier). */
export function contractsWithin(em: EntityManager, scope: Scope): Promise<Contract[]> {
  return em.find(Contract, scope === null ? {} : { holderSiret: { $in: [...scope] } }, { orderBy: { marketNumber: 'asc' } });
}
