import type { Random } from './random.ts';

/** A point in a local plane, in kilometres: x east, y north. */
export type Point = readonly [number, number];
/** A convex polygon as an open ring (the first point is not repeated), counter-clockwise. */
export type ConvexPolygon = readonly Point[];

/** Signed area: positive for a counter-clockwise ring. */
export function signedArea(ring: ConvexPolygon): number {
  let twice = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    twice += xj * yi - xi * yj;
  }
  return twice / 2;
}

export function area(ring: ConvexPolygon): number {
  return Math.abs(signedArea(ring));
}

export function centroid(ring: ConvexPolygon): Point {
  let twiceArea = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    const cross = xj * yi - xi * yj;
    twiceArea += cross;
    cx += (xj + xi) * cross;
    cy += (yj + yi) * cross;
  }
  if (Math.abs(twiceArea) < 1e-15) {
    const n = ring.length;
    return [ring.reduce((s, p) => s + p[0], 0) / n, ring.reduce((s, p) => s + p[1], 0) / n];
  }
  return [cx / (3 * twiceArea), cy / (3 * twiceArea)];
}

/**
 * The part of a convex polygon where `a·x + b·y <= c` (Sutherland-Hodgman).
 * Clipping with (a, b, c) and with (-a, -b, -c) computes the points on the cut
 * with the same floating-point operations, so two pieces share them exactly.
 */
export function clipHalfPlane(ring: ConvexPolygon, a: number, b: number, c: number): Point[] {
  const result: Point[] = [];
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const p = ring[i]!;
    const q = ring[(i + 1) % n]!;
    const dp = a * p[0] + b * p[1];
    const dq = a * q[0] + b * q[1];
    const pInside = dp <= c;
    const qInside = dq <= c;
    if (pInside) result.push(p);
    if (pInside !== qInside) {
      const t = (c - dp) / (dq - dp);
      result.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return withoutDuplicates(result);
}

const SAME_POINT_KM = 1e-9;

function withoutDuplicates(ring: Point[]): Point[] {
  const result: Point[] = [];
  for (const point of ring) {
    const last = result[result.length - 1];
    if (
      !last ||
      Math.abs(last[0] - point[0]) > SAME_POINT_KM ||
      Math.abs(last[1] - point[1]) > SAME_POINT_KM
    ) {
      result.push(point);
    }
  }
  const first = result[0];
  const last = result[result.length - 1];
  if (
    result.length > 1 &&
    first &&
    last &&
    Math.abs(last[0] - first[0]) <= SAME_POINT_KM &&
    Math.abs(last[1] - first[1]) <= SAME_POINT_KM
  ) {
    result.pop();
  }
  return result.length >= 3 ? result : [];
}

/** Convex hull (Andrew's monotone chain), counter-clockwise. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const cross = (o: Point, a: Point, b: Point): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) {
      lower.pop();
    }
    lower.push(p);
  }
  const upper: Point[] = [];
  for (const p of sorted.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) {
      upper.pop();
    }
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/**
 * Power-diagram cells of weighted sites inside a convex container: the cell of
 * site i holds the points where |x - p_i|² - w_i is smallest. With all weights
 * zero this is the Voronoi diagram. Every cell is convex and no two overlap.
 */
export function powerCells(
  container: ConvexPolygon,
  sites: readonly Point[],
  weights: readonly number[] = sites.map(() => 0),
): Point[][] {
  return sites.map((pi, i) => {
    let cell: Point[] = [...container];
    for (let j = 0; j < sites.length && cell.length > 0; j++) {
      if (j === i) continue;
      const pj = sites[j]!;
      const a = 2 * (pj[0] - pi[0]);
      const b = 2 * (pj[1] - pi[1]);
      const c =
        pj[0] * pj[0] + pj[1] * pj[1] - pi[0] * pi[0] - pi[1] * pi[1] - weights[j]! + weights[i]!;
      cell = clipHalfPlane(cell, a, b, c);
    }
    return cell;
  });
}

/** Voronoi cells of `count` sites spread over the container by a few rounds of Lloyd relaxation. */
export function relaxedVoronoi(
  container: ConvexPolygon,
  count: number,
  random: Random,
  rounds = 3,
): Point[][] {
  if (count === 1) return [[...container]];
  let sites = Array.from({ length: count }, () => randomPointInConvex(container, random));
  let cells = powerCells(container, sites);
  for (let round = 0; round < rounds; round++) {
    sites = cells.map((cell, i) => (cell.length > 0 ? centroid(cell) : sites[i]!));
    cells = powerCells(container, sites);
  }
  return cells;
}

export function containsPoint(ring: ConvexPolygon, point: Point): boolean {
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if ((xi - xj) * (point[1] - yj) - (yi - yj) * (point[0] - xj) < 0) return false;
  }
  return true;
}

export function randomPointInConvex(ring: ConvexPolygon, random: Random): Point {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const point: Point = [minX + random() * (maxX - minX), minY + random() * (maxY - minY)];
    if (containsPoint(ring, point)) return point;
  }
  return centroid(ring);
}

const CUT_DIRECTIONS = 12;

/**
 * Splits a convex polygon into convex pieces whose areas are proportional to
 * `weights`, in that order: recursive bisection, each cut a straight line
 * across the polygon's widest extent (slightly turned at random), placed by
 * binary search so that the areas come out right.
 */
export function splitByWeights(
  ring: ConvexPolygon,
  weights: readonly number[],
  random: Random,
): Point[][] {
  if (weights.length === 0) return [];
  if (weights.length === 1) return [[...ring]];
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let splitAt = 1;
  let bestImbalance = Infinity;
  let running = 0;
  for (let i = 1; i < weights.length; i++) {
    running += weights[i - 1]!;
    const imbalance = Math.abs(running - total / 2);
    if (imbalance < bestImbalance) {
      bestImbalance = imbalance;
      splitAt = i;
    }
  }
  const firstWeight = weights.slice(0, splitAt).reduce((sum, weight) => sum + weight, 0);
  const [first, second] = cutByArea(ring, firstWeight / total, random);
  return [
    ...splitByWeights(first, weights.slice(0, splitAt), random),
    ...splitByWeights(second, weights.slice(splitAt), random),
  ];
}

function cutByArea(ring: ConvexPolygon, fraction: number, random: Random): [Point[], Point[]] {
  let direction: Point = [1, 0];
  let widest = -Infinity;
  const turn = random() * Math.PI;
  for (let k = 0; k < CUT_DIRECTIONS; k++) {
    const angle = turn + (k * Math.PI) / CUT_DIRECTIONS;
    const candidate: Point = [Math.cos(angle), Math.sin(angle)];
    const extent = extentAlong(ring, candidate);
    if (extent.max - extent.min > widest) {
      widest = extent.max - extent.min;
      direction = candidate;
    }
  }
  const [a, b] = direction;
  const { min, max } = extentAlong(ring, direction);
  const target = area(ring) * fraction;
  let low = min;
  let high = max;
  for (let iteration = 0; iteration < 60; iteration++) {
    const middle = (low + high) / 2;
    if (area(clipHalfPlane(ring, a, b, middle)) < target) low = middle;
    else high = middle;
  }
  const offset = (low + high) / 2;
  return [clipHalfPlane(ring, a, b, offset), clipHalfPlane(ring, -a, -b, -offset)];
}

function extentAlong(ring: ConvexPolygon, [a, b]: Point): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const [x, y] of ring) {
    const d = a * x + b * y;
    if (d < min) min = d;
    if (d > max) max = d;
  }
  return { min, max };
}
