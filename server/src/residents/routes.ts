import { Router } from 'express';
import { SESSION_COOKIE } from '../auth/session-repository.ts';
import type { ResidentService } from './resident-service.ts';

export function residentsRouter(deps: {
  residents: ResidentService;
  secureCookies: boolean;
}): Router {
  const router = Router();

  router.post('/residents/register', async (req, res) => {
    const { user, session } = await deps.residents.register(req.body, {
      ip: req.ip ?? 'unknown',
      userAgent: req.get('user-agent'),
    });
    res.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      path: '/',
      expires: session.expiresAt,
    });
    res.status(201).json({ user });
  });

  router.get('/me/tickets', async (req, res) => {
    res.json({ tickets: await deps.residents.myTickets(req.auth) });
  });

  return router;
}
