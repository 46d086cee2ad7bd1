import { describe, expect, it } from 'vitest';
import { emptyAttributeRow, parseAttributeRows, toAttributeRows } from './attributes-form.ts';

describe('the category questions form', () => {
  const list = {
    ...emptyAttributeRow(),
    code: 'WHEN',
    questionZh: '什么时候',
    questionEn: 'When',
    datatype: 'singlevaluelist' as const,
    required: true,
    options: [
      { key: 'NIGHT', zh: '夜间', en: 'At night' },
      { key: 'DAY', zh: '白天', en: 'By day' },
    ],
  };

  it('turns rows into attributes in the order shown, and back', () => {
    const text = { ...emptyAttributeRow(), code: 'WHERE', questionZh: '在哪', questionEn: 'Where' };
    const { attributes, problems } = parseAttributeRows([text, list]);
    expect(problems.size).toBe(0);
    expect(attributes?.map((row) => [row.code, row.order, row.values.length])).toEqual([
      ['WHERE', 1, 0],
      ['WHEN', 2, 2],
    ]);
    const back = toAttributeRows(attributes!);
    expect(back).toEqual([text, list]);
  });

  it('names the row and field of each problem, and keeps a notice from being required', () => {
    const { attributes, problems } = parseAttributeRows([
      { ...list, options: [] },
      { ...list, code: '9bad', questionZh: '' },
    ]);
    expect(attributes).toBeNull();
    expect(problems.has('0.values')).toBe(true);
    expect(problems.has('1.code')).toBe(true);
    expect(problems.has('1.description.zh')).toBe(true);
    const notice = parseAttributeRows([
      { ...list, variable: false, required: true, options: [], datatype: 'text' },
    ]);
    expect(notice.problems.size).toBe(0);
    expect(notice.attributes?.[0]?.required).toBe(false);
  });
});
