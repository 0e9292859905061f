/**
 * The simulator's validation circuit on its own clock (docs/chorus-pro-notes.md, "The validation circuit"): a
 * subcontractor's invoice waits in A_VALIDER_1 for the delay the scenario sets (`timing.validationDelayMs`, 15 days by
 * default), then silence counts as validation (ABSENCE_VALIDATION_1_HORS_DELAI) and it is routed to its buyer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LifecycleEngine, VALIDATION_DELAY_MS } from '../../src/simulator/engine.js';
import { loadSeed } from '../../src/simulator/model.js';
import { ChorusWorld } from '../../src/simulator/world.js';
import { subcontractedSimInvoice } from '../helpers/btp.js';

function engine(validationDelayMs: number) {
  const world = new ChorusWorld(loadSeed());
  return new LifecycleEngine(world, { fluxStepMs: 1000, invoiceStepMs: 1000, validationDelayMs });
}

describe('the simulator’s validation delay', () => {
  // The simulator's clock is the wall clock plus an offset: frozen here, so that "one millisecond before the
  // deadline" does not depend on how long the machine takes between two lines (it failed once under load).
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T10:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is 15 days unless the scenario says otherwise', () => {
    expect(VALIDATION_DELAY_MS).toBe(15 * 86_400_000);
  });

  it('holds the invoice in A_VALIDER_1 until the configured delay, then validates it by silence and routes it', () => {
    const e = engine(60_000);
    const outcome = e.submit('TECH_1_DEMO@cpro.fr', subcontractedSimInvoice('ST-1'));
    if (!outcome.ok) throw new Error(outcome.message);
    e.world.clock.advance(59_999);
    e.catchUp();
    expect(outcome.invoice.status).toBe('A_VALIDER_1');
    e.world.clock.advance(1 + 2000);
    e.catchUp();
    expect(outcome.invoice.history.map((h) => h.code)).toEqual([
      'A_VALIDER_1',
      'ABSENCE_VALIDATION_1_HORS_DELAI',
      'DEPOSEE',
      'EN_COURS_ACHEMINEMENT',
      'MISE_A_DISPOSITION',
    ]);
  });

  it('refuses a subcontractor’s invoice that names no validator, or one Chorus Pro does not know', () => {
    const e = engine(60_000);
    const missing = e.submit('TECH_1_DEMO@cpro.fr', { ...subcontractedSimInvoice('ST-2'), validatorSiret: null });
    const unknown = e.submit('TECH_1_DEMO@cpro.fr', {
      ...subcontractedSimInvoice('ST-3'),
      validatorSiret: '12345678901234',
    });
    expect([missing.ok, unknown.ok]).toEqual([false, false]);
    expect(!missing.ok && missing.message).toContain('obligatoire');
    expect(!unknown.ok && unknown.message).toContain('inconnu');
  });
});
