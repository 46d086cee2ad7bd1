import { parse as parseCookie } from 'cookie';
import type { RequestHandler } from 'express';
import type { Role } from '@gridline/core';
import { STAFF_ROLES } from '@gridline/core';
import { HttpError } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import { SESSION_COOKIE, type SessionRepository } from './session-repository.ts';

export function sessionTokenFrom(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  return parseCookie(cookieHeader)[SESSION_COOKIE] ?? null;
}

/** Attaches `req.auth` when the cookie names a live session; never rejects. */
export function authenticate(sessions: SessionRepository): RequestHandler {
  return async (req, _res, next) => {
    const token = sessionTokenFrom(req.headers.cookie);
    if (token) {
      const auth = await sessions.resolve(token);
      if (auth) req.auth = auth;
    }
    next();
  };
}

export function requireAuth(auth: AuthContext | undefined): AuthContext {
  if (!auth) throw new HttpError('UNAUTHENTICATED', 'Sign in first');
  return auth;
}

export function requireRole(auth: AuthContext | undefined, roles: readonly Role[]): AuthContext {
  const signedIn = requireAuth(auth);
  if (!roles.includes(signedIn.user.role)) {
    throw new HttpError('FORBIDDEN', 'Your role may not do this');
  }
  return signedIn;
}

export const requireStaff = (auth: AuthContext | undefined) => requireRole(auth, STAFF_ROLES);
