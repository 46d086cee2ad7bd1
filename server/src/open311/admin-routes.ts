import { Router } from 'express';
import { z } from 'zod';
import { open311KeyIssueSchema } from '@gridline/core';
import { parseOr400 } from '../http/errors.ts';
import { requireRole } from '../auth/middleware.ts';
import type { Open311ApiKeys } from './api-keys.ts';

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** Admins list, issue and revoke Open311 API keys (mounted under /api); every change audited. */
export function open311AdminRouter(deps: { apiKeys: Open311ApiKeys }): Router {
  const router = Router();

  router.get('/admin/open311/keys', async (req, res) => {
    requireRole(req.auth, ['ADMIN']);
    res.json({ keys: await deps.apiKeys.list() });
  });

  router.post('/admin/open311/keys', async (req, res) => {
    const auth = requireRole(req.auth, ['ADMIN']);
    const { name } = parseOr400(open311KeyIssueSchema, req.body ?? {});
    const issued = await deps.apiKeys.issue(name, { id: auth.user.id, ip: req.ip ?? null });
    res.status(201).json(issued);
  });

  router.post('/admin/open311/keys/:id/revoke', async (req, res) => {
    const auth = requireRole(req.auth, ['ADMIN']);
    const id = parseOr400(idSchema, req.params.id, 'key id');
    const apiKey = await deps.apiKeys.revoke(id, { id: auth.user.id, ip: req.ip ?? null });
    res.json({ apiKey });
  });

  return router;
}
