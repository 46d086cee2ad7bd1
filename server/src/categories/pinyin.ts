import type { CategoryDto } from '@gridline/core';

export interface PinyinFields {
  /** Toneless syllables separated by spaces, ü written v: "la ji qing yun". */
  pinyin: string;
  /** First letters of the syllables: "ljqy". */
  initials: string;
}

type PinyinFn = (text: string) => string[];

let converter: Promise<PinyinFn> | null = null;

/** pinyin-pro and its dictionary are large: loaded on first use only, once. */
function loadConverter(): Promise<PinyinFn> {
  converter ??= import('pinyin-pro').then(
    ({ pinyin }) =>
      (text: string) =>
        pinyin(text, { toneType: 'none', type: 'array', v: true, nonZh: 'removed' }),
  );
  return converter;
}

/** Pinyin of Chinese names, computed once per distinct name (categories change rarely). */
export class CategoryPinyin {
  private readonly byName = new Map<string, PinyinFields>();

  constructor(private readonly load: () => Promise<PinyinFn> = loadConverter) {}

  async of(name: string): Promise<PinyinFields> {
    const known = this.byName.get(name);
    if (known) return known;
    const toPinyin = await this.load();
    const syllables = toPinyin(name)
      .map((syllable) => syllable.toLowerCase().replace(/[^a-z]/g, ''))
      .filter((syllable) => syllable !== '');
    const fields = {
      pinyin: syllables.join(' '),
      initials: syllables.map((syllable) => syllable[0]).join(''),
    };
    this.byName.set(name, fields);
    return fields;
  }

  /** The categories with `pinyin` and `initials` of their Chinese names added. */
  async annotate(categories: readonly CategoryDto[]): Promise<CategoryDto[]> {
    return Promise.all(
      categories.map(async (category) => ({ ...category, ...(await this.of(category.names.zh)) })),
    );
  }
}
