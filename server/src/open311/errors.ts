import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, type Open311ErrorItem } from '@gridline/core';
import { HttpError } from '../http/errors.ts';
import { toXmlDocument } from './xml.ts';

/** Open311 answers a refusal with one of these (GeoReport v2 "Errors"). */
export type Open311ErrorStatus = 400 | 403 | 404;

export class Open311Error extends Error {
  constructor(
    readonly status: Open311ErrorStatus,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new Open311Error(400, message);
export const forbidden = (message: string) => new Open311Error(403, message);
export const notFound = (message: string) => new Open311Error(404, message);

export type Open311Format = 'json' | 'xml';

/** Everything under /open311 answers in the Open311 shapes. */
export const OPEN311_PREFIX = '/open311';

export function isOpen311Path(path: string): boolean {
  return path === OPEN311_PREFIX || path.startsWith(`${OPEN311_PREFIX}/`);
}

/** The format a path asks for by its suffix; JSON when it names none we know. */
export function formatOfPath(path: string): Open311Format {
  return /\.xml$/i.test(path) ? 'xml' : 'json';
}

/** Names of the create-ticket fields as Open311 clients know them. */
const FIELD_NAMES: Record<string, string> = {
  categoryCode: 'service_code',
  description: 'description',
  'location.lat': 'lat',
  'location.lng': 'long',
  address: 'address_string',
  'reporter.name': 'first_name/last_name',
  'reporter.phone': 'phone',
};

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Any error, as the status and description of an Open311 error (5xx only for our own faults). */
export function open311ErrorOf(error: unknown): Open311ErrorItem {
  if (error instanceof Open311Error) return { code: error.status, description: error.message };
  if (error instanceof HttpError) {
    const status = ERROR_CODES[error.code];
    const problems = Array.isArray(error.details)
      ? (error.details as Array<{ path?: unknown; message?: unknown }>)
          .filter((detail) => typeof detail?.message === 'string')
          .map((detail) => {
            const path = typeof detail.path === 'string' ? detail.path : '';
            const name = FIELD_NAMES[path] ?? path;
            return name === '' ? String(detail.message) : `${name}: ${String(detail.message)}`;
          })
      : [];
    const description = problems.length > 0 ? `${problems.join('; ')}` : error.message;
    if (status === 401 || status === 403) return { code: 403, description };
    if (status === 404) return { code: 404, description };
    if (status >= 400 && status < 500 && status !== 429) return { code: 400, description };
    return { code: status, description };
  }
  const parserError = error as BodyParserError | null;
  if (parserError?.type === 'entity.too.large') {
    return { code: 400, description: 'The request body is larger than 100 kB' };
  }
  if (parserError?.type === 'entity.parse.failed') {
    return { code: 400, description: 'The request body is not valid JSON' };
  }
  if (parserError?.type?.startsWith('encoding.') || parserError?.type === 'charset.unsupported') {
    return { code: 400, description: 'The request body must be UTF-8' };
  }
  if (
    typeof parserError?.status === 'number' &&
    parserError.status >= 400 &&
    parserError.status < 500
  ) {
    return { code: 400, description: 'Bad request' };
  }
  return { code: 500, description: 'Internal server error' };
}

/** The GeoReport v2 error document: `[{code, description}]` or `<errors><error>…`. */
export function renderOpen311Errors(
  format: Open311Format,
  errors: readonly Open311ErrorItem[],
): { contentType: string; body: string } {
  if (format === 'xml') {
    return {
      contentType: 'text/xml; charset=utf-8',
      body: toXmlDocument('errors', errors, { errors: 'error' }),
    };
  }
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(errors) };
}

/**
 * Answers every error under /open311 in the Open311 shape, including those of
 * the app's own middlewares before the router (a malformed JSON body, text the
 * database cannot store). Other paths go on to the app's error handler.
 */
export function open311ErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (!isOpen311Path(req.path)) {
      next(error);
      return;
    }
    const item = open311ErrorOf(error);
    if (item.code >= 500) (req.log ?? logger).error({ err: error }, 'open311 request failed');
    const { contentType, body } = renderOpen311Errors(formatOfPath(req.path), [item]);
    res.status(item.code).type(contentType).send(body);
  };
}
