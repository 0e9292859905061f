/**
 * Building blocks for the Chorus Pro contract. Requests are strict (a misspelt field is an error, as the
 * simulator must tell us); responses are tolerant of the drifts production clients have met.
 */
import { z } from 'zod';

/** int64 ids and counters: JSON numbers, never strings. */
export const int64 = () => z.number().int().meta({ format: 'int64' });
export const int32 = () => z.number().int().meta({ format: 'int32' });
export const double = () => z.number().meta({ format: 'double' });
/** Typed date-time in the Swagger; clients send `YYYY-MM-DD` and Chorus answers in several formats. */
export const dateTime = () => z.string().meta({ format: 'date-time' });

export const TRI_SENS = ['Descendant', 'Ascendant'] as const;

/** A request body: every field optional, as in the Swagger, and no unknown field. */
export function request<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape).partial();
}

/** The envelope every Chorus Pro answer carries. */
export const envelope = {
  codeRetour: int32(),
  libelle: z.string(),
};

/**
 * A list that Chorus sometimes sends as a single object (listeStructures, listeErreurDP), or leaves out
 * when empty: always read as an array.
 */
export function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess((value: unknown): unknown => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]), z.array(item));
}

/** A response object: the fields we read are typed, the others are kept but not checked. */
export function response<T extends z.ZodRawShape>(shape: T) {
  return z.looseObject(shape);
}
