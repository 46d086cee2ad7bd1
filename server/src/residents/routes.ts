import { Router } from 'express';
import { clientOf, setSessionCookie } from '../auth/session-cookie.ts';
import type { ResidentService } from './resident-service.ts';

export function residentsRouter(deps: {
  residents: ResidentService;
  secureCookies: boolean;
}): Router {
  const router = Router();

  router.post('/residents/register', async (req, res) => {
    const { user, session } = await deps.residents.register(req.body, clientOf(req));
    setSessionCookie(res, session, deps.secureCookies);
    res.status(201).json({ user });
  });

  router.get('/me/tickets', async (req, res) => {
    res.json({ tickets: await deps.residents.myTickets(req.auth) });
  });

  return router;
}
