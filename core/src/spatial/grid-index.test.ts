import { describe, expect, it } from 'vitest';
import type { AreaGeometry, Position } from '../geo.ts';
import { GridIndex } from './grid-index.ts';
import { pointInPolygon } from './point-in-polygon.ts';

const square = (x: number, y: number, size: number): Position[] => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
  [x, y],
];
const polygon = (...rings: Position[][]): AreaGeometry => ({ type: 'Polygon', coordinates: rings });

// Two grids side by side sharing the edge x = 1; grid 3 has a hole, and grid 4 fills that hole.
const grids = [
  { id: 1, boundary: polygon(square(0, 0, 1)) },
  { id: 2, boundary: polygon(square(1, 0, 1)) },
  { id: 3, boundary: polygon(square(10, 10, 4), square(11, 11, 2)) },
  { id: 4, boundary: polygon(square(11, 11, 2)) },
  {
    id: 5,
    boundary: {
      type: 'MultiPolygon',
      coordinates: [[square(20, 0, 1)], [square(30, 0, 1)]],
    } satisfies AreaGeometry,
  },
];
const at = (lng: number, lat: number) => ({ lat, lng });

describe('point in polygon', () => {
  it('tells inside, outside and on the boundary, with holes outside', () => {
    const withHole = [square(0, 0, 4), square(1, 1, 2)];
    expect(pointInPolygon(0.5, 0.5, withHole)).toBe(1);
    expect(pointInPolygon(2, 2, withHole)).toBe(-1);
    expect(pointInPolygon(1, 2, withHole)).toBe(0);
    expect(pointInPolygon(0, 2, withHole)).toBe(0);
    expect(pointInPolygon(5, 5, withHole)).toBe(-1);
    expect(pointInPolygon(4, 4, withHole)).toBe(0);
  });
});

describe('GridIndex', () => {
  const index = new GridIndex(grids);

  it('finds the grid that contains a point', () => {
    expect(index.gridAt(at(0.5, 0.5))).toBe(1);
    expect(index.gridAt(at(1.5, 0.5))).toBe(2);
    expect(index.gridAt(at(30.5, 0.5))).toBe(5);
  });

  it('gives a point on a shared edge to the lowest grid id, consistently', () => {
    expect(index.gridAt(at(1, 0.5))).toBe(1);
    expect(index.gridAt(at(1, 0))).toBe(1);
    expect(index.gridAt(at(2, 0.5))).toBe(2);
  });

  it('respects holes: a point in the hole belongs to the grid inside it', () => {
    expect(index.gridAt(at(10.5, 10.5))).toBe(3);
    expect(index.gridAt(at(12, 12))).toBe(4);
  });

  it('reports points outside every grid with the nearest grid', () => {
    expect(index.gridAt(at(5, 5))).toBeNull();
    expect(index.lookup(at(2.5, 0.5))).toEqual({ kind: 'outside', nearestGridId: 2 });
    expect(index.lookup(at(-3, 0.5))).toEqual({ kind: 'outside', nearestGridId: 1 });
    expect(index.lookup(at(0.2, 0.2))).toEqual({ kind: 'inside', gridId: 1 });
  });

  it('copes with no grids at all', () => {
    const empty = new GridIndex([]);
    expect(empty.gridAt(at(0, 0))).toBeNull();
    expect(empty.lookup(at(0, 0))).toEqual({ kind: 'none' });
  });

  it('agrees with brute force on random points over a 50x50 lattice', () => {
    const lattice = [];
    for (let i = 0; i < 50; i++) {
      for (let j = 0; j < 50; j++)
        lattice.push({ id: i * 50 + j + 1, boundary: polygon(square(i, j, 1)) });
    }
    const big = new GridIndex(lattice);
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 50;
    for (let n = 0; n < 2000; n++) {
      const x = random();
      const y = random();
      const expected = Math.floor(x) * 50 + Math.floor(y) + 1;
      expect(big.gridAt(at(x, y))).toBe(expected);
    }
  });
});
