import express, { Router } from 'express';
import { z } from 'zod';
import { ticketIdParamSchema } from '@gridline/core';
import { parseOr400 } from '../http/errors.ts';
import { requireAuth } from '../auth/middleware.ts';
import { MAX_PHOTO_BYTES, type PhotoService } from './photo-service.ts';

const photoIdSchema = z.coerce.number().int().positive().max(2_147_483_647);

export function photosRouter(deps: { photos: PhotoService }): Router {
  const router = Router();
  const rawImage = express.raw({ type: () => true, limit: MAX_PHOTO_BYTES });

  router.post('/tickets/:id/photos', rawImage, async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    res.status(201).json({ photo: await deps.photos.add(id, auth, req.body) });
  });

  router.get('/tickets/:id/photos/:photoId', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    const photoId = parseOr400(photoIdSchema, req.params.photoId, 'photo id');
    const file = await deps.photos.file(id, photoId, auth);
    res.setHeader('cache-control', 'private, max-age=3600');
    res.setHeader('x-content-type-options', 'nosniff');
    res.type(file.mime).sendFile(file.path);
  });

  return router;
}
