import express, { Router } from 'express';
import { z } from 'zod';
import { ticketIdParamSchema } from '@gridline/core';
import { HttpError, parseOr400 } from '../http/errors.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import { MAX_PHOTO_BYTES } from '../photos/photo-service.ts';
import { trackAccessOf } from './link-request.ts';
import { TRACKER_ACTIONS, type TrackService } from './track-service.ts';

const photoIdSchema = z.coerce.number().int().positive().max(2_147_483_647);
const trackerActionSchema = z.enum(TRACKER_ACTIONS);

/** Follows one address may start in an hour (each makes a link that lasts). */
export const FOLLOW_LIMIT = { perAddress: 60, windowSeconds: 3600 };

/**
 * `/api/track/:code?token=`: the resident's tracking link. No session needed;
 * the token proves the link.
 */
export function trackRouter(deps: { track: TrackService; limiter: RateLimiter }): Router {
  const router = Router();
  const rawImage = express.raw({ type: () => true, limit: MAX_PHOTO_BYTES });

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
    res.json(await deps.track.view(trackAccessOf(req)));
  });

  router.post('/track/:code/photos', rawImage, async (req, res) => {
    res.status(201).json({ photo: await deps.track.addPhoto(trackAccessOf(req), req.body) });
  });

  router.get('/track/:code/photos/:photoId', async (req, res) => {
    const access = trackAccessOf(req);
    const photoId = parseOr400(photoIdSchema, req.params.photoId, 'photo id');
    const file = await deps.track.photoFile(access, photoId);
    res.setHeader('cache-control', 'private, max-age=3600');
    res.setHeader('x-content-type-options', 'nosniff');
    res.type(file.mime).sendFile(file.path);
  });

  router.post('/track/:code/:action', async (req, res) => {
    const access = trackAccessOf(req);
    const action = parseOr400(trackerActionSchema, req.params.action, 'action');
    const ticket = await deps.track.act(access, action, req.body, req.requestId);
    res.json({ ticket: { code: ticket.code, status: ticket.status, version: ticket.version } });
  });

  return router;
}
