/**
 * The lifecycle engine: how fluxes and invoices move on the simulator's clock. A flux walks through its
 * processing states (IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP just before the last, as clients saw it)
 * and ends integrated, partly integrated or rejected by the rules; each integrated invoice is routed
 * (DEPOSEE, EN_COURS_ACHEMINEMENT, MISE_A_DISPOSITION), then gets what its recipient's scenario decides.
 */
import type {
  ErreurDP,
  ErreurTechnique,
  FluxFile,
  SimFlux,
  SimInvoice,
  SimInvoiceData,
  StatusCode,
  TerminalFluxState,
} from './model.js';
import { checkInvoice } from './rules.js';
import type { Decision } from './scenario.js';
import type { ChorusWorld } from './world.js';

export interface EngineTiming {
  /** Time between two flux states (four steps before the terminal one). (Default: 1 s) */
  fluxStepMs: number;
  /** Time between DEPOSEE, EN_COURS_ACHEMINEMENT and MISE_A_DISPOSITION. (Default: 1 s) */
  invoiceStepMs: number;
  /** How long a validator may stay silent before the invoice counts as validated (the 15 days of the rules). */
  validationDelayMs: number;
}

/** 15 days: a main contractor's silence on its subcontractor's invoice then counts as validation. */
export const VALIDATION_DELAY_MS = 15 * 86_400_000;

/**
 * Works documents (docs/chorus-pro-notes.md, "Works documents"): every frame but the ordinary invoices (A1 to A3, A9,
 * A12) and the TIC refund (A21). They are made available to the project manager (MISE_A_DISPOSITION_MOE), not to the
 * buyer.
 */
export function isWorksDocument(frame: string | null | undefined): boolean {
  return (
    !!frame &&
    /^A\d{1,2}$/.test(frame) &&
    !['A1', 'A2', 'A3', 'A9', 'A12', 'A21'].includes(frame) &&
    Number(frame.slice(1)) <= 25
  );
}

/** The frames whose invoices wait for a validator first (docs/chorus-pro-notes.md, "The validation circuit"). */
const FRAMES_WITH_VALIDATOR = ['A9', 'A12'];
export const needsValidator = (frame: string | null | undefined): boolean =>
  FRAMES_WITH_VALIDATOR.includes(frame ?? '');

export const FLUX_STEPS = [
  'IN_RECU',
  'IN_TRAITE_SE_CPP',
  'IN_EN_COURS_TRAITEMENT_CPP',
  'IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP',
] as const;

/** What the recipients of a scenario decide, by recipient SIRET, then by service code ('*' for any). */
export type DecisionBook = Record<string, Record<string, Decision[]>>;

export class LifecycleEngine {
  constructor(
    readonly world: ChorusWorld,
    readonly timing: EngineTiming,
    readonly decisions: DecisionBook = {},
  ) {}

  /** Accepts a flux whose files were read at deposit: it moves through its states as the clock goes. */
  deposit(
    login: string,
    fileName: string,
    syntaxeFlux: string,
    files: FluxFile[],
    forcedState: TerminalFluxState | null,
    stuckIn: string | null,
  ): SimFlux {
    const flux: SimFlux = {
      number: `CPP${String(this.world.next.flux++).padStart(22, '0')}`,
      login,
      fileName,
      syntaxeFlux,
      files,
      depositedAt: this.world.clock.now(),
      outcome: null,
      forcedState,
      ...(stuckIn ? { stuckIn } : {}),
    };
    this.world.addFlux(flux);
    for (const number of files.flatMap((f) => (f.data?.number ? [f.data.number] : []))) {
      this.world.depositsByInvoiceNumber.set(number, (this.world.depositsByInvoiceNumber.get(number) ?? 0) + 1);
    }
    return flux;
  }

  /** An invoice submitted with soumettre: the rules of a flux's invoices, then routed at once (there is no flux). */
  submit(login: string, data: SimInvoiceData): { ok: true; invoice: SimInvoice } | { ok: false; message: string } {
    const account = this.world.account(login);
    const result = checkInvoice(data, {
      supplierStructures: account ? this.world.structuresOf(account) : [],
      structureBySiret: (siret) => this.world.structureBySiret(siret),
      isDuplicate: (supplierSiret, number) => this.#integratedWith(supplierSiret, number),
    });
    if (!result.ok) return result;
    if (needsValidator(data.frame)) {
      if (!data.validatorSiret)
        return {
          ok: false,
          message:
            'Le valideur (codeStructureValideur) est obligatoire pour une facture de sous-traitant ou de cotraitant.',
        };
      if (!this.world.structureBySiret(data.validatorSiret))
        return { ok: false, message: `Le valideur ${data.validatorSiret} est inconnu de Chorus Pro.` };
    }
    const now = this.world.clock.now();
    const invoice = this.#createRouted(data, result, null, now, now);
    this.world.depositsByInvoiceNumber.set(
      invoice.number,
      (this.world.depositsByInvoiceNumber.get(invoice.number) ?? 0) + 1,
    );
    return { ok: true, invoice };
  }

  /** A new invoice, DEPOSEE at `at` and routed on from there. */
  #createRouted(
    data: SimInvoiceData,
    where: Pick<SimInvoice, 'supplier' | 'recipient' | 'service'>,
    fluxNumber: string | null,
    depositedAt: number,
    at: number,
  ): SimInvoice {
    const { supplier, recipient, service } = where;
    const invoice: SimInvoice = {
      id: this.world.next.invoice++,
      number: data.number!,
      fluxNumber,
      supplier,
      recipient,
      service,
      data,
      depositedAt,
      status: 'DEPOSEE',
      statusAt: at,
      comment: null,
      history: [],
      upcoming: [],
    };
    if (needsValidator(data.frame) && data.validatorSiret) this.awaitValidation(invoice, data.validatorSiret, at);
    else this.route(invoice, at, null);
    this.world.invoices.set(invoice.id, invoice);
    return invoice;
  }

  #integratedWith(supplierSiret: string, number: string): boolean {
    return [...this.world.invoices.values()].some(
      (i) => i.supplier.siret === supplierSiret && i.number === number && i.status !== 'SUPPRIMEE',
    );
  }

  fluxState(flux: SimFlux): { state: string; at: number } {
    this.catchUp();
    if (flux.stuckIn) return { state: flux.stuckIn, at: flux.depositedAt };
    const step = this.timing.fluxStepMs;
    if (flux.outcome) return { state: flux.outcome.state, at: flux.depositedAt + FLUX_STEPS.length * step };
    const index = Math.min(FLUX_STEPS.length - 1, Math.floor((this.world.clock.now() - flux.depositedAt) / step));
    return { state: FLUX_STEPS[index]!, at: flux.depositedAt + index * step };
  }

  /** Brings every flux and invoice up to the clock, in time order. */
  catchUp(): void {
    const now = this.world.clock.now();
    for (const flux of this.world.fluxOrder) {
      if (flux.outcome || flux.stuckIn) continue;
      const doneAt = flux.depositedAt + FLUX_STEPS.length * this.timing.fluxStepMs;
      if (doneAt > now) break; // deposit order is time order
      this.#integrate(flux, doneAt);
    }
    for (const invoice of this.world.invoices.values()) {
      while (invoice.upcoming[0] && invoice.upcoming[0].at <= now) {
        const next = invoice.upcoming.shift()!;
        this.world.setStatus(invoice, next.code, next.comment ?? null, next.at);
        if (next.code === 'MISE_A_DISPOSITION' || next.code === 'MISE_A_DISPOSITION_MOE')
          invoice.upcoming.push(...this.#decided(invoice, next.at));
        // Silence past the deadline counts as validation: the invoice goes on to its recipient.
        if (next.code.startsWith('ABSENCE_VALIDATION_')) this.route(invoice, next.at, null);
      }
    }
  }

  /** A_VALIDER_1 from `at`: the validator decides, or its silence validates when the delay runs out. */
  awaitValidation(invoice: SimInvoice, validatorSiret: string, at: number): void {
    const deadline = at + this.timing.validationDelayMs;
    invoice.validation = { validatorSiret, deadline };
    this.world.setStatus(invoice, 'A_VALIDER_1', null, at);
    invoice.upcoming = [
      {
        code: 'ABSENCE_VALIDATION_1_HORS_DELAI',
        at: deadline,
        comment: 'Délai de validation dépassé : validation tacite.',
      },
    ];
  }

  /**
   * Routes an invoice from DEPOSEE at `at` (after integration, or after a recycling): to its buyer, or a works document
   * to its MOE.
   */
  route(invoice: SimInvoice, at: number, comment: string | null): void {
    this.world.setStatus(invoice, 'DEPOSEE', comment, at);
    invoice.upcoming = [
      { code: 'EN_COURS_ACHEMINEMENT', at: at + this.timing.invoiceStepMs },
      {
        code: isWorksDocument(invoice.data.frame) ? 'MISE_A_DISPOSITION_MOE' : 'MISE_A_DISPOSITION',
        at: at + 2 * this.timing.invoiceStepMs,
      },
    ];
  }

  #decided(
    invoice: SimInvoice,
    madeAvailableAt: number,
  ): Array<{ code: StatusCode; at: number; comment: string | null }> {
    const byService = this.decisions[invoice.recipient.siret];
    const decisions = byService?.[invoice.service?.codeService ?? ''] ?? byService?.['*'] ?? [];
    const frame = invoice.data.frame ?? 'A1';
    return decisions
      .filter((d) => !d.numberPattern || new RegExp(d.numberPattern).test(invoice.number))
      .filter((d) => !d.frames || d.frames.includes(frame))
      .map((d) => ({ code: d.status, at: madeAvailableAt + d.afterSeconds * 1000, comment: d.reason ?? null }));
  }

  #integrate(flux: SimFlux, at: number): void {
    const account = this.world.account(flux.login);
    const erreursDP: ErreurDP[] = [];
    const erreursTechniques: ErreurTechnique[] = [];
    const invoiceIds: number[] = [];
    if (flux.forcedState === 'IN_INCIDENTE') {
      flux.outcome = { state: 'IN_INCIDENTE', erreursDP, erreursTechniques, invoiceIds };
      return;
    }
    const seenInFlux = new Set<string>();
    for (const file of flux.files) {
      const data = file.data;
      if (!data) {
        const reason = file.error ?? 'format inconnu';
        erreursTechniques.push({
          codeErreur: 'ERR_FORMAT_FLUX',
          libelleErreur: `Le fichier ${file.name} ne peut pas être lu : ${reason}`,
          natureErreur: 'TECHNIQUE',
        });
        continue;
      }
      const refuse = (libelleErreurDP: string) =>
        erreursDP.push({
          identifiantFournisseur: data.supplierSiret ?? '',
          identifiantDestinataire: data.recipientSiret ?? '',
          numeroDP: data.number ?? '',
          libelleErreurDP,
        });
      if (flux.forcedState === 'IN_REJETE') {
        // Refused at integration: no invoice is created, so its number stays free (uniqueness is among integrated
        // invoices).
        refuse('Le montant TTC de la facture est incohérent avec la somme du montant HT et de la TVA.');
        continue;
      }
      const result = checkInvoice(data, {
        supplierStructures: account ? this.world.structuresOf(account) : [],
        structureBySiret: (siret) => this.world.structureBySiret(siret),
        isDuplicate: (supplierSiret, number) =>
          seenInFlux.has(`${supplierSiret}|${number}`) || this.#integratedWith(supplierSiret, number),
      });
      if (!result.ok) {
        refuse(result.message);
        continue;
      }
      seenInFlux.add(`${result.supplier.siret}|${data.number}`);
      const invoice = this.#createRouted(data, result, flux.number, flux.depositedAt, at);
      invoiceIds.push(invoice.id);
    }
    const anyError = erreursDP.length + erreursTechniques.length > 0;
    const state: TerminalFluxState =
      flux.forcedState ?? (invoiceIds.length === 0 ? 'IN_REJETE' : anyError ? 'IN_INTEGRE_PARTIEL' : 'IN_INTEGRE');
    flux.outcome = { state, erreursDP, erreursTechniques, invoiceIds };
  }
}
