/** Switches for behaviours the reference marks unconfirmed: the client must cope with every variant. */
import { z } from 'zod';

export const variantsSchema = z.strictObject({
  /** Business errors as HTTP 200 or 400, both with the `codeRetour`/`libelle` envelope. */
  businessErrorStatus: z.union([z.literal(200), z.literal(400)]).default(200),
  /** A business error's libellé: its message key alone, or the key and the French text. */
  errorLibelle: z.enum(['key', 'key-and-text']).default('key-and-text'),
  /** Lists with one element sent as a bare object (listeStructures, listeErreurDP...). */
  singleObjectLists: z.boolean().default(false),
  /** History dates as `YYYY-MM-DD HH:MM` (what production clients report) or as ISO-8601. */
  historyDateFormat: z.enum(['iso', 'short']).default('short'),
  /** An empty search as an empty list, or as codeRetour 20000 `TRA_MSG_00.015`. */
  emptySearch: z.enum(['empty-list', 'no-result-code']).default('empty-list'),
  /**
   * Answers as production's Java backend writes them: every property of the answer's definition present, `null` when
   * unset. Off, unset properties are left out (as some client libraries' doubles do).
   */
  unsetAsNull: z.boolean().default(true),
  /** After IN_INTEGRE_PARTIEL, leave out the error lines (seen in production). */
  omitErrorLinesOnPartial: z.boolean().default(false),
});
export type Variants = z.infer<typeof variantsSchema>;
