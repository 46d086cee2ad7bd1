import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { HttpError, errorHandler, unknownRoute } from './errors.ts';
import { gatedBySegment } from './route-gate.ts';
import { constantSecurityHeaders } from './security-headers.ts';
import { rejectUnstorableText } from './storable-text.ts';

export interface AppParts {
  logger: Logger;
  authenticate: RequestHandler;
  apiRouters: Router[];
  rootRouters: Router[];
  /**
   * Error handlers for routers that answer errors in their own shape (Open311),
   * run before the app's own; each passes on what is not its own.
   */
  errorHandlers?: ErrorRequestHandler[];
  /** The SvelteKit handler, mounted last. */
  web: RequestHandler | null;
  onRequestDone?: (route: string, method: string, status: number, seconds: number) => void;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

const JSON_TYPE = /^\s*application\/(?:[\w.+-]*\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * JSON is UTF-8 (RFC 8259). The body parser would decode a declared UTF-16
 * body, and a one-byte body then reads as empty: an action with no body, taken.
 */
const refuseJsonInOtherCharsets: RequestHandler = (req, _res, next) => {
  const type = req.get('content-type');
  const charset = type && JSON_TYPE.test(type) ? CHARSET.exec(type)?.[1]?.toLowerCase() : undefined;
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    next(new HttpError('UNSUPPORTED_MEDIA_TYPE', 'JSON bodies must be UTF-8'));
    return;
  }
  next();
};

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
    constantSecurityHeaders({
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
  app.use(refuseJsonInOtherCharsets);
  app.use(express.json({ limit: '100kb' }));
  app.use(rejectUnstorableText);
  app.use(parts.authenticate);

  // Each router is entered only by the paths it answers (see route-gate.ts), and the API
  // has one mount: each router mounted at '/api' on its own would match and strip the
  // prefix again for every request that walks past it.
  for (const router of parts.rootRouters) app.use(gatedBySegment(router));
  const api = express.Router();
  for (const router of parts.apiRouters) api.use(gatedBySegment(router));
  api.use(unknownRoute);
  app.use('/api', api);
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
  for (const handler of parts.errorHandlers ?? []) app.use(handler);
  app.use(errorHandler(parts.logger));
  return app;
}
