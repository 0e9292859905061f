/**
 * Constant lists written into SQL text, for the partial indexes whose predicate a query must repeat word for word
 * for PostgreSQL to use them (a bound parameter would not match the index's predicate).
 */
export function sqlList(values: readonly string[]): string {
  return values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ');
}
