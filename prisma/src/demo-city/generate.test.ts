import { describe, expect, it } from 'vitest';
import { GridIndex, pointInPolygon } from '@gridline/core';
import { loadAnshanData } from './anshan-data.ts';
import { generateDemoCity, MAX_GRIDS_PER_COMMUNITY, MIN_GRIDS_PER_COMMUNITY } from './generate.ts';

describe('generateDemoCity', () => {
  const data = loadAnshanData();
  const city = generateDemoCity(data);

  it('is deterministic', () => {
    expect(generateDemoCity(data)).toEqual(city);
    expect(generateDemoCity(data, { seed: 1 }).grids[0]!.boundary).not.toEqual(
      city.grids[0]!.boundary,
    );
  });

  it('has the official divisions and 2-6 grids per community, about 1,500 in all', () => {
    expect(city.city.code).toBe('2103');
    expect(city.districts).toHaveLength(4);
    expect(city.streets).toHaveLength(34);
    expect(city.communities).toHaveLength(383);
    const perCommunity = new Map<string, number>();
    for (const grid of city.grids)
      perCommunity.set(grid.parentCode!, (perCommunity.get(grid.parentCode!) ?? 0) + 1);
    expect(perCommunity.size).toBe(383);
    for (const count of perCommunity.values()) {
      expect(count).toBeGreaterThanOrEqual(MIN_GRIDS_PER_COMMUNITY);
      expect(count).toBeLessThanOrEqual(MAX_GRIDS_PER_COMMUNITY);
    }
    expect(city.grids.length).toBeGreaterThan(1300);
    expect(city.grids.length).toBeLessThan(1700);
  });

  it('tiles without overlap: every grid centroid lies in its own grid and no other, inside its community', () => {
    const ids = new Map(city.grids.map((grid, index) => [grid.code, index + 1]));
    const index = new GridIndex(
      city.grids.map((grid) => ({ id: ids.get(grid.code)!, boundary: grid.boundary })),
    );
    const communities = new Map(city.communities.map((community) => [community.code, community]));
    for (const grid of city.grids) {
      const { lng, lat } = grid.centroid;
      const containing = city.grids.filter(
        (other) => pointInPolygon(lng, lat, other.boundary.coordinates) === 1,
      );
      expect(containing.map((other) => other.code)).toEqual([grid.code]);
      expect(index.gridAt(grid.centroid)).toBe(ids.get(grid.code));
      const community = communities.get(grid.parentCode!)!;
      for (const [x, y] of grid.boundary.coordinates[0]!) {
        // Vertices lie inside or on the community outline (moved 0.1% towards its centre to allow for rounding to 7 decimals).
        const nudged = pointInPolygon(
          x + (community.centroid.lng - x) * 1e-3,
          y + (community.centroid.lat - y) * 1e-3,
          community.boundary.coordinates,
        );
        expect(nudged).not.toBe(-1);
      }
    }
  });
});
