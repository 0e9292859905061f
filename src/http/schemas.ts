/**
 * The shapes the intake API accepts and returns. Requests are parsed here once; the OpenAPI document at
 * /openapi.json is generated from these same schemas, so the two cannot disagree.
 */
import { ROLES } from '../access/roles.js';
import { z } from 'zod';
import { BILLING_FRAMES, INVOICE_TYPES, SYNTAXE_FLUX } from '../chorus/codes.js';
import { STAGES, WAITING_FOR } from '../chorus/status-model.js';
import { NOTIFICATION_EVENTS } from '../alerts/events.js';
import { ACTION_REASONS } from '../invoices/action-required.js';
import { SORT_FIELDS } from '../invoices/listing.js';
import { INVOICE_STATES } from '../invoices/states.js';
import { DELIVERY_STATUSES } from '../db/entities/delivery.js';
import { FOLLOW_UP_KINDS, FOLLOW_UP_STATES } from '../db/entities/follow-up.js';
import { DECISION_STATES, VALIDATION_STAGES } from '../db/entities/validation.js';
import { SUBSCRIPTION_CHANNELS } from '../db/entities/subscription.js';
import { CHORUS_ENVIRONMENTS } from '../chorus/environments.js';
import { AMOUNT_PATTERN } from '../invoices/money.js';
import { isValidSiret } from '../invoices/siret.js';
import { DEPOSIT_MODES, MAX_FILE_BYTES } from '../invoices/submission.js';

/** A rule whose failure carries a stable code of ours in `params.code` (see errors.ts). */
function rule<T>(schema: z.ZodType<T>, code: string, message: string, check: (value: T) => boolean): z.ZodType<T> {
  return schema.superRefine((value, ctx) => {
    if (!check(value)) ctx.addIssue({ code: 'custom', message, params: { code } });
  });
}

const siret = rule(
  z.string().regex(/^\d{14}$/, 'must be exactly 14 digits'),
  'invalid_siret',
  'is not a valid SIRET: its checksum is wrong',
  isValidSiret,
).meta({
  description: 'SIRET: 14 digits with a valid checksum (Luhn, or the La Poste rule)',
  example: '73282932000074',
});

function isRealDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}
const isoDate = rule(
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD'),
  'invalid_date',
  'is not a real calendar date',
  isRealDate,
);

/** A missing amount keeps zod's own issue (told as "is required"); only a wrong type gets the hint about cents. */
const amountTypeError = (hint: string) => (issue: { input: unknown }) => (issue.input === undefined ? undefined : hint);

const amount = z
  .string({ error: amountTypeError('must be a string such as "1200.00" (JSON numbers lose cents)') })
  .regex(AMOUNT_PATTERN, 'must be a non-negative amount with at most 2 decimals, such as "1200.00"')
  .meta({ example: '1200.00' });

const signedAmount = z
  .string({ error: amountTypeError('must be a string such as "-150.00" (JSON numbers lose cents)') })
  .regex(
    new RegExp(`^-?${AMOUNT_PATTERN.source.slice(1)}`),
    'must be an amount with at most 2 decimals, such as "150.00" or "-150.00"',
  )
  .meta({ example: '-150.00' });

/** A works document's amounts beside its totals (frames A4 to A25). */
const worksAmountsSchema = z.strictObject({
  executedToDate: amount.meta({ description: 'Works executed since the start of the contract, without VAT' }),
  previouslyInvoiced: amount
    .nullish()
    .transform((v) => v ?? null)
    .meta({ description: 'What earlier statements billed, without VAT; with it, amountWithoutVat is checked' }),
  priceRevision: signedAmount
    .default('0.00')
    .meta({ description: 'Price revision (révision des prix), without VAT; may be negative' }),
  retention: amount.default('0.00').meta({ description: 'Retenue de garantie: at most 5 % of amountWithVat' }),
  advance: amount.default('0.00').meta({ description: 'Advance (avance) paid with this document' }),
  advanceRepayment: amount
    .default('0.00')
    .meta({ description: 'Repayment of the advance deducted from this document' }),
  amountToPay: amount.meta({
    description: 'What the buyer pays: amountWithVat − retention − advanceRepayment + advance',
  }),
});

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .nullish()
    .transform((v) => v ?? null);

const vatRate = z
  .string()
  .regex(/^(100|\d{1,2})(\.\d{1,2})?$/, 'must be a VAT rate in percent with at most 2 decimals, such as "20" or "5.5"')
  .meta({ example: '20' });

/** A list of 1 to `max` items, or nothing (null). */
const optionalList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .min(1)
    .max(max)
    .nullish()
    .transform((v) => v ?? null);

/** A file name without a path or control characters, of at most `max` characters. */
function plainFileName(max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((name) => !/[/\\]/.test(name) && ![...name].some((c) => c.charCodeAt(0) < 0x20), {
      message: 'must be a plain file name, without a path or control characters',
      params: { code: 'invalid_format' },
    });
}

/** Chorus Pro names an attachment in at most 50 characters (`pieceJointeNom`). */
const attachmentSchema = z
  .strictObject({
    name: plainFileName(50).meta({ example: 'attachement-situation-3.pdf' }),
    mimeType: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type such as application/pdf')
      .default('application/pdf'),
    contentBase64: z.lazy(() => contentBase64),
  })
  .transform(({ name, mimeType, contentBase64: content }) => ({ name, mimeType, content }));

const vatLineSchema = z.strictObject({ rate: vatRate, base: amount, vat: amount });

const invoiceLineSchema = z.strictObject({
  description: z.string().trim().min(1).max(200),
  quantity: z
    .string()
    .regex(/^(0|[1-9]\d{0,8})(\.\d{1,4})?$/, 'must be a non-negative quantity with at most 4 decimals, such as "2.5"')
    .meta({ example: '3' }),
  unit: z.string().trim().min(1).max(20).meta({ example: 'jour' }),
  unitPrice: amount,
  vatRate,
});

export const invoiceFieldsSchema = z.strictObject({
  supplierSiret: siret,
  recipientSiret: siret,
  serviceCode: optionalText(100).meta({
    description: 'Code service of the recipient (BT-10), when its structure requires one',
  }),
  engagementNumber: optionalText(50).meta({ description: 'Numéro d’engagement: purchase order (BDC) number (BT-13)' }),
  marketNumber: optionalText(50).meta({ description: 'Public market (marché) number' }),
  validatorSiret: siret
    .nullish()
    .transform((v) => v ?? null)
    .meta({
      description:
        'Who validates a subcontractor’s (A9) or co-contractor’s (A12) invoice before the buyer gets it: the main contractor’s SIRET; taken from the market’s contract profile when blank',
    }),
  number: z
    .string()
    .regex(/^[A-Za-z0-9\-_/+]{1,20}$/, 'must be 1 to 20 characters among letters, digits and - _ / + (Chorus Pro rule)')
    .meta({ example: 'F2026-0042' }),
  issueDate: isoDate,
  type: z.enum(INVOICE_TYPES),
  billingFrame: z
    .enum(BILLING_FRAMES as [string, ...string[]])
    .default('A1')
    .meta({ description: 'Cadre de facturation (A1 to A25)' }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .default('EUR'),
  amountWithoutVat: amount,
  vatAmount: amount,
  amountWithVat: amount,
  depositMode: z.enum(DEPOSIT_MODES).default('flux').meta({
    description:
      'flux: a structured file (Factur-X, UBL, CII) with its syntaxeFlux; pdf: a plain PDF with vatBreakdown; data: lines, no file',
  }),
  syntaxeFlux: z
    .enum(SYNTAXE_FLUX)
    .nullish()
    .transform((v) => v ?? null)
    .meta({ description: 'The structured file’s format (depositMode flux only)' }),
  vatBreakdown: optionalList(vatLineSchema, 20).meta({
    description: 'One line per VAT rate (depositMode pdf; for data, worked out from the lines when left out)',
  }),
  lines: optionalList(invoiceLineSchema, 1000).meta({ description: 'The invoice lines (depositMode data)' }),
  comment: optionalText(1000).meta({
    description: 'Sent to Chorus Pro as the invoice’s comment (depositMode pdf and data)',
  }),
  attachments: optionalList(attachmentSchema, 10).meta({
    description: 'Supporting documents (depositMode pdf and data), uploaded with ajouter/fichier',
  }),
  previousInvoiceId: z
    .uuid('must be the id of one of the supplier’s works documents')
    .nullish()
    .transform((v) => v ?? null)
    .meta({
      description:
        'A works document: the previous document of the same billing file (the month before, the draft a final statement follows)',
    }),
  worksAmounts: worksAmountsSchema
    .nullish()
    .transform((v) => v ?? null)
    .meta({
      description:
        'A works document’s amounts: works executed to date, retention, price revision, advance and its repayment, the amount to pay',
    }),
  correctsInvoiceId: z
    .uuid('must be the id of the rejected invoice this one corrects')
    .nullish()
    .transform((v) => v ?? null)
    .meta({
      description:
        'The id of a rejected invoice this one corrects under a new number: the two are linked and the rejected one no longer needs action',
    }),
});

const fileName = plainFileName(200).meta({ example: 'F2026-0042.pdf' });

/** Base64 of at most 10 MB once decoded. */
const MAX_BASE64_LENGTH = Math.ceil(MAX_FILE_BYTES / 3) * 4;
/**
 * Checked by decoding and encoding again (natively, about 25 ms for 10 MB) rather than by a pattern over the
 * text (about 60 ms): a big body must not hold the event loop. Line breaks in the base64 are allowed.
 */
const contentBase64 = z
  .string()
  .max(Math.ceil(MAX_BASE64_LENGTH * 1.02), `the file must be at most ${MAX_FILE_BYTES} bytes (10 MB) once decoded`)
  .transform((text, ctx) => {
    let compact = text;
    let bytes = Buffer.from(compact, 'base64');
    if (bytes.toString('base64') !== compact) {
      compact = text.replace(/\s+/g, '');
      bytes = Buffer.from(compact, 'base64');
    }
    if (compact.length > MAX_BASE64_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        message: `the file must be at most ${MAX_FILE_BYTES} bytes (10 MB) once decoded`,
        params: { code: 'too_big' },
      });
      return z.NEVER;
    }
    if (bytes.toString('base64') !== compact) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be base64 (A-Z, a-z, 0-9, + and /, padded with =)',
        params: { code: 'invalid_format' },
      });
      return z.NEVER;
    }
    return bytes;
  });

/** The file of a JSON request: its name and its bytes in base64 (decoded by the schema). */
export const invoiceFileSchema = z.strictObject({ name: fileName, contentBase64 });

export const invoiceJsonSchema = invoiceFieldsSchema
  .extend({
    file: invoiceFileSchema
      .nullish()
      .meta({ description: 'The invoice file (depositMode flux and pdf; none for data)' }),
  })
  .transform(({ file, ...fields }) => ({
    ...fields,
    file: file ? { name: file.name, content: file.contentBase64 } : null,
  }));

const LIST_FIELDS = new Set(['vatBreakdown', 'lines', 'worksAmounts']);
/** A form field holding JSON; left as it is when it is not JSON, for the schema to refuse with its own words. */
function jsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * multipart/form-data: the same fields as form fields (vatBreakdown and lines as JSON text), the file as a part named
 * `file`.
 */
export const invoiceMultipartFieldsSchema = z.preprocess(
  // Forms send empty strings for blank fields: treat them as absent; lists come as JSON text.
  (body) =>
    body && typeof body === 'object'
      ? Object.fromEntries(
          Object.entries(body)
            .filter(([, v]) => v !== '')
            .map(([k, v]) => [k, LIST_FIELDS.has(k) ? jsonText(v) : v]),
        )
      : body,
  invoiceFieldsSchema,
);
export const multipartFileNameSchema = fileName;

export const supplierInputSchema = z.strictObject({
  siret,
  chorusLogin: z.string().trim().min(1).max(100).meta({ description: 'Login of the Chorus Pro technical account' }),
  chorusPassword: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'Password of the technical account; stored encrypted, never returned' }),
  environment: z.enum(CHORUS_ENVIRONMENTS),
});

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters (a UUID is a good choice)');

// Response shapes, for the OpenAPI document.

export const issueSchema = z.object({ path: z.string(), code: z.string(), message: z.string() });
export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string().meta({ example: 'VALIDATION_FAILED' }),
    message: z.string(),
    details: z.array(issueSchema),
    existingInvoiceId: z.string().uuid().optional(),
  }),
});

const bothLanguages = z.object({ fr: z.string(), en: z.string() });

/** One problem in the answer of POST /v1/invoices/validate. */
const invoiceCheckFindingSchema = z.object({
  source: z
    .enum(['request', 'en16931'])
    .meta({ description: '`request`: the intake would refuse it; `en16931`: a rule' }),
  path: z.string().meta({ description: 'The request field, or `file`' }),
  code: z.string().meta({ example: 'en16931_rule_broken' }),
  message: z.string(),
  rule: z.string().optional().meta({ example: 'BR-CO-15' }),
  location: z.string().optional().meta({ description: 'Where in the file (XPath)' }),
  businessTerms: z
    .array(z.string())
    .optional()
    .meta({ example: ['BT-112', 'BT-109', 'BT-110'] }),
  fix: bothLanguages.optional(),
});

/** The answer of POST /v1/invoices/validate. */
export const invoiceCheckSchema = z.object({
  valid: z.boolean(),
  errors: z.array(invoiceCheckFindingSchema),
  warnings: z.array(invoiceCheckFindingSchema),
  en16931: z
    .object({
      outcome: z.enum(['checked', 'not-applicable', 'unavailable']),
      release: z.string().nullable(),
      syntax: z.enum(['UBL', 'CII']).nullable(),
      profile: z.string().nullable().meta({ description: 'The Factur-X profile of a CII file (BT-24)' }),
      note: bothLanguages
        .nullable()
        .meta({ description: 'Why the rules did not run, or what Chorus Pro does with a Factur-X of this profile' }),
    })
    .nullable()
    .meta({ description: 'Null when the request was refused before its file was checked, or has no structured file' }),
});
export type InvoiceCheck = z.infer<typeof invoiceCheckSchema>;

export const supplierViewSchema = z.object({
  id: z.string().uuid(),
  siret: z.string(),
  chorusLogin: z.string(),
  environment: z.enum(CHORUS_ENVIRONMENTS),
  chorusStructureId: z.number().int().nullable(),
  /** Chorus Pro refused the technical account: its invoices wait until new credentials are registered. */
  paused: z.boolean(),
  pausedReason: z.string().nullable(),
  pausedSince: z.string().nullable(),
  /** When its Chorus Pro statuses were last read successfully (the status sync). */
  lastSyncAt: z.string().nullable(),
  /** Since when every status sync of the account fails; null while they work. */
  syncFailingSince: z.string().nullable(),
  /** Why the last status sync failed. */
  syncError: z.string().nullable(),
  /** A sync that fails for a reason retrying cannot fix is tried again at this time, not at every interval. */
  syncRetryAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const invoiceEventViewSchema = z.object({
  at: z.string(),
  type: z.string(),
  source: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

export const invoiceViewSchema = z.object({
  id: z.string().uuid(),
  state: z.string().meta({ description: 'Where the invoice stands in chorus-relay (queued, ...)' }),
  supplierSiret: z.string(),
  recipientSiret: z.string(),
  serviceCode: z.string().nullable(),
  engagementNumber: z.string().nullable(),
  marketNumber: z.string().nullable(),
  number: z.string(),
  issueDate: z.string(),
  type: z.enum(INVOICE_TYPES),
  billingFrame: z.string(),
  validatorSiret: z.string().nullable(),
  previousInvoiceId: z.string().uuid().nullable(),
  worksAmounts: z
    .object({
      executedToDate: z.string(),
      previouslyInvoiced: z.string().nullable(),
      priceRevision: z.string(),
      retention: z.string(),
      advance: z.string(),
      advanceRepayment: z.string(),
      amountToPay: z.string(),
    })
    .nullable(),
  currency: z.string(),
  amountWithoutVat: z.string(),
  vatAmount: z.string(),
  amountWithVat: z.string(),
  depositMode: z.enum(DEPOSIT_MODES),
  syntaxeFlux: z.enum(SYNTAXE_FLUX).nullable(),
  file: z.object({ name: z.string(), size: z.number().int(), sha256: z.string() }).nullable(),
  vatBreakdown: z.array(vatLineSchema).nullable(),
  lines: z.array(invoiceLineSchema).nullable(),
  comment: z.string().nullable(),
  chorus: z.object({
    fluxNumber: z.string().nullable().meta({ description: 'Chorus Pro numeroFluxDepot' }),
    invoiceId: z.string().nullable().meta({ description: 'Chorus Pro identifiantFactureCPP' }),
    status: z.string().nullable().meta({ description: 'Raw Chorus Pro status, e.g. MISE_A_DISPOSITION' }),
    statusAt: z.string().nullable(),
    stage: z.enum(STAGES).nullable().meta({ description: 'The stage users know from the portal' }),
    stageLabel: z
      .string()
      .nullable()
      .meta({ description: 'The stage as the portal names it (Déposée, Mise en attente, ...)' }),
    statusLabel: z.string().nullable().meta({
      description:
        'The Chorus Pro status in French words (MANDATEE: Mandatée, within the stage Mise en paiement); null for a status newer than ours',
    }),
    final: z.boolean().nullable().meta({ description: 'Chorus Pro will not move this invoice any further' }),
    action: z
      .enum(['issue-corrected-invoice', 'complete', 'recycle', 'correct-validator'])
      .nullable()
      .meta({ description: 'What the supplier must do, if anything' }),
    waitingFor: z.enum(WAITING_FOR).nullable().meta({
      description:
        'Who must act while the invoice is in this status (a validator: the holder or co-contractor of a subcontracted invoice; moe, moa: the project manager or the contracting authority of a works document)',
    }),
    clock: z
      .object({
        name: z.enum(['moe_review']),
        party: z.enum(['moe']),
        days: z.number(),
        startedAt: z.string(),
        dueAt: z.string(),
      })
      .nullable()
      .meta({
        description:
          'The regulatory clock running on a works document in this status: the MOE’s 7 days from MISE_A_DISPOSITION_MOE',
      }),
  }),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  actionRequired: z
    .object({ reason: z.enum(ACTION_REASONS), nextStep: z.object({ fr: z.string(), en: z.string() }) })
    .nullable()
    .meta({ description: 'Why the invoice waits for its supplier, and what to do' }),
  correctsInvoiceId: z.string().uuid().nullable(),
  correctedByInvoiceId: z.string().uuid().nullable(),
  depositedAt: z.string().nullable(),
  madeAvailableAt: z
    .string()
    .nullable()
    .meta({ description: 'When it reached MISE_A_DISPOSITION: the statutory payment delay runs from here' }),
  statusFollowed: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  events: z
    .array(invoiceEventViewSchema)
    .optional()
    .meta({ description: 'The timeline, oldest first (GET /v1/invoices/{id} only)' }),
  followUps: z
    .array(
      z.object({
        id: z.string().uuid(),
        kind: z.enum(FOLLOW_UP_KINDS),
        state: z.enum(FOLLOW_UP_STATES),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
        createdAt: z.string(),
      }),
    )
    .optional(),
});

/** A subcontractor's or co-contractor's invoice as its validator (the main contractor) sees it. */
export const validationViewSchema = z.object({
  id: z.string().uuid(),
  validatorSiret: z.string().nullable().meta({ description: 'The main contractor whose inbox holds it' }),
  invoice: z.object({
    chorusInvoiceId: z.string(),
    number: z.string(),
    issueDate: z.string().nullable(),
    frame: z.string().nullable().meta({ description: 'Chorus Pro’s frame code, e.g. A9_FACTURE_SOUSTRAITANT' }),
    supplierSiret: z.string().nullable(),
    supplierName: z.string().nullable(),
    recipientSiret: z.string().nullable(),
    recipientName: z.string().nullable(),
    serviceCode: z.string().nullable(),
    marketNumber: z.string().nullable(),
    engagementNumber: z.string().nullable(),
    amountWithVat: z.string().nullable(),
    amountToPay: z.string().nullable(),
    depositedAt: z.string().nullable(),
  }),
  chorusStatus: z.string().meta({ description: 'Raw Chorus Pro status, e.g. A_VALIDER_1' }),
  stage: z.enum(VALIDATION_STAGES),
  waitingFor: z.enum(['validator', 'supplier']).nullable().meta({ description: 'Who must act now' }),
  deadline: z.string().meta({ description: 'When silence counts as approval: the deposit plus 15 days' }),
  decision: z
    .object({
      action: z.enum(['approve', 'refuse']),
      text: z.string().nullable(),
      requestedAt: z.string(),
      state: z.enum(DECISION_STATES).nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
  remindersSent: z.array(z.string()),
  timeline: z
    .array(z.object({ at: z.string(), type: z.string(), message: z.string() }))
    .optional()
    .meta({ description: 'GET /v1/validations/{id} only' }),
  updatedAt: z.string(),
});

export type InvoiceView = z.infer<typeof invoiceViewSchema>;
export type ValidationView = z.infer<typeof validationViewSchema>;
export type SupplierView = z.infer<typeof supplierViewSchema>;

// Lists, follow-ups, subscriptions.

const commaSeparated = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).min(1));

/** A date (YYYY-MM-DD, the start of that day in France... taken as UTC midnight) or a full ISO date-time. */
const instant = z
  .string()
  .refine(
    (v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
    'must be a date (YYYY-MM-DD) or an ISO 8601 date-time',
  )
  .transform((v) => new Date(v));

/** A SIRET as a filter: 14 digits (no checksum: a filter that matches nothing is not an error). */
const siretQuery = z
  .string()
  .regex(/^\d{14}$/, 'must be 14 digits')
  .optional();

export const invoiceListQuerySchema = z.strictObject({
  stage: commaSeparated(STAGES).optional().meta({
    description:
      'Comma-separated stages (deposited, on_hold, rejected, accepted, made_available, in_payment, completed)',
  }),
  status: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .optional()
    .meta({ description: 'Comma-separated raw Chorus statuses, e.g. SUSPENDUE,A_RECYCLER' }),
  state: commaSeparated(INVOICE_STATES).optional(),
  needsAction: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  actionReason: commaSeparated(ACTION_REASONS).optional(),
  recipientSiret: siretQuery,
  supplierSiret: siretQuery,
  engagementNumber: z.string().min(1).max(50).optional(),
  marketNumber: z.string().min(1).max(50).optional(),
  numberStartsWith: z
    .string()
    .min(1)
    .max(20)
    .optional()
    .meta({ description: 'Invoices whose number starts with this, whatever the case (a search by number)' }),
  issuedFrom: isoDate.optional(),
  issuedTo: isoDate.optional(),
  depositedFrom: instant.optional(),
  depositedTo: instant.optional(),
  updatedFrom: instant.optional(),
  updatedTo: instant.optional(),
  sort: z
    .string()
    .regex(
      new RegExp(`^-?(${SORT_FIELDS.join('|')})$`),
      `must be one of ${SORT_FIELDS.join(', ')}, with a leading "-" for descending`,
    )
    .default('-updatedAt'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const statsQuerySchema = z.strictObject({
  supplierSiret: siretQuery,
  marketNumber: z.string().min(1).max(50).optional(),
});

const contractParty = z.strictObject({ siret, serviceCode: optionalText(100) });
const frameList = z.array(z.enum(BILLING_FRAMES as [string, ...string[]])).min(1);

/** POST /v1/contracts: a public contract's profile (fiche d'identité du marché). */
export const contractInputSchema = z.strictObject({
  marketNumber: z.string().trim().min(1).max(50),
  buyer: contractParty,
  moe: contractParty.nullish().transform((v) => v ?? null),
  moa: contractParty.nullish().transform((v) => v ?? null),
  holderSiret: siret.meta({ description: 'The main contractor (titulaire), or the group’s representative' }),
  frames: z
    .strictObject({
      holder: frameList.optional(),
      cocontractor: frameList.optional(),
      subcontractor: frameList.optional(),
    })
    .default({})
    .meta({
      description: 'The billing frames each party deposits; by default A1, A2, A4, A7 / A12, A13, A14 / A9, A10, A11',
    }),
  cocontractors: z.array(siret).max(50).default([]),
  subcontractors: z
    .array(z.strictObject({ siret, directPayment: z.boolean().default(true) }))
    .max(200)
    .default([]),
});
/** GET /v1/validations: the invoices of subcontractors and co-contractors in the caller's validator inboxes. */
export const validationListQuerySchema = z.strictObject({
  pending: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'true: only those still waiting for a decision' }),
  stage: commaSeparated(VALIDATION_STAGES)
    .optional()
    .meta({ description: 'Comma-separated: pending, approved, refused, tacitly_approved, wrong_validator' }),
  validatorSiret: siretQuery.meta({ description: 'The main contractor whose inbox it is' }),
  supplierSiret: siretQuery.meta({ description: 'The subcontractor or co-contractor that deposited the invoice' }),
  marketNumber: z.string().min(1).max(50).optional(),
  deadlineBefore: instant
    .optional()
    .meta({ description: 'Only those whose deadline is before this instant (ISO 8601)' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const approveInputSchema = z.strictObject({
  comment: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .meta({ description: 'An optional comment sent with the approval' }),
});
export const refuseInputSchema = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .meta({ description: 'Why the invoice is refused (motifRefus), shown to the subcontractor' }),
});
export const correctValidatorInputSchema = z.strictObject({
  validatorSiret: siret.meta({
    description: 'The validator the invoice should have named: the main contractor, or the group’s representative',
  }),
});

export const subscriptionListQuerySchema = z.strictObject({ supplierSiret: siretQuery });
export const deliveryListQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** A batch's entries come a page at a time: `after` is the position the previous page ended at (its `nextCursor`). */
export const batchQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().min(0).default(0),
});

export const recycleInputSchema = z
  .strictObject({
    recipientSiret: siret.optional(),
    serviceCode: z.string().trim().min(1).max(100).optional(),
    engagementNumber: z.string().trim().min(1).max(50).optional(),
    comment: z.string().trim().min(1).max(500).optional(),
  })
  .refine((v) => v.recipientSiret || v.serviceCode || v.engagementNumber, {
    message: 'give at least one of recipientSiret, serviceCode, engagementNumber',
    path: [],
  });

export const completeInputSchema = z.strictObject({
  comment: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .meta({ description: 'The answer to the suspension, shown to the recipient' }),
  attachment: z
    .strictObject({
      name: fileName,
      mimeType: z
        .string()
        .regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type such as application/pdf')
        .default('application/pdf'),
      contentBase64,
    })
    .optional(),
});

export const subscriptionInputSchema = z.discriminatedUnion('channel', [
  z.strictObject({
    supplierSiret: siret,
    channel: z.literal('email'),
    emails: z.array(z.email('must be an e-mail address')).min(1).max(20),
    events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1).optional(),
  }),
  z.strictObject({
    supplierSiret: siret,
    channel: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
    secret: z
      .string()
      .min(24, 'must be at least 24 characters long')
      .max(200)
      .optional()
      .meta({ description: 'Signing secret; one is generated (and returned once) when left out' }),
    events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1).optional(),
  }),
]);

export const subscriptionViewSchema = z.object({
  id: z.string().uuid(),
  supplierSiret: z.string(),
  channel: z.enum(SUBSCRIPTION_CHANNELS),
  emails: z.array(z.string()),
  url: z.string().nullable(),
  events: z.array(z.enum(NOTIFICATION_EVENTS)),
  active: z.boolean(),
  secret: z
    .string()
    .optional()
    .meta({ description: 'The signing secret: returned once, by the request that created the subscription' }),
  createdAt: z.string(),
});

export const deliveryViewSchema = z.object({
  id: z.string().uuid(),
  subscriptionId: z.string().uuid(),
  notificationId: z.string().uuid(),
  event: z.enum(NOTIFICATION_EVENTS),
  invoiceId: z.string().uuid().nullable(),
  channel: z.enum(SUBSCRIPTION_CHANNELS),
  sequence: z.number().int().meta({ description: '0 for the first delivery, then 1, 2... for replays' }),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  responseStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
});

export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export const apiKeyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  supplierSirets: z
    .array(siret)
    .min(1)
    .max(1000)
    .nullable()
    .meta({ description: 'The suppliers this key acts for; null: every supplier' }),
});

export const apiKeyViewSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  role: z.enum(ROLES),
  supplierSirets: z.array(z.string()).nullable(),
  keyPrefix: z.string().meta({ description: 'The first characters of the key, to recognise it' }),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  key: z.string().optional().meta({ description: 'The key itself: in the answer to its creation only, never again' }),
});

export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be the id of an audit entry')
    .optional(),
});

export const auditEntryViewSchema = z.object({
  id: z.string(),
  at: z.string(),
  keyId: z.string(),
  keyName: z.string(),
  method: z.string(),
  route: z.string(),
  target: z.string().nullable(),
  status: z.number().int(),
});
