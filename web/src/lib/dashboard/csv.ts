/** CSV for spreadsheets: RFC 4180 quoting, CRLF lines, a UTF-8 byte-order mark so Excel reads Chinese. */

export type CsvValue = string | number | null | undefined;

export const UTF8_BOM = '\uFEFF';

/** Characters that make a spreadsheet read a text cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: empty for null, numbers as they are, text quoted when it needs to be. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  // A text cell starting like a formula is kept as text (CSV injection).
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The whole file: BOM, then each row's fields joined by commas, lines ended by CRLF. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return UTF8_BOM + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A file name safe on every system: letters, digits, CJK, dot, dash and underscore. */
export function csvFileName(parts: readonly string[]): string {
  const name = parts
    .map((part) => part.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, ''))
    .filter((part) => part !== '')
    .join('_');
  return `${name || 'export'}.csv`;
}
