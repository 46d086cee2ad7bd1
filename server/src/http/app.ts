import { randomUUID } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { errorHandler, unknownRoute } from './errors.ts';
import { rejectUnstorableText } from './storable-text.ts';

export interface AppParts {
  logger: Logger;
  authenticate: RequestHandler;
  apiRouters: Router[];
  rootRouters: Router[];
  /** The SvelteKit handler, mounted last. */
  web: RequestHandler | null;
  onRequestDone?: (route: string, method: string, status: number, seconds: number) => void;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function createApp(parts: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    req.requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.log = parts.logger.child({ requestId: req.requestId });
    res.setHeader('x-request-id', req.requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      parts.onRequestDone?.(route, req.method, res.statusCode, seconds);
    });
    next();
  });

  // The SvelteKit pages set their own hash-based CSP; the API answers JSON only.
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(express.json({ limit: '100kb' }));
  app.use(rejectUnstorableText);
  app.use(parts.authenticate);

  for (const router of parts.rootRouters) app.use(router);
  for (const router of parts.apiRouters) app.use('/api', router);
  app.use('/api', unknownRoute);
  if (parts.web) {
    // Pages carry SvelteKit's own hash-based CSP. A 304 revalidating a cached page must
    // carry none: the browser would take helmet's, which forbids the page's inline start.
    app.use((_req, res, next) => {
      res.removeHeader('Content-Security-Policy');
      next();
    });
    app.use(parts.web);
  }
  app.use(unknownRoute);
  app.use(errorHandler(parts.logger));
  return app;
}
