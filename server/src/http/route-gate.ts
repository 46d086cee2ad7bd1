import type { RequestHandler, Router } from 'express';

/** What a router's stack tells of the paths it answers (router 2's layers). */
interface LayerShape {
  route?: { path?: unknown };
  /** The path a `use()` layer is mounted on ('/' when none was given). */
  rawPath?: unknown;
  handle?: unknown;
}

const PATTERN = /[:*?(){}+\\]/;

/** The first segment of a literal path ('/tickets/:id' -> '/tickets'); null for a pattern. */
function literalFirstSegment(path: unknown): string | null {
  if (typeof path !== 'string' || !path.startsWith('/')) return null;
  const end = path.indexOf('/', 1);
  const segment = end < 0 ? path : path.slice(0, end);
  return PATTERN.test(segment) ? null : segment.toLowerCase();
}

function hasStack(handle: unknown): handle is { stack: readonly LayerShape[] } {
  return typeof handle === 'function' && Array.isArray((handle as { stack?: unknown }).stack);
}

/**
 * The first path segments a router can answer, or null when it may answer any
 * path (a middleware for every path, a pattern where the first segment is).
 */
export function firstSegmentsOf(stack: readonly LayerShape[]): Set<string> | null {
  const segments = new Set<string>();
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths) {
        const segment = literalFirstSegment(path);
        if (segment === null) return null;
        segments.add(segment);
      }
      continue;
    }
    if (layer.rawPath === '/') {
      // A router inside the router, on no path: what it answers, this one does.
      if (!hasStack(layer.handle)) return null;
      const inner = firstSegmentsOf(layer.handle.stack);
      if (inner === null) return null;
      for (const segment of inner) segments.add(segment);
      continue;
    }
    const segment = literalFirstSegment(layer.rawPath);
    if (segment === null) return null;
    segments.add(segment);
  }
  return segments;
}

// The gates of one mount point all ask for the same path, one after the other.
let lastPath = '';
let lastSegment = '';

function firstSegmentOfRequest(path: string): string {
  if (path !== lastPath) {
    const end = path.indexOf('/', 1);
    lastSegment = (end < 0 ? path : path.slice(0, end)).toLowerCase();
    lastPath = path;
  }
  return lastSegment;
}

/**
 * The router, entered only by requests whose first path segment one of its
 * routes starts with. Express enters every router mounted before the one that
 * answers, and each router entered allocates its own dispatch state for the
 * request: with ~25 routers that was a sixth of the server's allocation per
 * new ticket. Segments compare without case, as Express's routes do; a router
 * that may answer any path is always entered. The router's stack is read at
 * its first request, when every route is in place.
 */
export function gatedBySegment(router: Router): RequestHandler {
  let segments: Set<string> | null | undefined;
  return function gatedRouter(req, res, next) {
    if (segments === undefined) segments = firstSegmentsOf(router.stack as readonly LayerShape[]);
    if (segments === null || segments.has(firstSegmentOfRequest(req.path))) {
      router(req, res, next);
      return;
    }
    next();
  };
}
