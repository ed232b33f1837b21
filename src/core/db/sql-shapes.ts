/**
 * `table.column` as an ISO 8601 UTC string named after the column, for lists shaped in SQL: the
 * driver never turns it into a Date, so the response serializer copies a string.
 */
export function isoColumn(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${column.split('.')[1]}`;
}
