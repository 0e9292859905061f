/** Path and query parameters, parsed once here. */

/** Path ids. An id that is not a UUID names nothing: 404, as an unknown one, before any query. */
import type { Request } from 'express';
import type { z } from 'zod';
import { HttpError, issuesFromZod, validationError } from './errors.js';
import { idempotencyKeySchema } from './schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function idParam(raw: unknown, what: 'invoice' | 'subscription' | 'delivery' | 'batch' | 'validation'): string {
  const id = String(raw);
  if (!UUID.test(id)) throw new HttpError(404, `${what.toUpperCase()}_NOT_FOUND`, `No ${what} has the id ${id}.`);
  return id;
}

/** A query string, parsed with its schema; 422 naming each parameter that is wrong. */
export function queryOf<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw validationError(issuesFromZod(parsed.error), 'query');
  return parsed.data;
}

/** The Idempotency-Key header, if sent; 422 when it is not a sane token. */
export function idempotencyKeyOf(req: Request): string | null {
  const header = req.get('idempotency-key');
  if (header === undefined) return null;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success)
    throw validationError(issuesFromZod(parsed.error, ['Idempotency-Key']), 'Idempotency-Key header');
  return parsed.data;
}
