import { Router } from 'express';

/** What the web app needs to know about this deployment. */
export function configRouter(config: { tileUrl: string | null; timeScale: number }): Router {
  const router = Router();
  router.get('/config', (_req, res) => {
    res.json({ tileUrl: config.tileUrl, timeScale: config.timeScale });
  });
  return router;
}
