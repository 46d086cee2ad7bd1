import type { Request, Response } from 'express';
import { SESSION_COOKIE, type NewSession } from './session-repository.ts';

/** The session cookie a sign-in or sign-up sets: httpOnly, SameSite=Lax, until the session ends. */
export function setSessionCookie(res: Response, session: NewSession, secure: boolean): void {
  res.cookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires: session.expiresAt,
  });
}

/** Who is signing in from where, for the session record and the rate limits. */
export function clientOf(req: Request): { ip: string; userAgent?: string } {
  const userAgent = req.get('user-agent');
  return { ip: req.ip ?? 'unknown', ...(userAgent === undefined ? {} : { userAgent }) };
}
