/** Grid lookup benchmark: GridIndex.gridAt over real and synthetic grids, timed in batches. */
import {
  areaGeometrySchema,
  GridIndex,
  type AreaGeometry,
  type IndexedGrid,
  type LatLng,
  type Position,
  type Random,
  mulberry32,
} from '@gridline/core';
import { summarize } from './stats.ts';
import type { LookupResult } from './report.ts';

export type { Random };

/** A seeded PRNG, so every run looks up the same points. */
export const seededRandom = mulberry32;

export interface SyntheticCityOptions {
  /** South-west corner. */
  origin?: LatLng;
  /** Cell side in degrees of longitude (latitude scaled to keep cells square on the ground). */
  cellDegrees?: number;
  seed?: number;
}

/**
 * `count` quadrilateral grids on a jittered lattice, tiling a rectangle with
 * no gaps or overlaps (neighbours share their jittered corners). Ids 1..count.
 */
export function syntheticCity(count: number, options: SyntheticCityOptions = {}): IndexedGrid[] {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError('count must be a non-negative integer');
  const origin = options.origin ?? { lat: 41.05, lng: 122.9 };
  const dx = options.cellDegrees ?? 0.004;
  const dy = dx * Math.cos((origin.lat * Math.PI) / 180);
  const cols = Math.max(1, Math.ceil(Math.sqrt(count)));
  const rows = Math.max(1, Math.ceil(count / cols));
  const random = seededRandom(options.seed ?? 10_000);
  // Corner (i, j) for i in 0..cols, j in 0..rows; inner corners jitter by up to 20% of a cell.
  const corners: Position[] = [];
  for (let j = 0; j <= rows; j++) {
    for (let i = 0; i <= cols; i++) {
      const inner = i > 0 && i < cols && j > 0 && j < rows;
      const jx = inner ? (random() - 0.5) * 0.4 * dx : 0;
      const jy = inner ? (random() - 0.5) * 0.4 * dy : 0;
      corners.push([round7(origin.lng + i * dx + jx), round7(origin.lat + j * dy + jy)]);
    }
  }
  const corner = (i: number, j: number): Position => corners[j * (cols + 1) + i]!;
  const grids: IndexedGrid[] = [];
  for (let k = 0; k < count; k++) {
    const i = k % cols;
    const j = Math.floor(k / cols);
    const ring = [
      corner(i, j),
      corner(i + 1, j),
      corner(i + 1, j + 1),
      corner(i, j + 1),
      corner(i, j),
    ];
    grids.push({ id: k + 1, boundary: { type: 'Polygon', coordinates: [ring] } });
  }
  return grids;
}

function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/** A random point inside a convex ring (or near a concave one): a fan triangle from vertex 0. */
export function randomPointIn(ring: readonly Position[], random: Random): LatLng {
  const vertices =
    ring.length > 1 && samePosition(ring[0]!, ring[ring.length - 1]!) ? ring.slice(0, -1) : ring;
  if (vertices.length < 3) throw new RangeError('a ring needs three distinct vertices');
  const t = 1 + Math.floor(random() * (vertices.length - 2));
  const a = vertices[0]!;
  const b = vertices[t]!;
  const c = vertices[t + 1]!;
  let u = random();
  let v = random();
  if (u + v > 1) {
    u = 1 - u;
    v = 1 - v;
  }
  return {
    lng: a[0] + u * (b[0] - a[0]) + v * (c[0] - a[0]),
    lat: a[1] + u * (b[1] - a[1]) + v * (c[1] - a[1]),
  };
}

function samePosition(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** `count` points inside randomly chosen grids (outer ring of the first polygon). */
export function pointsInGrids(
  grids: readonly IndexedGrid[],
  count: number,
  random: Random,
): LatLng[] {
  const rings = grids
    .map((grid) => outerRing(grid.boundary))
    .filter((ring): ring is Position[] => ring !== null);
  if (rings.length === 0) return [];
  const points: LatLng[] = [];
  for (let k = 0; k < count; k++)
    points.push(randomPointIn(rings[Math.floor(random() * rings.length)]!, random));
  return points;
}

function outerRing(boundary: IndexedGrid['boundary']): Position[] | null {
  const polygon = boundary.type === 'Polygon' ? boundary.coordinates : boundary.coordinates[0];
  const ring = polygon?.[0];
  return ring && ring.length >= 4 ? ring : null;
}

export interface LookupBenchOptions {
  lookups?: number;
  batchSize?: number;
  seed?: number;
  /** Untimed lookups first, so the JIT has settled. */
  warmup?: number;
}

/** Times `lookups` calls of gridAt in batches; every batch's mean is one per-lookup sample. */
export function benchLookups(
  name: string,
  grids: readonly IndexedGrid[],
  options: LookupBenchOptions = {},
): LookupResult {
  const lookups = options.lookups ?? 100_000;
  const batchSize = options.batchSize ?? 10;
  const random = seededRandom(options.seed ?? 7);
  const index = new GridIndex(grids);
  const points = pointsInGrids(grids, lookups, random);
  const warmup = Math.min(options.warmup ?? 20_000, points.length);
  let sink = 0;
  for (let k = 0; k < warmup; k++) sink += index.gridAt(points[k]!) ?? 0;

  const batches = Math.floor(points.length / batchSize);
  const perLookupNs: number[] = [];
  let hits = 0;
  for (let b = 0; b < batches; b++) {
    const start = b * batchSize;
    const end = start + batchSize;
    const t0 = process.hrtime.bigint();
    for (let k = start; k < end; k++) {
      const id = index.gridAt(points[k]!);
      if (id !== null) {
        hits++;
        sink += id;
      }
    }
    perLookupNs.push(Number(process.hrtime.bigint() - t0) / batchSize);
  }
  if (sink === -1) console.log('unreachable');
  return {
    name,
    grids: grids.length,
    lookups: batches * batchSize,
    batchSize,
    perLookupNs: summarize(perLookupNs),
    hits,
  };
}

/** A stored boundary (JSON from the database) as a geometry the index accepts, or null. */
export function toAreaGeometry(value: unknown): AreaGeometry | null {
  return areaGeometrySchema.safeParse(value).success ? (value as AreaGeometry) : null;
}
