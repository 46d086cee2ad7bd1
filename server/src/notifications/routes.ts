import { Router } from 'express';
import { z } from 'zod';
import { parseOr400 } from '../http/errors.ts';
import { requireAuth } from '../auth/middleware.ts';
import { tokenLinkOf } from '../track/link-request.ts';
import type { TrackService } from '../track/track-service.ts';
import type { PushSubscriptions } from './subscriptions.ts';

const endpointQuerySchema = z.object({ endpoint: z.string().max(2000) });

/** Web Push: the public key, subscriptions (a user's, or a tracking link's) and preferences. */
export function notificationsRouter(deps: {
  subscriptions: PushSubscriptions;
  track: TrackService;
  vapidPublicKey: string;
}): Router {
  const router = Router();

  router.get('/push/key', (_req, res) => {
    res.json({ publicKey: deps.vapidPublicKey });
  });

  router.post('/push/subscriptions', async (req, res) => {
    const auth = requireAuth(req.auth);
    await deps.subscriptions.subscribe({ userId: auth.user.id }, req.body);
    res.status(201).json({ subscribed: true });
  });

  router.delete('/push/subscriptions', async (req, res) => {
    const auth = requireAuth(req.auth);
    await deps.subscriptions.unsubscribe({ userId: auth.user.id }, req.body);
    res.json({ subscribed: false });
  });

  router.get('/push/subscriptions', async (req, res) => {
    const auth = requireAuth(req.auth);
    const { endpoint } = parseOr400(endpointQuerySchema, req.query, 'query');
    res.json({
      subscribed: await deps.subscriptions.isSubscribed({ userId: auth.user.id }, endpoint),
    });
  });

  router.get('/me/notifications', async (req, res) => {
    const auth = requireAuth(req.auth);
    res.json({ preferences: await deps.subscriptions.preferences(auth.user.id) });
  });

  router.put('/me/notifications', async (req, res) => {
    const auth = requireAuth(req.auth);
    res.json({ preferences: await deps.subscriptions.setPreferences(auth.user.id, req.body) });
  });

  // A resident without an account follows their ticket's steps by push through its link.
  router.post('/track/:code/push', async (req, res) => {
    const { code, token } = tokenLinkOf(req);
    const { ticketId } = await deps.track.linkOf(code, token);
    await deps.subscriptions.subscribe({ ticketId }, req.body);
    res.status(201).json({ subscribed: true });
  });

  router.delete('/track/:code/push', async (req, res) => {
    const { code, token } = tokenLinkOf(req);
    const { ticketId } = await deps.track.linkOf(code, token);
    await deps.subscriptions.unsubscribe({ ticketId }, req.body);
    res.json({ subscribed: false });
  });

  return router;
}
