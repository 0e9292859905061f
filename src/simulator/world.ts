/**
 * What the simulated Chorus Pro holds: its seed, the deposited fluxes, the invoices and attachments, their
 * numbering and the clock. The lifecycle engine (engine.ts) moves them along; the API modules read them.
 */
import { BUSINESS_ERRORS, BusinessError } from './business-errors.js';
import { SimClock } from './clock.js';
import {
  PASSWORD_LIFETIME_DAYS,
  type Seed,
  type SimAttachment,
  type SimAccount,
  type SimFlux,
  type SimInvoice,
  type SimInvoiceData,
  type SimStructure,
  type StatusCode,
} from './model.js';

export class ChorusWorld {
  readonly clock = new SimClock();
  readonly fluxes = new Map<string, SimFlux>();
  /** Fluxes in deposit order, which is time order. */
  readonly fluxOrder: SimFlux[] = [];
  readonly invoices = new Map<number, SimInvoice>();
  /**
   * Attachments uploaded with `ajouter/fichier` or `deposer/pdf`: the owner's login, name and size, and what OCR read
   * in a PDF.
   */
  readonly attachments = new Map<number, SimAttachment>();
  /** Deposits seen per invoice number (read from the files), to prove nothing is sent twice. */
  readonly depositsByInvoiceNumber = new Map<string, number>();
  /**
   * Numbering starts from the clock, so that a simulator restarted without its state never hands out an id it
   * gave before: a relay that kept the old ids would otherwise take a new invoice for an old one.
   */
  readonly next = {
    flux: Date.now() * 10,
    invoice: Date.now() * 10,
    history: Date.now() * 10,
    attachment: Date.now() * 10,
  };
  readonly startedAt = Date.now();
  /** Called after every change a request made, to keep the state on disk (state-file.ts). */
  onChange: () => void = () => undefined;

  constructor(readonly seed: Seed) {}

  account(login: string): SimAccount | undefined {
    return this.seed.accounts.find((a) => a.login === login);
  }

  /**
   * The last instant the account's password works: its expiry day, else 424 days after it was changed (or after start).
   */
  passwordExpiresAt(account: SimAccount): number {
    if (account.passwordExpiresAt) return Date.parse(`${account.passwordExpiresAt}T23:59:59+01:00`);
    const changed = account.passwordChangedAt
      ? Date.parse(`${account.passwordChangedAt}T00:00:00+01:00`)
      : this.startedAt;
    return changed + PASSWORD_LIFETIME_DAYS * 86_400_000;
  }

  structureBySiret(siret: string): SimStructure | undefined {
    return this.seed.structures.find((s) => s.siret === siret);
  }

  structureById(id: number): SimStructure | undefined {
    return this.seed.structures.find((s) => s.idStructureCPP === id);
  }

  structuresOf(account: SimAccount): SimStructure[] {
    return account.structureSirets
      .map((siret) => this.structureBySiret(siret))
      .filter((s): s is SimStructure => s !== undefined);
  }

  addFlux(flux: SimFlux): void {
    this.fluxes.set(flux.number, flux);
    this.fluxOrder.push(flux);
  }

  /** Moves an invoice to a status now (or at `at`), with a history line. */
  setStatus(invoice: SimInvoice, code: StatusCode, comment: string | null, at: number = this.clock.now()): void {
    invoice.status = code;
    invoice.statusAt = at;
    invoice.comment = comment;
    invoice.history.push({ id: this.next.history++, code, at, comment });
  }

  /** Invoices this account sees: the ones its structures sent (supplier) or received (recipient). */
  invoicesOf(account: SimAccount): SimInvoice[] {
    const sirets = new Set(account.structureSirets);
    return [...this.invoices.values()].filter((i) =>
      sirets.has(account.role === 'supplier' ? i.supplier.siret : i.recipient.siret),
    );
  }

  /** The invoice, if this account may see it. */
  visibleInvoice(account: SimAccount, id: number): SimInvoice {
    const invoice = this.invoices.get(id);
    const sirets = new Set(account.structureSirets);
    if (!invoice || !sirets.has(account.role === 'supplier' ? invoice.supplier.siret : invoice.recipient.siret)) {
      throw new BusinessError(BUSINESS_ERRORS.factures.unknownInvoice);
    }
    return invoice;
  }

  /** Invoices waiting for, or decided by, a validator among this account's structures. */
  invoicesValidatedBy(account: SimAccount): SimInvoice[] {
    const sirets = new Set(account.structureSirets);
    return [...this.invoices.values()].filter((i) => i.validation && sirets.has(i.validation.validatorSiret));
  }

  /** The invoice, if one of this account's structures is its validator. */
  invoiceForValidator(account: SimAccount, id: number): SimInvoice {
    const invoice = this.invoices.get(id);
    if (!invoice?.validation || !account.structureSirets.includes(invoice.validation.validatorSiret))
      throw new BusinessError(BUSINESS_ERRORS.factures.unknownInvoice);
    return invoice;
  }

  addAttachment(login: string, name: string, size: number, reading?: SimInvoiceData): number {
    const id = this.next.attachment++;
    this.attachments.set(id, { login, name, size, ...(reading ? { reading } : {}) });
    return id;
  }
}
