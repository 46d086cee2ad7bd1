import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchCategories, type CategoryDto } from '@gridline/core';
import { startSystem, type TestSystem } from './support/system.ts';

describe('category search support for the hotline', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('GET /api/categories carries pinyin and initials of every Chinese name', async () => {
    const response = await fetch(`${system.baseUrl}/api/categories`);
    expect(response.status).toBe(200);
    const { categories } = (await response.json()) as { categories: CategoryDto[] };
    expect(categories.length).toBeGreaterThan(10);
    const garbage = categories.find((category) => category.code === 'GARBAGE');
    expect(garbage).toMatchObject({
      names: { zh: '垃圾清运' },
      pinyin: 'la ji qing yun',
      initials: 'ljqy',
    });
    for (const category of categories) {
      expect(category.pinyin).toMatch(/^[a-z]+( [a-z]+)*$/);
      expect(category.initials).toBe(
        category
          .pinyin!.split(' ')
          .map((syllable) => syllable[0])
          .join(''),
      );
    }
    expect(searchCategories(categories, 'lj').map((category) => category.code)).toContain(
      'GARBAGE',
    );
    expect(searchCategories(categories, 'laji')[0]?.code).toBe('GARBAGE');
  });
});
