import { describe, expect, it } from 'vitest';
import { csvField, csvFileName, toCsv, UTF8_BOM } from './csv.ts';

describe('CSV export', () => {
  it('starts with a UTF-8 BOM and ends every line with CRLF', () => {
    const text = toCsv([
      ['区域', '响应率'],
      ['和平街道', 95.5],
    ]);
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(text).toBe('\uFEFF区域,响应率\r\n和平街道,95.5\r\n');
    // Encoded, the file starts with EF BB BF.
    expect([...new TextEncoder().encode(text).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('quotes commas, quotes, line breaks and edge spaces, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('plain 文本')).toBe('plain 文本');
  });

  it('writes empty fields for null and non-finite numbers, numbers as they are', () => {
    expect(toCsv([[null, undefined, Number.NaN, 0, -1.5]])).toBe('\uFEFF,,,0,-1.5\r\n');
  });

  it('keeps text that looks like a formula as text', () => {
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@cmd,x')).toBe('"\'@cmd,x"');
  });

  it('round-trips through a simple RFC 4180 reader', () => {
    const rows = [
      ['名称', 'note'],
      ['健身社区', 'a "b", c\nd'],
    ];
    expect(parse(toCsv(rows).slice(1))).toEqual(rows);
  });

  it('makes a safe file name', () => {
    expect(csvFileName(['看板', '铁东区/和平', '2026-03-01'])).toBe(
      '看板_铁东区-和平_2026-03-01.csv',
    );
    expect(csvFileName(['', '//'])).toBe('export.csv');
  });
});

/** A minimal RFC 4180 parser, for the round trip. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  return rows;
}
