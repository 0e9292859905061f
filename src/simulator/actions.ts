/**
 * What people do to invoices in the simulated Chorus Pro: the recipient's decisions (`traiter/recue`), the
 * supplier's recycling and completion, and the admin's back doors (any status, invoices made in bulk).
 */
import { BUSINESS_ERRORS, BusinessError } from './business-errors.js';
import type { LifecycleEngine } from './engine.js';
import type { SimInvoice, SimInvoiceData, StatusCode } from './model.js';
import { checkInvoice } from './rules.js';

/** What a recipient may set with `traiter/recue` (SWF info text, plus SERVICE_FAIT seen in Pastell). */
const RECIPIENT_STATUSES: readonly StatusCode[] = [
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
const REASON_REQUIRED: readonly StatusCode[] = ['REJETEE', 'SUSPENDUE', 'A_RECYCLER'];

export class InvoiceActions {
  constructor(readonly engine: LifecycleEngine) {}

  get #world() {
    return this.engine.world;
  }

  /** The recipient's decision (`traiter/recue`). */
  treat(invoice: SimInvoice, status: StatusCode, reason: string | null): SimInvoice {
    const errors = BUSINESS_ERRORS.traiterFactureRecue;
    if (!RECIPIENT_STATUSES.includes(status)) throw new BusinessError(errors.statusNotAllowed, status);
    if (REASON_REQUIRED.includes(status) && !reason) throw new BusinessError(errors.reasonRequired, status);
    if (invoice.status === 'REJETEE' || invoice.status === 'MISE_EN_PAIEMENT')
      throw new BusinessError(errors.closed, invoice.status);
    invoice.upcoming = [];
    this.#world.setStatus(invoice, status, reason);
    return invoice;
  }

  /** `recycler`: new routing for an A_RECYCLER invoice, which is then routed again. */
  recycle(
    invoice: SimInvoice,
    routing: { recipientSiret?: string; serviceCode?: string; engagementNumber?: string },
    comment: string | null,
  ): SimInvoice {
    const errors = BUSINESS_ERRORS.recyclerFacture;
    if (invoice.status !== 'A_RECYCLER')
      throw new BusinessError(errors.notToRecycle, `Statut actuel : ${invoice.status}.`);
    const data: SimInvoiceData = {
      ...invoice.data,
      recipientSiret: routing.recipientSiret ?? invoice.data.recipientSiret,
      serviceCode: routing.serviceCode ?? invoice.data.serviceCode,
      engagementNumber: routing.engagementNumber ?? invoice.data.engagementNumber,
    };
    const result = checkInvoice(data, {
      supplierStructures: [invoice.supplier],
      structureBySiret: (siret) => this.#world.structureBySiret(siret),
      isDuplicate: () => false,
    });
    if (!result.ok) throw new BusinessError(errors.refusedRouting, result.message);
    invoice.data = data;
    invoice.recipient = result.recipient;
    invoice.service = result.service;
    this.engine.route(invoice, this.#world.clock.now(), comment);
    return invoice;
  }

  /** `completer`: the supplier answers a suspension, with attachments the same account uploaded beforehand. */
  complete(invoice: SimInvoice, comment: string | null, attachmentIds: number[], login: string): SimInvoice {
    const errors = BUSINESS_ERRORS.completerFacture;
    if (invoice.status !== 'SUSPENDUE')
      throw new BusinessError(errors.notSuspended, `Statut actuel : ${invoice.status}.`);
    const unknown = attachmentIds.find((id) => this.#world.attachments.get(id)?.login !== login);
    if (unknown !== undefined) throw new BusinessError(errors.unknownAttachment, String(unknown));
    invoice.completedWith = attachmentIds;
    this.#world.setStatus(invoice, 'COMPLETEE', comment);
    return invoice;
  }

  /**
   * The validator's decision (`traiter/factureAValider`): VALIDATION sends the invoice on to its recipient,
   * REFUS (with a reason) sends it back to its supplier. The values are go-choruspro's (unconfirmed officially).
   */
  validate(invoice: SimInvoice, action: string, reason: string | null, validatorId: number | null): SimInvoice {
    const errors = BUSINESS_ERRORS.traiterFactureAValider;
    const level = /^A_VALIDER_([12])$/.exec(invoice.status)?.[1];
    if (!invoice.validation || !level)
      throw new BusinessError(errors.notToValidate, `Statut actuel : ${invoice.status}.`);
    if (validatorId !== null && this.#world.structureById(validatorId)?.siret !== invoice.validation.validatorSiret)
      throw new BusinessError(errors.notValidator);
    const now = this.#world.clock.now();
    if (action === 'VALIDATION') {
      invoice.validation.decidedAt = now;
      this.#world.setStatus(invoice, `VALIDEE_${level}`, reason);
      this.engine.route(invoice, now, null);
    } else if (action === 'REFUS') {
      if (!reason) throw new BusinessError(errors.reasonRequired);
      invoice.validation.decidedAt = now;
      invoice.upcoming = [];
      this.#world.setStatus(invoice, `REFUSEE_${level}`, reason);
    } else {
      throw new BusinessError(errors.unknownAction, action);
    }
    return invoice;
  }

  /** `corriger/valideur/facture`: the supplier names the right validator; the 15 days start again. */
  correctValidator(invoice: SimInvoice, validatorSiret: string | null): SimInvoice {
    const errors = BUSINESS_ERRORS.corrigerValideurFacture;
    if (invoice.status !== 'ERREUR_FOURNISSEUR_SUR_VALIDEUR' && invoice.status !== 'ERREUR_COTRAITANT_SUR_VALIDEUR') {
      throw new BusinessError(errors.notInError, `Statut actuel : ${invoice.status}.`);
    }
    if (!validatorSiret || !this.#world.structureBySiret(validatorSiret))
      throw new BusinessError(errors.unknownValidator);
    invoice.data = { ...invoice.data, validatorSiret };
    this.engine.awaitValidation(invoice, validatorSiret, this.#world.clock.now());
    return invoice;
  }

  /** Back door: any status code, even one outside the Swagger's enum (newer Chorus Pro versions add some). */
  force(invoice: SimInvoice, code: StatusCode, comment: string | null): void {
    invoice.upcoming = [];
    this.#world.setStatus(invoice, code, comment);
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
  ) {
    const supplier = this.#world.structureBySiret(supplierSiret);
    const recipient = this.#world.structureBySiret(recipientSiret);
    if (!supplier || !recipient) throw new BusinessError(BUSINESS_ERRORS.structures.unknownStructure);
    const service = recipient.services.find((s) => s.codeService === serviceCode) ?? null;
    const at = this.#world.clock.now() - agoMs;
    const created: Array<{ id: number; number: string }> = [];
    for (let i = 0; i < count; i++) {
      const number = `${numberPrefix}${i}`;
      const data: SimInvoiceData = {
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
      };
      const invoice: SimInvoice = {
        id: this.#world.next.invoice++,
        ...{ number, fluxNumber: 'SEEDED', supplier, recipient, service, data },
        ...{ depositedAt: at, status: 'DEPOSEE', statusAt: at, comment: null, history: [], upcoming: [] },
      };
      this.#world.setStatus(invoice, 'DEPOSEE', null, at);
      this.#world.setStatus(invoice, 'MISE_A_DISPOSITION', null, at + 1);
      this.#world.invoices.set(invoice.id, invoice);
      created.push({ id: invoice.id, number });
    }
    return created;
  }
}
