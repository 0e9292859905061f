/**
 * The chorus-relay API as the command line uses it: base URL and key from the environment, answers parsed with
 * zod at this edge (only the fields the command line shows), errors as one sentence.
 */
import { z } from 'zod';

const issue = z.object({ path: z.string(), code: z.string(), message: z.string() });
const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.array(issue).default([]) }),
});

export const batchSchema = z.object({
  id: z.string(),
  entryCount: z.number(),
  counts: z.record(z.string(), z.number()),
  nextCursor: z.string().nullable(),
  entries: z.array(
    z.object({
      position: z.number(),
      file: z.string().nullable(),
      manifestRow: z.number().nullable(),
      invoiceId: z.string().nullable(),
      number: z.string().nullable(),
      state: z.string().nullable(),
      chorusStatus: z.string().nullable(),
      error: z.object({ code: z.string(), message: z.string(), details: z.array(issue) }).nullable(),
    }),
  ),
});
export type Batch = z.infer<typeof batchSchema>;

export const invoiceSchema = z.object({
  id: z.string(),
  number: z.string(),
  state: z.string(),
  supplierSiret: z.string(),
  amountWithVat: z.string(),
  chorus: z.object({
    invoiceId: z.string().nullable(),
    status: z.string().nullable(),
    stageLabel: z.string().nullable(),
  }),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  actionRequired: z.object({ reason: z.string(), nextStep: z.object({ fr: z.string(), en: z.string() }) }).nullable(),
  events: z.array(z.object({ at: z.string(), type: z.string(), message: z.string() })).optional(),
});
export type InvoiceSummary = z.infer<typeof invoiceSchema>;
export const invoiceListSchema = z.object({ data: z.array(invoiceSchema) });

export class RelayError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

export interface RelayConnection {
  url: string;
  apiKey: string;
}

/** CHORUS_RELAY_URL (default http://localhost:3000) and CHORUS_RELAY_API_KEY. */
export function connectionFromEnv(env: NodeJS.ProcessEnv): RelayConnection {
  const apiKey = env.CHORUS_RELAY_API_KEY;
  if (!apiKey)
    throw new RelayError(
      'CHORUS_RELAY_API_KEY is not set: give the API key the relay printed at its first start (or one made with POST /v1/api-keys).',
      null,
    );
  return { url: (env.CHORUS_RELAY_URL ?? 'http://localhost:3000').replace(/\/+$/, ''), apiKey };
}

export async function call<T>(
  relay: RelayConnection,
  path: string,
  schema: z.ZodType<T>,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(`${relay.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${relay.apiKey}`, ...(init.headers as Record<string, string> | undefined) },
    });
  } catch (error) {
    throw new RelayError(
      `Cannot reach chorus-relay at ${relay.url} (${error instanceof Error ? error.message : String(error)}); is it running? Set CHORUS_RELAY_URL.`,
      null,
    );
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const parsed = errorBody.safeParse(json);
    const details = parsed.success
      ? parsed.data.error.details.map((d) => `\n  ${d.path || '(request)'}: ${d.message}`).join('')
      : '';
    throw new RelayError(
      parsed.success
        ? `${parsed.data.error.code}: ${parsed.data.error.message}${details}`
        : `chorus-relay answered HTTP ${res.status}`,
      res.status,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new RelayError(
      `chorus-relay's answer to ${path} is not what this command expects (versions apart?)`,
      res.status,
    );
  return { status: res.status, body: parsed.data };
}
