/**
 * When `error` is a unique-constraint violation, the text that names the constraint (PostgreSQL
 * 23505 carries the index name; SQLite names the columns in its message); otherwise undefined.
 * Duck-typed on purpose: a driver's error class may come from another realm (native addons).
 */
export function uniqueViolation(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint, message } = error as Record<string, unknown>;
  if (code === '23505') return typeof constraint === 'string' ? constraint : '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return typeof message === 'string' ? message : '';
  }
  return undefined;
}
