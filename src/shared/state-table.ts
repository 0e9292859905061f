/**
 * A stateful row's table: from each state, the states it may move to. One writer per row applies it (as
 * src/invoices/lifecycle.ts does for invoices), so that a move nobody planned fails loudly where it is made instead of
 * leaving a row in a state its readers do not expect; a unit test walks each table.
 */
export type StateTable<S extends string> = { readonly [K in S]: readonly S[] };

export class IllegalMoveError extends Error {
  constructor(row: string, from: string, to: string) {
    super(`${row} cannot move from ${from} to ${to}`);
    this.name = 'IllegalMoveError';
  }
}

/** Whether the table lets a row move from `from` to `to`. */
export const canMove = <S extends string>(table: StateTable<S>, from: S, to: S): boolean => table[from].includes(to);

/** `to`, once the table allows the move; throws otherwise. */
export function checkedMove<S extends string>(table: StateTable<S>, row: string, from: S, to: S): S {
  if (!canMove(table, from, to)) throw new IllegalMoveError(row, from, to);
  return to;
}

/**
 * The states of a request Chorus Pro must take once (a follow-up, a validator's decision), as the send-once step of
 * workers/chorus-job.ts moves them: queued (not sent, or surely not arrived), sending (it may have arrived: looked up
 * before any new call), done (it took effect), failed (refused, overtaken, or given up).
 */
export const SEND_STATES = ['queued', 'sending', 'done', 'failed'] as const;
export type SendState = (typeof SEND_STATES)[number];

export const SEND_STATE_TABLE: StateTable<SendState> = {
  queued: ['sending', 'failed'],
  sending: ['done', 'failed', 'queued'],
  done: [],
  failed: [],
};
