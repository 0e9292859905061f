import { randomUUID } from 'node:crypto';
import {
  BigIntType,
  Entity,
  Index,
  ManyToOne,
  OneToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Ref,
} from '@mikro-orm/core';
import type { InvoiceType, SyntaxeFlux } from '../../chorus/codes.js';
import type { InvoiceLine, VatLine } from '../../chorus/submit.js';
import type { DepositMode } from '../../invoices/submission.js';
import type { ActionReason } from '../../invoices/action-required.js';
import type { InvoiceState, InvoiceError } from '../../invoices/states.js';
import { STATUSES_ON_THEIR_WAY } from '../../invoices/status-history.js';
import { sqlList } from '../sql.js';
import { SupplierAccount } from './supplier-account.js';
import { stampNow } from '../clock.js';

/** An invoice as received from an internal system, and where it stands on its way to being paid. */
/** The amounts of a works document (strings, two decimals; priceRevision may be negative). */
export interface WorksAmounts {
  /** Works executed since the start of the contract, without VAT. */
  executedToDate: string;
  /** What earlier statements already billed, without VAT; with it, the statement's amount is checked. */
  previouslyInvoiced: string | null;
  priceRevision: string;
  /** Retenue de garantie: at most 5 % (of the amount with VAT of the statement). */
  retention: string;
  advance: string;
  advanceRepayment: string;
  /** What the buyer pays for this document (`montantAPayer`), which differs from the amount with VAT. */
  amountToPay: string;
}

@Entity({ tableName: 'invoice' })
// A number is the supplier's once: but a flux refused at integration (state `rejected`) frees it, as Chorus Pro does.
@Unique({
  name: 'invoice_supplier_number_unique',
  expression: `create unique index "invoice_supplier_number_unique" on "invoice" ("supplier_id", "number") where "state" <> 'rejected'`,
})
@Unique({ name: 'invoice_supplier_idempotency_key_unique', properties: ['supplier', 'idempotencyKey'] })
@Index({ name: 'invoice_state_created_at_index', properties: ['state', 'createdAt'] })
@Index({ name: 'invoice_action_required_index', properties: ['actionRequired'] })
@Index({ name: 'invoice_updated_at_index', properties: ['updatedAt', 'id'] })
// The integration search asks, every few seconds, whether an account has invoices on their way.
@Index({
  name: 'invoice_on_their_way_index',
  expression: `create index "invoice_on_their_way_index" on "invoice" ("supplier_id", "chorus_status_at") where "state" = 'integrated' and "chorus_status" in (${sqlList(STATUSES_ON_THEIR_WAY)})`,
})
@Index({
  name: 'invoice_awaiting_report_index',
  expression: `create index "invoice_awaiting_report_index" on "invoice" ("supplier_id", "deposited_at") where "state" = 'awaiting_report'`,
})
@Index({
  name: 'invoice_validator_siret_index',
  expression: `create index "invoice_validator_siret_index" on "invoice" ("validator_siret") where "validator_siret" is not null`,
})
export class Invoice {
  [OptionalProps]?:
    | 'billingFrame'
    | 'validatorSiret'
    | 'previous'
    | 'worksAmounts'
    | 'currency'
    | 'serviceCode'
    | 'engagementNumber'
    | 'marketNumber'
    | 'state'
    | 'chorusFluxNumber'
    | 'chorusInvoiceId'
    | 'chorusStatus'
    | 'chorusStatusAt'
    | 'chorusHistorySeen'
    | 'lastError'
    | 'idempotencyKey'
    | 'requestHash'
    | 'createdAt'
    | 'updatedAt'
    | 'version'
    | 'eventSequence'
    | 'actionRequired'
    | 'depositedAt'
    | 'madeAvailableAt'
    | 'statusFollowed'
    | 'corrects'
    | 'correctedBy'
    | 'overdueAlertedAt'
    | 'depositMode'
    | 'vatBreakdown'
    | 'lines'
    | 'comment'
    | 'chorusAttachmentId'
    | 'syntaxeFlux'
    | 'fileName'
    | 'fileContent'
    | 'fileSize'
    | 'fileSha256';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => SupplierAccount, { ref: true, deleteRule: 'restrict' })
  supplier!: Ref<SupplierAccount>;

  @Property({ type: 'string', length: 20 })
  number!: string;

  /** ISO date (YYYY-MM-DD), as printed on the invoice. */
  @Property({ type: 'string', columnType: 'date' })
  issueDate!: string;

  @Property({ type: 'string', length: 16 })
  type!: InvoiceType;

  /** Cadre de facturation prefix ("A1", "A9"...). */
  @Property({ type: 'string', length: 4 })
  billingFrame: string = 'A1';

  /**
   * Who validates a subcontractor's (A9) or co-contractor's (A12) invoice before the buyer gets it: the main
   * contractor's SIRET.
   */
  @Property({ type: 'string', length: 14, nullable: true })
  validatorSiret: string | null = null;

  @Property({ type: 'string', length: 14 })
  recipientSiret!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  serviceCode: string | null = null;

  /** Numéro d'engagement: the purchase order (bon de commande, BDC) number. */
  @Index({ name: 'invoice_engagement_number_index' })
  @Property({ type: 'string', length: 50, nullable: true })
  engagementNumber: string | null = null;

  @Property({ type: 'string', length: 50, nullable: true })
  marketNumber: string | null = null;

  @Property({ type: 'string', length: 3 })
  currency: string = 'EUR';

  /** Exact decimals, carried as strings: numeric(15,2) never goes through a binary float. */
  @Property({ type: 'decimal', precision: 15, scale: 2 })
  amountWithoutVat!: string;

  @Property({ type: 'decimal', precision: 15, scale: 2 })
  vatAmount!: string;

  @Property({ type: 'decimal', precision: 15, scale: 2 })
  amountWithVat!: string;

  /**
   * How it goes to Chorus Pro: `flux`, a structured file (deposer/flux); `pdf`, a plain PDF and its data (deposer/pdf
   * then soumettre); `data`, its lines alone (soumettre, SAISIE_API), without a file.
   */
  @Property({ type: 'string', length: 8 })
  depositMode: DepositMode = 'flux';

  /** Null for a `data` invoice. */
  @Property({ type: 'string', length: 200, nullable: true })
  fileName: string | null = null;

  /** Loaded only when asked for (`populate: ['fileContent']`): lists and timelines never drag the bytes along. */
  @Property({ type: 'blob', lazy: true, nullable: true })
  fileContent: Buffer | null = null;

  @Property({ type: 'integer', nullable: true })
  fileSize: number | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  fileSha256: string | null = null;

  /** Only for a `flux` invoice. */
  @Property({ type: 'string', length: 40, nullable: true })
  syntaxeFlux: SyntaxeFlux | null = null;

  /** `pdf` and `data`: the VAT summary, one line per rate (for `data`, worked out from the lines when not given). */
  @Property({ type: 'json', nullable: true })
  vatBreakdown: VatLine[] | null = null;

  /** `data`: the invoice lines. */
  @Property({ type: 'json', nullable: true })
  lines: InvoiceLine[] | null = null;

  /** Sent to Chorus Pro as `commentaire` (pdf and data). */
  @Property({ type: 'text', nullable: true })
  comment: string | null = null;

  /** `pdf`: the `pieceJointeId` Chorus Pro gave the PDF it read, which soumettre names. */
  @Property({ type: 'string', length: 32, nullable: true })
  chorusAttachmentId: string | null = null;

  @Property({ type: 'string', length: 32 })
  state: InvoiceState = 'queued';

  /** Chorus Pro's `numeroFluxDepot`, the deposit receipt number. */
  @Property({ type: 'string', length: 64, nullable: true })
  chorusFluxNumber: string | null = null;

  /** Chorus Pro's `identifiantFactureCPP`, known once the flux is integrated. */
  @Property({ type: new BigIntType('string'), nullable: true })
  chorusInvoiceId: string | null = null;

  /** The raw Chorus status code (e.g. `MISE_A_DISPOSITION`) and when Chorus set it. */
  @Property({ type: 'string', length: 64, nullable: true })
  chorusStatus: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  chorusStatusAt: Date | null = null;

  /**
   * How many lines of Chorus Pro's status history are recorded: history dates are only to the minute, so position, not
   * date, tells what is new.
   */
  @Property({ type: 'integer', nullable: true })
  chorusHistorySeen: number | null = null;

  @Property({ type: 'json', nullable: true })
  lastError: InvoiceError | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  idempotencyKey: string | null = null;

  /** sha256 of the request that created the invoice, to tell a retry from a different request under the same key. */
  @Property({ type: 'string', length: 64, nullable: true })
  requestHash: string | null = null;

  /** Why the invoice waits for its supplier, if it does (kept in step by src/invoices/lifecycle.ts). */
  @Property({ type: 'string', length: 32, nullable: true })
  actionRequired: ActionReason | null = null;

  /** When Chorus Pro received the flux (its receipt). */
  @Property({ type: 'datetime', nullable: true })
  depositedAt: Date | null = null;

  /** When the invoice first reached MISE_A_DISPOSITION: the statutory payment delay runs from here. */
  @Property({ type: 'datetime', nullable: true })
  madeAvailableAt: Date | null = null;

  /**
   * Whether status syncs still look at it: not once its status is final, nor after the follow delay for recipients that
   * never report payment.
   */
  @Property({ type: 'boolean' })
  statusFollowed: boolean = false;

  /** A works document: the previous document of the same billing file (dossier de facturation), if named. */
  @Index({ name: 'invoice_previous_id_index' })
  @ManyToOne(() => Invoice, { ref: true, nullable: true, deleteRule: 'restrict' })
  previous: Ref<Invoice> | null = null;

  /**
   * A works document's amounts beside its totals: works executed to date, retention, revision, advance, amount to pay.
   */
  @Property({ type: 'json', nullable: true })
  worksAmounts: WorksAmounts | null = null;

  /** The rejected invoice this one corrects, under a new number. */
  @OneToOne(() => Invoice, {
    ref: true,
    nullable: true,
    owner: true,
    unique: 'invoice_corrects_unique',
    deleteRule: 'restrict',
  })
  corrects: Ref<Invoice> | null = null;

  /** The invoice that corrects this one. */
  @OneToOne(() => Invoice, {
    ref: true,
    nullable: true,
    owner: true,
    unique: 'invoice_corrected_by_unique',
    deleteRule: 'set null',
  })
  correctedBy: Ref<Invoice> | null = null;

  @Property({ type: 'datetime', nullable: true })
  overdueAlertedAt: Date | null = null;

  @Property({ type: 'datetime', onCreate: stampNow })
  createdAt!: Date;

  @Property({ type: 'datetime', onCreate: stampNow, onUpdate: stampNow })
  updatedAt!: Date;

  @Property({ type: 'integer', version: true })
  version!: number;

  /**
   * How many events (notifications) this invoice has told: each takes the next number as its `sequence`. Written with
   * the invoice's version check, so two writers never hand out the same number or out of order.
   */
  @Property({ type: 'integer', default: 0 })
  eventSequence: number = 0;
}
