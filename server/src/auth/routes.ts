import { Router } from 'express';
import { clientOf, setSessionCookie } from './session-cookie.ts';
import { loginSchema } from '@gridline/core';
import { parseOr400 } from '../http/errors.ts';
import { requireAuth } from './middleware.ts';
import type { AuthService } from './auth-service.ts';
import { SESSION_COOKIE, type SessionRepository } from './session-repository.ts';

export function authRouter(deps: {
  auth: AuthService;
  sessions: SessionRepository;
  secureCookies: boolean;
  onSessionRevoked: (sessionId: string) => void;
}): Router {
  const router = Router();

  router.post('/auth/login', async (req, res) => {
    const { username, password } = parseOr400(loginSchema, req.body);
    const { user, session } = await deps.auth.login(username, password, clientOf(req));
    setSessionCookie(res, session, deps.secureCookies);
    res.json({ user });
  });

  router.post('/auth/logout', async (req, res) => {
    const auth = requireAuth(req.auth);
    await deps.sessions.revoke(auth.sessionId);
    deps.onSessionRevoked(auth.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });

  router.get('/me', (req, res) => {
    res.json({ user: requireAuth(req.auth).user });
  });

  return router;
}
