/** Path parameters. An id that is not a UUID names nothing: 404, as an unknown one, before any query. */
import { HttpError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function idParam(raw: unknown, what: 'invoice' | 'subscription' | 'delivery'): string {
  const id = String(raw);
  if (!UUID.test(id)) throw new HttpError(404, `${what.toUpperCase()}_NOT_FOUND`, `No ${what} has the id ${id}.`);
  return id;
}
