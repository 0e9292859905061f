/**
 * The one place where an invoice changes. Two tables say what may happen:
 * - TRANSITIONS: the moves of our pipeline state (from, to, timeline line, error code, the alert it raises);
 * - what a Chorus Pro status implies (status-model.ts: stage, final, supplier action; MADE_AVAILABLE below).
 * `transition()` and `observeStatuses()` write together, in the caller's unit of work: the state, the timeline line,
 * every derived field (`actionRequired`, `statusFollowed`, `madeAvailableAt`, `lastError`) and the outbox
 * notification. No other code assigns those fields; the caller flushes, then publishes what is returned.
 */
import { ref, type EntityManager } from '@mikro-orm/postgresql';
import { meaningOf } from '../chorus/status-model.js';
import { clockOf } from '../db/clock.js';
import { Invoice } from '../db/entities/invoice.js';
import { InvoiceEvent } from '../db/entities/invoice-event.js';
import type { Notification } from '../db/entities/notification.js';
import { notifyActionRequired, notifyStatusChanged } from '../alerts/notify.js';
import type { StatusHistoryEntry } from '../chorus/invoicing.js';
import { actionRequiredOf, type ActionReason } from './action-required.js';
import { searchedStatus, statusesToRecord } from './status-history.js';
import type { InvoiceEventSource, InvoiceEventType } from './events.js';
import { STATES_WAITING_ON_ACCOUNT, type InvoiceState } from './states.js';

/** The statutory payment delay runs from here (for works, from the project manager's receipt). */
export const MADE_AVAILABLE: ReadonlySet<string> = new Set(['MISE_A_DISPOSITION', 'MISE_A_DISPOSITION_MOE']);

/** The codes `lastError` takes on a move that records a problem (besides a pre-check rule's own code). */
export type TransitionErrorCode =
  | 'DEPOSIT_REFUSED'
  | 'DEPOSIT_FAILED'
  | 'DEPOSIT_OUTCOME_UNKNOWN'
  | 'REJECTED_AT_INTEGRATION'
  | 'FLUX_NOT_PROCESSED'
  | 'FLUX_STUCK'
  | 'REPORT_REFUSED'
  | 'INVALID_CHORUS_REQUEST';

interface TransitionRule {
  from: readonly InvoiceState[];
  to: InvoiceState;
  /**
   * The timeline line it writes; null for a bookkeeping move nobody needs to read (a deposit slot taken or given back).
   */
  line: InvoiceEventType | null;
  source: InvoiceEventSource;
  /**
   * `lastError` after the move: a code to set, or `clear`/`keep`. `from-cause`: the caller names the code (a pre-check
   * rule).
   */
  error: TransitionErrorCode | 'clear' | 'keep' | 'from-cause';
  /** The alert it raises, if the supplier must act. */
  alert: ActionReason | null;
}

const WAITING_FOR_DEPOSIT = ['queued', 'depositing'] as const;

export const TRANSITIONS = {
  'retry-requested': {
    from: ['needs_attention', 'precheck_failed'],
    to: 'queued',
    line: 'retry-requested',
    source: 'operator',
    error: 'clear',
    alert: null,
  },
  'deposit-started': {
    from: WAITING_FOR_DEPOSIT,
    to: 'depositing',
    line: null,
    source: 'worker',
    error: 'keep',
    alert: null,
  },
  'deposit-postponed': {
    from: WAITING_FOR_DEPOSIT,
    to: 'queued',
    line: null,
    source: 'worker',
    error: 'keep',
    alert: null,
  },
  'deposit-attempt-failed': {
    from: WAITING_FOR_DEPOSIT,
    to: 'queued',
    line: 'deposit-attempt-failed',
    source: 'worker',
    error: 'keep',
    alert: null,
  },
  'deposit-outcome-unknown': {
    from: ['depositing'],
    to: 'depositing',
    line: 'deposit-outcome-unknown',
    source: 'worker',
    error: 'keep',
    alert: null,
  },
  'precheck-failed': {
    from: WAITING_FOR_DEPOSIT,
    to: 'precheck_failed',
    line: 'precheck-failed',
    source: 'worker',
    error: 'from-cause',
    alert: 'precheck_failed',
  },
  'deposit-sent': {
    from: ['depositing'],
    to: 'awaiting_report',
    line: 'deposit-sent',
    source: 'chorus',
    error: 'clear',
    alert: null,
  },
  'deposit-reconciled': {
    from: ['depositing'],
    to: 'integrated',
    line: 'deposit-reconciled',
    source: 'worker',
    error: 'clear',
    alert: null,
  },
  /** soumettre (pdf and data): Chorus Pro answers with the invoice itself; there is no flux to report on. */
  submitted: {
    from: ['depositing'],
    to: 'integrated',
    line: 'submitted',
    source: 'chorus',
    error: 'clear',
    alert: null,
  },
  'deposit-refused': {
    from: WAITING_FOR_DEPOSIT,
    to: 'rejected',
    line: 'deposit-refused',
    source: 'chorus',
    error: 'DEPOSIT_REFUSED',
    alert: 'rejected_at_integration',
  },
  'deposit-failed': {
    from: WAITING_FOR_DEPOSIT,
    to: 'needs_attention',
    line: 'needs-attention',
    source: 'worker',
    error: 'DEPOSIT_FAILED',
    alert: 'deposit_failed',
  },
  'deposit-outcome-lost': {
    from: ['depositing'],
    to: 'needs_attention',
    line: 'needs-attention',
    source: 'worker',
    error: 'DEPOSIT_OUTCOME_UNKNOWN',
    alert: 'deposit_failed',
  },
  integrated: {
    from: ['awaiting_report'],
    to: 'integrated',
    line: 'integrated',
    source: 'chorus',
    error: 'clear',
    alert: null,
  },
  'rejected-at-integration': {
    from: ['awaiting_report'],
    to: 'rejected',
    line: 'rejected',
    source: 'chorus',
    error: 'REJECTED_AT_INTEGRATION',
    alert: 'rejected_at_integration',
  },
  'flux-not-processed': {
    from: ['awaiting_report'],
    to: 'needs_attention',
    line: 'needs-attention',
    source: 'chorus',
    error: 'FLUX_NOT_PROCESSED',
    alert: 'deposit_failed',
  },
  'flux-stuck': {
    from: ['awaiting_report'],
    to: 'needs_attention',
    line: 'needs-attention',
    source: 'worker',
    error: 'FLUX_STUCK',
    alert: 'deposit_failed',
  },
  'report-refused': {
    from: ['awaiting_report'],
    to: 'needs_attention',
    line: 'needs-attention',
    source: 'chorus',
    error: 'REPORT_REFUSED',
    alert: 'deposit_failed',
  },
  /** We built a request Chorus Pro's contract refuses: our bug, not the supplier's; retrying sends the same. */
  'request-invalid': {
    from: [...WAITING_FOR_DEPOSIT, 'awaiting_report'],
    to: 'needs_attention',
    line: 'needs-attention',
    source: 'worker',
    error: 'INVALID_CHORUS_REQUEST',
    alert: 'deposit_failed',
  },
} as const satisfies Record<string, TransitionRule>;

export type TransitionName = keyof typeof TRANSITIONS;

/** A move the table does not allow: always a bug in the caller, never something to retry. */
export class TransitionRefused extends Error {
  constructor(
    readonly transition: string,
    readonly fromState: string,
    invoiceNumber: string,
  ) {
    super(`Transition "${transition}" is not allowed from state "${fromState}" (invoice ${invoiceNumber}).`);
    this.name = 'TransitionRefused';
  }
}

export interface LineText {
  message: string;
  details?: Record<string, unknown>;
}

/** Applies a named transition; returns the notification to publish after the commit, if it raises one. */
export function transition(
  em: EntityManager,
  invoice: Invoice,
  name: TransitionName,
  text: LineText | null,
  cause: { errorCode?: string; chorusReason?: string | null } = {},
): Notification | null {
  const rule: TransitionRule = TRANSITIONS[name];
  if (!rule.from.includes(invoice.state)) throw new TransitionRefused(name, invoice.state, invoice.number);
  invoice.state = rule.to;
  if (rule.to === 'integrated') invoice.statusFollowed = true;
  if (rule.error === 'clear') invoice.lastError = null;
  else if (rule.error !== 'keep') {
    const code = rule.error === 'from-cause' ? cause.errorCode : rule.error;
    if (!code) throw new Error(`Transition "${name}" needs an error code from its cause`);
    invoice.lastError = { code, message: text?.message ?? code, at: clockOf(em).now().toISOString() };
  }
  if (rule.line && text) record(em, invoice, rule.line, rule.source, text);
  refreshActionRequired(invoice);
  if (!rule.alert) return null;
  return notifyActionRequired(em, invoice, {
    reason: rule.alert,
    message: text?.message ?? name,
    chorusReason: cause.chorusReason ?? null,
    transition: `${name}:${invoice.lastError?.at ?? ''}`,
  });
}

/** What an invoice taken while its supplier account is paused says on its timeline, from the start. */
export const WAITING_FOR_ACCOUNT_AT_INTAKE =
  'Its supplier account is paused (Chorus Pro refused its credentials): the invoice waits, and goes as soon as new credentials are registered (POST /v1/suppliers).';

/** The intake's first line; a supplier account already paused makes the new invoice wait for it from the start. */
export function received(em: EntityManager, invoice: Invoice, text: LineText): void {
  record(em, invoice, 'received', 'intake', text);
  if (refreshActionRequired(invoice) === 'supplier_account_refused')
    record(em, invoice, 'waiting-for-supplier-account', 'intake', { message: WAITING_FOR_ACCOUNT_AT_INTAKE });
}

/** A timeline line that changes nothing else (a pre-check passed, an alert sent, a follow-up requested...). */
export function record(
  em: EntityManager,
  invoice: Invoice,
  type: InvoiceEventType,
  source: InvoiceEventSource,
  text: LineText,
): void {
  em.create(InvoiceEvent, { invoice, type, source, message: text.message, details: text.details ?? null });
}

/** A Chorus Pro status as one source reported it. `at` may be precise (search) or to the minute (history). */
export interface SeenStatus {
  status: string;
  at: Date | null;
  comment: string | null;
  historyId: number | null;
  /** Its place in Chorus Pro's history (0 = first line), when read from there. */
  position: number | null;
}

/**
 * Newly seen Chorus Pro statuses, oldest first, each recorded with everything it implies; `current` is the status
 * Chorus Pro gives now (with its precise date), which wins for `chorusStatusAt`. Only where the invoice stands
 * after them may alert: statuses it went through during an outage do not.
 */
export function observeStatuses(
  em: EntityManager,
  invoice: Invoice,
  seen: readonly SeenStatus[],
  current: SeenStatus | null,
  historyLength: number | null,
): Notification[] {
  if (invoice.state !== 'integrated') throw new TransitionRefused('status-changed', invoice.state, invoice.number);
  invoice.chorusHistorySeen = historyLength;
  const notifications: Notification[] = [];
  const told = new Set<string>();
  const last = seen.at(-1);
  for (const entry of seen) {
    const from = invoice.chorusStatus;
    // The current status's history line is only to the minute; the search gives its date to the millisecond.
    const precise =
      entry === last &&
      current?.at &&
      entry.status === current.status &&
      (entry.at === null || sameMinute(entry.at, current.at));
    const at = (precise ? current.at : entry.at) ?? clockOf(em).now();
    record(em, invoice, 'status-changed', 'chorus', {
      message: `Chorus Pro status ${entry.status}${entry.comment ? `: ${entry.comment}` : ''}`,
      details: {
        from,
        to: entry.status,
        at: at.toISOString(),
        comment: entry.comment,
        historyId: entry.historyId,
        ...(meaningOf(entry.status) ? {} : { unknownStatus: true }),
      },
    });
    applyStatus(invoice, entry.status, at);
    // A history line is named by its id, else its position; a status seen in a search only, by its precise date.
    const key =
      entry.historyId !== null ? `h${entry.historyId}` : entry.position !== null ? `p${entry.position}` : 'search';
    if (!told.has(`${entry.status}@${at.getTime()}@${key}`))
      notifications.push(
        notifyStatusChanged(em, invoice, { from, to: entry.status, at, comment: entry.comment, line: key }),
      );
    told.add(`${entry.status}@${at.getTime()}@${key}`);
  }
  if (current && current.status === invoice.chorusStatus && current.at) invoice.chorusStatusAt = current.at;
  const reason = refreshActionRequired(invoice);
  if (reason && seen.length > 0 && invoice.chorusStatus) {
    const chorusReason = seen.at(-1)?.comment ?? current?.comment ?? null;
    notifications.push(
      notifyActionRequired(em, invoice, {
        reason,
        message: `Chorus Pro status ${invoice.chorusStatus}${chorusReason ? `: ${chorusReason}` : ''}.`,
        chorusReason,
        transition: `${invoice.chorusStatus}:${invoice.chorusStatusAt?.toISOString() ?? ''}`,
      }),
    );
  }
  if (invoice.statusFollowed && meaningOf(invoice.chorusStatus)?.final) {
    invoice.statusFollowed = false;
    record(em, invoice, 'status-follow-ended', 'worker', {
      message: `Status ${invoice.chorusStatus} is final: its status is no longer followed.`,
    });
  }
  return notifications;
}

/**
 * Integration, whichever job saw it first (the report, or the look-up of an unknown deposit outcome): the move to
 * `integrated`, the Chorus id, and every status of its history so far with all it implies (`madeAvailableAt`...).
 * Reading the history now fixes where later syncs start: by position, whatever the precision of its dates.
 */
export function integrate(
  em: EntityManager,
  invoice: Invoice,
  how: 'integrated' | 'deposit-reconciled' | 'submitted',
  found: {
    chorusInvoiceId: string;
    fluxNumber: string | null;
    status: string | null;
    statusAt: Date | null;
    comment: string | null;
  },
  history: StatusHistoryEntry[] | 'not-read',
  text: LineText,
): Notification[] {
  invoice.chorusInvoiceId = found.chorusInvoiceId;
  if (found.fluxNumber) invoice.chorusFluxNumber = found.fluxNumber;
  transition(em, invoice, how, text);
  // Nothing of its history is recorded yet: every line of it is new.
  invoice.chorusHistorySeen = 0;
  const current = searchedStatus(found);
  // Not read because the search showed its first status: the history holds that one line.
  if (history === 'not-read') return observeStatuses(em, invoice, current ? [current] : [], current, current ? 1 : 0);
  return observeStatuses(em, invoice, statusesToRecord(invoice, history, current), current, history.length);
}

/** The follow of an invoice whose recipient never reports payment ends after the configured delay. */
export function endFollowing(em: EntityManager, invoice: Invoice, text: LineText): void {
  invoice.statusFollowed = false;
  record(em, invoice, 'status-follow-ended', 'worker', text);
}

/** A corrected invoice under a new number answers the rejected one, which then waits for nothing. */
export function markCorrected(em: EntityManager, original: Invoice, correction: Invoice): void {
  original.correctedBy = ref(correction);
  record(em, original, 'corrected-by', 'intake', {
    message: `Corrected by invoice ${correction.number}, submitted under a new number.`,
    details: { correctedByInvoiceId: correction.id, number: correction.number },
  });
  refreshActionRequired(original);
}

const sameMinute = (a: Date, b: Date) => Math.floor(a.getTime() / 60_000) === Math.floor(b.getTime() / 60_000);

function applyStatus(invoice: Invoice, status: string, at: Date): void {
  invoice.chorusStatus = status;
  invoice.chorusStatusAt = at;
  if (MADE_AVAILABLE.has(status)) invoice.madeAvailableAt ??= at;
}

/** Keeps the stored `actionRequired` in step with the state, the Chorus status and the supplier account's pause. */
function refreshActionRequired(invoice: Invoice): ActionReason | null {
  const supplier = invoice.supplier.isInitialized() ? invoice.supplier.getEntity() : null;
  const paused = supplier ? supplier.pausedAt !== null : invoice.actionRequired === 'supplier_account_refused';
  invoice.actionRequired = actionRequiredOf({
    state: invoice.state,
    chorusStatus: invoice.chorusStatus,
    correctedBy: invoice.correctedBy,
    supplierPaused: paused,
  });
  return invoice.actionRequired;
}

/**
 * The supplier account was paused (Chorus Pro refused its credentials) or resumed (new credentials): its invoices
 * that wait on the pipeline say so, in one statement.
 */
export async function supplierPauseChanged(em: EntityManager, supplierId: string, paused: boolean): Promise<number> {
  return paused
    ? em.nativeUpdate(
        Invoice,
        { supplier: supplierId, state: { $in: [...STATES_WAITING_ON_ACCOUNT] }, actionRequired: null },
        { actionRequired: 'supplier_account_refused' },
      )
    : em.nativeUpdate(
        Invoice,
        { supplier: supplierId, actionRequired: 'supplier_account_refused' },
        { actionRequired: null },
      );
}
