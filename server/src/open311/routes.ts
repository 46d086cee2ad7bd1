import express, { Router, type Request, type Response } from 'express';
import { notFound, badRequest, OPEN311_PREFIX, type Open311Format } from './errors.ts';
import { Open311Parameters, splitFormat } from './parameters.ts';
import type { Open311Service } from './open311-service.ts';
import { toXmlDocument, type XmlItemNames, type XmlValue } from './xml.ts';

/** Where the calls live: `${OPEN311_BASE}/services.json` and so on. */
export const OPEN311_BASE = `${OPEN311_PREFIX}/v2`;
const BODY_LIMIT = '100kb';

/** The root element and the item element names of each answer in XML (GeoReport v2). */
const SHAPES = {
  services: { root: 'services', items: { services: 'service' } },
  definition: {
    root: 'service_definition',
    items: { attributes: 'attribute', values: 'value' },
  },
  requests: { root: 'service_requests', items: { service_requests: 'request' } },
  updates: {
    root: 'service_request_updates',
    items: { service_request_updates: 'request_update' },
  },
} satisfies Record<string, { root: string; items: XmlItemNames }>;

function send(
  res: Response,
  format: Open311Format,
  shape: keyof typeof SHAPES,
  value: XmlValue,
  status = 200,
): void {
  if (format === 'json') {
    res.status(status).json(value);
    return;
  }
  const { root, items } = SHAPES[shape];
  res
    .status(status)
    .type('text/xml; charset=utf-8')
    .send(toXmlDocument(root, value, items));
}

/** `name.xml` or `name.json`; any other suffix is no call at all (404). */
function formatted(segment: string | undefined): { name: string; format: Open311Format } {
  const split = segment === undefined ? null : splitFormat(segment);
  if (!split) throw notFound('Open311 calls end in .xml or .json');
  return split;
}

function queryOf(req: Request): Open311Parameters {
  const query = req.originalUrl.indexOf('?');
  return Open311Parameters.fromForm(query === -1 ? '' : req.originalUrl.slice(query + 1));
}

/**
 * Form bodies are read here as text and parsed by Open311Parameters (repeated
 * keys, leftover percent-encoding); JSON bodies arrive parsed by the app.
 * Multipart bodies (file uploads) are not part of GeoReport v2.
 */
const readFormBody = express.text({
  type: (req) => {
    const type = req.headers['content-type'] ?? '';
    return !/^\s*application\/(?:[\w.+-]*\+)?json/i.test(type);
  },
  limit: BODY_LIMIT,
  defaultCharset: 'utf-8',
});

function bodyOf(req: Request): Open311Parameters {
  if (/^\s*multipart\//i.test(req.get('content-type') ?? '')) {
    throw badRequest(
      'Send the parameters as application/x-www-form-urlencoded or application/json',
    );
  }
  const body: unknown = req.body;
  if (typeof body === 'string') return Open311Parameters.fromForm(body);
  if (body === undefined) return Open311Parameters.fromPairs([]);
  return Open311Parameters.fromJson(body);
}

/**
 * Open311 GeoReport v2 under /open311/v2, each call in XML or JSON by its
 * suffix. Thin: reads the parameters, calls the service, renders the answer.
 * Errors (and anything else under /open311) answer in the Open311 shape via
 * open311ErrorHandler.
 */
export function open311Router(deps: { service: Open311Service }): Router {
  const router = Router();
  const { service } = deps;

  router.get(`${OPEN311_BASE}/:call`, async (req, res) => {
    const { name, format } = formatted(req.params.call);
    const params = queryOf(req);
    switch (name) {
      case 'services':
        send(res, format, 'services', await service.services(params));
        return;
      case 'requests':
        send(res, format, 'requests', await service.requests(params));
        return;
      case 'servicerequestupdates':
        send(res, format, 'updates', await service.updates(params));
        return;
      default:
        throw notFound(`No Open311 call ${name}`);
    }
  });

  router.get(`${OPEN311_BASE}/services/:code`, async (req, res) => {
    const { name, format } = formatted(req.params.code);
    send(res, format, 'definition', await service.definition(name, queryOf(req)));
  });

  router.get(`${OPEN311_BASE}/requests/:id`, async (req, res) => {
    const { name, format } = formatted(req.params.id);
    send(res, format, 'requests', await service.request(name, queryOf(req)));
  });

  router.get(`${OPEN311_BASE}/tokens/:token`, async (req, res) => {
    const { name, format } = formatted(req.params.token);
    send(res, format, 'requests', await service.token(name, queryOf(req)));
  });

  router.post(`${OPEN311_BASE}/:call`, readFormBody, async (req, res) => {
    const { name, format } = formatted(req.params.call);
    if (name !== 'requests') throw notFound(`No Open311 call POST ${name}`);
    const params = bodyOf(req).withFallback(queryOf(req));
    const { status, created } = await service.createRequest(params, {
      idempotencyKey: req.get('idempotency-key'),
      requestId: req.requestId,
    });
    send(res, format, 'requests', created, status);
  });

  router.use(OPEN311_PREFIX, (req) => {
    throw notFound(`No Open311 call ${req.method} ${req.originalUrl.split('?')[0]}`);
  });

  return router;
}
