import { Router } from 'express';
import type { CategoryCatalog } from '../tickets/ports.ts';

export function categoriesRouter(deps: { categories: CategoryCatalog }): Router {
  const router = Router();
  router.get('/categories', async (_req, res) => {
    res.json({ categories: await deps.categories.list() });
  });
  return router;
}
