import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

// PostgreSQL text cannot hold NUL, and UTF-8 cannot encode a lone UTF-16 surrogate.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function findUnstorable(value: unknown, path: string, depth = 0): string | null {
  if (depth > 64) return path;
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findUnstorable(value[index], `${path}[${index}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const [key, item] of Object.entries(value)) {
      const found = UNSTORABLE.test(key)
        ? `${path}.${key}`
        : findUnstorable(item, `${path}.${key}`, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** Refuses, with a 400, any body, query or path text that the database could not store. */
export const rejectUnstorableText: RequestHandler = (req, _res, next) => {
  const found =
    findUnstorable(req.body, 'body') ??
    findUnstorable(req.query, 'query') ??
    findUnstorable(req.path, 'path');
  if (found) {
    throw new HttpError('VALIDATION_FAILED', 'Text contains characters that cannot be stored', [
      { path: found, message: 'NUL or an unpaired surrogate' },
    ]);
  }
  next();
};
