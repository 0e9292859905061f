/** The OpenAPI 3.1 document served at /openapi.json, generated from the zod schemas that validate requests. */
import { z } from 'zod';
import { canRefuseRole, openApiPath, readsId, ROUTES, type Answer, type Route } from './routes.js';
import {
  apiKeyInputSchema,
  apiKeyViewSchema,
  auditEntryViewSchema,
  completeInputSchema,
  correctValidatorInputSchema,
  approveInputSchema,
  refuseInputSchema,
  validationViewSchema,
  deliveryViewSchema,
  errorResponseSchema,
  invoiceFieldsSchema,
  invoiceCheckSchema,
  invoiceJsonSchema,
  invoiceViewSchema,
  recycleInputSchema,
  subscriptionInputSchema,
  subscriptionViewSchema,
  supplierInputSchema,
  contractInputSchema,
  supplierViewSchema,
} from './schemas.js';

const json = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { description: ERROR_DESCRIPTIONS[s] ?? 'Error', content: errorContent }]),
  );
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (not JSON, not an object, broken multipart)',
  401: 'Missing or wrong API key',
  403: 'FORBIDDEN: the key’s role does not allow this action (the role needed is named)',
  404: 'Not found',
  409: 'Conflict: the invoice number was already submitted, or the Idempotency-Key belongs to another request',
  413: 'Body or file too large',
  415: 'Unsupported Content-Type',
  422: 'Invalid: details lists each problem with its field path',
  503: 'UPLOADS_BUSY: the server holds as many uploads as it may at once; send it again after Retry-After',
};

/**
 * The intake API (/v1). The probes /healthz and /readyz are for the platform, not for API clients: they are in the
 * docs/operations.md, not here.
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
          description:
            'One of API_KEYS (admin of every supplier), or a key made with POST /v1/api-keys (reader, submitter or admin, for some or all suppliers)',
        },
      },
      schemas: {
        Error: json(errorResponseSchema, 'output'),
        Invoice: json(invoiceViewSchema, 'output'),
        InvoiceInput: json(invoiceJsonSchema, 'input'),
        InvoiceCheck: json(invoiceCheckSchema, 'output'),
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
        InvoiceForm: {
          type: 'object',
          properties: { ...multipart.properties, file: { type: 'string', format: 'binary' } },
          required: [...(multipart.required ?? []), 'file'],
        },
        Batch: BATCH_SCHEMA,
      },
    },
    security: [{ apiKey: [] }],
    paths: pathsOf(ROUTES),
  };
}

const ERROR_SHAPE = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'array', items: { type: 'object' } },
  },
};

const BATCH_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    source: { type: 'string', enum: ['zip', 'json'] },
    createdAt: { type: 'string', format: 'date-time' },
    entryCount: { type: 'integer' },
    counts: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: '`refused`, then the invoices by state: every entry, not the page',
    },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass it as `after` for the next page of entries; null on the last page',
    },
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

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** An answer's body: a component (`Invoice`), a list of them in `data` (`Invoice[]`), or an inline schema. */
function bodySchema(body: string | Record<string, unknown>): Record<string, unknown> {
  if (typeof body !== 'string') return body;
  if (!body.endsWith('[]')) return ref(body);
  return { type: 'object', properties: { data: { type: 'array', items: ref(body.slice(0, -2)) } }, required: ['data'] };
}

function answerOf(answer: Answer): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  if (answer.body !== undefined) content['application/json'] = { schema: bodySchema(answer.body) };
  if (answer.csv) content['text/csv'] = { schema: { type: 'string' } };
  return {
    description: answer.description,
    ...(answer.location ? { headers: { Location: { schema: { type: 'string' } } } } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

/** One operation of the document, from its route: the refusals that follow from its rule, path and body included. */
function operationOf(route: Route): Record<string, unknown> {
  const parameters = [
    ...(readsId(route) ? [idParameter] : []),
    ...(route.idempotencyKey
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: route.idempotencyKey,
            schema: { type: 'string', maxLength: 255 },
          },
        ]
      : []),
    ...(route.query ? queryParameters(route.query) : []),
  ];
  const statuses = new Set([
    401,
    ...(canRefuseRole(route) ? [403] : []),
    ...(readsId(route) ? [404] : []),
    ...(route.body ? [400, 413, 503] : []),
    ...route.refusals,
  ]);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.required,
            content: Object.fromEntries(
              Object.entries(route.body.content).map(([type, schema]) => [
                type,
                { schema: typeof schema === 'string' ? ref(schema) : schema },
              ]),
            ),
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(Object.entries(route.answers).map(([status, answer]) => [status, answerOf(answer)])),
      ...errors(...[...statuses].sort()),
    },
  };
}

function pathsOf(routes: readonly Route[]): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[openApiPath(route)] ??= {})[route.method] = operationOf(route);
  return paths;
}
