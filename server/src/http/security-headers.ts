import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

interface HeaderProbe {
  setHeader(name: string, value: string | number | readonly string[]): void;
  removeHeader(name: string): void;
}

/**
 * Helmet's headers, taken once from helmet itself and set on every response.
 * Helmet works each of them out again for every request, although with
 * constant options they never change: at 200 tickets/s that was ~6 KB of
 * garbage a request (its CSP string alone ~2.6 KB). Options whose directives
 * are functions of the request are refused: their headers are not constant.
 */
export function constantSecurityHeaders(options: HelmetOptions): RequestHandler {
  const directives =
    typeof options.contentSecurityPolicy === 'object'
      ? Object.values(options.contentSecurityPolicy.directives ?? {})
      : [];
  if (
    directives.some(
      (value) =>
        typeof value === 'function' ||
        (Array.isArray(value) && value.some((part) => typeof part === 'function')),
    )
  ) {
    throw new Error('constantSecurityHeaders: a directive depends on the request');
  }
  const headers = new Map<string, string>();
  const removed = new Set<string>();
  const probe: HeaderProbe = {
    setHeader(name, value) {
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
      removed.delete(name);
    },
    removeHeader(name) {
      headers.delete(name);
      removed.add(name);
    },
  };
  let finished = false;
  helmet(options)(
    {} as Parameters<RequestHandler>[0],
    probe as unknown as Parameters<RequestHandler>[1],
    (error?: unknown) => {
      if (error) throw error;
      finished = true;
    },
  );
  if (!finished) throw new Error('constantSecurityHeaders: helmet did not answer at once');
  const set = [...headers];
  const removals = [...removed];
  return (_req, res, next) => {
    for (const name of removals) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}
