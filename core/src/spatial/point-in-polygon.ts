import type { PolygonCoordinates, Position } from '../geo.ts';

/**
 * -1 outside, 0 on the boundary, 1 inside, for one ring (even-odd rule).
 * Coordinates are [x, y] = [lng, lat].
 */
export function pointInRing(x: number, y: number, ring: Position[]): -1 | 0 | 1 {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (onSegment(x, y, xi, yi, xj, yj)) return 0;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside ? 1 : -1;
}

const EPSILON = 1e-12;

function onSegment(x: number, y: number, x1: number, y1: number, x2: number, y2: number): boolean {
  const cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1);
  if (Math.abs(cross) > EPSILON) return false;
  return (
    x >= Math.min(x1, x2) - EPSILON &&
    x <= Math.max(x1, x2) + EPSILON &&
    y >= Math.min(y1, y2) - EPSILON &&
    y <= Math.max(y1, y2) + EPSILON
  );
}

/** -1 outside, 0 on an edge (outer or hole), 1 strictly inside. Holes are outside. */
export function pointInPolygon(x: number, y: number, polygon: PolygonCoordinates): -1 | 0 | 1 {
  const [outer, ...holes] = polygon;
  if (!outer) return -1;
  const outerResult = pointInRing(x, y, outer);
  if (outerResult !== 1) return outerResult;
  for (const hole of holes) {
    const holeResult = pointInRing(x, y, hole);
    if (holeResult === 0) return 0;
    if (holeResult === 1) return -1;
  }
  return 1;
}
