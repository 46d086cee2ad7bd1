import { describe, expect, it } from 'vitest';
import { GridIndex, type Position } from '@gridline/core';
import {
  benchLookups,
  pointsInGrids,
  randomPointIn,
  seededRandom,
  syntheticCity,
  toAreaGeometry,
} from './lookup-bench.ts';

describe('seededRandom', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const value = a();
      expect(value).toBe(b());
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('syntheticCity', () => {
  it('makes the asked number of grids that tile without gaps or overlaps', () => {
    const grids = syntheticCity(50);
    expect(grids).toHaveLength(50);
    expect(new Set(grids.map((grid) => grid.id)).size).toBe(50);
    const index = new GridIndex(grids);
    const random = seededRandom(1);
    const points = pointsInGrids(grids, 2000, random);
    for (const point of points) expect(index.gridAt(point)).not.toBeNull();
  });

  it('is deterministic', () => {
    expect(syntheticCity(20)).toEqual(syntheticCity(20));
    expect(syntheticCity(0)).toEqual([]);
    expect(() => syntheticCity(-1)).toThrow(RangeError);
  });
});

describe('randomPointIn', () => {
  it('stays inside a convex ring', () => {
    const ring: Position[] = [
      [0, 0],
      [4, 0],
      [5, 3],
      [2, 5],
      [-1, 3],
      [0, 0],
    ];
    const index = new GridIndex([{ id: 1, boundary: { type: 'Polygon', coordinates: [ring] } }]);
    const random = seededRandom(3);
    for (let i = 0; i < 1000; i++) expect(index.gridAt(randomPointIn(ring, random))).toBe(1);
  });

  it('needs three vertices', () => {
    expect(() =>
      randomPointIn(
        [
          [0, 0],
          [1, 1],
          [0, 0],
        ],
        seededRandom(1),
      ),
    ).toThrow(RangeError);
  });
});

describe('benchLookups', () => {
  it('times every lookup in whole batches', () => {
    const result = benchLookups('tiny', syntheticCity(16), {
      lookups: 1005,
      batchSize: 10,
      warmup: 10,
    });
    expect(result.lookups).toBe(1000);
    expect(result.grids).toBe(16);
    expect(result.hits).toBe(1000);
    expect(result.perLookupNs?.count).toBe(100);
    expect(result.perLookupNs!.p50).toBeGreaterThan(0);
  });
});

describe('toAreaGeometry', () => {
  it('accepts GeoJSON polygons and refuses anything else', () => {
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    };
    expect(toAreaGeometry(polygon)).toBe(polygon);
    expect(toAreaGeometry({ type: 'Point', coordinates: [0, 0] })).toBeNull();
    expect(toAreaGeometry(null)).toBeNull();
    expect(toAreaGeometry('{}')).toBeNull();
  });
});
