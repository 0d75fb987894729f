/**
 * drizzle installs pass-through parsers for date types on the postgres-js
 * client it wraps, so raw `sql` queries on that client return timestamps as
 * strings, not Dates. Normalize at the edge.
 */
export function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
