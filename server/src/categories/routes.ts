import { Router } from 'express';
import type { CategoryCatalog } from '../tickets/ports.ts';
import { CategoryPinyin } from './pinyin.ts';

export function categoriesRouter(deps: {
  categories: CategoryCatalog;
  pinyin?: CategoryPinyin;
}): Router {
  const router = Router();
  const pinyin = deps.pinyin ?? new CategoryPinyin();
  router.get('/categories', async (_req, res) => {
    // Pinyin lets call-takers search "lj" or "laji" for 垃圾 without a pinyin library in the browser.
    res.json({ categories: await pinyin.annotate(await deps.categories.list()) });
  });
  return router;
}
