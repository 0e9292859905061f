/** What happens inside the simulated Chorus Pro: deposits, processing, routing and the recipient's decisions. */
import type { FluxState, InvoiceStatus } from '../chorus/statuses.js';
import { filesOfFlux } from '../invoices/einvoice/archive.js';
import { readEInvoice, type EInvoiceData } from '../invoices/einvoice/read-invoice.js';
import { SimClock, type ErreurDP, type ErreurTechnique, type Seed, type SimAccount, type SimFlux, type SimInvoice, type SimStructure, type TerminalFluxState } from './model.js';
import { checkInvoice } from './rules.js';

export interface WorldTiming {
  /** Time between two flux states (IN_RECU → ... → terminal, 4 steps). (Default: 1 s) */
  fluxStepMs: number;
  /** Time between DEPOSEE, EN_COURS_ACHEMINEMENT and MISE_A_DISPOSITION. (Default: 1 s) */
  invoiceStepMs: number;
}

const FLUX_STEPS: FluxState[] = ['IN_RECU', 'IN_TRAITE_SE_CPP', 'IN_EN_ATTENTE_TRAITEMENT_CPP', 'IN_EN_COURS_TRAITEMENT_CPP'];

/** What a recipient may set with `traiter/recue` (SWF info text, plus SERVICE_FAIT seen in Pastell). */
export const RECIPIENT_STATUSES: readonly InvoiceStatus[] = [
  'MISE_A_DISPOSITION',
  'SUSPENDUE',
  'REJETEE',
  'MANDATEE',
  'MISE_EN_PAIEMENT',
  'COMPTABILISEE',
  'MISE_A_DISPOSITION_COMPTABLE',
  'A_RECYCLER',
  'SERVICE_FAIT',
];
const REASON_REQUIRED: readonly InvoiceStatus[] = ['REJETEE', 'SUSPENDUE', 'A_RECYCLER'];

export class WorldError extends Error {
  constructor(
    readonly codeRetour: number,
    readonly libelle: string,
  ) {
    super(libelle);
  }
}

export class ChorusWorld {
  readonly clock = new SimClock();
  readonly fluxes = new Map<string, SimFlux>();
  readonly invoices = new Map<number, SimInvoice>();
  /** Deposits seen per invoice number (read from the files), to prove nothing is sent twice. */
  readonly depositsByInvoiceNumber = new Map<string, number>();
  #fluxOrder: SimFlux[] = [];
  // Numbering starts from the clock, so that a restarted simulator never hands out an id it gave before: a relay
  // that kept the old ids would otherwise take a new invoice for an old one.
  #nextFlux = Date.now() * 10;
  #nextInvoice = Date.now() * 10;
  #nextHistory = Date.now() * 10;

  constructor(
    readonly seed: Seed,
    readonly timing: WorldTiming,
  ) {}

  account(login: string): SimAccount | undefined {
    return this.seed.accounts.find((a) => a.login === login);
  }

  structureBySiret(siret: string): SimStructure | undefined {
    return this.seed.structures.find((s) => s.siret === siret);
  }

  structureById(id: number): SimStructure | undefined {
    return this.seed.structures.find((s) => s.idStructureCPP === id);
  }

  structuresOf(account: SimAccount): SimStructure[] {
    return account.structureSirets.map((siret) => this.structureBySiret(siret)).filter((s): s is SimStructure => s !== undefined);
  }

  /** Accepts a flux: it will move through its states as the clock goes. */
  deposit(login: string, fileName: string, syntaxeFlux: string, content: Buffer, forcedState: TerminalFluxState | null): SimFlux {
    const flux: SimFlux = {
      number: `CPP${String(this.#nextFlux++).padStart(22, '0')}`,
      login,
      fileName,
      syntaxeFlux,
      content,
      depositedAt: this.clock.now(),
      outcome: null,
      forcedState,
    };
    this.fluxes.set(flux.number, flux);
    this.#fluxOrder.push(flux);
    for (const data of this.#readAll(flux).flatMap((r) => (r.data ? [r.data] : []))) {
      if (data.number) this.depositsByInvoiceNumber.set(data.number, (this.depositsByInvoiceNumber.get(data.number) ?? 0) + 1);
    }
    return flux;
  }

  fluxState(flux: SimFlux): { state: string; at: number } {
    this.catchUp();
    if (flux.stuckIn) return { state: flux.stuckIn, at: flux.depositedAt };
    if (flux.outcome) return { state: flux.outcome.state, at: flux.depositedAt + FLUX_STEPS.length * this.timing.fluxStepMs };
    const step = Math.min(FLUX_STEPS.length - 1, Math.floor((this.clock.now() - flux.depositedAt) / this.timing.fluxStepMs));
    return { state: FLUX_STEPS[step]!, at: flux.depositedAt + step * this.timing.fluxStepMs };
  }

  /** Brings every flux and invoice up to the clock, in time order. */
  catchUp(): void {
    const now = this.clock.now();
    for (const flux of this.#fluxOrder) {
      if (flux.outcome || flux.stuckIn) continue;
      const doneAt = flux.depositedAt + FLUX_STEPS.length * this.timing.fluxStepMs;
      if (doneAt > now) break; // deposit order is time order
      this.#integrate(flux, doneAt);
    }
    for (const invoice of this.invoices.values()) {
      while (invoice.upcoming[0] && invoice.upcoming[0].at <= now) {
        const next = invoice.upcoming.shift()!;
        this.#setStatus(invoice, next.code, null, next.at);
      }
    }
  }

  #readAll(flux: SimFlux): Array<{ name: string; data?: EInvoiceData; error?: string }> {
    let files;
    try {
      files = filesOfFlux(flux.fileName, flux.content);
    } catch (error) {
      return [{ name: flux.fileName, error: `Archive illisible : ${(error as Error).message}` }];
    }
    return files.map((file) => {
      try {
        return { name: file.name, data: readEInvoice(file.content) };
      } catch (error) {
        return { name: file.name, error: (error as Error).message };
      }
    });
  }

  #integrate(flux: SimFlux, at: number): void {
    const account = this.account(flux.login);
    const erreursDP: ErreurDP[] = [];
    const erreursTechniques: ErreurTechnique[] = [];
    const invoiceIds: number[] = [];
    if (flux.forcedState === 'IN_INCIDENTE') {
      flux.outcome = { state: 'IN_INCIDENTE', erreursDP, erreursTechniques, invoiceIds };
      return;
    }
    const seenInFlux = new Set<string>();
    for (const file of this.#readAll(flux)) {
      if (!file.data) {
        erreursTechniques.push({
          codeErreur: 'ERR_FORMAT_FLUX',
          libelleErreur: `Le fichier ${file.name} ne peut pas être lu : ${file.error ?? 'format inconnu'}`,
          natureErreur: 'TECHNIQUE',
        });
        continue;
      }
      const data = file.data;
      if (flux.forcedState === 'IN_REJETE') {
        // Refused at integration: no invoice is created, so its number stays free (uniqueness is among integrated invoices).
        erreursDP.push({
          identifiantFournisseur: data.supplierSiret ?? '',
          identifiantDestinataire: data.recipientSiret ?? '',
          numeroDP: data.number ?? '',
          libelleErreurDP: 'Le montant TTC de la facture est incohérent avec la somme du montant HT et de la TVA.',
        });
        continue;
      }
      const result = checkInvoice(data, {
        supplierStructures: account ? this.structuresOf(account) : [],
        structureBySiret: (siret) => this.structureBySiret(siret),
        isDuplicate: (supplierSiret, number) =>
          seenInFlux.has(`${supplierSiret}|${number}`) ||
          [...this.invoices.values()].some((i) => i.supplier.siret === supplierSiret && i.number === number && i.status !== 'SUPPRIMEE'),
      });
      if (!result.ok) {
        erreursDP.push({
          identifiantFournisseur: data.supplierSiret ?? '',
          identifiantDestinataire: data.recipientSiret ?? '',
          numeroDP: data.number ?? '',
          libelleErreurDP: result.message,
        });
        continue;
      }
      seenInFlux.add(`${result.supplier.siret}|${data.number}`);
      const invoice: SimInvoice = {
        id: this.#nextInvoice++,
        number: data.number!,
        fluxNumber: flux.number,
        supplier: result.supplier,
        recipient: result.recipient,
        service: result.service,
        data,
        depositedAt: flux.depositedAt,
        status: 'DEPOSEE',
        statusAt: at,
        comment: null,
        history: [],
        upcoming: [
          { code: 'EN_COURS_ACHEMINEMENT', at: at + this.timing.invoiceStepMs },
          { code: 'MISE_A_DISPOSITION', at: at + 2 * this.timing.invoiceStepMs },
        ],
      };
      this.#setStatus(invoice, 'DEPOSEE', null, at);
      this.invoices.set(invoice.id, invoice);
      invoiceIds.push(invoice.id);
    }
    const state: TerminalFluxState =
      flux.forcedState ?? (invoiceIds.length === 0 ? 'IN_REJETE' : erreursDP.length + erreursTechniques.length > 0 ? 'IN_INTEGRE_PARTIEL' : 'IN_INTEGRE');
    flux.outcome = { state, erreursDP, erreursTechniques, invoiceIds };
  }

  #setStatus(invoice: SimInvoice, code: InvoiceStatus, comment: string | null, at: number): void {
    invoice.status = code;
    invoice.statusAt = at;
    invoice.comment = comment;
    invoice.history.push({ id: this.#nextHistory++, code, at, comment });
  }

  invoicesOf(account: SimAccount): SimInvoice[] {
    this.catchUp();
    const sirets = new Set(account.structureSirets);
    return [...this.invoices.values()].filter((i) => sirets.has(account.role === 'supplier' ? i.supplier.siret : i.recipient.siret));
  }

  /** The invoice, if this account may see it. */
  visibleInvoice(account: SimAccount, id: number): SimInvoice {
    const invoice = this.invoicesOf(account).find((i) => i.id === id);
    if (!invoice) throw new WorldError(20001, 'FAC_MSG_01.001 La facture demandée est introuvable pour ce compte.');
    return invoice;
  }

  /** Back door: any status code, even one outside the Swagger's enum (newer Chorus Pro versions add some). */
  forceStatus(invoice: SimInvoice, code: string, comment: string | null): void {
    invoice.upcoming = [];
    this.#setStatus(invoice, code as InvoiceStatus, comment, this.clock.now());
  }

  /** The recipient's decision (`traiter/recue`). */
  treat(invoice: SimInvoice, status: InvoiceStatus, reason: string | null): SimInvoice {
    if (!RECIPIENT_STATUSES.includes(status)) throw new WorldError(20002, `FAC_MSG_02.001 Le statut ${status} ne peut pas être positionné par le destinataire.`);
    if (REASON_REQUIRED.includes(status) && !reason) throw new WorldError(20003, `FAC_MSG_02.002 Le motif est obligatoire pour le statut ${status}.`);
    if (invoice.status === 'REJETEE' || invoice.status === 'MISE_EN_PAIEMENT') {
      throw new WorldError(20004, `FAC_MSG_02.003 La facture est au statut ${invoice.status} : elle ne peut plus être traitée.`);
    }
    invoice.upcoming = [];
    this.#setStatus(invoice, status, reason, this.clock.now());
    return invoice;
  }

  /** `recycler`: new routing for an A_RECYCLER invoice, which is then routed again. */
  recycle(invoice: SimInvoice, routing: { recipientSiret?: string; serviceCode?: string; engagementNumber?: string }, comment: string | null): SimInvoice {
    if (invoice.status !== 'A_RECYCLER')
      throw new WorldError(20005, `FAC_MSG_03.001 La facture est au statut ${invoice.status} : seule une facture A_RECYCLER peut être recyclée.`);
    const data: EInvoiceData = {
      ...invoice.data,
      recipientSiret: routing.recipientSiret ?? invoice.data.recipientSiret,
      serviceCode: routing.serviceCode ?? invoice.data.serviceCode,
      engagementNumber: routing.engagementNumber ?? invoice.data.engagementNumber,
    };
    const result = checkInvoice(data, {
      supplierStructures: [invoice.supplier],
      structureBySiret: (siret) => this.structureBySiret(siret),
      isDuplicate: () => false,
    });
    if (!result.ok) throw new WorldError(20006, `FAC_MSG_03.002 ${result.message}`);
    const now = this.clock.now();
    invoice.data = data;
    invoice.recipient = result.recipient;
    invoice.service = result.service;
    this.#setStatus(invoice, 'DEPOSEE', comment, now);
    invoice.upcoming = [
      { code: 'EN_COURS_ACHEMINEMENT', at: now + this.timing.invoiceStepMs },
      { code: 'MISE_A_DISPOSITION', at: now + 2 * this.timing.invoiceStepMs },
    ];
    return invoice;
  }

  /**
   * Back door for load tests: `count` invoices already integrated and MISE_A_DISPOSITION, as if deposited
   * `agoMs` ago, without fluxes or files. Returns their ids and numbers.
   */
  seedIntegrated(
    supplierSiret: string,
    recipientSiret: string,
    serviceCode: string | null,
    count: number,
    numberPrefix: string,
    agoMs: number,
  ): Array<{ id: number; number: string }> {
    const supplier = this.structureBySiret(supplierSiret);
    const recipient = this.structureBySiret(recipientSiret);
    if (!supplier || !recipient) throw new WorldError(20001, 'Structure inconnue');
    const service = recipient.services.find((s) => s.codeService === serviceCode) ?? null;
    const at = this.clock.now() - agoMs;
    const created: Array<{ id: number; number: string }> = [];
    for (let i = 0; i < count; i++) {
      const number = `${numberPrefix}${i}`;
      const invoice: SimInvoice = {
        id: this.#nextInvoice++,
        number,
        fluxNumber: 'SEEDED',
        supplier,
        recipient,
        service,
        data: {
          syntax: 'UBL',
          number,
          issueDate: null,
          typeCode: '380',
          supplierSiret,
          recipientSiret,
          serviceCode,
          engagementNumber: null,
          currency: 'EUR',
          amountWithoutVat: '100.00',
          vatAmount: '20.00',
          amountWithVat: '120.00',
        },
        depositedAt: at,
        status: 'DEPOSEE',
        statusAt: at,
        comment: null,
        history: [],
        upcoming: [],
      };
      this.#setStatus(invoice, 'DEPOSEE', null, at);
      this.#setStatus(invoice, 'MISE_A_DISPOSITION', null, at + 1);
      this.invoices.set(invoice.id, invoice);
      created.push({ id: invoice.id, number });
    }
    return created;
  }

  /** Attachments uploaded with `ajouter/fichier`, by id: the owner's login, name and size. */
  readonly attachments = new Map<number, { login: string; name: string; size: number }>();
  #nextAttachment = Date.now() * 10;

  addAttachment(login: string, name: string, content: Buffer): number {
    const id = this.#nextAttachment++;
    this.attachments.set(id, { login, name, size: content.length });
    return id;
  }

  /** `completer`: the supplier answers a suspension, with attachments uploaded beforehand by the same account. */
  complete(invoice: SimInvoice, comment: string | null, attachmentIds: number[] = [], login?: string): SimInvoice {
    if (invoice.status !== 'SUSPENDUE') throw new WorldError(20007, `FAC_MSG_04.001 La facture est au statut ${invoice.status} : seule une facture SUSPENDUE peut être complétée.`);
    const unknown = attachmentIds.find((id) => this.attachments.get(id)?.login !== login);
    if (unknown !== undefined) throw new WorldError(20008, `FAC_MSG_04.002 La pièce jointe ${unknown} est introuvable.`);
    invoice.completedWith = attachmentIds;
    this.#setStatus(invoice, 'COMPLETEE', comment, this.clock.now());
    return invoice;
  }
}
