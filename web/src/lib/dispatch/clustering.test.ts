import { describe, expect, it } from 'vitest';
import { clusterPoints } from './clustering.ts';

describe('clusterPoints', () => {
  it('clusters points that share a cell once there are enough of them', () => {
    const points = [
      { id: 1, x: 10, y: 10 },
      { id: 2, x: 20, y: 30 },
      { id: 3, x: 40, y: 5 },
      { id: 4, x: 200, y: 200 },
    ];
    const result = clusterPoints(points, { cellSize: 50, minPoints: 3 });
    expect(result.clusters).toHaveLength(1);
    expect(result.clusters[0]!.ids.sort()).toEqual([1, 2, 3]);
    expect(result.clusters[0]!.x).toBeCloseTo(70 / 3);
    expect(result.clusters[0]!.y).toBeCloseTo(15);
    expect(result.singles).toEqual([4]);
  });

  it('leaves sparse cells as single markers', () => {
    const points = [
      { id: 1, x: 10, y: 10 },
      { id: 2, x: 20, y: 30 },
      { id: 3, x: 60, y: 5 },
    ];
    const result = clusterPoints(points, { cellSize: 50, minPoints: 3 });
    expect(result.clusters).toEqual([]);
    expect(result.singles.sort()).toEqual([1, 2, 3]);
  });

  it('keeps the selected ticket apart from its cluster', () => {
    const points = [1, 2, 3, 4].map((id) => ({ id, x: id, y: id }));
    const result = clusterPoints(points, { cellSize: 50, minPoints: 3, keepApart: new Set([2]) });
    expect(result.singles).toEqual([2]);
    expect(result.clusters[0]!.ids).toEqual([1, 3, 4]);
  });

  it('handles negative coordinates and many points in linear cells', () => {
    const points = Array.from({ length: 5000 }, (_, index) => ({
      id: index,
      x: (index % 100) * 10 - 500,
      y: Math.floor(index / 100) * 10 - 300,
    }));
    const result = clusterPoints(points, { cellSize: 100, minPoints: 2 });
    const clustered = result.clusters.reduce((sum, cluster) => sum + cluster.ids.length, 0);
    expect(clustered + result.singles.length).toBe(5000);
    // 100 x 50 points at 10 px spacing in 100 px cells: 10 x 5 cells of 100 each.
    expect(result.clusters).toHaveLength(50);
    expect(result.clusters.every((cluster) => cluster.ids.length === 100)).toBe(true);
  });

  it('puts points with no position on their own', () => {
    const result = clusterPoints(
      [
        { id: 1, x: Number.NaN, y: 0 },
        { id: 2, x: 1, y: 1 },
      ],
      { cellSize: 50, minPoints: 2 },
    );
    expect(result.singles.sort()).toEqual([1, 2]);
  });
});
