/**
 * The API's routes, declared once: each route's method, path, the permission its caller's role needs, its request
 * (query schema, body), its answers and its refusals, its OpenAPI operation id and words, and its handlers. Express
 * is wired from this table (app.ts), the OpenAPI document is generated from it (openapi.ts), and so is the route
 * table of docs/api.md (`npm run docs`). 401 is on every route, 403 on every route a role can be refused, 404 on
 * every route that reads an id: they follow from the permission and the path, not from a list to keep up to date.
 */
import type { RequestHandler } from 'express';
import type { z } from 'zod';
import type { ApiKeyRegistry } from '../access/keys.js';
import type { Permission } from '../access/roles.js';
import type { AppContext } from '../context.js';
import { auditHandler, createApiKeyHandler, listApiKeysHandler, revokeApiKeyHandler } from './handlers/access.js';
import { createBatch, getBatch } from './handlers/batches.js';
import { listContracts, upsertContract } from './handlers/contracts.js';
import { completeInvoice, correctValidatorHandler, recycleInvoice } from './handlers/follow-ups.js';
import { createInvoice, getInvoice, retryInvoice, validateInvoice } from './handlers/invoices.js';
import {
  createSubscriptionHandler,
  deactivateSubscriptionHandler,
  listDeliveriesHandler,
  listSubscriptionsHandler,
  replayDeliveryHandler,
} from './handlers/subscriptions.js';
import { listSuppliers, upsertSupplier } from './handlers/suppliers.js';
import { decideHandler, getValidationHandler, listValidationsHandler } from './handlers/validations.js';
import { listInvoicesHandler, statsHandler } from './handlers/views.js';
import { invoiceBody } from './invoice-body.js';
import {
  auditQuerySchema,
  batchQuerySchema,
  deliveryListQuerySchema,
  invoiceListQuerySchema,
  statsQuerySchema,
  subscriptionListQuerySchema,
  validationListQuerySchema,
} from './schemas.js';
import { visible } from './visibility.js';

/** An answer in OpenAPI terms: a sentence, and what the body holds (a schema of openapi.ts's components, or inline). */
export interface Answer {
  description: string;
  /** `Invoice` for `#/components/schemas/Invoice`; `Invoice[]` for `{ data: Invoice[] }`; or an inline schema. */
  body?: string | Record<string, unknown>;
  csv?: boolean;
  location?: boolean;
}

export interface Route {
  method: 'get' | 'post' | 'delete';
  /** Under /v1, as Express writes it (`/invoices/:id`). */
  path: string;
  /** What the caller's role must allow; a route cannot be declared without one. */
  permission: Permission;
  /** The method name client generators give it. */
  operationId: string;
  summary: string;
  /** For people reading docs/api.md: what the route does, at more length than the summary. */
  description?: string;
  /** The zod schema that validates its query string. */
  query?: z.ZodType;
  /** It takes an `Idempotency-Key` header: the same key and request answers the first result. */
  idempotencyKey?: string;
  /** The request body: its content types and schemas (`InvoiceInput` for a component), and whether it is required. */
  body?: { required: boolean; content: Record<string, string | Record<string, unknown>> };
  answers: Record<string, Answer>;
  /**
   * The refusals beside those that follow from the rest: 401 (any route), 403 (a role refused), 404 (an unknown id),
   * and for a route with a body 400 (malformed), 413 (too large) and 503 (too many uploads at once).
   */
  refusals: number[];
  handlers(ctx: AppContext, keys: ApiKeyRegistry): RequestHandler[];
}

const json = (schema: string) => ({ 'application/json': schema });
const queued = (what: string): Answer => ({ description: `Stored and on its way; GET the ${what} to follow it` });

export const ROUTES: readonly Route[] = [
  {
    method: 'post',
    path: '/suppliers',
    permission: 'admin',
    operationId: 'registerSupplier',
    summary: 'Register a supplier account, or replace its Chorus Pro credentials',
    description:
      'Registers a supplier account `{ siret, chorusLogin, chorusPassword, environment: "sandbox" | "production" }` (201), or replaces its credentials (200). Each environment is served by its own PISTE application; an environment without credentials in this deployment is refused (422 `CHORUS_ENVIRONMENT_NOT_CONFIGURED`). The password is stored encrypted and never returned or logged.',
    body: { required: true, content: json('SupplierInput') },
    answers: {
      '201': { description: 'Registered', body: 'Supplier' },
      '200': { description: 'Updated', body: 'Supplier' },
    },
    refusals: [422],
    handlers: (ctx) => [upsertSupplier(ctx)],
  },
  {
    method: 'get',
    path: '/suppliers',
    permission: 'read',
    operationId: 'listSuppliers',
    summary: 'List supplier accounts (never their passwords)',
    description:
      'Lists supplier accounts, without passwords, with `paused`, `pausedReason` and `pausedSince` when Chorus Pro refused the account, and their status-sync health: `lastSyncAt`, `syncFailingSince`, `syncError`, `syncRetryAt`.',
    answers: { '200': { description: 'The accounts', body: 'Supplier[]' } },
    refusals: [],
    handlers: (ctx) => [listSuppliers(ctx)],
  },
  {
    method: 'post',
    path: '/invoices',
    permission: 'submit',
    operationId: 'submitInvoice',
    summary: 'Submit an invoice for deposit on Chorus Pro',
    description:
      'Submits an invoice as JSON (file in base64) or `multipart/form-data` (same fields, the file as a part named `file`); send files over 1 MB as multipart: a JSON body holds the web process while it is parsed (60 to 80 ms for a 10 MB file in base64). 202 with the invoice and a `Location` header.',
    idempotencyKey:
      'Retrying with the same key and body returns the same invoice (200); another body under the key is 409.',
    body: { required: true, content: { 'application/json': 'InvoiceInput', 'multipart/form-data': 'InvoiceForm' } },
    answers: {
      '202': {
        description: 'Accepted: stored and queued for deposit. Location points to the invoice.',
        body: 'Invoice',
        location: true,
      },
      '200': { description: 'Replay of an earlier request with the same Idempotency-Key', body: 'Invoice' },
    },
    refusals: [409, 415, 422],
    handlers: (ctx) => [...invoiceBody(), createInvoice(ctx)],
  },
  {
    method: 'post',
    path: '/invoices/validate',
    permission: 'submit',
    operationId: 'validateInvoice',
    summary: 'Check an invoice as POST /v1/invoices would, and its file against the EN 16931 rules; nothing is stored',
    description:
      'Takes what `POST /v1/invoices` takes and answers at once, writing nothing: `{ valid, errors, warnings, en16931 }`. `errors` holds what the intake would refuse (`source: "request"`, with `path`, `code`, `message`) or, when the request passes, each fatal EN 16931 rule the file breaks (`source: "en16931"`: `rule` such as `BR-CO-15`, `message`, `location` in the file, `businessTerms`, `path` the request field of the rule\'s first business term or `file`, and `fix` in French and English); `warnings` the rules\' warnings. `en16931` says whether the rules ran (`checked`), do not apply to the file (`not-applicable`: a Factur-X MINIMUM, a minimal flow) or are not installed (`unavailable`), with a `note`. See [Validation](validation.md).',
    body: { required: true, content: { 'application/json': 'InvoiceInput', 'multipart/form-data': 'InvoiceForm' } },
    answers: { '200': { description: 'The verdict; nothing was stored', body: 'InvoiceCheck' } },
    refusals: [415],
    handlers: (ctx) => [...invoiceBody(), validateInvoice(ctx)],
  },
  {
    method: 'get',
    path: '/invoices',
    permission: 'read',
    operationId: 'listInvoices',
    summary: 'List invoices (filters, sort, cursor pages); with Accept: text/csv, the whole selection as CSV',
    description:
      'Lists invoices with filters, sort and cursor pages; `Accept: text/csv` exports the whole selection (see [Views](#views)).',
    query: invoiceListQuerySchema,
    answers: {
      '200': {
        description:
          'A page (JSON) or the export (CSV: invoice number, BDC number, amount, recipient, last update, Chorus status first)',
        body: {
          type: 'object',
          properties: {
            data: { type: 'array', items: { $ref: '#/components/schemas/Invoice' } },
            nextCursor: { type: ['string', 'null'] },
          },
        },
        csv: true,
      },
    },
    refusals: [422],
    handlers: (ctx) => [listInvoicesHandler(ctx)],
  },
  {
    method: 'get',
    path: '/invoices/:id',
    permission: 'read',
    operationId: 'getInvoice',
    summary: 'An invoice and its timeline',
    description:
      'The invoice and its full timeline (`events`: intake, checks, deposit receipt, each Chorus status with date and comment, alerts sent, follow-ups), its `actionRequired` (reason and next step, in French and English), `followUps`, and the links `correctsInvoiceId` / `correctedByInvoiceId`.',
    answers: { '200': { description: 'The invoice, with `events`', body: 'Invoice' } },
    refusals: [],
    handlers: (ctx) => [visible(ctx, 'invoice'), getInvoice(ctx)],
  },
  {
    method: 'post',
    path: '/invoices/:id/retry',
    permission: 'submit',
    operationId: 'retryInvoice',
    summary: 'Send an invoice in needs_attention or precheck_failed back to the deposit queue',
    description:
      'Sends an invoice in `needs_attention` or `precheck_failed` back to the deposit queue (202); 409 `INVOICE_NOT_RETRYABLE` otherwise.',
    answers: { '202': { description: 'Queued again', body: 'Invoice' } },
    refusals: [409],
    handlers: (ctx) => [visible(ctx, 'invoice'), retryInvoice(ctx)],
  },
  {
    method: 'post',
    path: '/invoices/:id/recycle',
    permission: 'submit',
    operationId: 'recycleInvoice',
    summary: 'Recycle an A_RECYCLER invoice with new routing data (calls Chorus Pro recycler in a job)',
    description:
      'For an `A_RECYCLER` invoice: `{ recipientSiret?, serviceCode?, engagementNumber?, comment? }` (at least one of the first three). 202; a `follow-ups` job calls `recycler`.',
    body: { required: true, content: json('RecycleInput') },
    answers: { '202': queued('invoice (followUps, timeline)') },
    refusals: [409, 422],
    handlers: (ctx) => [visible(ctx, 'invoice'), recycleInvoice(ctx)],
  },
  {
    method: 'post',
    path: '/invoices/:id/complete',
    permission: 'submit',
    operationId: 'completeInvoice',
    summary: 'Complete a SUSPENDUE invoice with a comment and an attachment (calls Chorus Pro completer in a job)',
    description:
      'For a `SUSPENDUE` invoice: `{ comment, attachment?: { name, mimeType?, contentBase64 } }`. 202; a `follow-ups` job uploads the attachment (`ajouter/fichier`) and calls `completer`.',
    body: { required: true, content: json('CompleteInput') },
    answers: { '202': queued('invoice (followUps, timeline)') },
    refusals: [409, 422],
    handlers: (ctx) => [visible(ctx, 'invoice'), completeInvoice(ctx)],
  },
  {
    method: 'post',
    path: '/invoices/:id/correct-validator',
    permission: 'submit',
    operationId: 'correctInvoiceValidator',
    summary:
      'Name the right validator of an invoice Chorus Pro holds in ERREUR_FOURNISSEUR_SUR_VALIDEUR or ERREUR_COTRAITANT_SUR_VALIDEUR (calls corriger/valideur/facture in a job)',
    description:
      'For an invoice in `ERREUR_FOURNISSEUR_SUR_VALIDEUR` (or `_COTRAITANT_`): `{ validatorSiret }`. 202; a `follow-ups` job calls `corriger/valideur/facture`.',
    body: { required: true, content: json('CorrectValidatorInput') },
    answers: { '202': queued('invoice (followUps, timeline)') },
    refusals: [409, 422],
    handlers: (ctx) => [visible(ctx, 'invoice'), correctValidatorHandler(ctx)],
  },
  {
    method: 'get',
    path: '/validations',
    permission: 'read',
    operationId: 'listValidations',
    summary:
      'The subcontractors’ and co-contractors’ invoices waiting for (or decided by) the caller’s suppliers as validators, soonest deadline first; with Accept: text/csv, as a spreadsheet',
    description:
      "The main contractor's inbox: its subcontractors' and co-contractors' invoices waiting for its decision, soonest deadline first; `Accept: text/csv` exports the selection (UTF-8 with its byte order mark). See [For construction firms](construction.md).",
    query: validationListQuerySchema,
    answers: { '200': { description: 'The validations', body: 'Validation[]', csv: true } },
    refusals: [422],
    handlers: (ctx) => [listValidationsHandler(ctx)],
  },
  {
    method: 'get',
    path: '/validations/:id',
    permission: 'read',
    operationId: 'getValidation',
    summary: 'One validation, with its timeline',
    answers: { '200': { description: 'The validation', body: 'Validation' } },
    refusals: [],
    handlers: (ctx) => [visible(ctx, 'validation'), getValidationHandler(ctx)],
  },
  {
    method: 'post',
    path: '/validations/:id/approve',
    permission: 'submit',
    operationId: 'approveValidation',
    summary:
      'Approve a subcontractor’s or co-contractor’s invoice (traiter/factureAValider, action VALIDATION, in a job)',
    description:
      '`{ comment? }`. 202; a `validations` job calls `traiter/factureAValider` once. 409 `VALIDATION_NOT_PENDING` when it no longer waits, `DECISION_IN_PROGRESS` while one is on its way.',
    body: { required: false, content: json('ApproveInput') },
    answers: { '202': queued('validation (decision, timeline)') },
    refusals: [409, 422],
    handlers: (ctx) => [visible(ctx, 'validation'), decideHandler(ctx, 'approve')],
  },
  {
    method: 'post',
    path: '/validations/:id/refuse',
    permission: 'submit',
    operationId: 'refuseValidation',
    summary: 'Refuse it with a reason, shown to the subcontractor (traiter/factureAValider, action REFUS, in a job)',
    description: '`{ reason }`. 202; a `validations` job calls `traiter/factureAValider` once. 409 as for approve.',
    body: { required: true, content: json('RefuseInput') },
    answers: { '202': queued('validation (decision, timeline)') },
    refusals: [409, 422],
    handlers: (ctx) => [visible(ctx, 'validation'), decideHandler(ctx, 'refuse')],
  },
  {
    method: 'post',
    path: '/contracts',
    permission: 'submit',
    operationId: 'saveContractProfile',
    summary:
      'Save a contract profile (fiche d’identité du marché): invoices naming its market are pre-filled and pre-checked from it',
    description:
      'Saves a contract profile (market, buyer, parties, frames by party) that pre-fills and pre-checks the invoices naming its market (see [Contract profiles](construction.md#contract-profiles)); only a key that reaches its holder replaces one (409 `CONTRACT_HELD_ELSEWHERE`).',
    body: { required: true, content: json('ContractInput') },
    answers: {
      '201': { description: 'Created' },
      '200': { description: 'Replaced the profile of the same market and buyer' },
    },
    refusals: [409, 422],
    handlers: (ctx) => [upsertContract(ctx)],
  },
  {
    method: 'get',
    path: '/contracts',
    permission: 'read',
    operationId: 'listContractProfiles',
    summary: 'The contract profiles of the caller’s suppliers',
    answers: { '200': { description: '`{ data: Contract[] }`' } },
    refusals: [],
    handlers: (ctx) => [listContracts(ctx)],
  },
  {
    method: 'post',
    path: '/batches',
    permission: 'submit',
    operationId: 'submitBatch',
    summary:
      'Submit several invoices: a ZIP (files and manifest.csv or manifest.json) or a JSON list of invoice requests',
    description:
      'Submits a ZIP (files and manifest) or a JSON list of invoices, each entry with its own outcome (202; see [Batches](batches-and-cli.md)).',
    idempotencyKey:
      'Sending the same batch again under the same key returns the first (200); another batch under the key is 409.',
    body: {
      required: true,
      content: {
        'application/zip': { type: 'string', format: 'binary' },
        'application/json': { type: 'array', items: { $ref: '#/components/schemas/InvoiceInput' } },
      },
    },
    answers: {
      '202': { description: 'Each entry went through the intake: its invoice, or why it was refused', body: 'Batch' },
      '200': { description: 'Replay of an earlier batch with the same Idempotency-Key', body: 'Batch' },
    },
    refusals: [409, 415, 422],
    handlers: (ctx) => createBatch(ctx),
  },
  {
    method: 'get',
    path: '/batches/:id',
    permission: 'read',
    operationId: 'getBatch',
    summary:
      'A batch: counts per state, and a page of its entries (file, manifest row, invoice and state, or its error)',
    query: batchQuerySchema,
    answers: { '200': { description: 'The batch', body: 'Batch' } },
    refusals: [422],
    handlers: (ctx) => [getBatch(ctx)],
  },
  {
    method: 'get',
    path: '/stats',
    permission: 'read',
    operationId: 'getStats',
    summary:
      'Counts per stage, per state and per needs-action reason, and supplier accounts whose status sync fails (optionally for one supplierSiret)',
    query: statsQuerySchema,
    answers: { '200': { description: 'The counts' } },
    refusals: [404, 422],
    handlers: (ctx) => [statsHandler(ctx)],
  },
  {
    method: 'post',
    path: '/subscriptions',
    permission: 'admin',
    operationId: 'createSubscription',
    summary: "Subscribe e-mail addresses or a webhook URL to a supplier account's events",
    description:
      "Subscribes e-mail addresses or a webhook to a supplier's events (see [Alerts and webhooks](alerts.md)). 201; a webhook subscription's `secret` is returned this once.",
    body: { required: true, content: json('SubscriptionInput') },
    answers: {
      '201': {
        description: 'Created; a webhook subscription carries its signing `secret`, shown this once',
        body: 'Subscription',
      },
    },
    refusals: [422],
    handlers: (ctx) => [createSubscriptionHandler(ctx)],
  },
  {
    method: 'get',
    path: '/subscriptions',
    permission: 'admin',
    operationId: 'listSubscriptions',
    summary: 'List subscriptions (optionally ?supplierSiret=), never their secrets',
    query: subscriptionListQuerySchema,
    answers: { '200': { description: 'The subscriptions', body: 'Subscription[]' } },
    refusals: [422],
    handlers: (ctx) => [listSubscriptionsHandler(ctx)],
  },
  {
    method: 'delete',
    path: '/subscriptions/:id',
    permission: 'admin',
    operationId: 'deactivateSubscription',
    summary: 'Deactivate a subscription (its delivery log stays)',
    answers: { '200': { description: 'Deactivated' } },
    refusals: [],
    handlers: (ctx) => [visible(ctx, 'subscription'), deactivateSubscriptionHandler(ctx)],
  },
  {
    method: 'get',
    path: '/subscriptions/:id/deliveries',
    permission: 'admin',
    operationId: 'listDeliveries',
    summary: 'The delivery log of a subscription, newest first',
    description:
      'The delivery log: each e-mail or webhook call, its status, attempts, last HTTP status and error, newest first.',
    query: deliveryListQuerySchema,
    answers: { '200': { description: 'Deliveries', body: 'Delivery[]' } },
    refusals: [422],
    handlers: (ctx) => [visible(ctx, 'subscription'), listDeliveriesHandler(ctx)],
  },
  {
    method: 'post',
    path: '/deliveries/:id/replay',
    permission: 'admin',
    operationId: 'replayDelivery',
    summary: 'Send a delivery again (same event id, new delivery id)',
    answers: { '202': { description: 'Queued', body: 'Delivery' } },
    refusals: [409],
    handlers: (ctx) => [visible(ctx, 'delivery'), replayDeliveryHandler(ctx)],
  },
  {
    method: 'post',
    path: '/api-keys',
    permission: 'admin',
    operationId: 'createApiKey',
    summary:
      'Create an API key (admin): role reader, submitter or admin, for some suppliers or all; the key is in this answer only',
    description:
      'Creates a key `{ name, role: reader | submitter | admin, supplierSirets: [..] | null }` (201, the key in this answer only); a key cannot make one that reaches further than itself.',
    body: { required: true, content: json('ApiKeyInput') },
    answers: { '201': { description: 'Created, with `key`', body: 'ApiKey' } },
    refusals: [422],
    handlers: (ctx) => [createApiKeyHandler(ctx)],
  },
  {
    method: 'get',
    path: '/api-keys',
    permission: 'admin',
    operationId: 'listApiKeys',
    summary: 'The API keys (admin), never the keys themselves',
    answers: { '200': { description: '`{ data: ApiKey[] }`' } },
    refusals: [],
    handlers: (ctx) => [listApiKeysHandler(ctx)],
  },
  {
    method: 'delete',
    path: '/api-keys/:id',
    permission: 'admin',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (admin); it stops working within 5 seconds',
    answers: { '200': { description: 'Revoked', body: 'ApiKey' } },
    refusals: [],
    handlers: (ctx, keys) => [revokeApiKeyHandler(ctx, keys)],
  },
  {
    method: 'get',
    path: '/audit',
    permission: 'admin',
    operationId: 'listAuditEntries',
    summary: 'Every mutating call, newest first (admin of every supplier)',
    description:
      'Every mutating call (key, route, target, status, time), newest first; an admin of every supplier only.',
    query: auditQuerySchema,
    answers: {
      '200': {
        description: 'A page of the trail; nextBefore asks for the next one',
        body: {
          type: 'object',
          properties: {
            data: { type: 'array', items: { $ref: '#/components/schemas/AuditEntry' } },
            nextBefore: { type: ['string', 'null'] },
          },
        },
      },
    },
    refusals: [422],
    handlers: (ctx) => [auditHandler(ctx)],
  },
];

/** Whether a route can refuse a caller for its role: every role but the least may be needed. */
export const canRefuseRole = (route: Route): boolean => route.permission !== 'read';

/** Whether a route reads an id from its path (an unknown or foreign one is 404). */
export const readsId = (route: Route): boolean => route.path.includes('/:');

/** The route's path as OpenAPI writes it: `/v1/invoices/{id}`. */
export const openApiPath = (route: Route): string => `/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
