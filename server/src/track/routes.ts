import express, { Router } from 'express';
import { z } from 'zod';
import { ticketCodeSchema, ticketIdParamSchema, trackQuerySchema } from '@gridline/core';
import { HttpError, parseOr400 } from '../http/errors.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import { MAX_PHOTO_BYTES } from '../photos/photo-service.ts';
import { TRACKER_ACTIONS, type TrackAccess, type TrackService } from './track-service.ts';

const photoIdSchema = z.coerce.number().int().positive().max(2_147_483_647);
const trackerActionSchema = z.enum(TRACKER_ACTIONS);

/**
 * `/api/track/:code?token=`: the resident's tracking link. No session needed;
 * the token proves the link.
 */
/** Follows one address may start in an hour (each makes a link that lasts). */
export const FOLLOW_LIMIT = { perAddress: 60, windowSeconds: 3600 };

export function trackRouter(deps: { track: TrackService; limiter: RateLimiter }): Router {
  const router = Router();
  const rawImage = express.raw({ type: () => true, limit: MAX_PHOTO_BYTES });

  /** The link's token; without one, a signed-in resident's own or followed ticket. */
  const link = (req: express.Request): TrackAccess => {
    const code = parseOr400(ticketCodeSchema, req.params.code, 'ticket code');
    if (req.query.token === undefined && req.auth?.user.role === 'RESIDENT') {
      return { code, userId: req.auth.user.id };
    }
    return { code, token: parseOr400(trackQuerySchema, req.query, 'query').token };
  };

  // Offered beside a likely duplicate: follow that ticket instead of reporting it again.
  router.post('/tickets/:id/follow', async (req, res) => {
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    const allowed = await deps.limiter.hit(
      `follow:ip:${req.ip ?? 'unknown'}`,
      FOLLOW_LIMIT.perAddress,
      FOLLOW_LIMIT.windowSeconds,
    );
    if (!allowed) throw new HttpError('RATE_LIMITED', 'Too many follows; try again later');
    const resident = req.auth?.user.role === 'RESIDENT' ? req.auth.user.id : null;
    res.status(201).json(await deps.track.follow(id, resident));
  });

  router.get('/track/:code', async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(await deps.track.view(link(req)));
  });

  router.post('/track/:code/photos', rawImage, async (req, res) => {
    res.status(201).json({ photo: await deps.track.addPhoto(link(req), req.body) });
  });

  router.get('/track/:code/photos/:photoId', async (req, res) => {
    const access = link(req);
    const photoId = parseOr400(photoIdSchema, req.params.photoId, 'photo id');
    const file = await deps.track.photoFile(access, photoId);
    res.setHeader('cache-control', 'private, max-age=3600');
    res.setHeader('x-content-type-options', 'nosniff');
    res.type(file.mime).sendFile(file.path);
  });

  router.post('/track/:code/:action', async (req, res) => {
    const access = link(req);
    const action = parseOr400(trackerActionSchema, req.params.action, 'action');
    const ticket = await deps.track.act(access, action, req.body, req.requestId);
    res.json({ ticket: { code: ticket.code, status: ticket.status, version: ticket.version } });
  });

  return router;
}
