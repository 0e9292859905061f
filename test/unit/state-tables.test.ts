/**
 * The tables of the stateful rows, walked: every move from every state to every other is tried through the row's
 * one writer, and exactly those the send-once protocol needs are allowed. The expected moves are written here from
 * the protocol (a request is prepared or queued, may be sending, then ends), not read from the tables.
 */
import { describe, expect, it } from 'vitest';
import { DEPOSIT_ATTEMPT_PHASES, type DepositAttempt } from '../../src/db/entities/deposit-attempt.js';
import type { FollowUp } from '../../src/db/entities/follow-up.js';
import { DECISION_STATES, VALIDATION_STAGES, type Validation } from '../../src/db/entities/validation.js';
import { moveAttempt } from '../../src/invoices/deposit-attempts.js';
import { moveFollowUp } from '../../src/invoices/follow-ups.js';
import { SEND_STATES } from '../../src/shared/state-table.js';
import { moveDecision, STAGE_TABLE } from '../../src/validations/transitions.js';

const AT = new Date('2026-12-07T10:00:00Z');

/** Every (from, to) pair, and whether the writer let it through. */
function walk<S extends string>(states: readonly S[], tryMove: (from: S, to: S) => void): Array<[S, S]> {
  const allowed: Array<[S, S]> = [];
  for (const from of states) {
    for (const to of states) {
      try {
        tryMove(from, to);
        allowed.push([from, to]);
      } catch (error) {
        expect((error as Error).name).toBe('IllegalMoveError');
      }
    }
  }
  return allowed;
}

describe('the state tables', () => {
  it('deposit attempts: prepared → sending → sent or reconciled; not_sent and refused end one under way', () => {
    const allowed = walk(DEPOSIT_ATTEMPT_PHASES, (from, to) =>
      moveAttempt({ number: 1, phase: from } as DepositAttempt, to, AT),
    );
    expect(allowed.map(([f, t]) => `${f}>${t}`).sort()).toEqual(
      [
        'prepared>sending',
        'prepared>not_sent',
        'prepared>refused',
        'sending>sent',
        'sending>reconciled',
        'sending>not_sent',
        'sending>refused',
      ].sort(),
    );
    const attempt = { number: 2, phase: 'sending', finishedAt: null, error: null, fluxNumber: null } as DepositAttempt;
    moveAttempt(attempt, 'sent', AT, { fluxNumber: 'CPP0001' });
    expect(attempt).toMatchObject({ phase: 'sent', finishedAt: AT, fluxNumber: 'CPP0001' });
  });

  it('follow-ups: queued → sending → done or failed; back to queued when it surely never arrived', () => {
    const allowed = walk(SEND_STATES, (from, to) => moveFollowUp({ id: 'f', state: from } as FollowUp, to));
    expect(allowed.map(([f, t]) => `${f}>${t}`).sort()).toEqual(
      ['queued>sending', 'queued>failed', 'sending>done', 'sending>failed', 'sending>queued'].sort(),
    );
    const followUp = { id: 'f', state: 'sending', error: null } as unknown as FollowUp;
    moveFollowUp(followUp, 'failed', { code: 'CHORUS_REFUSED', message: 'no' });
    expect(followUp).toMatchObject({ state: 'failed', error: { code: 'CHORUS_REFUSED' } });
  });

  it('validator decisions: the send-once states, and a decided or failed one cleared or asked again', () => {
    const states = ['none', ...DECISION_STATES] as const;
    const allowed = walk(states, (from, to) =>
      moveDecision({ id: 'v', decisionState: from === 'none' ? null : from, decision: null } as Validation, to),
    );
    expect(allowed.map(([f, t]) => `${f}>${t}`).sort()).toEqual(
      [
        'none>queued',
        'queued>sending',
        'queued>failed',
        'sending>done',
        'sending>failed',
        'sending>queued',
        'done>none',
        'failed>queued',
        'failed>none',
      ].sort(),
    );
    const cleared = { id: 'v', decisionState: 'done', decision: { action: 'approve' } } as unknown as Validation;
    moveDecision(cleared, 'none');
    expect(cleared).toMatchObject({ decisionState: null, decision: null });
  });

  it('validation stages: any decided stage from waiting or a wrong validator, and back to waiting from any', () => {
    for (const from of VALIDATION_STAGES) {
      expect(STAGE_TABLE[from], from).toContain('pending');
      expect(STAGE_TABLE[from], from).toContain(from);
    }
    expect([...STAGE_TABLE.pending].sort()).toEqual([...VALIDATION_STAGES].sort());
    expect(STAGE_TABLE.approved).not.toContain('refused');
    expect(STAGE_TABLE.refused).not.toContain('tacitly_approved');
  });
});
