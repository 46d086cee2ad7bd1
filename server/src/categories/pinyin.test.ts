import { describe, expect, it, vi } from 'vitest';
import type { CategoryDto } from '@gridline/core';
import { CategoryPinyin } from './pinyin.ts';

describe('CategoryPinyin', () => {
  it('gives toneless syllables and initials, ü as v, polyphones by context', async () => {
    const pinyin = new CategoryPinyin();
    expect(await pinyin.of('垃圾清运')).toEqual({ pinyin: 'la ji qing yun', initials: 'ljqy' });
    expect(await pinyin.of('绿化养护')).toEqual({ pinyin: 'lv hua yang hu', initials: 'lhyh' });
    expect(await pinyin.of('助行')).toEqual({ pinyin: 'zhu xing', initials: 'zx' });
    expect(await pinyin.of('其他 Other')).toEqual({ pinyin: 'qi ta', initials: 'qt' });
  });

  it('converts each distinct name once and keeps the other fields', async () => {
    const convert = vi.fn((text: string) => [...text].map(() => 'a'));
    const pinyin = new CategoryPinyin(() => Promise.resolve(convert));
    const category = { code: 'NOISE', names: { zh: '噪音', en: 'Noise' } } as CategoryDto;
    const first = await pinyin.annotate([category]);
    await pinyin.annotate([category]);
    expect(convert).toHaveBeenCalledTimes(1);
    expect(first).toEqual([{ ...category, pinyin: 'a a', initials: 'aa' }]);
  });
});
