/** One CSV field for `;`-separated files: quoted when it holds the separator, a quote or a line break. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: Array<string | number | boolean | null | undefined>): string {
  return `${values.map(csvField).join(';')}\r\n`;
}

/** A decimal string from PostgreSQL in the requested notation (`1234.50` → `1234,50`). */
export function decimal(value: string | null, notation: 'point' | 'comma'): string | null {
  if (value === null) return null;
  return notation === 'comma' ? value.replace('.', ',') : value;
}
