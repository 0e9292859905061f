/**
 * Building blocks for the Chorus Pro contract. Requests are strict (a misspelt field is an error, as the
 * simulator must tell us). Responses are read as production writes them (docs/architecture.md, "Reading Chorus
 * Pro's answers"): any field may be `null` or missing, unknown fields are kept, and only what our logic cannot do
 * without is required; a list item that lacks it is skipped and reported, never the whole answer.
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

/** The envelope every Chorus Pro answer carries (the client reads it from the raw answer before anything else). */
export const envelope = {
  codeRetour: int32(),
  libelle: z.string(),
};

/** Marks the schemas `listOf` makes: a list is never absent (it reads as empty) and never fails. */
const LIST = Symbol('chorus list');
interface ChorusList {
  readonly [LIST]: true;
}

/** A field we read but can do without: `null`, missing, or of another type, it reads as absent. */
type Tolerant<S extends z.ZodRawShape, R extends keyof S> = {
  [K in keyof S]: K extends R ? S[K] : S[K] extends ChorusList ? S[K] : z.ZodCatch<z.ZodOptional<S[K]>>;
};

/**
 * A response object. Every field of `shape` reads as absent when it is `null`, missing or unreadable, except those
 * named in `required`: what our logic needs, without which the object is unreadable (a list skips it). Fields we do
 * not declare are kept, unchecked.
 */
export function response<S extends z.ZodRawShape, const R extends keyof S & string = never>(
  shape: S,
  required: readonly R[] = [],
) {
  const needed = new Set<string>(required);
  const fields = Object.fromEntries(
    Object.entries(shape).map(([key, schema]) => [
      key,
      needed.has(key) || LIST in schema ? schema : (schema as z.ZodType).optional().catch(undefined),
    ]),
  );
  return z.looseObject(fields as Tolerant<S, R>);
}

/** An item a list answer carried that lacks what we need: skipped, and reported by the client. */
export interface UnreadableItem {
  /** Where the list is in the answer, e.g. `listeFactures` or `historiquesDesStatuts.histoStatut`. */
  list: string;
  index: number;
  /** What is missing or wrong, e.g. `statut: Invalid input: expected string, received null`. */
  problem: string;
  item: unknown;
}

/** The items each list skipped, keyed by the list it returned (so the answer's shape stays the contract's). */
const skippedByList = new WeakMap<object, Array<Omit<UnreadableItem, 'list'>>>();

/**
 * A list. Chorus Pro sometimes sends a single object (listeStructures, listeErreurDP), or `null`, or nothing
 * when it is empty: always read as an array. An item that is unreadable (a required field missing) is left out
 * and remembered; `unreadableItems` finds it again.
 */
export function listOf<T extends z.ZodType>(item: T) {
  // The first branch is the item (what the contract test compares with the Swagger); the second takes the rest.
  const entry = z.union([
    item.transform((value) => ({ read: true as const, value })),
    z.unknown().transform((value) => ({ read: false as const, value })),
  ]);
  const list = z
    .preprocess(
      (value: unknown): unknown =>
        value === undefined || value === null ? [] : Array.isArray(value) ? value : [value],
      z.array(entry),
    )
    .transform((entries) => {
      const items: Array<z.output<T>> = [];
      const skipped: Array<Omit<UnreadableItem, 'list'>> = [];
      entries.forEach((entry, index) => {
        if (entry.read) items.push(entry.value);
        else skipped.push({ index, problem: problemOf(item, entry.value), item: entry.value });
      });
      if (skipped.length > 0) skippedByList.set(items, skipped);
      return items;
    });
  return Object.assign(list, { [LIST]: true as const });
}

function problemOf(schema: z.ZodType, value: unknown): string {
  const issues = schema.safeParse(value).error?.issues ?? [];
  return (
    issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ') || 'unreadable'
  );
}

/** The pages of one list as one list, still knowing the items each page skipped (numbered across the pages). */
export function joinPages<T>(pages: readonly T[][]): T[] {
  const all: T[] = [];
  const skipped: Array<Omit<UnreadableItem, 'list'>> = [];
  let sent = 0;
  for (const page of pages) {
    const pageSkipped = skippedByList.get(page) ?? [];
    skipped.push(...pageSkipped.map((s) => ({ ...s, index: sent + s.index })));
    all.push(...page);
    sent += page.length + pageSkipped.length;
  }
  if (skipped.length > 0) skippedByList.set(all, skipped);
  return all;
}

/** Every item the lists of a parsed answer skipped, wherever they are in it. */
export function unreadableItems(answer: unknown, path = ''): UnreadableItem[] {
  if (answer === null || typeof answer !== 'object') return [];
  const found: UnreadableItem[] = [];
  if (Array.isArray(answer)) {
    for (const skipped of skippedByList.get(answer) ?? []) found.push({ list: path, ...skipped });
    answer.forEach((item, i) => found.push(...unreadableItems(item, `${path}[${i}]`)));
    return found;
  }
  for (const [key, value] of Object.entries(answer))
    found.push(...unreadableItems(value, path ? `${path}.${key}` : key));
  return found;
}
