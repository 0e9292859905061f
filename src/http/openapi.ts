/** The OpenAPI 3.1 document served at /openapi.json, generated from the zod schemas that validate requests. */
import { z } from 'zod';
import {
  auditQuerySchema,
  deliveryListQuerySchema,
  statsQuerySchema,
  subscriptionListQuerySchema,
  apiKeyInputSchema,
  apiKeyViewSchema,
  auditEntryViewSchema,
  completeInputSchema,
  correctValidatorInputSchema,
  approveInputSchema,
  refuseInputSchema,
  validationListQuerySchema,
  validationViewSchema,
  deliveryViewSchema,
  errorResponseSchema,
  invoiceFieldsSchema,
  invoiceJsonSchema,
  invoiceListQuerySchema,
  invoiceViewSchema,
  recycleInputSchema,
  subscriptionInputSchema,
  subscriptionViewSchema,
  supplierInputSchema,
  contractInputSchema,
  supplierViewSchema,
} from './schemas.js';

const json = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), { description: ERROR_DESCRIPTIONS[s] ?? 'Error', content: errorContent }]));
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (not JSON, not an object, broken multipart)',
  401: 'Missing or wrong API key',
  403: 'FORBIDDEN: the key’s role does not allow this action (the role needed is named)',
  404: 'Not found',
  409: 'Conflict: the invoice number was already submitted, or the Idempotency-Key belongs to another request',
  413: 'Body or file too large',
  415: 'Unsupported Content-Type',
  422: 'Invalid: details lists each problem with its field path',
};

/** Method names for client generators, one per operation ("METHOD path"); a new route without one fails the lint test. */
const OPERATION_IDS: Record<string, string> = {
  'POST /v1/suppliers': 'registerSupplier',
  'GET /v1/suppliers': 'listSuppliers',
  'POST /v1/invoices': 'submitInvoice',
  'GET /v1/invoices': 'listInvoices',
  'GET /v1/invoices/{id}': 'getInvoice',
  'POST /v1/invoices/{id}/retry': 'retryInvoice',
  'POST /v1/invoices/{id}/recycle': 'recycleInvoice',
  'POST /v1/invoices/{id}/complete': 'completeInvoice',
  'POST /v1/invoices/{id}/correct-validator': 'correctInvoiceValidator',
  'GET /v1/validations': 'listValidations',
  'GET /v1/validations/{id}': 'getValidation',
  'POST /v1/validations/{id}/approve': 'approveValidation',
  'POST /v1/validations/{id}/refuse': 'refuseValidation',
  'POST /v1/contracts': 'saveContractProfile',
  'GET /v1/contracts': 'listContractProfiles',
  'POST /v1/batches': 'submitBatch',
  'GET /v1/batches/{id}': 'getBatch',
  'GET /v1/stats': 'getStats',
  'POST /v1/subscriptions': 'createSubscription',
  'GET /v1/subscriptions': 'listSubscriptions',
  'DELETE /v1/subscriptions/{id}': 'deactivateSubscription',
  'GET /v1/subscriptions/{id}/deliveries': 'listDeliveries',
  'POST /v1/deliveries/{id}/replay': 'replayDelivery',
  'POST /v1/api-keys': 'createApiKey',
  'GET /v1/api-keys': 'listApiKeys',
  'DELETE /v1/api-keys/{id}': 'revokeApiKey',
  'GET /v1/audit': 'listAuditEntries',
};

function withOperationIds(paths: Record<string, Record<string, Record<string, unknown>>>): Record<string, Record<string, Record<string, unknown>>> {
  return Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => {
          const operationId = OPERATION_IDS[`${method.toUpperCase()} ${path}`];
          return [method, operationId ? { operationId, ...operation } : operation];
        }),
      ),
    ]),
  );
}

/**
 * The intake API (/v1). The probes /healthz and /readyz are for the platform, not for API clients: they are in the
 * README (Operations), not here.
 */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const multipart = json(invoiceFieldsSchema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return {
    openapi: '3.1.0',
    info: {
      title: 'chorus-relay intake API',
      version,
      description: 'Deposit supplier invoices on Chorus Pro and follow them until they are paid.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The root of the relay’s own address (http://localhost:3000 with npm start)' }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'One of API_KEYS (admin of every supplier), or a key made with POST /v1/api-keys (reader, submitter or admin, for some or all suppliers)',
        },
      },
      schemas: {
        Error: json(errorResponseSchema, 'output'),
        Invoice: json(invoiceViewSchema, 'output'),
        InvoiceInput: json(invoiceJsonSchema, 'input'),
        Supplier: json(supplierViewSchema, 'output'),
        Validation: json(validationViewSchema, 'output'),
        SupplierInput: json(supplierInputSchema, 'input'),
        ContractInput: json(contractInputSchema, 'input'),
        RecycleInput: json(recycleInputSchema, 'input'),
        CompleteInput: json(completeInputSchema, 'input'),
        CorrectValidatorInput: json(correctValidatorInputSchema, 'input'),
        ApproveInput: json(approveInputSchema, 'input'),
        RefuseInput: json(refuseInputSchema, 'input'),
        Subscription: json(subscriptionViewSchema, 'output'),
        SubscriptionInput: json(subscriptionInputSchema, 'input'),
        Delivery: json(deliveryViewSchema, 'output'),
        ApiKey: json(apiKeyViewSchema, 'output'),
        ApiKeyInput: json(apiKeyInputSchema, 'input'),
        AuditEntry: json(auditEntryViewSchema, 'output'),
      },
    },
    security: [{ apiKey: [] }],
    paths: withOperationIds({
      '/v1/suppliers': {
        post: {
          summary: 'Register a supplier account, or replace its Chorus Pro credentials',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SupplierInput' } } } },
          responses: {
            '201': { description: 'Registered', content: { 'application/json': { schema: { $ref: '#/components/schemas/Supplier' } } } },
            '200': { description: 'Updated', content: { 'application/json': { schema: { $ref: '#/components/schemas/Supplier' } } } },
            ...errors(400, 401, 413, 422),
          },
        },
        get: {
          summary: 'List supplier accounts (never their passwords)',
          responses: {
            '200': {
              description: 'The accounts',
              content: { 'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Supplier' } } } } } },
            },
            ...errors(401),
          },
        },
      },
      '/v1/invoices': {
        post: {
          summary: 'Submit an invoice for deposit on Chorus Pro',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'Retrying with the same key and body returns the same invoice (200); another body under the key is 409.',
              schema: { type: 'string', maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/InvoiceInput' } },
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: { ...multipart.properties, file: { type: 'string', format: 'binary' } },
                  required: [...(multipart.required ?? []), 'file'],
                },
              },
            },
          },
          responses: {
            '202': {
              description: 'Accepted: stored and queued for deposit. Location points to the invoice.',
              headers: { Location: { schema: { type: 'string' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } },
            },
            '200': {
              description: 'Replay of an earlier request with the same Idempotency-Key',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } },
            },
            ...errors(400, 401, 409, 413, 415, 422),
          },
        },
        get: {
          summary: 'List invoices (filters, sort, cursor pages); with Accept: text/csv, the whole selection as CSV',
          parameters: queryParameters(invoiceListQuerySchema),
          responses: {
            '200': {
              description: 'A page (JSON) or the export (CSV: invoice number, BDC number, amount, recipient, last update, Chorus status first)',
              content: {
                'application/json': {
                  schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Invoice' } }, nextCursor: { type: ['string', 'null'] } } },
                },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            ...errors(401, 422),
          },
        },
      },
      '/v1/invoices/{id}/retry': {
        post: {
          summary: 'Send an invoice in needs_attention or precheck_failed back to the deposit queue',
          parameters: [idParameter],
          responses: { '202': { description: 'Queued again', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } } }, ...errors(401, 404, 409) },
        },
      },
      '/v1/invoices/{id}/recycle': followUpPath('Recycle an A_RECYCLER invoice with new routing data (calls Chorus Pro recycler in a job)', 'RecycleInput'),
      '/v1/invoices/{id}/complete': followUpPath('Complete a SUSPENDUE invoice with a comment and an attachment (calls Chorus Pro completer in a job)', 'CompleteInput'),
      '/v1/stats': {
        get: {
          summary: 'Counts per stage, per state and per needs-action reason (optionally for one supplierSiret)',
          parameters: queryParameters(statsQuerySchema),
          responses: { '200': { description: 'The counts' }, ...errors(401, 404, 422) },
        },
      },
      '/v1/subscriptions': {
        post: {
          summary: "Subscribe e-mail addresses or a webhook URL to a supplier account's events",
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubscriptionInput' } } } },
          responses: {
            '201': {
              description: 'Created; a webhook subscription carries its signing `secret`, shown this once',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Subscription' } } },
            },
            ...errors(401, 422),
          },
        },
        get: {
          summary: 'List subscriptions (optionally ?supplierSiret=)',
          parameters: queryParameters(subscriptionListQuerySchema),
          responses: {
            '200': {
              description: 'The subscriptions',
              content: { 'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Subscription' } } } } } },
            },
            ...errors(401),
          },
        },
      },
      '/v1/subscriptions/{id}': {
        delete: {
          summary: 'Deactivate a subscription (its delivery log stays)',
          parameters: [idParameter],
          responses: { '200': { description: 'Deactivated' }, ...errors(401, 404) },
        },
      },
      '/v1/subscriptions/{id}/deliveries': {
        get: {
          summary: 'The delivery log of a subscription, newest first',
          parameters: [idParameter, ...queryParameters(deliveryListQuerySchema)],
          responses: {
            '200': {
              description: 'Deliveries',
              content: { 'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Delivery' } } } } } },
            },
            ...errors(401, 404),
          },
        },
      },
      '/v1/deliveries/{id}/replay': {
        post: {
          summary: 'Send a delivery again (same event id, new delivery id)',
          parameters: [idParameter],
          responses: { '202': { description: 'Queued', content: { 'application/json': { schema: { $ref: '#/components/schemas/Delivery' } } } }, ...errors(401, 404, 409) },
        },
      },
      '/v1/invoices/{id}': {
        get: {
          summary: 'An invoice and its timeline',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            '200': { description: 'The invoice, with `events`', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } } },
            ...errors(401, 404),
          },
        },
      },
      '/v1/invoices/{id}/correct-validator': followUpPath(
        'Name the right validator of an invoice Chorus Pro holds in ERREUR_FOURNISSEUR_SUR_VALIDEUR or ERREUR_COTRAITANT_SUR_VALIDEUR (calls corriger/valideur/facture in a job)',
        'CorrectValidatorInput',
      ),
      '/v1/validations': {
        get: {
          summary:
            'The subcontractors’ and co-contractors’ invoices waiting for (or decided by) the caller’s suppliers as validators, soonest deadline first; with Accept: text/csv, as a spreadsheet',
          parameters: queryParameters(validationListQuerySchema),
          responses: {
            '200': {
              description: 'The validations',
              content: {
                'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Validation' } } }, required: ['data'] } },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            ...errors(401, 422),
          },
        },
      },
      '/v1/validations/{id}': {
        get: {
          summary: 'One validation, with its timeline',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The validation', content: { 'application/json': { schema: { $ref: '#/components/schemas/Validation' } } } },
            ...errors(401, 404),
          },
        },
      },
      '/v1/validations/{id}/approve': decisionPath('Approve a subcontractor’s or co-contractor’s invoice (traiter/factureAValider, action VALIDATION, in a job)', 'ApproveInput'),
      '/v1/validations/{id}/refuse': decisionPath('Refuse it with a reason, shown to the subcontractor (traiter/factureAValider, action REFUS, in a job)', 'RefuseInput'),
      '/v1/contracts': {
        post: {
          summary: 'Save a contract profile (fiche d’identité du marché): invoices naming its market are pre-filled and pre-checked from it',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ContractInput' } } } },
          responses: {
            '201': { description: 'Created' },
            '200': { description: 'Replaced the profile of the same market and buyer' },
            ...errors(400, 401, 403, 422),
          },
        },
        get: { summary: 'The contract profiles of the caller’s suppliers', responses: { '200': { description: '`{ data: Contract[] }`' }, ...errors(401) } },
      },
      '/v1/batches': {
        post: {
          summary: 'Submit several invoices: a ZIP (files and manifest.csv or manifest.json) or a JSON list of invoice requests',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'Sending the same batch again under the same key returns the first (200); another batch under the key is 409.',
              schema: { type: 'string', maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/zip': { schema: { type: 'string', format: 'binary' } },
              'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/InvoiceInput' } } },
            },
          },
          responses: {
            '202': { description: 'Each entry went through the intake: its invoice, or why it was refused', content: { 'application/json': { schema: BATCH_SCHEMA } } },
            '200': { description: 'Replay of an earlier batch with the same Idempotency-Key', content: { 'application/json': { schema: BATCH_SCHEMA } } },
            ...errors(400, 401, 409, 413, 415, 422),
          },
        },
      },
      '/v1/batches/{id}': {
        get: {
          summary: 'A batch: counts per state and each entry (file, manifest row, invoice and state, or its error)',
          parameters: [idParameter],
          responses: { '200': { description: 'The batch', content: { 'application/json': { schema: BATCH_SCHEMA } } }, ...errors(401, 404) },
        },
      },
      '/v1/api-keys': {
        post: {
          summary: 'Create an API key (admin): role reader, submitter or admin, for some suppliers or all; the key is in this answer only',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiKeyInput' } } } },
          responses: {
            '201': { description: 'Created, with `key`', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiKey' } } } },
            ...errors(401, 403, 422),
          },
        },
        get: { summary: 'The API keys (admin), never the keys themselves', responses: { '200': { description: '`{ data: ApiKey[] }`' }, ...errors(401, 403) } },
      },
      '/v1/api-keys/{id}': {
        delete: {
          summary: 'Revoke an API key (admin); it stops working within 5 seconds',
          parameters: [idParameter],
          responses: { '200': { description: 'Revoked', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiKey' } } } }, ...errors(401, 403, 404) },
        },
      },
      '/v1/audit': {
        get: {
          summary: 'Every mutating call, newest first (admin of every supplier)',
          parameters: queryParameters(auditQuerySchema),
          responses: {
            '200': {
              description: 'A page of the trail; nextBefore asks for the next one',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { data: { type: 'array', items: { $ref: '#/components/schemas/AuditEntry' } }, nextBefore: { type: ['string', 'null'] } },
                  },
                },
              },
            },
            ...errors(401, 403, 422),
          },
        },
      },
    }),
  };
}

const ERROR_SHAPE = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'object' } } },
};

const BATCH_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    source: { type: 'string', enum: ['zip', 'json'] },
    createdAt: { type: 'string', format: 'date-time' },
    entryCount: { type: 'integer' },
    counts: { type: 'object', additionalProperties: { type: 'integer' }, description: '`refused`, then the invoices by state' },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          position: { type: 'integer' },
          file: { type: ['string', 'null'] },
          manifestRow: { type: ['integer', 'null'] },
          invoiceId: { type: ['string', 'null'] },
          number: { type: ['string', 'null'] },
          state: { type: ['string', 'null'] },
          chorusStatus: { type: ['string', 'null'] },
          error: { oneOf: [ERROR_SHAPE, { type: 'null' }] },
        },
      },
    },
  },
};

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

/** The query parameters of a route, from the zod schema that validates them: what is declared is what is accepted. */
function queryParameters(querySchema: z.ZodType): Array<Record<string, unknown>> {
  const schema = json(querySchema, 'input') as { properties: Record<string, { description?: string }> };
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
    ...(property.description ? { description: property.description } : {}),
  }));
}

function decisionPath(summary: string, input: string): Record<string, Record<string, unknown>> {
  return {
    post: {
      summary,
      parameters: [idParameter],
      requestBody: { required: input === 'RefuseInput', content: { 'application/json': { schema: { $ref: `#/components/schemas/${input}` } } } },
      responses: {
        '202': { description: 'Stored and on its way; GET the validation to follow it (decision, timeline)' },
        ...errors(401, 404, 409, 422),
      },
    },
  };
}

function followUpPath(summary: string, input: string): Record<string, Record<string, unknown>> {
  return {
    post: {
      summary,
      parameters: [idParameter],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${input}` } } } },
      responses: {
        '202': { description: 'Stored and on its way; GET the invoice to follow it (followUps, timeline)' },
        ...errors(401, 404, 409, 422),
      },
    },
  };
}
