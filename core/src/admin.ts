import { z } from 'zod';
import { deadlinePolicySchema, prioritySchema, type DeadlinePolicy } from './categories.ts';
import { categoryAttributesSchema } from './open311.ts';
import { polygonsOf, type AreaGeometry, type Position } from './geo.ts';
import { REGION_LEVELS, regionDepth, type RegionLevel } from './regions.ts';
import { ROLES, type Role } from './users.ts';

/*
 * Administration: the region import and its validation (pure geometry, no
 * I/O), grid assignments, category edits and the user list. Shared by the
 * server (which decides) and the web app (which shows the same rules).
 */

/** The largest GeoJSON file `POST /api/admin/regions/import` accepts. */
export const REGION_IMPORT_MAX_BYTES = 20 * 1024 * 1024;
/** The media type the import route takes at that size (RFC 7946). */
export const GEOJSON_MEDIA_TYPE = 'application/geo+json';

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

// ---------------------------------------------------------------------------
// GeoJSON of regions

/** The properties of one region in an exported or imported FeatureCollection. */
export interface RegionFeatureProperties {
  code: string;
  name: string;
  nameEn?: string | null;
  level: RegionLevel;
  /** Null for the city. */
  parentCode: string | null;
  /** Grids only: the responsible grid member and the backup. */
  memberUsername?: string | null;
  backupUsername?: string | null;
}
export interface RegionFeature {
  type: 'Feature';
  geometry: AreaGeometry | null;
  properties: RegionFeatureProperties;
}
export interface RegionFeatureCollection {
  type: 'FeatureCollection';
  features: RegionFeature[];
}

export const regionExportQuerySchema = z.strictObject({
  level: z.enum(REGION_LEVELS).optional(),
  parentId: idSchema.optional(),
});

export const regionListQuerySchema = z.strictObject({
  level: z.enum(REGION_LEVELS).optional(),
  parentId: idSchema.optional(),
  /** Part of a name or code. */
  query: z.string().trim().max(60).optional(),
});

export const IMPORT_PROBLEM_KINDS = [
  'NOT_A_COLLECTION',
  'NOT_A_FEATURE',
  'MISSING_CODE',
  'DUPLICATE_CODE',
  'MISSING_NAME',
  'INVALID_LEVEL',
  'LEVEL_CHANGED',
  'UNKNOWN_PARENT',
  'WRONG_LEVEL',
  'MISSING_GEOMETRY',
  'GEOMETRY_TYPE',
  'BAD_COORDINATES',
  'COORDINATES_OUT_OF_RANGE',
  'RING_TOO_SHORT',
  'RING_NOT_CLOSED',
  'SELF_INTERSECTION',
  'OVERLAP',
  'ORPHAN',
  'UNKNOWN_USER',
  'USER_NOT_ELIGIBLE',
] as const;
export type ImportProblemKind = (typeof IMPORT_PROBLEM_KINDS)[number];

/** One thing wrong with one feature (index in `features`, -1 for the file itself). */
export interface ImportProblem {
  index: number;
  code: string | null;
  kind: ImportProblemKind;
  /** English detail for logs and API users; the web app shows its own text by `kind`. */
  message: string;
  /** The other region involved (overlaps, unknown parent, the grid's community…). */
  other?: string;
  /** Overlap or area outside the community, in square metres. */
  areaM2?: number;
}

export interface RegionImportSummary {
  features: number;
  created: number;
  updated: number;
  byLevel: Partial<Record<RegionLevel, number>>;
}
export interface RegionImportResponse {
  dryRun: boolean;
  applied: boolean;
  problems: ImportProblem[];
  summary: RegionImportSummary;
}

// ---------------------------------------------------------------------------
// Other admin requests

export const gridAssignmentPatchSchema = z
  .strictObject({
    memberId: idSchema.optional(),
    backupId: idSchema.nullable().optional(),
  })
  .refine((patch) => patch.memberId !== undefined || patch.backupId !== undefined, {
    message: 'nothing to change',
  });
export type GridAssignmentPatch = z.infer<typeof gridAssignmentPatchSchema>;

/** Further rules on a policy beyond its shape: each priority accepts before it must resolve. */
export function policyProblems(policy: DeadlinePolicy): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const priority of prioritySchema.options) {
    const rule = policy[priority];
    if (rule.acceptMinutes > rule.resolveMinutes) {
      problems.push({
        path: `policy.${priority}.acceptMinutes`,
        message: 'must not exceed resolveMinutes',
      });
    }
    const sorted = [...rule.reminders].sort((a, b) => a - b);
    if (
      sorted.some((value, index) => value !== rule.reminders[index] || sorted[index - 1] === value)
    ) {
      problems.push({ path: `policy.${priority}.reminders`, message: 'must be increasing' });
    }
  }
  return problems;
}

const nameSchema = z.string().trim().min(1).max(60);
export const categoryPatchSchema = z
  .strictObject({
    names: z.strictObject({ zh: nameSchema, en: nameSchema }).optional(),
    defaultPriority: prioritySchema.optional(),
    requiresVerification: z.boolean().optional(),
    active: z.boolean().optional(),
    policy: deadlinePolicySchema.optional(),
    /** The whole list of attributes (the Open311 service definition); [] removes them all. */
    attributes: categoryAttributesSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'nothing to change' })
  .superRefine((patch, context) => {
    if (!patch.policy) return;
    for (const problem of policyProblems(patch.policy)) {
      context.addIssue({ code: 'custom', path: problem.path.split('.'), message: problem.message });
    }
  });
export type CategoryPatch = z.infer<typeof categoryPatchSchema>;

export const userListQuerySchema = z.strictObject({
  query: z.string().trim().max(60).optional(),
  role: z.enum(ROLES).optional(),
  regionId: idSchema.optional(),
  cursor: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type UserListQuery = z.infer<typeof userListQuerySchema>;

export interface AdminUserDto {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  regionId: number | null;
  regionName: string | null;
  regionLevel: RegionLevel | null;
  phone: string | null;
  active: boolean;
  onDuty: boolean;
}
export interface AdminUsersResponse {
  users: AdminUserDto[];
  nextCursor: number | null;
}

export interface AssignedUser {
  id: number;
  username: string;
  displayName: string;
}
export interface AdminRegionDto {
  id: number;
  code: string;
  name: string;
  nameEn: string | null;
  level: RegionLevel;
  parentId: number | null;
  children: number;
  member: AssignedUser | null;
  backup: AssignedUser | null;
}

export interface AuditEntryDto {
  id: number;
  actorId: number | null;
  actorUsername?: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  details: unknown;
  ip: string | null;
  createdAt: string;
}

// ---------------------------------------------------------------------------
// Plane geometry in local metres

type XY = [number, number];
const METRES_PER_DEGREE = 111_320;

/** An equirectangular projection around a reference point: good to well under 1% over a city. */
export class LocalPlane {
  private readonly cosLat: number;
  constructor(
    private readonly lng0: number,
    private readonly lat0: number,
  ) {
    this.cosLat = Math.cos((lat0 * Math.PI) / 180);
  }

  project([lng, lat]: Position): XY {
    return [
      (lng - this.lng0) * METRES_PER_DEGREE * this.cosLat,
      (lat - this.lat0) * METRES_PER_DEGREE,
    ];
  }
}

/** Signed shoelace area of an open ring: positive counter-clockwise. */
export function signedRingArea(ring: readonly XY[]): number {
  let twice = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    twice += ring[j]![0] * ring[i]![1] - ring[i]![0] * ring[j]![1];
  }
  return twice / 2;
}

const cross = (o: XY, a: XY, b: XY): number =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** A ring as an open list of points without repeats of the same point in a row. */
export function openRing(ring: readonly Position[]): Position[] {
  const result: Position[] = [];
  for (const point of ring) {
    const last = result[result.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) result.push([point[0], point[1]]);
  }
  const first = result[0];
  const last = result[result.length - 1];
  if (result.length > 1 && first![0] === last![0] && first![1] === last![1]) result.pop();
  return result;
}

function onSegment(p: XY, q: XY, r: XY): boolean {
  return (
    Math.min(p[0], q[0]) <= r[0] &&
    r[0] <= Math.max(p[0], q[0]) &&
    Math.min(p[1], q[1]) <= r[1] &&
    r[1] <= Math.max(p[1], q[1])
  );
}

/** Sign with a tolerance scaled to the segment lengths (metres). */
function orientation(p: XY, q: XY, r: XY): -1 | 0 | 1 {
  const value = cross(p, q, r);
  const scale = Math.hypot(q[0] - p[0], q[1] - p[1]) * Math.hypot(r[0] - p[0], r[1] - p[1]);
  if (Math.abs(value) <= scale * 1e-12) return 0;
  return value > 0 ? 1 : -1;
}

/** True when segments ab and cd share at least one point. */
export function segmentsTouch(a: XY, b: XY, c: XY, d: XY): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4 && o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0) return true;
  if (o1 === 0 && onSegment(a, b, c)) return true;
  if (o2 === 0 && onSegment(a, b, d)) return true;
  if (o3 === 0 && onSegment(c, d, a)) return true;
  if (o4 === 0 && onSegment(c, d, b)) return true;
  return false;
}

/**
 * The first place where a ring crosses or touches itself (apart from
 * neighbouring edges meeting at their shared corner), or null. Also catches a
 * spike: an edge that doubles back along the previous one.
 */
export function ringSelfIntersection(ring: readonly XY[]): XY | null {
  const n = ring.length;
  if (n < 3) return null;
  const bounds = ring.map((point, i) => {
    const next = ring[(i + 1) % n]!;
    return [
      Math.min(point[0], next[0]),
      Math.min(point[1], next[1]),
      Math.max(point[0], next[0]),
      Math.max(point[1], next[1]),
    ] as const;
  });
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % n]!;
    const c = ring[(i + 2) % n]!;
    // Neighbours: doubling back means b lies between a and c on one line.
    if (
      orientation(a, b, c) === 0 &&
      (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) < 0
    ) {
      return b;
    }
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      const bi = bounds[i]!;
      const bj = bounds[j]!;
      if (bi[2] < bj[0] || bj[2] < bi[0] || bi[3] < bj[1] || bj[3] < bi[1]) continue;
      const d = ring[j]!;
      const e = ring[(j + 1) % n]!;
      if (segmentsTouch(a, b, d, e)) return intersectionPoint(a, b, d, e);
    }
  }
  return null;
}

/** True when two rings' edges cross (touching at a single corner is allowed). */
function ringsCross(first: readonly XY[], second: readonly XY[]): boolean {
  for (let i = 0; i < first.length; i++) {
    const a = first[i]!;
    const b = first[(i + 1) % first.length]!;
    for (let j = 0; j < second.length; j++) {
      const c = second[j]!;
      const d = second[(j + 1) % second.length]!;
      const o1 = orientation(a, b, c);
      const o2 = orientation(a, b, d);
      const o3 = orientation(c, d, a);
      const o4 = orientation(c, d, b);
      if (o1 * o2 < 0 && o3 * o4 < 0) return true;
    }
  }
  return false;
}

function intersectionPoint(a: XY, b: XY, c: XY, d: XY): XY {
  const denominator = (b[0] - a[0]) * (d[1] - c[1]) - (b[1] - a[1]) * (d[0] - c[0]);
  if (Math.abs(denominator) < 1e-12) return c;
  const t = ((c[0] - a[0]) * (d[1] - c[1]) - (c[1] - a[1]) * (d[0] - c[0])) / denominator;
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
}

/** Ear clipping of a simple open ring into triangles (counter-clockwise). */
export function triangulate(ring: readonly XY[]): [XY, XY, XY][] {
  const points = signedRingArea(ring) < 0 ? [...ring].reverse() : [...ring];
  const triangles: [XY, XY, XY][] = [];
  const indexes = points.map((_, i) => i);
  let guard = 0;
  while (indexes.length > 3 && guard < points.length * points.length) {
    guard++;
    let clipped = false;
    for (let k = 0; k < indexes.length; k++) {
      const prev = points[indexes[(k + indexes.length - 1) % indexes.length]!]!;
      const here = points[indexes[k]!]!;
      const next = points[indexes[(k + 1) % indexes.length]!]!;
      const turn = cross(prev, here, next);
      if (turn < 0) continue;
      if (turn === 0) {
        // A straight corner adds nothing: drop it.
        indexes.splice(k, 1);
        clipped = true;
        break;
      }
      const blocked = indexes.some((index) => {
        const p = points[index]!;
        if (p === prev || p === here || p === next) return false;
        return cross(prev, here, p) >= 0 && cross(here, next, p) >= 0 && cross(next, prev, p) >= 0;
      });
      if (blocked) continue;
      triangles.push([prev, here, next]);
      indexes.splice(k, 1);
      clipped = true;
      break;
    }
    if (!clipped) break;
  }
  if (indexes.length === 3) {
    triangles.push([points[indexes[0]!]!, points[indexes[1]!]!, points[indexes[2]!]!]);
  }
  return triangles;
}

/** Sutherland–Hodgman: `subject` (any simple ring) clipped by a counter-clockwise triangle. */
function clipByTriangle(subject: readonly XY[], triangle: readonly XY[]): XY[] {
  let output: XY[] = [...subject];
  for (let i = 0; i < 3 && output.length > 0; i++) {
    const a = triangle[i]!;
    const b = triangle[(i + 1) % 3]!;
    const input = output;
    output = [];
    for (let k = 0; k < input.length; k++) {
      const p = input[k]!;
      const q = input[(k + 1) % input.length]!;
      const pIn = cross(a, b, p) >= 0;
      const qIn = cross(a, b, q) >= 0;
      if (pIn) output.push(p);
      if (pIn !== qIn) output.push(intersectionPoint(p, q, a, b));
    }
  }
  return output;
}

/** Area of the intersection of two simple open rings, in the rings' units squared. */
export function ringIntersectionArea(first: readonly XY[], second: readonly XY[]): number {
  let total = 0;
  for (const triangle of triangulate(first)) {
    const piece = clipByTriangle(second, triangle);
    if (piece.length >= 3) total += Math.abs(signedRingArea(piece));
  }
  return total;
}

type ProjectedPolygon = XY[][];

function projectGeometry(geometry: AreaGeometry, plane: LocalPlane): ProjectedPolygon[] {
  return polygonsOf(geometry).map((polygon) =>
    polygon.map((ring) => openRing(ring).map((point) => plane.project(point))),
  );
}

function polygonArea(polygon: ProjectedPolygon): number {
  const [outer, ...holes] = polygon;
  if (!outer) return 0;
  return holes.reduce(
    (area, hole) => area - Math.abs(signedRingArea(hole)),
    Math.abs(signedRingArea(outer)),
  );
}

/** Inclusion–exclusion over outer rings and holes (holes lie inside their outer ring). */
function polygonIntersectionArea(p: ProjectedPolygon, q: ProjectedPolygon): number {
  const [pOuter, ...pHoles] = p;
  const [qOuter, ...qHoles] = q;
  if (!pOuter || !qOuter) return 0;
  let area = ringIntersectionArea(pOuter, qOuter);
  if (area === 0) return 0;
  for (const hole of pHoles) area -= ringIntersectionArea(hole, qOuter);
  for (const hole of qHoles) area -= ringIntersectionArea(pOuter, hole);
  for (const a of pHoles) for (const b of qHoles) area += ringIntersectionArea(a, b);
  return Math.max(0, area);
}

function firstPosition(geometry: AreaGeometry): Position {
  return polygonsOf(geometry)[0]?.[0]?.[0] ?? [0, 0];
}

/** Area in square metres. */
export function geometryAreaM2(geometry: AreaGeometry): number {
  const [lng, lat] = firstPosition(geometry);
  const plane = new LocalPlane(lng, lat);
  return projectGeometry(geometry, plane).reduce((sum, polygon) => sum + polygonArea(polygon), 0);
}

/** Area shared by two valid geometries, in square metres. */
export function intersectionAreaM2(first: AreaGeometry, second: AreaGeometry): number {
  const [lng, lat] = firstPosition(first);
  const plane = new LocalPlane(lng, lat);
  const a = projectGeometry(first, plane);
  const b = projectGeometry(second, plane);
  let total = 0;
  for (const p of a) for (const q of b) total += polygonIntersectionArea(p, q);
  return total;
}

/** Area-weighted centroid of the outer rings, as {lat, lng}. */
export function geometryCentroid(geometry: AreaGeometry): { lat: number; lng: number } {
  let area = 0;
  let x = 0;
  let y = 0;
  for (const polygon of polygonsOf(geometry)) {
    const ring = openRing(polygon[0] ?? []);
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      const c = xj * yi - xi * yj;
      area += c;
      x += (xi + xj) * c;
      y += (yi + yj) * c;
    }
  }
  if (Math.abs(area) < 1e-18) {
    const [lng, lat] = firstPosition(geometry);
    return { lat, lng };
  }
  return { lng: x / (3 * area), lat: y / (3 * area) };
}

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}
export function geometryBounds(geometry: AreaGeometry): Bounds {
  const bounds = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const polygon of polygonsOf(geometry)) {
    for (const [x, y] of polygon[0] ?? []) {
      bounds.minX = Math.min(bounds.minX, x);
      bounds.minY = Math.min(bounds.minY, y);
      bounds.maxX = Math.max(bounds.maxX, x);
      bounds.maxY = Math.max(bounds.maxY, y);
    }
  }
  return bounds;
}
const boundsMeet = (a: Bounds, b: Bounds) =>
  a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY;

// ---------------------------------------------------------------------------
// Geometry validation

type GeometryProblem = Pick<ImportProblem, 'kind' | 'message'>;

function isPosition(value: unknown): value is Position {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((part) => typeof part === 'number' && Number.isFinite(part))
  );
}

/**
 * Everything wrong with one geometry as an area: its type, the shape of its
 * coordinates, ranges, ring length and closure, self-intersection. Empty when valid.
 */
export function geometryProblems(geometry: unknown): GeometryProblem[] {
  if (typeof geometry !== 'object' || geometry === null) {
    return [{ kind: 'MISSING_GEOMETRY', message: 'geometry is missing' }];
  }
  const { type, coordinates } = geometry as { type?: unknown; coordinates?: unknown };
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    return [
      {
        kind: 'GEOMETRY_TYPE',
        message: `geometry type ${JSON.stringify(type ?? null)} is not Polygon or MultiPolygon`,
      },
    ];
  }
  const polygons: unknown[] =
    type === 'Polygon' ? [coordinates] : Array.isArray(coordinates) ? coordinates : [null];
  const problems: GeometryProblem[] = [];
  if (polygons.length === 0) {
    return [{ kind: 'BAD_COORDINATES', message: 'MultiPolygon has no polygons' }];
  }
  polygons.forEach((polygon, p) => {
    const where = type === 'Polygon' ? '' : `polygon ${p + 1}, `;
    if (!Array.isArray(polygon) || polygon.length === 0) {
      problems.push({
        kind: 'BAD_COORDINATES',
        message: `${where}coordinates are not a list of rings`,
      });
      return;
    }
    const projectedRings: XY[][] = [];
    let ringsValid = true;
    polygon.forEach((ring: unknown, r) => {
      const ringName = `${where}${r === 0 ? 'outer ring' : `hole ${r}`}`;
      if (!Array.isArray(ring) || !ring.every(isPosition)) {
        problems.push({
          kind: 'BAD_COORDINATES',
          message: `${ringName}: not a list of [lng, lat] positions`,
        });
        ringsValid = false;
        return;
      }
      const positions = ring as Position[];
      const outside = positions.findIndex(
        ([lng, lat]) => lng < -180 || lng > 180 || lat < -90 || lat > 90,
      );
      if (outside >= 0) {
        problems.push({
          kind: 'COORDINATES_OUT_OF_RANGE',
          message: `${ringName}: position ${outside + 1} [${positions[outside]!.slice(0, 2).join(', ')}] is outside longitude -180..180, latitude -90..90`,
        });
        ringsValid = false;
        return;
      }
      if (positions.length < 4) {
        problems.push({
          kind: 'RING_TOO_SHORT',
          message: `${ringName}: ${positions.length} positions; a closed ring needs at least 4`,
        });
        ringsValid = false;
        return;
      }
      const first = positions[0]!;
      const last = positions[positions.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) {
        problems.push({
          kind: 'RING_NOT_CLOSED',
          message: `${ringName}: the last position differs from the first`,
        });
        ringsValid = false;
        return;
      }
      const open = openRing(positions);
      if (open.length < 3) {
        problems.push({
          kind: 'RING_TOO_SHORT',
          message: `${ringName}: fewer than 3 distinct corners`,
        });
        ringsValid = false;
        return;
      }
      const plane = new LocalPlane(open[0]![0], open[0]![1]);
      const projected = open.map((point) => plane.project(point));
      const crossing = ringSelfIntersection(projected);
      if (crossing) {
        problems.push({ kind: 'SELF_INTERSECTION', message: `${ringName} crosses itself` });
        ringsValid = false;
        return;
      }
      projectedRings.push(projected);
    });
    if (ringsValid && projectedRings.length > 1) {
      // Re-project holes in the outer ring's plane so their edges can be compared.
      const origin = (polygon[0] as Position[])[0]!;
      const plane = new LocalPlane(origin[0], origin[1]);
      const rings = (polygon as Position[][]).map((ring) =>
        openRing(ring).map((point) => plane.project(point)),
      );
      for (let a = 0; a < rings.length; a++) {
        for (let b = a + 1; b < rings.length; b++) {
          if (ringsCross(rings[a]!, rings[b]!)) {
            problems.push({
              kind: 'SELF_INTERSECTION',
              message: `${where}${a === 0 ? 'outer ring' : `hole ${a}`} and hole ${b} cross`,
            });
          }
        }
      }
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------
// Import validation

/** A region already in the database, as the import sees it. */
export interface ExistingRegion {
  code: string;
  level: RegionLevel;
  parentCode: string | null;
  boundary: AreaGeometry | null;
}
/** A user named in a grid feature's memberUsername/backupUsername. */
export interface ImportUser {
  username: string;
  role: Role;
  active: boolean;
  regionCode: string | null;
}
export interface RegionImportContext {
  existing: ReadonlyMap<string, ExistingRegion>;
  users: ReadonlyMap<string, ImportUser>;
}

/** A feature that passed validation, ready to write. */
export interface ValidRegionFeature {
  index: number;
  code: string;
  name: string;
  nameEn: string | null;
  level: RegionLevel;
  parentCode: string | null;
  geometry: AreaGeometry | null;
  memberUsername: string | null;
  backupUsername: string | null;
}

/** Overlaps and gaps smaller than this are taken for rounding along shared edges. */
export const OVERLAP_TOLERANCE = { squareMetres: 5, fraction: 0.005 } as const;

const toleranceFor = (area: number) =>
  Math.max(OVERLAP_TOLERANCE.squareMetres, OVERLAP_TOLERANCE.fraction * area);

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;

/**
 * Checks a GeoJSON FeatureCollection of regions against itself and the
 * regions already stored. Every problem is reported, each with its feature's
 * index; `features` holds the valid features only when there is no problem.
 */
export function validateRegionImport(
  input: unknown,
  context: RegionImportContext,
): { problems: ImportProblem[]; features: ValidRegionFeature[] } {
  const problems: ImportProblem[] = [];
  const collection = input as { type?: unknown; features?: unknown } | null;
  if (
    typeof collection !== 'object' ||
    collection === null ||
    collection.type !== 'FeatureCollection' ||
    !Array.isArray(collection.features)
  ) {
    return {
      problems: [
        {
          index: -1,
          code: null,
          kind: 'NOT_A_COLLECTION',
          message: 'the file is not a GeoJSON FeatureCollection',
        },
      ],
      features: [],
    };
  }
  const raw: unknown[] = collection.features;
  const report = (
    index: number,
    code: string | null,
    problem: Omit<ImportProblem, 'index' | 'code'>,
  ) => problems.push({ index, code, ...problem });

  // Pass 1: each feature on its own.
  const parsed: (ValidRegionFeature & { geometryOk: boolean })[] = [];
  const codeCount = new Map<string, number>();
  raw.forEach((item, index) => {
    const feature = item as { type?: unknown; properties?: unknown; geometry?: unknown } | null;
    if (typeof feature !== 'object' || feature === null || feature.type !== 'Feature') {
      report(index, null, { kind: 'NOT_A_FEATURE', message: 'not a GeoJSON Feature' });
      return;
    }
    const props = (
      typeof feature.properties === 'object' && feature.properties !== null
        ? feature.properties
        : {}
    ) as Record<string, unknown>;
    const code = text(props.code);
    if (code === null)
      report(index, null, { kind: 'MISSING_CODE', message: 'properties.code is missing' });
    else codeCount.set(code, (codeCount.get(code) ?? 0) + 1);
    const name = text(props.name);
    if (name === null)
      report(index, code, { kind: 'MISSING_NAME', message: 'properties.name is missing' });
    const level = REGION_LEVELS.find((candidate) => candidate === props.level) ?? null;
    if (level === null) {
      report(index, code, {
        kind: 'INVALID_LEVEL',
        message: `properties.level ${JSON.stringify(props.level ?? null)} is not one of ${REGION_LEVELS.join(', ')}`,
      });
    }
    let geometryOk = false;
    if (feature.geometry === null || feature.geometry === undefined) {
      if (level === 'GRID') {
        report(index, code, { kind: 'MISSING_GEOMETRY', message: 'a grid needs a boundary' });
      } else {
        geometryOk = true;
      }
    } else {
      const geometryIssues = geometryProblems(feature.geometry);
      for (const issue of geometryIssues) report(index, code, issue);
      geometryOk = geometryIssues.length === 0;
    }
    if (code === null || name === null || level === null) return;
    parsed.push({
      index,
      code,
      name,
      nameEn: text(props.nameEn),
      level,
      parentCode: text(props.parentCode),
      geometry: geometryOk && feature.geometry ? (feature.geometry as AreaGeometry) : null,
      geometryOk,
      memberUsername: text(props.memberUsername),
      backupUsername: text(props.backupUsername),
    });
  });

  for (const feature of parsed) {
    if ((codeCount.get(feature.code) ?? 0) > 1) {
      const others = parsed
        .filter((other) => other.code === feature.code && other !== feature)
        .map((other) => `#${other.index}`);
      report(feature.index, feature.code, {
        kind: 'DUPLICATE_CODE',
        message: `code ${feature.code} appears more than once (also ${others.join(', ')})`,
        other: others.join(', '),
      });
    }
  }

  // Pass 2: the tree.
  const fileByCode = new Map(parsed.map((feature) => [feature.code, feature]));
  const levelOf = (code: string): RegionLevel | null =>
    fileByCode.get(code)?.level ?? context.existing.get(code)?.level ?? null;
  const parentOf = (code: string): string | null | undefined =>
    fileByCode.has(code)
      ? fileByCode.get(code)!.parentCode
      : context.existing.get(code)?.parentCode;
  for (const feature of parsed) {
    const stored = context.existing.get(feature.code);
    if (stored && stored.level !== feature.level) {
      report(feature.index, feature.code, {
        kind: 'LEVEL_CHANGED',
        message: `${feature.code} is stored as ${stored.level}; an import cannot change a region's level`,
      });
    }
    if (feature.level === 'CITY') {
      if (feature.parentCode !== null) {
        report(feature.index, feature.code, {
          kind: 'WRONG_LEVEL',
          message: 'a city has no parent',
          other: feature.parentCode,
        });
      }
      continue;
    }
    if (feature.parentCode === null) {
      report(feature.index, feature.code, {
        kind: 'UNKNOWN_PARENT',
        message: 'properties.parentCode is missing',
      });
      continue;
    }
    const parentLevel = levelOf(feature.parentCode);
    if (parentLevel === null) {
      report(feature.index, feature.code, {
        kind: 'UNKNOWN_PARENT',
        message: `parent ${feature.parentCode} is neither in the file nor stored`,
        other: feature.parentCode,
      });
    } else if (regionDepth(parentLevel) !== regionDepth(feature.level) - 1) {
      report(feature.index, feature.code, {
        kind: 'WRONG_LEVEL',
        message: `a ${feature.level} cannot sit under ${feature.parentCode}, a ${parentLevel}`,
        other: feature.parentCode,
      });
    }
  }

  // Pass 3: grids against each other and against their community.
  const boundaryOf = (code: string): AreaGeometry | null =>
    fileByCode.has(code)
      ? (fileByCode.get(code)!.geometry ?? null)
      : (context.existing.get(code)?.boundary ?? null);
  interface GridShape {
    code: string;
    index: number | null;
    geometry: AreaGeometry;
    bounds: Bounds;
    area: number;
  }
  const newGrids: GridShape[] = [];
  for (const feature of parsed) {
    if (feature.level !== 'GRID' || !feature.geometryOk || !feature.geometry) continue;
    if ((codeCount.get(feature.code) ?? 0) > 1) continue;
    newGrids.push({
      code: feature.code,
      index: feature.index,
      geometry: feature.geometry,
      bounds: geometryBounds(feature.geometry),
      area: geometryAreaM2(feature.geometry),
    });
  }
  const storedGrids: GridShape[] = [];
  for (const region of context.existing.values()) {
    if (region.level !== 'GRID' || !region.boundary || fileByCode.has(region.code)) continue;
    storedGrids.push({
      code: region.code,
      index: null,
      geometry: region.boundary,
      bounds: geometryBounds(region.boundary),
      area: geometryAreaM2(region.boundary),
    });
  }
  const compare = (a: GridShape, b: GridShape) => {
    if (!boundsMeet(a.bounds, b.bounds)) return;
    const shared = intersectionAreaM2(a.geometry, b.geometry);
    if (shared <= toleranceFor(Math.min(a.area, b.area))) return;
    const areaM2 = Math.round(shared);
    const describe = (other: GridShape) =>
      other.index === null ? `stored grid ${other.code}` : `grid ${other.code} (#${other.index})`;
    report(a.index!, a.code, {
      kind: 'OVERLAP',
      message: `overlaps ${describe(b)} by ${areaM2} m²`,
      other: b.code,
      areaM2,
    });
    if (b.index !== null) {
      report(b.index, b.code, {
        kind: 'OVERLAP',
        message: `overlaps ${describe(a)} by ${areaM2} m²`,
        other: a.code,
        areaM2,
      });
    }
  };
  for (let i = 0; i < newGrids.length; i++) {
    for (let j = i + 1; j < newGrids.length; j++) compare(newGrids[i]!, newGrids[j]!);
    for (const stored of storedGrids) compare(newGrids[i]!, stored);
  }
  for (const grid of newGrids) {
    const communityCode = parentOf(grid.code);
    if (!communityCode || levelOf(communityCode) !== 'COMMUNITY') continue;
    const community = boundaryOf(communityCode);
    if (!community) continue;
    const outside = grid.area - intersectionAreaM2(grid.geometry, community);
    if (outside > toleranceFor(grid.area)) {
      const areaM2 = Math.round(outside);
      report(grid.index!, grid.code, {
        kind: 'ORPHAN',
        message: `${areaM2} m² of the grid lie outside its community ${communityCode}`,
        other: communityCode,
        areaM2,
      });
    }
  }

  // Pass 4: the people named on grids.
  for (const feature of parsed) {
    for (const [field, username] of [
      ['memberUsername', feature.memberUsername],
      ['backupUsername', feature.backupUsername],
    ] as const) {
      if (username === null) continue;
      const user = context.users.get(username);
      if (!user) {
        report(feature.index, feature.code, {
          kind: 'UNKNOWN_USER',
          message: `${field} ${username} is not a user`,
          other: username,
        });
        continue;
      }
      const community = feature.parentCode;
      const fits =
        feature.level === 'GRID' &&
        user.active &&
        user.role === 'GRID_MEMBER' &&
        user.regionCode !== null &&
        (user.regionCode === feature.code ||
          user.regionCode === community ||
          parentOf(user.regionCode) === community);
      if (!fits) {
        report(feature.index, feature.code, {
          kind: 'USER_NOT_ELIGIBLE',
          message: `${field} ${username} is not an active grid member at home in this grid's community`,
          other: username,
        });
      }
    }
  }

  problems.sort((a, b) => a.index - b.index);
  return {
    problems,
    features:
      problems.length === 0 ? parsed.map(({ geometryOk: _geometryOk, ...feature }) => feature) : [],
  };
}
