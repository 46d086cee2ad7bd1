import type { Request } from 'express';
import { ticketCodeSchema, trackQuerySchema } from '@gridline/core';
import { parseOr400 } from '../http/errors.ts';
import type { TrackAccess } from './track-service.ts';

/** `/…/:code?token=`: the ticket code and the link's token of a request; 400 when malformed. */
export function tokenLinkOf(req: Request): { code: string; token: string } {
  return {
    code: parseOr400(ticketCodeSchema, req.params.code, 'ticket code'),
    token: parseOr400(trackQuerySchema, req.query, 'query').token,
  };
}

/** The link's token; without one, a signed-in resident's own or followed ticket. */
export function trackAccessOf(req: Request): TrackAccess {
  if (req.query.token === undefined && req.auth?.user.role === 'RESIDENT') {
    return {
      code: parseOr400(ticketCodeSchema, req.params.code, 'ticket code'),
      userId: req.auth.user.id,
    };
  }
  return tokenLinkOf(req);
}
