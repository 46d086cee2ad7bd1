import { describe, expect, it } from 'vitest';
import {
  categoryPatchSchema,
  geometryAreaM2,
  geometryProblems,
  intersectionAreaM2,
  validateRegionImport,
  type ExistingRegion,
  type ImportUser,
  type RegionImportContext,
} from './admin.ts';
import type { DeadlinePolicy } from './categories.ts';
import type { AreaGeometry, Position } from './geo.ts';

/** An axis-aligned rectangle as a closed counter-clockwise GeoJSON polygon. */
function box(west: number, south: number, east: number, north: number): AreaGeometry {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [west, south],
        [east, south],
        [east, north],
        [west, north],
        [west, south],
      ],
    ],
  };
}

const COMMUNITY = box(123.0, 41.0, 123.02, 41.01);
const existing = new Map<string, ExistingRegion>([
  ['C', { code: 'C', level: 'CITY', parentCode: null, boundary: null }],
  ['D', { code: 'D', level: 'DISTRICT', parentCode: 'C', boundary: null }],
  ['S', { code: 'S', level: 'STREET', parentCode: 'D', boundary: null }],
  ['CM', { code: 'CM', level: 'COMMUNITY', parentCode: 'S', boundary: COMMUNITY }],
  // A stored grid in the east half of the community.
  [
    'CM-9',
    { code: 'CM-9', level: 'GRID', parentCode: 'CM', boundary: box(123.01, 41.0, 123.02, 41.01) },
  ],
]);
const users = new Map<string, ImportUser>([
  ['m1', { username: 'm1', role: 'GRID_MEMBER', active: true, regionCode: 'CM-9' }],
  ['m2', { username: 'm2', role: 'GRID_MEMBER', active: true, regionCode: 'CM' }],
  ['staff', { username: 'staff', role: 'COMMUNITY_STAFF', active: true, regionCode: 'CM' }],
  ['away', { username: 'away', role: 'GRID_MEMBER', active: true, regionCode: 'D' }],
]);
const context: RegionImportContext = { existing, users };

function grid(code: string, geometry: unknown, extra: Record<string, unknown> = {}) {
  return {
    type: 'Feature',
    geometry,
    properties: { code, name: `网格 ${code}`, level: 'GRID', parentCode: 'CM', ...extra },
  };
}
const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

const kinds = (input: unknown) =>
  validateRegionImport(input, context).problems.map((problem) => [problem.index, problem.kind]);

describe('geometryProblems', () => {
  it('accepts a closed simple polygon and a multipolygon with a hole', () => {
    expect(geometryProblems(box(123, 41, 123.01, 41.01))).toEqual([]);
    const withHole: AreaGeometry = {
      type: 'MultiPolygon',
      coordinates: [
        [
          (box(123, 41, 123.01, 41.01) as { coordinates: Position[][] }).coordinates[0]!,
          [
            [123.002, 41.002],
            [123.002, 41.004],
            [123.004, 41.004],
            [123.004, 41.002],
            [123.002, 41.002],
          ],
        ],
      ],
    };
    expect(geometryProblems(withHole)).toEqual([]);
  });

  it('names each kind of broken geometry', () => {
    const kindOf = (geometry: unknown) => geometryProblems(geometry).map((problem) => problem.kind);
    expect(kindOf({ type: 'Point', coordinates: [123, 41] })).toEqual(['GEOMETRY_TYPE']);
    expect(kindOf({ type: 'LineString', coordinates: [] })).toEqual(['GEOMETRY_TYPE']);
    expect(kindOf(null)).toEqual(['MISSING_GEOMETRY']);
    expect(
      kindOf({
        type: 'Polygon',
        coordinates: [
          [
            [123, 41],
            [123.01, 41],
            [123.01, 41.01],
            [123, 41.01],
          ],
        ],
      }),
    ).toEqual(['RING_NOT_CLOSED']);
    expect(
      kindOf({
        type: 'Polygon',
        coordinates: [
          [
            [123, 41],
            [123.01, 41],
            [123, 41],
          ],
        ],
      }),
    ).toEqual(['RING_TOO_SHORT']);
    // A bow tie: the edges cross in the middle.
    expect(
      kindOf({
        type: 'Polygon',
        coordinates: [
          [
            [123, 41],
            [123.01, 41.01],
            [123.01, 41],
            [123, 41.01],
            [123, 41],
          ],
        ],
      }),
    ).toEqual(['SELF_INTERSECTION']);
    // Latitude and longitude swapped: 123 is no latitude.
    expect(
      kindOf({
        type: 'Polygon',
        coordinates: [
          [
            [41, 123],
            [41.01, 123],
            [41.01, 123.01],
            [41, 123],
          ],
        ],
      }),
    ).toEqual(['COORDINATES_OUT_OF_RANGE']);
    expect(kindOf({ type: 'Polygon', coordinates: [[['a', 'b']]] })).toEqual(['BAD_COORDINATES']);
  });

  it('finds a hole that crosses its outer ring', () => {
    const problems = geometryProblems({
      type: 'Polygon',
      coordinates: [
        (box(123, 41, 123.01, 41.01) as { coordinates: Position[][] }).coordinates[0]!,
        [
          [123.005, 41.005],
          [123.02, 41.005],
          [123.02, 41.008],
          [123.005, 41.008],
          [123.005, 41.005],
        ],
      ],
    });
    expect(problems.map((problem) => problem.kind)).toEqual(['SELF_INTERSECTION']);
  });

  it('finds a spike that doubles back along its own edge', () => {
    const problems = geometryProblems({
      type: 'Polygon',
      coordinates: [
        [
          [123, 41],
          [123.01, 41],
          [123.02, 41],
          [123.015, 41],
          [123.01, 41.01],
          [123, 41],
        ],
      ],
    });
    expect(problems.map((problem) => problem.kind)).toEqual(['SELF_INTERSECTION']);
  });
});

describe('areas', () => {
  it('measures a box and the overlap of two boxes, also non-convex ones', () => {
    const a = box(123, 41, 123.01, 41.01);
    const area = geometryAreaM2(a);
    // 0.01° × 0.01° at 41°N is about 840 m × 1113 m.
    expect(area).toBeGreaterThan(900_000);
    expect(area).toBeLessThan(960_000);
    const half = box(123.005, 41, 123.015, 41.01);
    expect(intersectionAreaM2(a, half) / area).toBeCloseTo(0.5, 3);
    expect(intersectionAreaM2(a, box(123.01, 41, 123.02, 41.01))).toBeLessThan(1e-6);
    // An L shape and a box that only meets its missing corner.
    const l: AreaGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [123, 41],
          [123.02, 41],
          [123.02, 41.01],
          [123.01, 41.01],
          [123.01, 41.02],
          [123, 41.02],
          [123, 41],
        ],
      ],
    };
    expect(intersectionAreaM2(l, box(123.012, 41.012, 123.018, 41.018))).toBeLessThan(1e-6);
    expect(intersectionAreaM2(l, box(123, 41, 123.02, 41.02)) / geometryAreaM2(l)).toBeCloseTo(
      1,
      6,
    );
  });
});

describe('validateRegionImport', () => {
  it('accepts a valid file and returns its features', () => {
    const result = validateRegionImport(
      collection(
        grid('CM-1', box(123.0, 41.0, 123.01, 41.01), {
          memberUsername: 'm2',
          backupUsername: 'm1',
        }),
      ),
      context,
    );
    expect(result.problems).toEqual([]);
    expect(result.features).toHaveLength(1);
    expect(result.features[0]).toMatchObject({
      code: 'CM-1',
      parentCode: 'CM',
      memberUsername: 'm2',
    });
  });

  it('lets a file replace a stored grid without counting it as an overlap', () => {
    const result = validateRegionImport(
      collection(
        grid('CM-9', box(123.005, 41.0, 123.02, 41.01)),
        grid('CM-1', box(123.0, 41.0, 123.005, 41.01)),
      ),
      context,
    );
    expect(result.problems).toEqual([]);
  });

  it('rejects what is not a FeatureCollection', () => {
    expect(kinds({ type: 'Feature' })).toEqual([[-1, 'NOT_A_COLLECTION']]);
    expect(kinds([1, 2])).toEqual([[-1, 'NOT_A_COLLECTION']]);
  });

  it('reports missing and duplicate codes, missing names and bad levels, by feature index', () => {
    const square = box(123.0, 41.0, 123.005, 41.005);
    expect(
      kinds(
        collection(
          {
            type: 'Feature',
            geometry: square,
            properties: { name: 'x', level: 'GRID', parentCode: 'CM' },
          },
          grid('CM-1', box(123.0, 41.0, 123.004, 41.004)),
          grid('CM-1', box(123.005, 41.005, 123.009, 41.009)),
          grid('CM-2', box(123.0, 41.006, 123.004, 41.009), { name: ' ' }),
          grid('CM-3', box(123.0, 41.0, 123.001, 41.001), { level: 'BLOCK' }),
          { type: 'Polygon' },
        ),
      ),
    ).toEqual([
      [0, 'MISSING_CODE'],
      [1, 'DUPLICATE_CODE'],
      [2, 'DUPLICATE_CODE'],
      [3, 'MISSING_NAME'],
      [4, 'INVALID_LEVEL'],
      [5, 'NOT_A_FEATURE'],
    ]);
  });

  it('reports unknown parents, levels that do not fit the parent, and level changes', () => {
    const result = validateRegionImport(
      collection(
        grid('CM-1', box(123.0, 41.0, 123.004, 41.004), { parentCode: 'NOPE' }),
        grid('CM-2', box(123.0, 41.005, 123.004, 41.009), { parentCode: 'S' }),
        {
          type: 'Feature',
          geometry: null,
          properties: { code: 'S', name: 'S', level: 'COMMUNITY', parentCode: 'D' },
        },
        {
          type: 'Feature',
          geometry: null,
          properties: { code: 'D2', name: 'D2', level: 'DISTRICT' },
        },
      ),
      context,
    );
    expect(result.problems.map((problem) => [problem.index, problem.kind, problem.other])).toEqual([
      [0, 'UNKNOWN_PARENT', 'NOPE'],
      // S is a STREET in the store, and the file tries to make it a COMMUNITY:
      // the grid under it is judged by the file's level.
      [2, 'LEVEL_CHANGED', undefined],
      [2, 'WRONG_LEVEL', 'D'],
      [3, 'UNKNOWN_PARENT', undefined],
    ]);
    expect(result.features).toEqual([]);
  });

  it('reports a grid under a street as the wrong level', () => {
    expect(
      kinds(collection(grid('CM-2', box(123.0, 41.005, 123.004, 41.009), { parentCode: 'S' }))),
    ).toEqual([[0, 'WRONG_LEVEL']]);
  });

  it('reports invalid geometry on the feature that carries it', () => {
    expect(
      kinds(
        collection(
          grid('CM-1', { type: 'Point', coordinates: [123, 41] }),
          grid('CM-2', null),
          grid('CM-3', box(123.0, 41.0, 123.004, 41.004)),
        ),
      ),
    ).toEqual([
      [0, 'GEOMETRY_TYPE'],
      [1, 'MISSING_GEOMETRY'],
    ]);
  });

  it('reports overlaps between grids in the file and with stored grids, beyond the tolerance', () => {
    const result = validateRegionImport(
      collection(
        grid('CM-1', box(123.0, 41.0, 123.006, 41.01)),
        grid('CM-2', box(123.004, 41.0, 123.0105, 41.01)),
      ),
      context,
    );
    expect(result.problems.map((problem) => [problem.index, problem.kind, problem.other])).toEqual([
      [0, 'OVERLAP', 'CM-2'],
      [1, 'OVERLAP', 'CM-1'],
      [1, 'OVERLAP', 'CM-9'],
    ]);
    expect(result.problems[0]!.areaM2).toBeGreaterThan(100_000);
    // Edges that meet to within a millimetre are not an overlap.
    expect(
      kinds(
        collection(
          grid('CM-1', box(123.0, 41.0, 123.0050000001, 41.01)),
          grid('CM-2', box(123.005, 41.0, 123.01, 41.01)),
        ),
      ),
    ).toEqual([]);
  });

  it('reports a grid that lies outside its community as an orphan', () => {
    const result = validateRegionImport(
      collection(grid('CM-1', box(122.99, 41.0, 123.002, 41.005))),
      context,
    );
    expect(result.problems.map((problem) => [problem.index, problem.kind, problem.other])).toEqual([
      [0, 'ORPHAN', 'CM'],
    ]);
  });

  it('checks the people named on grids', () => {
    expect(
      kinds(
        collection(
          grid('CM-1', box(123.0, 41.0, 123.005, 41.005), { memberUsername: 'ghost' }),
          grid('CM-2', box(123.005, 41.005, 123.01, 41.01), { memberUsername: 'staff' }),
          grid('CM-3', box(123.0, 41.005, 123.005, 41.01), { backupUsername: 'away' }),
        ),
      ),
    ).toEqual([
      [0, 'UNKNOWN_USER'],
      [1, 'USER_NOT_ELIGIBLE'],
      [2, 'USER_NOT_ELIGIBLE'],
    ]);
  });
});

describe('categoryPatchSchema', () => {
  const rule = {
    acceptMinutes: 30,
    resolveMinutes: 240,
    reminders: [0.5, 0.8],
    escalationAcceptMinutes: [30, 30, 30],
  };
  const policy: DeadlinePolicy = { LOW: rule, NORMAL: rule, HIGH: rule, URGENT: rule };

  it('accepts a valid policy and refuses accept after resolve or unsorted reminders', () => {
    expect(categoryPatchSchema.safeParse({ policy }).success).toBe(true);
    const bad = categoryPatchSchema.safeParse({
      policy: {
        ...policy,
        URGENT: { ...rule, acceptMinutes: 300 },
        LOW: { ...rule, reminders: [0.8, 0.5] },
      },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'policy.LOW.reminders',
      'policy.URGENT.acceptMinutes',
    ]);
    expect(categoryPatchSchema.safeParse({}).success).toBe(false);
    expect(
      categoryPatchSchema.safeParse({ policy: { ...policy, HIGH: { ...rule, acceptMinutes: -1 } } })
        .success,
    ).toBe(false);
  });
});
