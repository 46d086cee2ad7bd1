import { Router } from 'express';
import { eventsQuerySchema } from '@gridline/core';
import type { TicketStore } from '@gridline/db';
import { parseOr400 } from '../http/errors.ts';
import { requireAuth } from '../auth/middleware.ts';
import { ticketScope } from '../auth/scope.ts';

export function eventsRouter(deps: { store: TicketStore }): Router {
  const router = Router();
  router.get('/events', async (req, res) => {
    const auth = requireAuth(req.auth);
    const { after, limit } = parseOr400(eventsQuerySchema, req.query, 'query');
    res.json({ events: await deps.store.eventsAfter(after, limit, ticketScope(auth)) });
  });
  return router;
}
