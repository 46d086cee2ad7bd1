import { describe, expect, it } from 'vitest';
import {
  categoryMatchScore,
  normalizeSearchQuery,
  searchCategories,
  type SearchableCategory,
} from './category-search.ts';

const category = (code: string, zh: string, en: string, pinyin: string): SearchableCategory => ({
  code,
  names: { zh, en },
  pinyin,
  initials: pinyin
    .split(' ')
    .map((syllable) => syllable[0])
    .join(''),
});

const CATALOG = [
  category('NOISE', '噪音扰民', 'Noise', 'zao yin rao min'),
  category('GARBAGE', '垃圾清运', 'Garbage collection', 'la ji qing yun'),
  category('ROAD_DAMAGE', '道路破损', 'Road damage', 'dao lu po sun'),
  category('STREET_LIGHT', '路灯故障', 'Street light out', 'lu deng gu zhang'),
  category('WATER_LEAK', '供水漏水', 'Water leak', 'gong shui lou shui'),
  category('ILLEGAL_PARKING', '违章停车', 'Illegal parking', 'wei zhang ting che'),
  category('GREENERY', '绿化养护', 'Trees and greenery', 'lv hua yang hu'),
  category('ELDERLY_MOBILITY', '助行', 'Mobility', 'zhu xing'),
];

const codes = (query: string) => searchCategories(CATALOG, query).map((c) => c.code);

describe('category search', () => {
  it('lists every category, in catalogue order, for an empty query', () => {
    expect(codes('')).toEqual(CATALOG.map((c) => c.code));
    expect(codes('  ')).toEqual(CATALOG.map((c) => c.code));
  });

  it('matches Chinese names, prefix first', () => {
    expect(codes('垃圾')).toEqual(['GARBAGE']);
    expect(codes('路')).toEqual(['STREET_LIGHT', 'ROAD_DAMAGE']);
    expect(codes('漏水')).toEqual(['WATER_LEAK']);
  });

  it('matches full pinyin, with or without spaces and case', () => {
    expect(codes('laji')).toEqual(['GARBAGE']);
    expect(codes('La Ji')).toEqual(['GARBAGE']);
    expect(codes('lajiqingyun')).toEqual(['GARBAGE']);
    expect(codes('laj')).toEqual(['GARBAGE']);
  });

  it('matches initials and mixes of initials and syllables', () => {
    expect(codes('lj')).toEqual(['GARBAGE']);
    expect(codes('ljqy')).toEqual(['GARBAGE']);
    expect(codes('lajqy')).toEqual(['GARBAGE']);
    expect(codes('wzt')).toEqual(['ILLEGAL_PARKING']);
    expect(codes('zx')).toEqual(['ELDERLY_MOBILITY']);
  });

  it('matches pinyin from a later syllable after those from the first', () => {
    // "qy" spells 清运 inside 垃圾清运; "ld" is 路灯 from its first syllable.
    expect(codes('qy')).toEqual(['GARBAGE']);
    expect(codes('ld')).toEqual(['STREET_LIGHT']);
    expect(codes('shui')).toEqual(['WATER_LEAK']);
  });

  it('writes ü as v', () => {
    expect(normalizeSearchQuery('lü')).toBe('lv');
    expect(codes('lvh')).toEqual(['GREENERY']);
  });

  it('matches English words and codes', () => {
    expect(codes('garb')).toEqual(['GARBAGE']);
    expect(codes('parking')).toEqual(['ILLEGAL_PARKING']);
    expect(codes('light')).toEqual(['STREET_LIGHT']);
    expect(codes('street_l')).toEqual(['STREET_LIGHT']);
    expect(codes('Road')).toEqual(['ROAD_DAMAGE']);
  });

  it('finds nothing for nonsense', () => {
    expect(codes('xyzzy')).toEqual([]);
    expect(codes('垃x')).toEqual([]);
    // Syllables must be consecutive: "lq" skips 圾.
    expect(codes('lq')).toEqual([]);
  });

  it('ranks Chinese prefix above pinyin above a match inside an English name', () => {
    const garbage = CATALOG[1]!;
    expect(categoryMatchScore(garbage, '垃圾')).toBe(0);
    expect(categoryMatchScore(garbage, '清运')).toBe(1);
    expect(categoryMatchScore(garbage, 'lj')).toBe(2);
    expect(categoryMatchScore(garbage, 'collection')).toBe(3);
    expect(categoryMatchScore(garbage, 'llect')).toBe(4);
  });

  it('works without pinyin (an older server)', () => {
    const plain = CATALOG.map(({ code, names }) => ({ code, names }));
    expect(searchCategories(plain, 'lj')).toEqual([]);
    expect(searchCategories(plain, '垃圾').map((c) => c.code)).toEqual(['GARBAGE']);
  });

  it('stops at the limit', () => {
    expect(searchCategories(CATALOG, '', 3)).toHaveLength(3);
  });
});
