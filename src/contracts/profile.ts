/**
 * What a contract profile says of an invoice that names its market number: which party deposits it (the holder,
 * a co-contractor, a subcontractor), whether that party may use the invoice's billing frame, whether it goes to
 * the contract's buyer and service. The service code left out is taken from the profile.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { inScope, type Scope } from '../access/roles.js';
import { FRAMES_WITH_VALIDATOR } from '../chorus/codes.js';
import { Contract, type FramesByParty } from '../db/entities/contract.js';
import { DomainError, type Issue } from '../shared/domain-error.js';

export type ContractRole = keyof FramesByParty;

/** The frames each party deposits unless the profile says otherwise (docs/chorus-pro-notes.md, "Works documents"). */
export const DEFAULT_FRAMES: FramesByParty = {
  holder: ['A1', 'A2', 'A4', 'A7'],
  cocontractor: ['A12', 'A13', 'A14'],
  subcontractor: ['A9', 'A10', 'A11'],
};

const ROLE_NAMES: Record<ContractRole, string> = {
  holder: 'the holder (titulaire)',
  cocontractor: 'a co-contractor',
  subcontractor: 'a subcontractor',
};

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
  return role !== null && role !== 'holder' && FRAMES_WITH_VALIDATOR.includes(billingFrame)
    ? contract.holderSiret
    : null;
}

/**
 * The contract of this market for this recipient, if there is one, and what it finds wrong. `contracts` are the
 * profiles with the invoice's market number (one per buyer). A profile belongs to its holder: a caller whose key does
 * not reach the holder (`scope`) is told what is wrong with its invoice, never what the profile says (its buyers, the
 * holder, the parties' roles and frames, the buyer's service).
 */
export function checkAgainstContracts(
  invoice: ProfiledFields,
  contracts: readonly Contract[],
  scope: Scope,
): { contract: Contract | null; issues: Issue[] } {
  if (!invoice.marketNumber || contracts.length === 0) return { contract: null, issues: [] };
  const market = invoice.marketNumber;
  const contract = contracts.find((c) => c.buyerSiret === invoice.recipientSiret);
  if (!contract) {
    const ownBuyers = contracts.filter((c) => inScope(scope, c.holderSiret)).map((c) => c.buyerSiret);
    const message =
      ownBuyers.length === contracts.length
        ? `Market ${market} is bought by ${ownBuyers.join(', ')} (its contract profile), not by ${invoice.recipientSiret}.`
        : `Market ${market} is not bought by ${invoice.recipientSiret}, according to its contract profile.`;
    return { contract: null, issues: [{ path: 'recipientSiret', code: 'contract_recipient', message }] };
  }
  const reveal = inScope(scope, contract.holderSiret);
  const issues: Issue[] = [];
  const role = roleOf(contract, invoice.supplierSiret);
  if (!role) {
    issues.push({
      path: 'supplierSiret',
      code: 'contract_party',
      message: `${invoice.supplierSiret} is not a party to market ${market}: ${reveal ? 'add it to the contract profile as a co-contractor or subcontractor' : "the market's holder must add it to the contract profile"}.`,
    });
  } else if (
    role === 'subcontractor' &&
    !contract.subcontractors.find((s) => s.siret === invoice.supplierSiret)!.directPayment
  ) {
    issues.push({
      path: 'supplierSiret',
      code: 'contract_no_direct_payment',
      message: `${invoice.supplierSiret} is a subcontractor of market ${market} without direct payment: it bills the holder${reveal ? ` ${contract.holderSiret}` : ''}, not the buyer, so its invoices do not go to Chorus Pro.`,
    });
  } else if (!contract.frames[role].includes(invoice.billingFrame)) {
    issues.push({
      path: 'billingFrame',
      code: 'contract_frame',
      message: reveal
        ? `${invoice.supplierSiret} is ${ROLE_NAMES[role]} of market ${market}, which deposits with billing frame ${contract.frames[role].join(', ')}, not ${invoice.billingFrame}.`
        : `Under the contract profile of market ${market}, ${invoice.supplierSiret} does not deposit with billing frame ${invoice.billingFrame}.`,
    });
  }
  const validator = validatorOf(contract, role, invoice.billingFrame);
  if (validator && invoice.validatorSiret && invoice.validatorSiret !== validator) {
    issues.push({
      path: 'validatorSiret',
      code: 'contract_validator',
      message: reveal
        ? `Invoices of ${ROLE_NAMES[role!]} of market ${market} are validated by the holder ${validator}, not by ${invoice.validatorSiret}.`
        : `Under the contract profile of market ${market}, this invoice is validated by the holder, not by ${invoice.validatorSiret}: leave validatorSiret out and it is filled in.`,
    });
  }
  if (contract.buyer.serviceCode && invoice.serviceCode && invoice.serviceCode !== contract.buyer.serviceCode) {
    issues.push({
      path: 'serviceCode',
      code: 'contract_service_code',
      message: reveal
        ? `Market ${market} is billed to service ${contract.buyer.serviceCode}, not ${invoice.serviceCode}.`
        : `Market ${market} is not billed to service ${invoice.serviceCode}, according to its contract profile: leave serviceCode out and it is filled in.`,
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

/**
 * Saves a profile: a new one, or the replacement of the profile of the same market and buyer, which only a caller
 * whose key reaches its holder may replace (the refusal says nothing of that profile).
 */
export async function saveContract(
  em: EntityManager,
  input: ContractInput,
  scope: Scope,
): Promise<{ contract: Contract; created: boolean }> {
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
  if (existing && !inScope(scope, existing.holderSiret)) {
    throw new DomainError(
      'conflict',
      'CONTRACT_HELD_ELSEWHERE',
      `Market ${input.marketNumber} already has a contract profile for this buyer, held by a supplier this key does not act for: only a key of its holder may replace it.`,
    );
  }
  const contract = existing ? em.assign(existing, fields) : em.create(Contract, fields);
  await em.flush();
  return { contract, created: !existing };
}

/** The profiles whose holder is within the scope (all of them for a key of every supplier). */
export function contractsWithin(em: EntityManager, scope: Scope): Promise<Contract[]> {
  return em.find(Contract, scope === null ? {} : { holderSiret: { $in: [...scope] } }, {
    orderBy: { marketNumber: 'asc' },
  });
}
