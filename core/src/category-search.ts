/**
 * Category search for call-takers: one query matches the Chinese name, its
 * pinyin (full syllables, initials, or a mix such as "lajq"), the English
 * name or the code. Pure; the server supplies `pinyin` and `initials`.
 */

export interface SearchableCategory {
  code: string;
  names: { zh: string; en: string };
  /** Toneless pinyin syllables separated by spaces, e.g. "la ji qing yun". */
  pinyin?: string;
  /** First letters of the syllables, e.g. "ljqy". */
  initials?: string;
}

/** Lower-case, without spaces, apostrophes or dashes; ü and u: are written v (as pinyin keyboards do). */
export function normalizeSearchQuery(query: string): string {
  return query
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ü|u:/g, 'v')
    .replace(/[\s'’\-_]+/g, '');
}

/**
 * Whether `query` spells consecutive syllables from `start` on, each syllable
 * given in full or by any non-empty prefix ("lj", "laji", "ljqingy").
 */
function spellsFrom(query: string, syllables: readonly string[], start: number): boolean {
  if (query === '') return true;
  const syllable = syllables[start];
  if (syllable === undefined) return false;
  for (let length = Math.min(syllable.length, query.length); length >= 1; length--) {
    if (query.startsWith(syllable.slice(0, length))) {
      if (spellsFrom(query.slice(length), syllables, start + 1)) return true;
    }
  }
  return false;
}

/** Best (lowest) index at which the query spells syllables, or -1. */
function pinyinMatchStart(query: string, syllables: readonly string[]): number {
  if (!/^[a-z]+$/.test(query)) return -1;
  for (let start = 0; start < syllables.length; start++) {
    if (spellsFrom(query, syllables, start)) return start;
  }
  return -1;
}

/**
 * How well a category matches a normalised, non-empty query: 0 is best, null
 * is no match. Chinese prefix < Chinese substring < code/English/pinyin from
 * the start < the same in the middle.
 */
export function categoryMatchScore(category: SearchableCategory, query: string): number | null {
  if (query === '') return 0;
  const zh = category.names.zh.replace(/\s+/g, '');
  if (zh.startsWith(query)) return 0;
  if (zh.includes(query)) return 1;

  const code = category.code.toLowerCase().replace(/_/g, '');
  if (code.startsWith(query)) return 2;

  const englishWords = category.names.en
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const english = englishWords.join('');
  if (english.startsWith(query)) return 2;

  const syllables = (category.pinyin ?? '')
    .toLowerCase()
    .replace(/ü/g, 'v')
    .split(/\s+/)
    .filter((syllable) => /^[a-z]+$/.test(syllable));
  const pinyinStart = pinyinMatchStart(query, syllables);
  if (pinyinStart === 0) return 2;
  const initials = (category.initials ?? '').toLowerCase();
  if (initials !== '' && initials.startsWith(query)) return 2;

  for (let index = 1; index < englishWords.length; index++) {
    if (englishWords.slice(index).join('').startsWith(query)) return 3;
  }
  if (pinyinStart > 0) return 3;
  // Inside a word only from three letters on: two letters match too much by chance.
  if (query.length >= 3 && (code.includes(query) || english.includes(query))) return 4;
  return null;
}

/** The categories matching `query`, best first; ties keep catalogue order. */
export function searchCategories<T extends SearchableCategory>(
  categories: readonly T[],
  query: string,
  limit = Number.POSITIVE_INFINITY,
): T[] {
  const normalised = normalizeSearchQuery(query);
  return categories
    .map((category, index) => ({
      category,
      index,
      score: categoryMatchScore(category, normalised),
    }))
    .filter((entry): entry is { category: T; index: number; score: number } => entry.score !== null)
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .slice(0, limit)
    .map((entry) => entry.category);
}
