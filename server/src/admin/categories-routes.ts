import { Router } from 'express';
import { z } from 'zod';
import { categoryPatchSchema } from '@gridline/core';
import { parseOr400 } from '../http/errors.ts';
import { requireRole } from '../auth/middleware.ts';
import type { CategoryAdminService } from './category-service.ts';

const codeSchema = z.string().regex(/^[A-Z0-9_]{1,40}$/);

/** Categories with their deadline policies, for admins (including inactive ones). */
export function adminCategoriesRouter(deps: { service: CategoryAdminService }): Router {
  const router = Router();

  router.get('/admin/categories', async (req, res) => {
    requireRole(req.auth, ['ADMIN']);
    res.json({ categories: await deps.service.list() });
  });

  router.get('/admin/categories/:code', async (req, res) => {
    requireRole(req.auth, ['ADMIN']);
    const code = parseOr400(codeSchema, req.params.code, 'category code');
    res.json({ category: await deps.service.get(code) });
  });

  router.patch('/admin/categories/:code', async (req, res) => {
    const auth = requireRole(req.auth, ['ADMIN']);
    const code = parseOr400(codeSchema, req.params.code, 'category code');
    const patch = parseOr400(categoryPatchSchema, req.body);
    const category = await deps.service.update(code, patch, {
      id: auth.user.id,
      ip: req.ip ?? null,
    });
    res.json({ category });
  });

  return router;
}
