/**
 * The simulator's admin API under `/simulator`: counts, faults, variants, the clock, the recipient's back
 * door and inspection of invoices and fluxes. No auth: the simulator listens on 127.0.0.1 by default.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { InvoiceActions } from './actions.js';
import { BusinessError } from './business-errors.js';
import { isoParis } from './clock.js';
import type { RequestCounter } from './counters.js';
import type { LifecycleEngine } from './engine.js';
import type { Faults } from './faults.js';
import { accountSchema, type SimInvoice } from './model.js';
import { searchItem } from './present.js';
import { variantsSchema, type Variants } from './variants.js';

export interface AdminDeps {
  engine: LifecycleEngine;
  actions: InvoiceActions;
  faults: Faults;
  variants: Variants;
  counter: RequestCounter;
  tokens: Map<string, unknown>;
}

const statusBody = z.object({ code: z.string().regex(/^[A-Z0-9_]+$/), comment: z.string().optional() });
const treatBody = z.object({
  idFacture: z.number().int(),
  nouveauStatut: z.string().regex(/^[A-Z0-9_]+$/),
  motif: z.string().optional(),
});
const seedBody = z.object({
  supplierSiret: z.string(),
  recipientSiret: z.string(),
  serviceCode: z.string().nullable().default(null),
  count: z.number().int().positive().max(100_000),
  numberPrefix: z.string().min(1).max(12),
  agoMs: z.number().int().nonnegative().default(3_600_000),
});

const withHistory = (i: SimInvoice) => ({
  ...searchItem(i),
  history: i.history.map((h) => ({ code: h.code, at: isoParis(h.at), comment: h.comment })),
});

export function adminRoutes({ engine, actions, faults, variants, counter, tokens }: AdminDeps): Router {
  const world = engine.world;
  const admin = express.Router();
  admin.use(express.json({ limit: '1mb' }));
  // Every admin call sees the world up to the clock, and what it changes is kept (state file).
  admin.use((_req, res, next) => {
    engine.catchUp();
    res.on('finish', () => world.onChange());
    next();
  });
  const invoiceOf = (id: unknown) => world.invoices.get(Number(id));

  admin.get('/counts', (_req, res) => res.json(counter.snapshot(world.depositsByInvoiceNumber)));
  admin.post('/counts/reset', (_req, res) => {
    counter.reset();
    world.depositsByInvoiceNumber.clear();
    res.status(204).end();
  });
  admin.get('/faults', (_req, res) => res.json(faults.settings));
  admin.put('/faults', (req, res) => {
    faults.replace(req.body);
    res.json(faults.settings);
  });
  admin.get('/variants', (_req, res) => res.json(variants));
  admin.put('/variants', (req, res) => {
    Object.assign(variants, variantsSchema.parse({ ...variants, ...(req.body as object) }));
    res.json(variants);
  });
  admin.post('/clock/advance', (req, res) => {
    world.clock.advance(z.object({ ms: z.number().int().nonnegative() }).parse(req.body).ms);
    engine.catchUp();
    res.json({ now: isoParis(world.clock.now()) });
  });
  admin.post('/tokens/expire', (_req, res) => {
    tokens.clear();
    res.status(204).end();
  });
  admin.post('/recipient/traiter', (req, res) => {
    const body = treatBody.parse(req.body);
    const invoice = invoiceOf(body.idFacture);
    if (!invoice) return res.status(404).json({ error: 'unknown invoice' });
    try {
      actions.treat(invoice, body.nouveauStatut, body.motif ?? null);
    } catch (error) {
      if (error instanceof BusinessError)
        return res.status(409).json({ codeRetour: error.entry.codeRetour, libelle: error.message });
      throw error;
    }
    return res.json({ idFacture: invoice.id, numeroFacture: invoice.number, nouveauStatut: invoice.status });
  });
  admin.post('/invoices/:id/status', (req, res) => {
    const body = statusBody.parse(req.body);
    const invoice = invoiceOf(req.params.id);
    if (!invoice) return res.status(404).json({ error: 'unknown invoice' });
    actions.force(invoice, body.code, body.comment ?? null);
    return res.json({ idFacture: invoice.id, statut: invoice.status });
  });
  admin.post('/invoices/seed', (req, res) => {
    const b = seedBody.parse(req.body);
    res
      .status(201)
      .json(actions.seedIntegrated(b.supplierSiret, b.recipientSiret, b.serviceCode, b.count, b.numberPrefix, b.agoMs));
  });
  admin.get('/invoices/:id', (req, res) => {
    const invoice = invoiceOf(req.params.id);
    if (!invoice) return res.status(404).json({ error: 'unknown invoice' });
    return res.json({
      ...withHistory(invoice),
      recipientSiret: invoice.recipient.siret,
      serviceCode: invoice.service?.codeService ?? null,
      completedWith: invoice.completedWith ?? [],
    });
  });
  admin.get('/invoices', (_req, res) => res.json([...world.invoices.values()].map(withHistory)));
  admin.get('/fluxes/:number', (req, res) => {
    const flux = world.fluxes.get(req.params.number);
    if (!flux) return res.status(404).json({ error: 'unknown flux' });
    return res.json({
      number: flux.number,
      login: flux.login,
      fileName: flux.fileName,
      ...engine.fluxState(flux),
      outcome: flux.outcome,
    });
  });
  admin.post('/accounts', (req, res) => {
    const account = accountSchema.parse(req.body);
    world.seed.accounts = [...world.seed.accounts.filter((a) => a.login !== account.login), account];
    res.status(201).json({ login: account.login, role: account.role, structureSirets: account.structureSirets });
  });
  return admin;
}
